"""The effect of a programme (pilot/effect.py), checked against a computation of its own: the
answers are read back from the database into pandas and the statistics done with numpy and scipy
directly (scipy.stats.ttest_rel for the paired intervals, ttest_ind(equal_var=False) for Welch).

The programme of pilot/tests/conftest.py gets a closed round before and a closed round after, both
of the small survey (competencies S.1 and S.2 on the scale 0–2). `measured` builds:

    8 participants (completed the module); one of them also waits for a seat, one answered the
      round before twice (the later answer counts), one left S.2 out after
    6 non-participants; one of them enrolled and cancelled
    2 people who enrolled and completed nothing (in neither group)
    people who answered only one of the rounds, and one who completed without answering after
"""

import datetime
import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone
from openpyxl import load_workbook
from scipy import stats

from digikompas.pilot import effect_export
from digikompas.pilot import enrolment as service
from digikompas.pilot.effect import (
    EMPTY,
    GROUP_HIDDEN,
    NON_PARTICIPANTS,
    PARTICIPANTS,
    SHOWN,
    TOO_FEW,
    hedges_correction,
    programme_effect,
)
from digikompas.pilot.models import Completion
from digikompas.surveys import services as surveys
from digikompas.surveys.models import Answer, ItemKind
from digikompas.surveys.tests.conftest import make_survey
from digikompas.testing import make_person

# (S.1 before, S.2 before, S.1 after, S.2 after); None: not answered.
PARTICIPANT_LEVELS = [
    (0, 0, 2, 1),
    (1, 0, 2, 2),
    (0, 1, 1, 1),
    (1, 1, 2, 1),
    (0, 0, 1, 2),
    (2, 1, 2, 2),
    (1, 0, 1, 1),
    (0, 1, 2, None),  # left S.2 out in the round after
]
NON_PARTICIPANT_LEVELS = [
    (1, 1, 1, 1),
    (0, 1, 1, 1),
    (2, 2, 1, 2),
    (1, 0, 1, 1),
    (0, 0, 0, 1),
    (1, 2, 2, 2),
]
NEITHER_LEVELS = [(0, 0, 2, 2), (1, 1, 0, 0)]


def answers(s1, s2) -> dict:
    values = {"time-1": 3}
    if s1 is not None:
        values["s-1"] = s1
    if s2 is not None:
        values["s-2"] = s2
    return values


def respond(round, person, s1, s2, *, when=None):
    return surveys._store_response(
        round=round,
        person=person,
        items=list(round.survey.items.all()),
        answers=answers(s1, s2),
        submitted_at=when,
    )


def make_people(prefix, count, library):
    return [
        make_person(f"{prefix} {n}", f"{prefix.lower()}{n}@odense.example", library=library,
                    login=False)
        for n in range(count)
    ]  # fmt: skip


def link_rounds(programme, *, after_closes_in=-1):
    """A round before (closed two months ago) and one after (closing in `after_closes_in` days)
    of one survey, linked to the programme."""
    now = timezone.now()
    survey = make_survey(programme.framework, key="effect-survey")
    day = datetime.timedelta(days=1)
    before = surveys.create_round(
        survey=survey, title="Før pilot", opens_at=now - 90 * day, closes_at=now - 60 * day
    )
    after = surveys.create_round(
        survey=survey,
        title="Efter pilot",
        opens_at=now - 20 * day,
        closes_at=now + after_closes_in * day,
    )
    programme.before_round, programme.after_round = before, after
    programme.save()
    return before, after


def answer_both(before, after, people, levels):
    for person, (b1, b2, a1, a2) in zip(people, levels, strict=True):
        respond(before, person, b1, b2, when=before.opens_at + datetime.timedelta(days=1))
        respond(after, person, a1, a2, when=after.opens_at + datetime.timedelta(days=1))


def build(programme, module, session, library, *, participants, non_participants, neither=()):
    """The rounds, the people and their answers; completions for participants and enrolments
    for the people in neither group. Returns {group: [people]}."""
    before, after = link_rounds(programme)
    groups = {
        PARTICIPANTS: make_people("Deltager", len(participants), library),
        NON_PARTICIPANTS: make_people("Ikke", len(non_participants), library),
        "neither": make_people("Tilmeldt", len(neither), library),
    }
    answer_both(before, after, groups[PARTICIPANTS], participants)
    answer_both(before, after, groups[NON_PARTICIPANTS], non_participants)
    answer_both(before, after, groups["neither"], neither)
    for person in groups["neither"]:
        service.enrol(session, person)
    for person in groups[PARTICIPANTS]:
        Completion.objects.create(person=person, module=module)
    return groups


def make_measured(programme, module, session, library) -> dict:
    """The programme of the module docstring; returns {group: [people]}."""
    groups = build(
        programme, module, session, library,
        participants=PARTICIPANT_LEVELS, non_participants=NON_PARTICIPANT_LEVELS,
        neither=NEITHER_LEVELS,
    )  # fmt: skip
    before, after = programme.before_round, programme.after_round
    # The first participant answered the round before twice: the earlier answer is replaced.
    respond(before, groups[PARTICIPANTS][0], 2, 2, when=before.opens_at)
    # The second participant also waits for a seat: enrolled and completed is a participant.
    service.enrol(session, groups[PARTICIPANTS][1])
    # A non-participant enrolled and cancelled: still a non-participant.
    service.cancel(service.enrol(session, groups[NON_PARTICIPANTS][0]))
    # Answered only one of the rounds: not paired, in no figure.
    only_before, only_after, completed_once = make_people("Enkelt", 3, library)
    respond(before, only_before, 2, 2)
    respond(after, only_after, 0, 0)
    respond(before, completed_once, 0, 0)
    Completion.objects.create(person=completed_once, module=module)
    return groups


@pytest.fixture
def measured(programme, module, session, odense_main):
    return make_measured(programme, module, session, odense_main)


# -- the independent computation ------------------------------------------------------------------


def stored_levels(round) -> pd.DataFrame:
    """person × competency code: the levels of each person's latest response in the round."""
    frame = pd.DataFrame(
        Answer.objects.filter(response__round=round, item__kind=ItemKind.COMPETENCY).values(
            "response_id", "response__person_id", "response__submitted_at",
            "item__competency__code", "number",
        )
    )  # fmt: skip
    latest = (
        frame.sort_values(["response__submitted_at", "response_id"])
        .groupby("response__person_id")["response_id"]
        .last()
    )
    frame = frame[frame["response_id"].isin(latest)]
    return frame.pivot(
        index="response__person_id", columns="item__competency__code", values="number"
    ).astype(float)


def paired(before, after, people, code=None):
    """Levels before and after of the people who rated `code` in both rounds; without a code,
    each person's mean over the competencies they rated in both."""
    b = stored_levels(before).reindex([p.pk for p in people])
    a = stored_levels(after).reindex([p.pk for p in people])
    if code is not None:
        both = b[code].notna() & a[code].notna()
        return b[code][both].to_numpy(), a[code][both].to_numpy()
    both = b.notna() & a.notna()
    counted = both.any(axis=1)
    return b.where(both).mean(axis=1)[counted].to_numpy(), a.where(both).mean(axis=1)[
        counted
    ].to_numpy()


def expected_cell(b, a) -> dict:
    changes = a - b
    sd = changes.std(ddof=1)
    interval = stats.ttest_rel(a, b).confidence_interval(0.95)
    return {
        "n": len(changes),
        "mean_before": b.mean(),
        "mean_after": a.mean(),
        "mean_change": changes.mean(),
        "sd_change": sd,
        "ci_low": interval.low,
        "ci_high": interval.high,
        "effect_size": changes.mean() / sd,
    }


def expected_comparison(first, second) -> dict:
    result = stats.ttest_ind(first, second, equal_var=False)
    interval = result.confidence_interval(0.95)
    n1, n2 = len(first), len(second)
    pooled = math.sqrt(
        ((n1 - 1) * first.var(ddof=1) + (n2 - 1) * second.var(ddof=1)) / (n1 + n2 - 2)
    )
    df = n1 + n2 - 2
    correction = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
    return {
        "difference": first.mean() - second.mean(),
        "ci_low": interval.low,
        "ci_high": interval.high,
        "df": result.df,
        "hedges_g": (first.mean() - second.mean()) / pooled * correction,
    }


def assert_close(actual, expected: dict):
    for name, value in expected.items():
        got = actual[name] if isinstance(actual, dict) else getattr(actual, name)
        assert got == pytest.approx(value, abs=1e-9, rel=0), name


def rows_by_code(effect) -> dict:
    return {row.code: row for row in effect.rows}


# -- what is measured -----------------------------------------------------------------------------


def test_each_competency_matches_a_computation_from_the_stored_answers(programme, measured):
    effect = programme_effect(programme)
    before, after = programme.before_round, programme.after_round

    assert effect.problems == ()
    assert not effect.preliminary
    assert (effect.participants.status, effect.participants.n) == (SHOWN, 8)
    assert (effect.non_participants.status, effect.non_participants.n) == (SHOWN, 6)
    rows = rows_by_code(effect)
    assert list(rows) == ["S.1", "S.2"]
    for code, row in rows.items():
        changes = {}
        for key in (PARTICIPANTS, NON_PARTICIPANTS):
            b, a = paired(before, after, measured[key], code)
            changes[key] = a - b
            cell = getattr(row, key)
            assert cell.status == SHOWN
            assert_close(cell, expected_cell(b, a))
        assert_close(
            row.comparison, expected_comparison(changes[PARTICIPANTS], changes[NON_PARTICIPANTS])
        )
    # The participant who left S.2 out after counts for S.1 only.
    assert (rows["S.1"].participants.n, rows["S.2"].participants.n) == (8, 7)


def test_all_competencies_is_each_persons_mean_over_what_they_rated_in_both(programme, measured):
    effect = programme_effect(programme)
    before, after = programme.before_round, programme.after_round

    changes = {}
    for key in (PARTICIPANTS, NON_PARTICIPANTS):
        b, a = paired(before, after, measured[key])
        changes[key] = a - b
        assert_close(getattr(effect.overall, key), expected_cell(b, a))
    assert_close(
        effect.overall.comparison,
        expected_comparison(changes[PARTICIPANTS], changes[NON_PARTICIPANTS]),
    )
    assert effect.composite == ("S.1", "S.2")


def test_the_latest_response_of_a_round_counts(programme, measured):
    first = measured[PARTICIPANTS][0]
    latest = stored_levels(programme.before_round).loc[first.pk]
    assert (latest["S.1"], latest["S.2"]) == (0, 0)  # not the earlier 2, 2
    row = rows_by_code(programme_effect(programme))["S.1"]
    mean_before = np.mean([levels[0] for levels in PARTICIPANT_LEVELS])
    assert row.participants.mean_before == pytest.approx(mean_before, abs=1e-12)


def test_people_in_neither_group_and_unpaired_people_count_nowhere(programme, measured):
    effect = programme_effect(programme)
    assert effect.neither.status == TOO_FEW  # 2, below the minimum: not given
    assert effect.neither.n is None
    assert effect.participants.n == len(PARTICIPANT_LEVELS)
    assert effect.non_participants.n == len(NON_PARTICIPANT_LEVELS)


def test_the_neither_count_is_given_at_the_minimum(programme, module, session, odense_main,
                                                     settings):  # fmt: skip
    settings.ANONYMITY_MINIMUM = 2
    build(
        programme, module, session, odense_main,
        participants=PARTICIPANT_LEVELS, non_participants=NON_PARTICIPANT_LEVELS,
        neither=NEITHER_LEVELS,
    )  # fmt: skip
    effect = programme_effect(programme)
    assert (effect.neither.status, effect.neither.n) == (SHOWN, 2)


def test_the_rounds_pair_competencies_across_framework_versions(
    programme, module, session, odense_main
):
    """The round after asks a later version of the framework: its competencies are other rows
    with the same identifiers."""
    from digikompas.frameworks import services as frameworks

    build(
        programme, module, session, odense_main,
        participants=PARTICIPANT_LEVELS, non_participants=NON_PARTICIPANT_LEVELS,
    )  # fmt: skip
    same_version = programme_effect(programme)
    newer = frameworks.publish(framework=frameworks.new_version(framework=programme.framework))
    after = programme.after_round
    survey = make_survey(newer, key="effect-survey-2")
    items = {item.code: item for item in survey.items.all()}
    for answer in Answer.objects.filter(response__round=after).select_related("item"):
        answer.item = items[answer.item.code]
        answer.save()
    after.survey = survey
    after.save()

    effect = programme_effect(programme)
    assert [row.competency.framework_id for row in effect.rows] == [newer.pk, newer.pk]
    for old, new in zip(same_version.rows, effect.rows, strict=True):
        assert old.competency.identifier == new.competency.identifier
        assert new.participants == old.participants
        assert new.comparison == old.comparison
    # The module builds S.1 of the old version; it is matched by identifier.
    assert [row.built_by_programme for row in effect.rows] == [True, False]


def test_an_sd_of_zero_gives_no_effect_size(programme, module, session, odense_main):
    everyone_up_one = [(0, 0, 1, 1)] * 5
    build(
        programme, module, session, odense_main,
        participants=everyone_up_one, non_participants=everyone_up_one,
    )  # fmt: skip
    row = rows_by_code(programme_effect(programme))["S.1"]
    cell = row.participants
    assert (cell.mean_change, cell.sd_change, cell.effect_size) == (1.0, 0.0, None)
    assert (cell.ci_low, cell.ci_high) == (None, None)
    assert effect_export.cell_note(cell, 5) == (
        "Everyone changed by the same amount, so there is no spread: no confidence interval or "
        "effect size can be given."
    )
    assert row.comparison.difference == 0.0
    assert row.comparison.hedges_g is None
    assert effect_export.comparison_note(row).startswith("Everyone in both groups changed")


# -- anonymity ------------------------------------------------------------------------------------

FOUR_NON_PARTICIPANTS = [(1, 1, 1, 1), (0, 1, 2, 2), (2, 0, 0, 1), (1, 2, 2, 0)]
SIX_PARTICIPANTS = PARTICIPANT_LEVELS[:6]


@pytest.fixture
def four_outside(programme, module, session, odense_main):
    """Six participants and four non-participants (below the minimum of 5)."""
    return build(
        programme, module, session, odense_main,
        participants=SIX_PARTICIPANTS, non_participants=FOUR_NON_PARTICIPANTS,
    )  # fmt: skip


def test_a_group_below_the_minimum_is_hidden_whole(programme, four_outside):
    effect = programme_effect(programme)
    assert effect.non_participants.status == GROUP_HIDDEN
    assert effect.non_participants.n is None
    assert effect.participants.n == 6
    for row in [effect.overall, *effect.rows]:
        cell = row.non_participants
        assert cell.status == GROUP_HIDDEN
        assert [cell.n, cell.mean_before, cell.mean_after, cell.mean_change, cell.sd_change,
                cell.ci_low, cell.ci_high, cell.effect_size] == [None] * 8  # fmt: skip
        assert row.comparison.status == TOO_FEW
        assert row.comparison.difference is None
        assert row.participants.status == SHOWN


def numbers_in(value) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in numbers_in(item)]
    if isinstance(value, list):
        return [n for item in value for n in numbers_in(item)]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return []
    return [value]


def test_no_number_in_the_json_describes_the_hidden_group(programme, four_outside):
    data = effect_export.as_json(programme_effect(programme))
    numbers = numbers_in({key: value for key, value in data.items() if key != "programme"})
    # Neither their count nor the count of both groups together.
    assert 4 not in numbers
    assert 10 not in numbers
    # No figure about them or set against them.
    for row in [data["all_competencies"], *data["competencies"]]:
        assert numbers_in(row["non_participants"]) == []
        assert numbers_in(row["comparison"]) == []
        assert row["participants"]["n"] == 6
    groups = {group["key"]: group for group in data["groups"]}
    assert groups[NON_PARTICIPANTS] == {
        "key": NON_PARTICIPANTS,
        "name": "Non-participants",
        "n": None,
        "status": GROUP_HIDDEN,
        "note": "Not shown: fewer than 5 non-participants answered both rounds, so nothing "
        "about them is shown.",
    }


def test_other_hidden_answers_give_the_same_page_and_files(
    client, coordinator, programme, four_outside
):
    """Whatever the four non-participants answered, and were they three, the page and the files
    read the same: nothing on them says anything about the hidden group but "fewer than 5"."""
    from digikompas.testing import log_in_client

    log_in_client(client, coordinator)
    first = shown_everywhere(client, programme)

    hidden = four_outside[NON_PARTICIPANTS]
    Answer.objects.filter(response__person=hidden[0]).delete()
    hidden[0].responses.all().delete()
    Answer.objects.filter(response__person__in=hidden[1:], item__code="s-1").update(number=2)
    Answer.objects.filter(response__person__in=hidden[1:], item__code="s-2").update(number=0)
    assert programme_effect(programme).non_participants.status == GROUP_HIDDEN

    assert shown_everywhere(client, programme) == first


def shown_everywhere(client, programme):
    page = client.get(f"/pilot/programmes/{programme.pk}/effect/").content.decode()
    main = re.search(r"<main.*</main>", page, re.DOTALL).group(0)
    data = json.loads(client.get(f"/pilot/programmes/{programme.pk}/effect/export/json/").content)
    data.pop("generated_at")
    workbook = load_workbook(
        io.BytesIO(client.get(f"/pilot/programmes/{programme.pk}/effect/export/xlsx/").content)
    )
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    return main, data, sheets


def test_a_competency_few_rated_in_both_rounds_is_hidden_and_left_out_of_the_composite(
    programme, module, session, odense_main
):
    """Of six participants only four rated S.2 after: their S.2 is hidden, and all competencies
    is S.1 alone, so no S.2 answer enters a published figure."""
    participants = [(b1, b2, a1, a2 if n < 4 else None)
                    for n, (b1, b2, a1, a2) in enumerate(PARTICIPANT_LEVELS[:6])]  # fmt: skip
    groups = build(
        programme, module, session, odense_main,
        participants=participants, non_participants=NON_PARTICIPANT_LEVELS,
    )  # fmt: skip
    effect = programme_effect(programme)
    rows = rows_by_code(effect)
    assert rows["S.2"].participants.status == TOO_FEW
    assert rows["S.2"].participants.n is None
    assert rows["S.2"].non_participants.status == SHOWN
    assert rows["S.2"].comparison.status == TOO_FEW
    assert effect.composite == ("S.1",)
    for key in (PARTICIPANTS, NON_PARTICIPANTS):
        assert getattr(effect.overall, key) == getattr(rows["S.1"], key)
    before, after = programme.before_round, programme.after_round
    b, a = paired(before, after, groups[PARTICIPANTS], "S.1")
    assert_close(effect.overall.participants, expected_cell(b, a))
    assert effect_export.cell_note(rows["S.2"].participants, 5) == (
        "Not shown: fewer than 5 participants rated this competency in both rounds."
    )


def test_a_group_without_a_shown_competency_has_no_composite(
    programme, module, session, odense_main
):
    """Five participants, but one left S.1 out and another S.2: both their cells hold four. All
    competencies would rest on hidden answers alone, and is built from the same competencies
    for both groups, so it is hidden for both."""
    participants = [(0, 0, 1, 1), (1, 0, 2, 1), (0, 1, None, 2), (1, 1, 2, None), (0, 0, 2, 2)]
    build(
        programme, module, session, odense_main,
        participants=participants, non_participants=NON_PARTICIPANT_LEVELS,
    )  # fmt: skip
    effect = programme_effect(programme)
    assert effect.participants.n == 5
    assert [row.participants.status for row in effect.rows] == [TOO_FEW, TOO_FEW]
    assert [row.non_participants.status for row in effect.rows] == [SHOWN, SHOWN]
    assert effect.composite == ()
    for cell in effect.overall.cells:
        assert (cell.status, cell.n, cell.mean_change) == (TOO_FEW, None, None)
        assert effect_export.cell_note(cell, 5, overall=True) == (
            "Not shown: no competency has figures shown for every group shown."
        )


def test_an_empty_group_is_empty_not_hidden(programme, module, session, odense_main):
    build(
        programme, module, session, odense_main,
        participants=PARTICIPANT_LEVELS, non_participants=[],
    )  # fmt: skip
    effect = programme_effect(programme)
    assert (effect.non_participants.status, effect.non_participants.n) == (EMPTY, 0)
    assert effect.overall.non_participants.status == EMPTY
    assert effect_export.reading(effect.overall).endswith(
        "No non-participants rated this in both rounds, so there is no one to compare with."
    )


# -- what is missing, in words --------------------------------------------------------------------


def test_without_rounds_it_says_what_to_link(programme):
    effect = programme_effect(programme)
    assert not effect.measured
    assert effect.problems == (
        "No round before the programme is linked to it.",
        "No round after the programme is linked to it.",
        "Link a confidential competence round before and one after the programme to measure "
        "its effect.",
    )


def test_anonymous_rounds_cannot_be_paired(programme):
    from digikompas.surveys.models import AnonymityMode

    before, _after = link_rounds(programme)
    before.anonymity = AnonymityMode.ANONYMOUS
    before.save()
    effect = programme_effect(programme)
    assert effect.problems == (
        "A linked round is anonymous: its answers cannot be paired by person. Both rounds must "
        "be confidential.",
    )


def test_without_answers_in_both_rounds_it_says_so(programme):
    link_rounds(programme)
    effect = programme_effect(programme)
    assert not effect.measured
    assert effect.problems == ("No one has answered both rounds yet.",)


def test_an_open_round_after_gives_preliminary_figures(programme, module, session, odense_main):
    before, after = link_rounds(programme, after_closes_in=10)
    people = make_people("Deltager", 5, odense_main)
    answer_both(before, after, people, PARTICIPANT_LEVELS[:5])
    effect = programme_effect(programme)
    assert effect.preliminary
    assert effect.measured
    assert len(effect.problems) == 1
    assert effect.problems[0].startswith("The round after is still open (until ")
    assert effect.problems[0].endswith(
        "): the figures are preliminary and will change as more people answer."
    )
    # No one completed a module yet: all five are non-participants.
    assert effect.non_participants.n == 5
    assert effect.participants.status == EMPTY


def test_hedges_correction_is_the_exact_gamma_ratio():
    for df in (2, 5, 17, 60):
        exact = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
        assert hedges_correction(df) == pytest.approx(exact, rel=1e-12)
    assert hedges_correction(10_000) == pytest.approx(1 - 3 / (4 * 10_000 - 1), rel=1e-8)


# -- the reading ----------------------------------------------------------------------------------


def test_the_reading_puts_the_change_and_the_difference_in_words(programme, measured):
    effect = programme_effect(programme)
    row = effect.overall
    first, second, comparison = row.participants, row.non_participants, row.comparison
    n = effect_export.number
    assert effect_export.reading(row) == (
        f"Participants rose {n(first.mean_change, 2)} levels on average; non-participants "
        f"rose {n(second.mean_change, 2)}; the difference is {n(comparison.difference, 2)} "
        f"({n(comparison.ci_low, 2)} to {n(comparison.ci_high, 2)}), "
        f"{effect_export.magnitude_text(comparison.hedges_g)}."
    )
