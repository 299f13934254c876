"""Modules suggested for gaps: a staff member's own, from their confidential answers, and the
published gaps of the units a leader leads; each with the reason, and why when there is none.

The round is the analysis tests' report_round (analysis/tests/conftest.py): competencies S.1 and
S.2 on the scale 0–2, librarians need 2 in both; Odense Hovedbibliotek is published, Vollsmose
Bibliotek (3 respondents) is not.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from digikompas.analysis import services as analysis
from digikompas.analysis.dataset import LIBRARY

# The round with enough answers to publish, as the offers' tests use it (the fixture
# `answered_round` below hands it on, so that no argument shadows the imported name).
from digikompas.analysis.tests.conftest import (  # noqa: F401
    _minimum_and_cache,
    dalum,
    report_round,
    report_survey,
)
from digikompas.frameworks import services as frameworks
from digikompas.orgs.access import actor_for
from digikompas.orgs.models import JobRole
from digikompas.pilot import enrolment, targeting
from digikompas.pilot.models import Completion, Module, ModuleFormat, Programme, Session
from digikompas.pilot.targeting import Nothing
from digikompas.surveys import services as surveys
from digikompas.surveys.models import AnonymityMode
from digikompas.testing import html, log_in_client

SUGGESTED = reverse("pilot:suggestions")


@pytest.fixture
def answered_round(request):
    return request.getfixturevalue("report_round")


def answer(round, person, s1, s2):
    """The person's own submitted response (a confidential round keeps the person)."""
    return surveys._store_response(
        round=round,
        person=person,
        items=list(round.survey.items.all()),
        answers={"s-1": s1, "s-2": s2, "time-1": 3},
        library=person.library,
        job_role=person.job_role,
        submitted_at=timezone.now() + datetime.timedelta(minutes=1),
    )


def make_programme(framework, key, *, ends_in=90, **more) -> Programme:
    today = timezone.localdate()
    return Programme.objects.create(
        key=key,
        title_da=f"Program {key}",
        framework=framework,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=ends_in),
        **more,
    )


def make_module(programme, title, codes, *, in_days=(3,)) -> Module:
    """A module building the competencies `codes` of its programme's framework, with a session
    starting in each of `in_days` days (negative: held already)."""
    module = Module.objects.create(
        programme=programme, format=ModuleFormat.WORKSHOP, title_da=title
    )
    module.competencies.set(programme.framework.competencies.filter(code__in=codes))
    for days in in_days:
        starts = timezone.now() + datetime.timedelta(days=days)
        Session.objects.create(
            module=module,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Odense",
            capacity=10,
        )
    return module


def titles(result) -> list[str]:
    return [suggestion.module.title_da for suggestion in result.suggestions]


@pytest.fixture
def pilot(answered_round):
    """Modules on the round's framework: some build its gaps, some cannot be taken."""
    framework = answered_round.survey.framework
    programme = make_programme(framework, "pilot")
    ended = make_programme(framework, "ended", ends_in=-1)
    for_leaders = make_programme(framework, "leaders", target_roles=[JobRole.LIBRARY_LEADER])
    return {
        "both": make_module(programme, "Søg og vejled", ["S.1", "S.2"], in_days=(5,)),
        "search": make_module(programme, "Søgning", ["S.1"], in_days=(2, 9)),
        "guide": make_module(programme, "Vejledning", ["S.2"]),
        "leading": make_module(programme, "Prioritering", ["L.1"]),
        "held": make_module(programme, "Søgning, holdt", ["S.1"], in_days=(-2,)),
        "ended": make_module(ended, "Søgning, afsluttet", ["S.1"]),
        "for-leaders": make_module(for_leaders, "Søgning for ledere", ["S.1"]),
    }


# -- a person -----------------------------------------------------------------------------------


def test_modules_for_her_largest_gaps_come_first_with_the_reasons(staff, answered_round, pilot):
    """Alice is at 0 in S.1 and 1 in S.2; librarians need 2 in both."""
    answer(answered_round, staff, s1=0, s2=1)

    result = targeting.for_person(staff)

    assert result.round == answered_round
    assert [(g.competency.code, g.current.value, g.need.value) for g in result.gaps] == [
        ("S.1", 0, 2),
        ("S.2", 1, 2),
    ]
    # 3 missing levels, then 2, then 1. Not: L.1 (no gap), a module whose sessions are held, a
    # programme that has ended, a programme for library leaders.
    assert titles(result) == ["Søg og vejled", "Søgning", "Vejledning"]
    assert [s.score for s in result.suggestions] == [3, 2, 1]
    best = result.suggestions[0]
    assert [(g.competency.code, g.current.value, g.need.value) for g in best.gaps] == [
        ("S.1", 0, 2),
        ("S.2", 1, 2),
    ]
    # The next of its sessions, not a held one.
    assert result.suggestions[1].next_session == pilot["search"].sessions.order_by("starts_at")[0]
    assert result.nothing is None


def test_the_job_role_and_what_she_completed_count(staff, answered_round, pilot):
    answer(answered_round, staff, s1=0, s2=1)
    Completion.objects.create(person=staff, module=pilot["both"])
    staff.job_role = JobRole.LIBRARY_LEADER  # her answer was given as a librarian
    staff.save()

    assert titles(targeting.for_person(staff)) == ["Søgning", "Vejledning"]


def test_a_module_on_another_version_of_the_framework_counts(staff, answered_round, pilot):
    """The competencies keep their identifier from version to version."""
    old = answered_round.survey.framework
    new = frameworks.publish(framework=frameworks.new_version(framework=old))
    assert new.pk != old.pk
    make_module(make_programme(new, "ny"), "Søgning, ny udgave", ["S.1"], in_days=(1,))
    answer(answered_round, staff, s1=0, s2=2)

    result = targeting.for_person(staff)

    # Both address the gap of 2 in S.1; the sooner session first.
    assert titles(result) == ["Søgning, ny udgave", "Søgning", "Søg og vejled"]
    assert result.suggestions[0].gaps[0].competency.framework == old


def test_the_suggestions_are_among_the_modules_asked_for(staff, answered_round, pilot):
    answer(answered_round, staff, s1=0, s2=1)
    only = Module.objects.filter(pk__in=[pilot["guide"].pk, pilot["leading"].pk])
    assert titles(targeting.for_person(staff, modules=only)) == ["Vejledning"]


def test_no_gap_no_module(staff, answered_round, pilot):
    answer(answered_round, staff, s1=2, s2=2)
    result = targeting.for_person(staff)
    assert (result.gaps, result.suggestions, result.nothing) == ((), (), Nothing.NO_GAPS)


def test_gaps_without_modules(staff, answered_round):
    answer(answered_round, staff, s1=0, s2=0)
    result = targeting.for_person(staff)
    assert len(result.gaps) == 2
    assert result.nothing == Nothing.NO_MODULES


def test_nothing_for_someone_who_answered_only_anonymously(staff, answered_round, pilot):
    answered_round.anonymity = AnonymityMode.ANONYMOUS
    answered_round.save()
    answer(answered_round, staff, s1=0, s2=0)  # an anonymous round keeps no person
    assert targeting.for_person(staff).nothing == Nothing.NO_ANSWERS


# -- the units a leader leads -------------------------------------------------------------------


def test_a_library_gets_modules_for_its_published_gaps(library_leader, odense_main, pilot):
    [result] = targeting.for_units(actor_for(library_leader.user))

    assert (result.unit.grouping, result.unit.key) == (LIBRARY, odense_main.pk)
    # S.2 is not published for the library (its 3 leaders have no need there: too few to tell
    # apart), so its gap cannot be targeted.
    assert [g.competency.code for g in result.gaps] == ["S.1"]
    expected = analysis.largest_gaps(
        analysis.analyse(result.round), within=(LIBRARY, odense_main.pk)
    )
    assert result.gaps[0].mean_gap == pytest.approx(expected[0].mean_gap)
    # A unit's gaps are not split by job role, so the library leaders' programme counts too.
    # Equal scores: the soonest session first.
    assert titles(result) == ["Søgning", "Søgning for ledere", "Søg og vejled"]
    assert result.suggestions[0].score == pytest.approx(expected[0].mean_gap)


def test_a_municipal_leader_gets_every_unit_and_a_small_library_nothing(
    municipal_leader, branch_leader, pilot
):
    results = targeting.for_units(actor_for(municipal_leader.user))
    by_name = {result.unit.name: result for result in results}
    assert results[0].unit.name == "Odense"  # the municipality first, then its libraries
    assert set(by_name) == {
        "Odense",
        "Odense Hovedbibliotek",
        "Vollsmose Bibliotek",
        "Dalum Bibliotek",
    }
    assert titles(by_name["Odense Hovedbibliotek"])
    # Vollsmose has 3 respondents; Dalum is hidden beside it (complementary suppression).
    for name in ("Vollsmose Bibliotek", "Dalum Bibliotek"):
        assert by_name[name].nothing == Nothing.TOO_SMALL
        assert by_name[name].suggestions == ()

    [small] = targeting.for_units(actor_for(branch_leader.user))
    assert (small.round, small.suggestions, small.nothing) == (None, (), Nothing.TOO_SMALL)


def test_staff_lead_no_unit(staff, pilot):
    assert targeting.for_units(actor_for(staff.user)) == []


# -- the page -----------------------------------------------------------------------------------


def test_the_page_gives_the_reasons_in_words(client, staff, answered_round, pilot):
    answer(answered_round, staff, s1=0, s2=1)
    page = html(log_in_client(client, staff).get(SUGGESTED))
    both = reverse("pilot:module_detail", args=[pilot["both"].pk])
    assert f'<a href="{both}">Søg og vejled</a></h3>' in page
    assert (
        "<li>S.1 Searching eReolen: your level 0 (None), your job role needs 2 (Practitioner)</li>"
        "<li>S.2 Guidance: your level 1 (Beginner), your job role needs 2 (Practitioner)</li>"
    ) in page
    assert "From your answers to Forår 2026." in page
    assert "Next session:" in page


def test_the_page_says_which_suggested_module_she_already_has_a_place_in(
    client, staff, answered_round, pilot
):
    answer(answered_round, staff, s1=0, s2=1)
    enrolment.enrol(pilot["search"].sessions.first(), staff)
    page = html(log_in_client(client, staff).get(SUGGESTED))
    placed = "<p><strong>You already have a place in a session of this module.</strong></p>"
    assert page.count(placed) == 1
    search = reverse("pilot:module_detail", args=[pilot["search"].pk])
    assert page.index(f'<a href="{search}">Søgning</a>') < page.index(placed)


def test_the_page_says_why_there_is_nothing(client, staff, branch_leader, odense_branch, pilot):
    page = html(log_in_client(client, staff).get(SUGGESTED))
    assert "Suggestions for you appear when you have answered a competence survey" in page

    page = html(log_in_client(client, branch_leader).get(SUGGESTED))
    assert f"Too few people from {odense_branch.name} have answered a competence survey" in page
    assert "(at least 5 are needed)" in page


def test_the_page_says_when_no_gap_is_left(client, staff, answered_round, pilot):
    answer(answered_round, staff, s1=2, s2=2)
    page = html(log_in_client(client, staff).get(SUGGESTED))
    assert "You are at or above the level your job role needs in every competency." in page


def test_a_leader_reads_the_units_gaps_and_nothing_about_anyone(
    client, library_leader, odense_main, pilot
):
    page = html(log_in_client(client, library_leader).get(SUGGESTED))
    assert f"For {odense_main.name}</h2>" in page
    assert "nothing about any one person is shown" in page
    assert "S.1 Searching eReolen: a mean gap of " in page
    assert " are below the level their job role needs" in page
    assert "Respondent" not in page


def test_a_login_without_a_person_gets_403(client, outsider):
    client.force_login(outsider)
    assert client.get(SUGGESTED).status_code == 403


def test_the_programme_page_suggests_its_modules_for_her_gaps(client, staff, answered_round, pilot):
    answer(answered_round, staff, s1=0, s2=2)
    programme = pilot["search"].programme
    page = html(
        log_in_client(client, staff).get(reverse("pilot:programme_detail", args=[programme.pk]))
    )
    search = reverse("pilot:module_detail", args=[pilot["search"].pk])
    assert "Suggested for you</h2>" in page
    assert (
        f'<li><a href="{search}">Søgning</a> – S.1 Searching eReolen: your level 0 (None), '
        "your job role needs 2 (Practitioner)</li>"
    ) in page
    assert "Søgning, afsluttet</a> –" not in page  # another programme's


def test_the_programme_page_has_no_box_without_answers(client, staff, pilot):
    programme = pilot["search"].programme
    page = html(
        log_in_client(client, staff).get(reverse("pilot:programme_detail", args=[programme.pk]))
    )
    assert "Suggested for you" not in page


def test_an_enrolment_does_not_hide_a_module(staff, answered_round, pilot):
    """Someone with a place still sees the module among the suggestions: its page shows their
    place."""
    answer(answered_round, staff, s1=0, s2=2)
    enrolment.enrol(pilot["search"].sessions.first(), staff)
    assert "Søgning" in titles(targeting.for_person(staff))
