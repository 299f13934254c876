"""The report pages: ask for a report of a round, watch it being built, download it.

Analysts ask for national and library reports; leaders only for the library reports of their
own libraries; others are refused (403), and leaders are not told about rounds, libraries and
reports outside their units (404). Tasks run at once when the request commits. Pages are read
in English.
"""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from digikompas.analysis.models import Report, ReportKind, ReportStatus, ReportStep
from digikompas.surveys.tests.conftest import open_round
from digikompas.testing import assert_accessible, html
from digikompas.testing import log_in as log_in_browser
from digikompas.testing import log_in_client as log_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def new_url(round) -> str:
    return reverse("analysis:report_new", args=[round.pk])


def detail_url(report) -> str:
    return reverse("analysis:report_detail", args=[report.pk])


def download_url(report) -> str:
    return reverse("analysis:report_download", args=[report.pk])


def library_report(round, library, **more) -> Report:
    values = {"kind": ReportKind.LIBRARY, "library": library, "file_format": "json"}
    return Report.objects.create(round=round, **(values | more))


# -- asking and downloading ----------------------------------------------------------------------


def test_an_analyst_asks_for_a_national_report_and_downloads_it(
    client, analyst, report_round, django_capture_on_commit_callbacks
):
    log_in(client, analyst)
    page = html(client.get(new_url(report_round)))
    assert "<h1>Reports of Forår 2026</h1>" in page
    assert 'value="national" id="id_kind_0" class="form-radio" checked' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            new_url(report_round),
            {"kind": "national", "group_by": "region", "file_format": "xlsx"},
        )
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(report)

    page = html(client.get(detail_url(report)))
    assert "The report is ready." in page
    assert "digikompas-foraar-2026-national-region.xlsx" in page
    assert 'http-equiv="refresh"' not in page
    assert "setTimeout(poll" not in page
    assert f'href="{download_url(report)}"' in page

    download = client.get(download_url(report))
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"] == (
        'attachment; filename="digikompas-foraar-2026-national-region.xlsx"'
    )
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    assert book.sheetnames[:3] == ["Method", "Region", "Denmark"]


def test_a_library_leader_asks_for_the_report_of_their_library(
    client, library_leader, report_round, odense_main, django_capture_on_commit_callbacks
):
    log_in(client, library_leader)
    page = html(client.get(new_url(report_round)))
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page)
    assert options == [
        ("", "Choose a library"),
        (str(odense_main.pk), "Odense Hovedbibliotek (Odense)"),
    ]
    assert '<input type="hidden" name="kind" value="library"' in page
    assert "id_group_by" not in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            new_url(report_round),
            {"kind": "library", "library": odense_main.pk, "file_format": "pdf"},
        )

    report = Report.objects.get()
    assert (report.kind, report.library, report.requested_by) == (
        "library",
        odense_main,
        library_leader,
    )
    download = client.get(download_url(report))
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF-")


def test_a_library_report_needs_a_library(client, analyst, report_round):
    log_in(client, analyst)

    response = client.post(new_url(report_round), {"kind": "library", "file_format": "pdf"})

    assert response.status_code == 400
    page = html(response)
    assert "The report was not started. Correct the fields marked below." in page
    assert (
        '<span class="form-error-message" id="id_library_error">'
        "Choose the library the report is about.</span>"
    ) in page
    assert not Report.objects.exists()


def test_a_leader_cannot_ask_for_a_national_report(client, library_leader, report_round):
    log_in(client, library_leader)

    response = client.post(
        new_url(report_round), {"kind": "national", "group_by": "region", "file_format": "pdf"}
    )

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_leader_cannot_ask_for_another_librarys_report(
    client, library_leader, report_round, aarhus_main
):
    log_in(client, library_leader)

    response = client.post(
        new_url(report_round), {"kind": "library", "library": aarhus_main.pk, "file_format": "pdf"}
    )

    assert response.status_code == 400
    assert escape("Select a valid choice.") in html(response)
    assert not Report.objects.exists()


def test_a_leader_whose_libraries_did_not_answer_is_told_so(client, other_leader, report_survey):
    aarhus_round = open_round(report_survey)
    log_in(client, other_leader)

    page = html(client.get(new_url(aarhus_round)))

    assert "None of your libraries has answered this round yet" in page
    assert '<form method="post" novalidate>' not in page


# -- the status page -----------------------------------------------------------------------------


@pytest.fixture
def report(report_round, odense_main):
    """The Odense main library's report, 40 % built."""
    return library_report(
        report_round,
        odense_main,
        status=ReportStatus.RUNNING,
        started_at=timezone.now(),
        progress=40,
        step=ReportStep.ANALYSING,
    )


def test_the_status_page_shows_progress_and_reloads_while_the_report_is_built(
    client, analyst, report
):
    log_in(client, analyst)

    page = html(client.get(detail_url(report)))

    # Without JavaScript the page reloads itself; with it, the script swaps in the new state.
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'data-finished="false" data-refresh="2"' in page
    assert '<script src="/static/digikompas/js/report_progress.js"></script>' in page
    assert '<h2 id="report-state-heading">Status: Being built</h2>' in page
    assert (
        '<p id="report-progress-label">Analysing levels, needs and barriers: 40 %</p>'
        '<div class="report-progress" role="progressbar" aria-labelledby="report-progress-label" '
        'aria-valuemin="0" aria-valuemax="100" aria-valuenow="40"'
    ) in page
    assert "Download the report" not in page


@pytest.mark.browser
def test_the_status_page_follows_the_build_in_place(page, library_leader, report_round, report):
    log_in_browser(page, library_leader.email)
    page.wait_for_url("**/")
    page.goto(new_url(report_round))
    assert_accessible(page)

    page.goto(detail_url(report))
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "40"
    assert_accessible(page)

    Report.objects.filter(pk=report.pk).update(progress=70, step=ReportStep.TABLES)
    page.wait_for_selector('[role=progressbar][aria-valuenow="70"]')
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.DONE,
        progress=100,
        step=ReportStep.DONE,
        content=b"{}",
        filename="report.json",
        content_type="application/json",
        size=2,
        finished_at=timezone.now(),
    )
    page.locator(f'a[href="{download_url(report)}"]').wait_for()
    assert page.locator("#report-state").get_attribute("data-finished") == "true"
    assert page.get_by_role("progressbar").count() == 0
    assert_accessible(page)


@pytest.mark.browser
def test_the_report_pages_are_accessible_in_english(page, library_leader, report_round, report):
    log_in_browser(page, library_leader.email)
    page.wait_for_url("**/")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    for url in (new_url(report_round), detail_url(report)):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(page)


def test_a_queued_report_waits_to_start(client, analyst, report_round, odense_main):
    report = library_report(report_round, odense_main)
    log_in(client, analyst)

    page = html(client.get(detail_url(report)))

    assert "Waiting to start: 0 %" in page
    assert 'aria-valuenow="0"' in page


def test_a_failed_report_says_why_and_offers_to_ask_again(
    client, analyst, report_round, odense_main
):
    report = library_report(
        report_round,
        odense_main,
        status=ReportStatus.FAILED,
        finished_at=timezone.now(),
        error="The round Forår 2026 has no responses yet, so there is nothing to report.",
    )
    log_in(client, analyst)

    page = html(client.get(detail_url(report)))

    assert (
        '<div class="alert alert-error" role="alert"><div class="alert-body">'
        '<p class="alert-heading">The report could not be made.</p>'
        '<p class="alert-text">The round Forår 2026 has no responses yet, so there is nothing '
        "to report.</p>"
    ) in page
    assert 'http-equiv="refresh"' not in page
    assert f'href="{new_url(report_round)}">Ask for a report again</a>' in page


def test_downloading_a_report_that_is_not_ready_leads_to_its_status(
    client, analyst, report_round, odense_main
):
    report = library_report(report_round, odense_main)
    log_in(client, analyst)

    response = client.get(download_url(report))

    assert response.status_code == 302
    assert response["Location"] == detail_url(report)


def test_the_round_page_lists_the_reports_made_before(
    client, municipal_leader, analyst, report_round, odense_main, odense_branch
):
    library_report(report_round, odense_main, requested_by=analyst)
    Report.objects.create(
        round=report_round, kind=ReportKind.NATIONAL, group_by="region", file_format="pdf"
    )
    log_in(client, municipal_leader)

    page = html(client.get(new_url(report_round)))

    # The municipal leader sees the library report of an Odense library, not the national one.
    assert "Library report: Odense Hovedbibliotek</a>" in page
    assert "National analysis report" not in page


def test_the_list_of_reports_takes_the_same_queries_however_long_it_is(
    client,
    municipal_leader,
    analyst,
    report_round,
    odense_main,
    odense_branch,
    django_assert_num_queries,
):
    for library in (odense_main, odense_branch, odense_main, odense_branch):
        library_report(report_round, library, requested_by=analyst)
    log_in(client, municipal_leader)
    client.get(new_url(report_round))  # the session, warmed up

    # The session, the user, their person and grants, the round, whether any of their libraries
    # answered, the user's person (the page header), the libraries to choose from and the
    # reports with their libraries and requesters.
    with django_assert_num_queries(9):
        response = client.get(new_url(report_round))

    assert html(response).count("Library report: ") == 4


# -- who may -------------------------------------------------------------------------------------


@pytest.fixture
def odense_report(report_round, odense_main):
    return library_report(
        report_round,
        odense_main,
        status=ReportStatus.DONE,
        content=b"{}",
        filename="report.json",
        content_type="application/json",
        finished_at=timezone.now(),
    )


def pages(report):
    return [new_url(report.round), detail_url(report), download_url(report)]


def test_logged_out_people_are_sent_to_log_in(client, odense_report):
    for url in pages(odense_report):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("member", ["staff", "coordinator", "administrator"])
def test_people_without_a_leading_or_analysing_role_are_refused(
    client, request, member, odense_report
):
    log_in(client, request.getfixturevalue(member))

    for url in pages(odense_report):
        assert client.get(url).status_code == 403


def test_a_leader_elsewhere_is_not_told_about_the_report(
    client, other_municipal_leader, odense_report
):
    log_in(client, other_municipal_leader)

    # The round reaches Aarhus too, so its report page is there; the Odense report is not.
    assert client.get(new_url(odense_report.round)).status_code == 200
    assert client.get(detail_url(odense_report)).status_code == 404
    assert client.get(download_url(odense_report)).status_code == 404


def test_a_leader_elsewhere_is_not_told_about_a_round_that_does_not_reach_them(
    client, other_municipal_leader, report_survey, odense
):
    odense_round = open_round(report_survey, municipalities=[odense])
    log_in(client, other_municipal_leader)

    assert client.get(new_url(odense_round)).status_code == 404


@pytest.mark.parametrize("member", ["analyst", "library_leader", "municipal_leader"])
def test_analysts_and_the_librarys_leaders_see_and_download_the_report(
    client, request, member, odense_report
):
    log_in(client, request.getfixturevalue(member))

    assert client.get(detail_url(odense_report)).status_code == 200
    download = client.get(download_url(odense_report))
    assert download.status_code == 200
    assert download.content == b"{}"
    assert download["Cache-Control"] == "private, no-store"


def test_a_branch_leader_does_not_see_the_main_librarys_report(
    client, branch_leader, odense_report
):
    log_in(client, branch_leader)

    assert client.get(detail_url(odense_report)).status_code == 404
