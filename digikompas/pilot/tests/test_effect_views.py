"""The effect page and its downloads: who may read them, what they say, and the files read back
(the JSON parsed, the workbook with openpyxl). The figures themselves are checked against an
independent computation in test_effect.py; here they are found where a reader looks for them."""

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from digikompas.pilot import effect_export
from digikompas.pilot.effect import programme_effect
from digikompas.testing import assert_accessible, html
from digikompas.testing import log_in_client as log_in

from .test_effect import (
    FOUR_NON_PARTICIPANTS,
    PARTICIPANT_LEVELS,
    SIX_PARTICIPANTS,
    answer_both,
    build,
    link_rounds,
    make_measured,
    make_people,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page_url(programme) -> str:
    return reverse("pilot:effect", args=[programme.pk])


def export_url(programme, format) -> str:
    return reverse("pilot:effect_export", args=[programme.pk, format])


@pytest.fixture
def measured(programme, module, session, odense_main):
    return make_measured(programme, module, session, odense_main)


@pytest.fixture
def four_outside(programme, module, session, odense_main):
    return build(
        programme, module, session, odense_main,
        participants=SIX_PARTICIPANTS, non_participants=FOUR_NON_PARTICIPANTS,
    )  # fmt: skip


def cell_row(cell) -> str:
    """The table row of a shown cell as the page writes it."""
    n = effect_export.number
    change = (
        f"{n(cell.mean_change)} ({n(cell.ci_low)} to {n(cell.ci_high)})"
        if cell.ci_low is not None
        else n(cell.mean_change)
    )
    return (
        f'<tr class="effect-{cell.group}"><th scope="row">{cell.group_name}</th>'
        f'<td class="numeric">{cell.n}</td><td class="numeric">{n(cell.mean_before)}</td>'
        f'<td class="numeric">{n(cell.mean_after)}</td><td class="numeric">{change}</td>'
    )


# -- who may read it ------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["coordinator", "analyst"])
def test_coordinators_and_analysts_read_the_effect(client, request, programme, measured, member):
    log_in(client, request.getfixturevalue(member))
    response = client.get(page_url(programme))
    assert response.status_code == 200
    assert "<h1>Effect of Pilot education in digital dissemination</h1>" in html(response)
    for format in ("json", "xlsx"):
        assert client.get(export_url(programme, format)).status_code == 200


@pytest.mark.parametrize(
    "member", ["staff", "library_leader", "municipal_leader", "provider", "facilitator"]
)
def test_others_are_refused(client, request, programme, measured, member):
    log_in(client, request.getfixturevalue(member))
    assert client.get(page_url(programme)).status_code == 403
    for format in ("json", "xlsx"):
        assert client.get(export_url(programme, format)).status_code == 403


def test_a_login_without_a_person_is_refused(client, programme, outsider):
    log_in(client, outsider)
    assert client.get(page_url(programme)).status_code == 403


def test_logged_out_readers_are_sent_to_log_in(client, programme):
    response = client.get(page_url(programme))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_programme_is_not_found_by_readers_and_refused_to_others(
    client, coordinator, staff, programme
):
    missing = programme.pk + 1000
    log_in(client, staff)
    assert client.get(reverse("pilot:effect", args=[missing])).status_code == 403
    log_in(client, coordinator)
    assert client.get(reverse("pilot:effect", args=[missing])).status_code == 404
    assert client.get(export_url(programme, "pdf")).status_code == 404


# -- what the page says ---------------------------------------------------------------------------


def test_the_page_shows_both_groups_and_the_difference_per_competency(
    client, coordinator, programme, measured
):
    effect = programme_effect(programme)
    page = html(log_in(client, coordinator).get(page_url(programme)))

    for row in [effect.overall, *effect.rows]:
        for cell in row.cells:
            assert cell_row(cell) in page
        comparison = row.comparison
        n = effect_export.number
        assert (
            f'<td class="numeric">{n(comparison.difference)} ({n(comparison.ci_low)} to '
            f'{n(comparison.ci_high)})</td><td class="numeric">{n(comparison.hedges_g)} '
            f"({effect_export.MAGNITUDE_NAMES[comparison.magnitude]})"
        ) in page
        assert f'<p class="{"font-lead " if row.competency is None else ""}effect-reading">' \
            f"{effect_export.reading(row)}</p>" in page  # fmt: skip
    assert "<caption>Change in all competencies</caption>" in page
    assert "<caption>Change in S.2 Guidance</caption>" in page
    assert (
        '<h3 id="competency-s1">S.1 Searching eReolen <span class="badge badge-info">Built by '
        "the programme</span></h3>"
    ) in page
    assert '<h3 id="competency-s2">S.2 Guidance</h3>' in page
    assert "<li><strong>Participants:</strong> 8 people answered both rounds.</li>" in page
    assert "<li><strong>Non-participants:</strong> 6 people answered both rounds.</li>" in page
    assert (
        "<li>Fewer than 5 people who answered both rounds enrolled but completed no module; "
        "they are in neither group.</li>"
    ) in page
    # The total of both groups is nowhere.
    assert "14" not in re.sub(r"<[^>]+>", " ", page.split('id="method-heading"')[0])


def test_the_reading_writes_the_interval_the_way_people_read_it(client, coordinator, programme,
                                                                measured):  # fmt: skip
    page = html(log_in(client, coordinator).get(page_url(programme)))
    reading = re.search(r'<p class="font-lead effect-reading">([^<]*)</p>', page).group(1)
    assert re.fullmatch(
        r"Participants rose \d\.\d\d levels on average; non-participants (rose|fell) \d\.\d\d; "
        r"the difference is -?\d\.\d\d \(-?\d\.\d\d to -?\d\.\d\d\), a "
        r"(negligible|small|medium|large) "
        r"effect\.",
        reading,
    ), reading


def test_hidden_figures_say_why(client, coordinator, programme, four_outside):
    page = html(log_in(client, coordinator).get(page_url(programme)))
    assert (
        '<tr class="effect-non_participants"><th scope="row">Non-participants</th>'
        '<td colspan="5" class="effect-hidden">Not shown: fewer than 5 non-participants answered '
        "both rounds.</td></tr>"
    ) in page
    assert (
        '<tr class="effect-difference"><th scope="row">Difference (participants − '
        'non-participants)</th><td colspan="5" class="effect-hidden">No comparison: the change '
        "of both groups must be shown to compare them.</td></tr>"
    ) in page
    assert (
        "<li><strong>Non-participants:</strong> Not shown: fewer than 5 non-participants "
        "answered both rounds, so nothing about them is shown.</li>"
    ) in page
    assert "Too few non-participants answered both rounds to show them" in page


def test_without_rounds_the_page_says_what_is_missing(client, coordinator, programme):
    page = html(log_in(client, coordinator).get(page_url(programme)))
    assert '<p class="alert-text">No round before the programme is linked to it.</p>' in page
    assert "effect-table" not in page
    assert "/effect/export/" not in page
    assert '<h2 id="method-heading">How the effect is measured</h2>' in page


def test_an_open_round_after_is_marked_preliminary(client, coordinator, programme, odense_main):
    before, after = link_rounds(programme, after_closes_in=10)
    answer_both(before, after, make_people("Svar", 5, odense_main), PARTICIPANT_LEVELS[:5])
    page = html(log_in(client, coordinator).get(page_url(programme)))
    assert '<div class="alert alert-warning" role="status"><div class="alert-body">' in page
    assert '<p class="alert-heading">Preliminary figures</p>' in page


# -- the downloads --------------------------------------------------------------------------------


def test_the_json_download_is_the_effect_as_json(client, coordinator, programme, measured):
    response = log_in(client, coordinator).get(export_url(programme, "json"))
    assert response["Content-Type"] == "application/json"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="effect-pilot-2027-{today}.json"'
    )
    data = json.loads(response.content)
    expected = effect_export.as_json(programme_effect(programme))
    data.pop("generated_at"), expected.pop("generated_at")
    assert data == expected
    assert data["schema"] == "digikompas.pilot-effect/1"
    assert data["language"] == "en"
    assert [row["code"] for row in data["competencies"]] == ["S.1", "S.2"]
    assert data["competencies"][0]["title"] == {
        "da": "Søgning i eReolen",
        "en": "Searching eReolen",
    }
    assert data["all_competencies"]["title"]["en"] == "All competencies"


def test_the_workbook_has_the_effect_and_the_method(client, coordinator, programme, measured):
    response = log_in(client, coordinator).get(export_url(programme, "xlsx"))
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Effect", "Method"]
    values = list(workbook["Effect"].iter_rows(values_only=True))
    header, rows = values[0], [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert header[:5] == ("Code", "Competency", "Built by the programme", "Group", "People (n)")
    assert [(row["Code"], row["Group"]) for row in rows] == [
        (None, "Participants"),
        (None, "Non-participants"),
        (None, "Difference (participants − non-participants)"),
        ("S.1", "Participants"),
        ("S.1", "Non-participants"),
        ("S.1", "Difference (participants − non-participants)"),
        ("S.2", "Participants"),
        ("S.2", "Non-participants"),
        ("S.2", "Difference (participants − non-participants)"),
    ]
    effect = programme_effect(programme)
    s2 = effect.rows[1]
    participants = rows[6]
    assert participants["People (n)"] == s2.participants.n == 7
    assert participants["Mean change"] == pytest.approx(s2.participants.mean_change, abs=1e-12)
    assert participants["95% CI, low"] == pytest.approx(s2.participants.ci_low, abs=1e-12)
    assert participants["Effect size"] == pytest.approx(s2.participants.effect_size, abs=1e-12)
    assert participants["Measure"] == "Cohen's d_z"
    difference = rows[8]
    assert difference["Mean change"] == pytest.approx(s2.comparison.difference, abs=1e-12)
    assert difference["Degrees of freedom"] == pytest.approx(s2.comparison.df, abs=1e-9)
    assert difference["Measure"] == "Hedges' g"

    method = {row[0]: row[1] for row in workbook["Method"].iter_rows(values_only=True) if row[0]}
    assert method["Anonymity minimum"] == 5
    assert method["Participants (paired people)"] == "8"
    assert method["Non-participants (paired people)"] == "6"
    assert method["Enrolled, completed no module"] == "fewer than 5"
    assert method["Preliminary"] == "No"


def test_the_workbook_leaves_hidden_cells_empty_with_the_reason(
    client, coordinator, programme, four_outside
):
    response = log_in(client, coordinator).get(export_url(programme, "xlsx"))
    values = list(load_workbook(io.BytesIO(response.content))["Effect"].iter_rows(values_only=True))
    rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    hidden = [row for row in rows if row["Group"] == "Non-participants"]
    assert len(hidden) == 3
    for row in hidden:
        figures = [value for key, value in row.items() if key not in ("Code", "Competency",
                   "Built by the programme", "Group", "Note", "Measure", "Size")]  # fmt: skip
        assert figures == [None] * len(figures)
        assert row["Note"] == "Not shown: fewer than 5 non-participants answered both rounds."


# -- in Chromium ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_effect_page_passes_axe_core_and_downloads_the_workbook(
    page, coordinator, programme, module, session, odense_main
):
    from pathlib import Path

    from digikompas.testing import log_in as log_in_page

    make_measured(programme, module, session, odense_main)
    log_in_page(page, coordinator.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.goto(page_url(programme))
    assert_accessible(page)
    assert page.locator(".effect-table").count() == 3
    # On a phone the tables scroll sideways, and can be scrolled from the keyboard.
    page.set_viewport_size({"width": 400, "height": 900})
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator(f'a[href="{export_url(programme, "xlsx")}"]').click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    # All competencies and S.1 and S.2, each with both groups and the difference.
    assert len(workbook.worksheets) == 2
    assert workbook.worksheets[0].max_row == 1 + 3 * 3
