"""The results pages: Denmark for analysts, municipalities and libraries for their leaders.

The round: 8 librarians at the Odense main library, 3 at the Odense branch (too few to show) and
7 at the Aarhus main library answer the small test survey (S.1 and S.2 on a 0–2 scale; the
librarians' need is 2 in both) and its one barrier statement (time).
"""

import re

import numpy as np
import pytest
from django.urls import reverse
from scipy import stats

from digikompas.frameworks import services as frameworks
from digikompas.frameworks.tests.conftest import make_content
from digikompas.orgs.models import JobRole
from digikompas.surveys import services
from digikompas.surveys.tests.conftest import make_survey, open_round
from digikompas.testing import assert_accessible, log_in
from digikompas.testing import log_in_client as as_english

# (library fixture, [(S.1, S.2, time) per respondent])
ANSWERS = {
    "odense_main": [(2, 1, 4), (1, 1, 5), (2, 2, 2), (0, 1, 4), (2, 0, 1), (1, 2, 4), (2, 1, 3),
                    (1, 1, 5)],
    "odense_branch": [(0, 0, 5), (1, 0, 4), (0, 1, 5)],
    "aarhus_main": [(2, 2, 1), (2, 1, 2), (1, 2, 1), (2, 2, 2), (2, 2, 4), (1, 1, 2), (2, 2, 1)],
}  # fmt: skip


@pytest.fixture
def answered_round(request, odense, aarhus):
    framework = frameworks.publish(framework=frameworks.create_framework(content=make_content()))
    survey = make_survey(framework)
    round = open_round(survey, municipalities=[odense, aarhus])
    items = list(survey.items.all())
    for fixture, rows in ANSWERS.items():
        library = request.getfixturevalue(fixture)
        for s1, s2, time in rows:
            services._store_response(
                round=round,
                person=None,
                items=items,
                answers={"s-1": s1, "s-2": s2, "time-1": time},
                library=library,
                job_role=JobRole.LIBRARIAN,
            )
    return round


def results_url(round, grouping=None, key=None):
    if grouping is None:
        return reverse("analysis:results", args=[round.pk])
    return reverse("analysis:unit_results", args=[round.pk, grouping, key])


def table(page: str, caption: str) -> str:
    """The HTML of the table with this caption."""
    return page.split(f"<caption>{caption}</caption>")[1].split("</table>")[0]


def cells(page: str, row_header: str) -> list[str]:
    """The cells of the table row whose header starts with row_header (text only)."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        header = re.search(r"<th scope=\"row\">(.*?)</th>", row, re.S)
        if header and re.sub(r"<[^>]+>", "", header.group(1)).strip().startswith(row_header):
            return [
                re.sub(r"<[^>]+>", "", c).strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
    raise AssertionError(f"no row {row_header!r}")


def test_an_analyst_sees_denmark_with_the_largest_gaps_and_the_missing_level(
    client, analyst, answered_round
):
    as_english(client, analyst.user)

    page = client.get(results_url(answered_round)).text

    # 18 librarians; S.1: the mean level, and the mean gap to their need of 2.
    s1 = [row[0] for rows in ANSWERS.values() for row in rows]
    mean = sum(s1) / len(s1)
    gap = sum(2 - level for level in s1) / len(s1)
    comparison = table(page, "Mean level and mean gap per competency")
    assert cells(comparison, "S.1") == [f"{mean:.2f}", f"{gap:.2f}"]
    assert "Up to 18 respondents are behind a figure on this page." in page
    # The largest gap: S.1 for librarians, with what a person at the needed level does.
    below = sum(level < 2 for level in s1) / len(s1)
    gaps = table(page, "Largest gaps, largest first")
    assert cells(gaps, "S.1") == [
        "Librarian",
        f"{gap:.2f}",
        f"{below * 100:.0f} %",
        "2 Practitioner: Searches alone, helps when easy.",
    ]


def test_the_small_branch_is_hidden_and_so_is_what_would_reveal_it(
    client, analyst, answered_round, odense
):
    as_english(client, analyst.user)

    page = client.get(results_url(answered_round, "municipality", odense.pk)).text

    heat = table(page, "Mean gap by library and competency")
    # The branch (3 respondents) is hidden; the main library (8) alone would then give the
    # branch by subtraction from Odense (11), so it is hidden too.
    assert cells(heat, "Vollsmose Bibliotek") == ["–", "–"]
    assert cells(heat, "Odense Hovedbibliotek") == ["–", "–"]
    assert "Up to 11 respondents are behind a figure on this page." in page


def test_a_library_leader_is_taken_to_their_library_compared_with_odense_and_denmark(
    client, library_leader, answered_round, odense_main
):
    as_english(client, library_leader.user)

    response = client.get(results_url(answered_round))

    assert response.status_code == 302
    assert response["Location"] == results_url(answered_round, "library", odense_main.pk)
    page = client.get(response["Location"]).text
    assert '<th scope="colgroup" colspan="2">Odense</th>' in page
    assert '<th scope="colgroup" colspan="2">Denmark</th>' in page


def test_a_leader_cannot_open_another_municipalitys_library(
    client, library_leader, answered_round, aarhus_main
):
    client.force_login(library_leader.user)

    response = client.get(results_url(answered_round, "library", aarhus_main.pk))

    assert response.status_code == 404


def test_staff_are_refused(client, staff, answered_round):
    client.force_login(staff.user)

    assert client.get(reverse("analysis:index")).status_code == 403
    assert client.get(results_url(answered_round)).status_code == 403


def test_the_index_lists_rounds_with_answers_only(client, analyst, answered_round, odense):
    empty = open_round(answered_round.survey, municipalities=[odense])
    empty.title = "Uden svar"
    empty.save()
    as_english(client, analyst.user)

    page = client.get(reverse("analysis:index")).text

    assert answered_round.title in page
    assert "Uden svar" not in page


def test_staff_and_leaders_are_compared_on_the_barriers_without_a_small_group(
    client, analyst, answered_round
):
    as_english(client, analyst.user)

    page = client.get(results_url(answered_round)).text

    # All 18 are staff: 9 agree (4 or 5) with "no time"; there are no leaders to show.
    assert cells(page, "I have no time to learn new things.")[1:] == ["50 %", "–"]


def test_a_round_that_follows_another_shows_the_change_with_its_interval(
    client, analyst, answered_round, odense, aarhus, odense_main
):
    later = open_round(answered_round.survey, municipalities=[odense, aarhus])
    later.follows = answered_round
    later.save()
    items = list(answered_round.survey.items.all())
    for _ in range(6):  # six librarians of the main library, all at level 2 in S.1 now
        services._store_response(
            round=later,
            person=None,
            items=items,
            answers={"s-1": 2},
            library=odense_main,
            job_role=JobRole.LIBRARIAN,
        )
    as_english(client, analyst.user)

    page = client.get(results_url(later)).text

    before = np.array([row[0] for rows in ANSWERS.values() for row in rows], dtype=float)
    difference = 2 - before.mean()
    half = stats.t.ppf(0.975, len(before) - 1) * before.std(ddof=1) / np.sqrt(len(before))
    change = table(page, f"Mean level now against {answered_round.title}")
    assert cells(change, "S.1") == [
        f"{difference:.2f}",
        f"{difference - half:.2f} … {difference + half:.2f}",
        "Yes",
    ]
    # S.2 was not asked again: no figure.
    assert cells(change, "S.2") == ["–", "– … –", "No"]


@pytest.mark.browser
@pytest.mark.parametrize("language", ["da", "en"])
def test_an_analyst_walks_from_denmark_to_a_municipality_to_a_library(
    page, analyst, answered_round, odense, odense_main, language
):
    log_in(page, analyst.email, totp_secret=analyst.totp_secret)
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang=en]")

    page.goto(reverse("analysis:index"))
    assert_accessible(page)
    page.locator(f"a[href='{results_url(answered_round)}']").click()
    page.wait_for_url(f"**{results_url(answered_round)}")
    assert_accessible(page)
    # The heat map by municipality, and from its row to Odense.
    page.select_option("#heat-by", "municipality")
    page.locator("form.heat-by button").click()
    page.wait_for_url("**?by=municipality")
    assert_accessible(page)
    page.locator(".heatmap").get_by_role("link", name="Odense", exact=True).click()
    page.wait_for_url(f"**{results_url(answered_round, 'municipality', odense.pk)}")
    assert page.locator("h1").inner_text() == "Odense"
    assert_accessible(page)
    page.locator(".heatmap").get_by_role("link", name="Odense Hovedbibliotek", exact=True).click()
    page.wait_for_url(f"**{results_url(answered_round, 'library', odense_main.pk)}")
    assert page.locator("h1").inner_text() == "Odense Hovedbibliotek"
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
