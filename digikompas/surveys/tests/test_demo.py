"""The survey demo: three closed rounds of the shipped surveys, answered by fictitious people
with answers that are valid, repeatable, and shaped the way the analysis expects.

The shape of the answers is checked on the generator alone, for the full national demo (about
5,000 people, a second, no database). The loader is checked on a national demo cut down to a
dozen municipalities, so that each load takes about a second.
"""

import json
import re
from collections import defaultdict
from datetime import UTC, datetime
from io import StringIO
from statistics import mean

import pytest
import time_machine
from django.core.management import CommandError, call_command

from digikompas.frameworks.models import Competency
from digikompas.frameworks.services import DEFAULT_FRAMEWORK_FILE
from digikompas.orgs import demo as orgs_demo
from digikompas.orgs.models import JobRole, Municipality, Person
from digikompas.orgs.reference import read_municipalities
from digikompas.surveys import answers as answer_rules
from digikompas.surveys import demo
from digikompas.surveys.defaults import DATA_FILE, competency_item_code
from digikompas.surveys.models import AnonymityMode, Answer, Invitation, ItemKind, Response, Round
from digikompas.surveys.services import response_rates, totals

TODAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TITLES = {
    "kompetencer": "Kompetencekortlægning efterår 2026 (demo)",
    "barrierer": "Barrierekortlægning efterår 2026 (demo)",
    "digitalt-lederskab": "Digitalt lederskab efterår 2026 (demo)",
}
LEADERS = {JobRole.LIBRARY_LEADER, JobRole.HEAD_OF_LIBRARIES}
# A line of the summary: title, anonymity, invited, responses, rate.
SUMMARY_LINE = re.compile(
    r"^  (\S.*?)\s{2,}(confidential|anonymous)\s+([\d,]+) invited\s+([\d,]+) responses "
    r"\((\d+) %\)$",
    re.MULTILINE,
)
# The municipalities of the cut-down demo: Odense (the demo logins), big and small ones.
SOME_MUNICIPALITIES = [101, 147, 159, 265, 400, 461, 479, 607, 751, 787, 825, 851]


# -- the generator, without the database --------------------------------------------------------


def shipped_shape() -> demo.SurveyShape:
    """The shipped framework and surveys as the generator sees them, read from their files."""
    framework = json.loads(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))
    surveys = {s["key"]: s for s in json.loads(DATA_FILE.read_text(encoding="utf-8"))["surveys"]}

    def items(key):
        return [item for section in surveys[key]["sections"] for item in section["items"]]

    codes = [c["code"] for domain in framework["domains"] for c in domain["competencies"]]
    return demo.SurveyShape(
        competence_items=tuple((competency_item_code(Competency(code=c)), c) for c in codes),
        barrier_items=tuple(
            (i["code"], i["barrier"]) for i in items("barrierer") if i["kind"] == "agreement"
        ),
        leadership_items=tuple(
            (i["code"], i["competency"]) for i in items("digitalt-lederskab") if "competency" in i
        ),
        targets={
            p["job_role"]: p["levels"] for p in framework["profiles"] if not p["library_kind"]
        },
    )


@pytest.fixture(scope="module")
def shape():
    return shipped_shape()


@pytest.fixture(scope="module")
def members():
    rows = read_municipalities()
    region = {int(row["code"]): int(row["region_code"]) for row in rows}
    people = orgs_demo.generate(
        orgs_demo.MunicipalityFacts(int(row["code"]), row["name"], int(row["population"]))
        for row in rows
    ).people
    return {
        p.email: demo.Member(
            p.email, p.job_role, p.library_code, p.municipality_code, region[p.municipality_code]
        )
        for p in people
        if p.job_role in demo.STAFF_ROLES + demo.LEADER_ROLES
    }


@pytest.fixture(scope="module")
def generated(members, shape):
    return demo.generate(members.values(), shape)


def levels(generated, members, shape, key, group=lambda member: None):
    """Competency levels in a round by group (of the member) and competency code."""
    codes = dict(shape.competence_items if key == "kompetencer" else shape.leadership_items)
    result = defaultdict(list)
    for invitee in generated[key]:
        member = members[invitee.email]
        for code, value in invitee.answers.items():
            if code in codes:
                result[group(member), codes[code]].append(value)
    return result


def test_the_same_seed_gives_the_same_answers_and_another_seed_others(members, shape, generated):
    again = demo.generate(reversed(list(members.values())), shape)
    assert again == generated
    other = demo.generate(members.values(), shape, seed=7)
    assert other["kompetencer"] != generated["kompetencer"]
    assert other["barrierer"] != generated["barrierer"]


def test_response_rates_are_realistic_and_differ_between_municipalities(members, generated):
    for key, invitees in generated.items():
        answered = [i.answered_after is not None for i in invitees]
        assert 0.55 <= mean(answered) <= 0.85, key
    by_municipality = defaultdict(list)
    for invitee in generated["kompetencer"]:
        by_municipality[members[invitee.email].municipality].append(
            invitee.answered_after is not None
        )
    rates = [mean(answered) for answered in by_municipality.values() if len(answered) >= 20]
    assert max(rates) - min(rates) > 0.25
    assert 0.6 <= mean(i.answered_after is not None for i in generated["kompetencer"]) <= 0.7


def test_staff_lack_most_in_usage_statistics_online_dissemination_and_licence_terms(
    members, shape, generated
):
    by_role = levels(generated, members, shape, "kompetencer", lambda m: m.job_role)
    need = shape.targets[JobRole.LIBRARIAN]
    librarians = {code: values for (role, code), values in by_role.items() if role == "librarian"}
    gaps = {code: need[code] - mean(values) for code, values in librarians.items()}
    below = sum(level < need["D4.2"] for level in librarians["D4.2"]) / len(librarians["D4.2"])
    assert mean(librarians["D4.2"]) < need["D4.2"]
    assert below > 0.6
    assert {"D4.2", "D1.2", "D3.3"} <= set(sorted(gaps, key=gaps.get, reverse=True)[:4])
    # ... and strong in the rest of D1–D3.
    assert all(gaps[code] < 0.4 for code in ("D1.1", "D2.1", "D2.3", "D3.1", "D3.5"))
    # Communicators are the strongest in online dissemination, digital guides in citizen support.
    d33 = {role: mean(by_role[role, "D3.3"]) for role in demo.STAFF_ROLES}
    assert max(d33, key=d33.get) == JobRole.COMMUNICATOR
    d51 = {role: mean(by_role[role, "D5.1"]) for role in demo.STAFF_ROLES}
    assert max(d51, key=d51.get) == JobRole.DIGITAL_GUIDE


def test_leaders_are_strong_in_digital_leadership_yet_below_their_need(members, shape, generated):
    staff = levels(generated, members, shape, "kompetencer")
    staff_d6 = [n for (_, code), values in staff.items() if code.startswith("D6") for n in values]
    leaders = levels(generated, members, shape, "digitalt-lederskab", lambda m: m.job_role)
    assert mean(n for values in leaders.values() for n in values) > mean(staff_d6) + 1
    for role in LEADERS:
        gaps = [
            shape.targets[role][code] - mean(values)
            for (r, code), values in leaders.items()
            if r == role
        ]
        assert mean(gaps) > 0.5, role
    assert {n for values in leaders.values() for n in values} == {1, 2, 3, 4}


def test_municipalities_differ_far_more_than_regions(members, shape, generated):
    def spread(unit):
        groups = defaultdict(list)
        for (group, _code), values in levels(
            generated, members, shape, "kompetencer", unit
        ).items():
            groups[group].extend(values)
        # Units with at least 15 respondents (23 competencies each).
        means = [mean(values) for values in groups.values() if len(values) >= 15 * 23]
        return max(means) - min(means)

    assert spread(lambda m: m.municipality) > 0.5
    assert spread(lambda m: m.region) < spread(lambda m: m.municipality) / 3


def test_leaders_and_staff_see_the_barriers_differently(members, shape, generated):
    categories = dict(shape.barrier_items)
    agreement = defaultdict(list)
    for invitee in generated["barrierer"]:
        group = "leaders" if members[invitee.email].job_role in LEADERS else "staff"
        for code, value in invitee.answers.items():
            if code in categories:
                agreement[group, categories[code]].append(value)

    def gap(category):
        """How much more staff agree than leaders."""
        return mean(agreement["staff", category]) - mean(agreement["leaders", category])

    for category in ("priority", "mindset", "time", "knowledge", "competence-development"):
        assert gap(category) > 0.3, category
    for category in ("budget", "licence-terms"):
        assert gap(category) < -0.3, category


def test_frequent_disseminators_are_the_skilled_ones(generated):
    """The barrier survey is anonymous, so its answers are never matched with the competence
    survey's; in the generator they come from the same person."""
    skill = {
        invitee.email: mean(invitee.answers.values())
        for invitee in generated["kompetencer"]
        if invitee.answers
    }
    by_frequency = defaultdict(list)
    for invitee in generated["barrierer"]:
        if invitee.answers and invitee.email in skill:
            by_frequency[invitee.answers["frequency"]].append(skill[invitee.email])
    assert mean(by_frequency["daily"]) > mean(by_frequency["never"]) + 0.3
    wants_more = defaultdict(list)
    for invitee in generated["barrierer"]:
        if invitee.answers:
            wants_more[invitee.answers["frequency"]].append(
                invitee.answers["more-knowledge"] == "yes"
            )
    assert mean(wants_more["never"]) > mean(wants_more["daily"]) + 0.1


# -- the loader, with the database --------------------------------------------------------------


def load_survey_demo(*args) -> str:
    out = StringIO()
    with time_machine.travel(TODAY, tick=False):
        call_command("load_survey_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(reference_data, monkeypatch):
    """The national demo of libraries and people, in a dozen municipalities."""
    Municipality.objects.exclude(code__in=SOME_MUNICIPALITIES).delete()
    monkeypatch.setattr(orgs_demo, "TARGET_LIBRARIES", 30)
    monkeypatch.setattr(orgs_demo, "TARGET_PEOPLE", 350)
    orgs_demo.load()


@pytest.fixture
def rounds(people) -> dict[str, Round]:
    load_survey_demo()
    return {r.survey.key: r for r in demo.demo_rounds().select_related("survey")}


def answers_of(round: Round, **where):
    return Answer.objects.filter(response__round=round, **where)


def snapshot() -> dict[str, list]:
    """Every answer of the demo rounds: per response with its person (none in the anonymous
    round), unit and job role, sorted."""
    by_response = defaultdict(list)
    for key, response, email, library, job_role, code, number, text, choices in (
        Answer.objects.filter(response__round__in=demo.demo_rounds())
        .order_by("item__code")
        .values_list(
            "response__round__survey__key",
            "response",
            "response__person__email",
            "response__library__code",
            "response__job_role",
            "item__code",
            "number",
            "text",
            "choices",
        )
    ):
        by_response[key, response, email or "", library or "", job_role].append(
            (code, number, text, tuple(choices))
        )
    result = defaultdict(list)
    for (key, _pk, *who), answers in by_response.items():
        result[key].append((*who, tuple(answers)))
    return {key: sorted(responses) for key, responses in result.items()}


def counts() -> tuple[int, int, int, int]:
    return (
        Round.objects.count(),
        Invitation.objects.count(),
        Response.objects.count(),
        Answer.objects.count(),
    )


def test_it_refuses_to_load_without_the_national_demo(reference_data):
    with pytest.raises(CommandError) as raised:
        load_survey_demo()
    assert str(raised.value) == (
        "The survey demo needs the national demo of libraries and people; run load_demo first."
    )
    assert not Round.objects.exists()


def test_it_loads_three_closed_rounds_once(people, django_assert_max_num_queries):
    first = load_survey_demo()
    assert "Loaded the survey demo (seed 2026)" in first
    assert "All answers in the demo rounds are FICTITIOUS" in first
    rounds = {r.survey.key: r for r in Round.objects.select_related("survey")}
    assert {key: r.title for key, r in rounds.items()} == TITLES
    assert {key: r.anonymity for key, r in rounds.items()} == {
        "kompetencer": AnonymityMode.CONFIDENTIAL,
        "barrierer": AnonymityMode.ANONYMOUS,
        "digitalt-lederskab": AnonymityMode.CONFIDENTIAL,
    }
    with time_machine.travel(TODAY, tick=False):
        for round in rounds.values():
            assert round.is_closed
            assert (round.closes_at - round.opens_at).days == 27  # four weeks from 8 o'clock
            assert round.created_by is None
            assert not round.invitations.filter(sent_at__isnull=True).exists()
            assert 40 <= totals(round=round).percent <= 90
    # Everyone in each population is invited: all staff, staff and leaders, all leaders.
    staff = Person.objects.filter(job_role__in=demo.STAFF_ROLES).count()
    leaders = Person.objects.filter(job_role__in=LEADERS).count()
    assert totals(round=rounds["kompetencer"]).invited == staff
    assert totals(round=rounds["barrierer"]).invited == staff + leaders
    assert totals(round=rounds["digitalt-lederskab"]).invited == leaders
    assert len(response_rates(round=rounds["kompetencer"])) == len(SOME_MUNICIPALITIES)
    assert SUMMARY_LINE.findall(first) == [
        (
            r.title,
            r.anonymity,
            f"{totals(round=r).invited:,}",
            f"{r.responses.count():,}",
            f"{totals(round=r).percent:.0f}",
        )
        for r in Round.objects.order_by("pk")
    ]
    loaded = counts()

    # Loaded already: a few counting queries, nothing written.
    with django_assert_max_num_queries(12):
        second = load_survey_demo()
    assert "The survey demo is loaded already; nothing changed" in second
    assert second.splitlines()[1:] == first.splitlines()[1:]
    assert counts() == loaded


def test_reset_loads_the_same_answers_again_for_the_same_seed(rounds):
    made_in_the_product = Round.objects.create(
        survey=rounds["barrierer"].survey,
        title="Barrierer forår 2027",
        opens_at=TODAY,
        closes_at=datetime(2027, 1, 1, tzinfo=UTC),
    )
    before, loaded = snapshot(), counts()
    assert "Loaded the survey demo (seed 2026)" in load_survey_demo("--reset")
    assert counts() == loaded
    assert snapshot() == before

    assert "Loaded the survey demo (seed 7)" in load_survey_demo("--reset", "--seed", "7")
    assert counts()[0] == loaded[0]
    other = snapshot()
    assert other["kompetencer"] != before["kompetencer"]
    assert other["barrierer"] != before["barrierer"]
    assert Round.objects.filter(pk=made_in_the_product.pk).exists()


def test_it_asks_for_a_reset_when_the_people_were_loaded_again(rounds):
    orgs_demo.load(reset=True)
    with pytest.raises(CommandError) as raised:
        load_survey_demo()
    assert str(raised.value) == (
        "The demo rounds have lost their invitations (the national demo was loaded again); "
        "run load_survey_demo --reset to answer them anew."
    )
    load_survey_demo("--reset")
    confidential = Response.objects.filter(round__anonymity=AnonymityMode.CONFIDENTIAL)
    assert confidential.exists()
    assert not confidential.filter(person__isnull=True).exists()


def test_responses_are_stored_as_the_anonymity_of_their_round_requires(rounds):
    anonymous = rounds["barrierer"].responses.all()
    assert anonymous.exists()
    assert not anonymous.filter(person__isnull=False).exists()
    assert not anonymous.filter(invitation__isnull=False).exists()
    # ... yet with the grouping keys; heads of libraries work for a municipality, not a library.
    assert not anonymous.filter(municipality__isnull=True).exists()
    assert not anonymous.filter(region__isnull=True).exists()
    assert not anonymous.exclude(job_role=JobRole.HEAD_OF_LIBRARIES).filter(library=None).exists()
    assert set(anonymous.values_list("job_role", flat=True)) >= LEADERS
    # The invitations of those who answered are marked, so that reminders skip them.
    answered = rounds["barrierer"].invitations.filter(responded_at__isnull=False)
    assert answered.count() == anonymous.count()
    # Neither keeps the moment of answering, which would pair them up: both carry the opening.
    opened = rounds["barrierer"].opens_at
    assert set(anonymous.values_list("submitted_at", flat=True)) == {opened}
    assert set(answered.values_list("responded_at", flat=True)) == {opened}
    assert not answered.filter(started_at__isnull=False).exists()

    for key in ("kompetencer", "digitalt-lederskab"):
        round = rounds[key]
        linked = round.responses.select_related("invitation", "person")
        assert linked.count() == round.invitations.filter(responded_at__isnull=False).count()
        for response in linked:
            assert response.invitation.person_id == response.person_id
            assert response.invitation.responded_at == response.submitted_at
            assert response.job_role == response.person.job_role
            assert response.library_id == response.person.library_id
            assert round.opens_at <= response.submitted_at < round.closes_at

    # The demo logins have answered, so that they see their own results.
    staff, leader = orgs_demo.STAFF_LOGIN.email, orgs_demo.LIBRARY_LEADER_LOGIN.email
    assert rounds["kompetencer"].responses.filter(person__email=staff).exists()
    assert rounds["digitalt-lederskab"].responses.filter(person__email=leader).exists()
    assert answered.filter(person__email=staff).exists()


def test_every_answer_is_valid_and_only_optional_items_are_left_out(rounds):
    for round in rounds.values():
        items = {item.pk: item for item in round.survey.items.select_related("show_if_item")}
        given = defaultdict(dict)
        for response, item, number, text, choices in answers_of(round).values_list(
            "response", "item", "number", "text", "choices"
        ):
            item = items[item]
            value = (
                choices if item.kind == ItemKind.MULTIPLE
                else text if item.kind in (ItemKind.SINGLE, ItemKind.TEXT)
                else number
            )  # fmt: skip
            # The questionnaire's own rules take it as it is.
            assert answer_rules.clean(item, value, levels=range(5)) == value, (item.code, value)
            given[response][item.code] = value
        assert len(given) == round.responses.count()
        for answers in given.values():
            assert answer_rules.missing(items.values(), answers) == []
            assert answer_rules.shown_answers(items.values(), answers) == answers
        left_out = {
            item
            for item in items.values()
            for answers in given.values()
            if item.code not in answers
        }
        assert all(not item.required for item in left_out)
    # Leaders rate their leadership from 1 to 4; none rates it 0.
    d6 = answers_of(rounds["digitalt-lederskab"], item__kind=ItemKind.COMPETENCY)
    assert set(d6.values_list("number", flat=True)) <= {1, 2, 3, 4}
    # Some write a few words, from a small pool of Danish sentences.
    texts = answers_of(rounds["barrierer"], item__kind=ItemKind.TEXT)
    assert 0 < texts.count() < rounds["barrierer"].responses.count() / 4
    assert set(texts.values_list("text", flat=True)) <= set(demo.WHAT_WOULD_HELP + demo.COMMENTS)
