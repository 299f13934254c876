"""Reports in the JSON API: ask for one (202), follow its status, download the file; the same
rules as the web pages. Requests use an API key and ask for English answers."""

import json

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from digikompas.analysis.models import Report, ReportKind, ReportStatus
from digikompas.privacy.models import Action, AuditEvent
from digikompas.surveys.tests.conftest import open_round

REPORTS = "/api/v1/reports/"


def auth(person_or_user) -> dict:
    user = getattr(person_or_user, "user", person_or_user)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}", "Accept-Language": "en"}


def ask(client, person, **data):
    return client.post(REPORTS, data, content_type="application/json", headers=auth(person))


def get(client, url, person):
    return client.get(url, headers=auth(person))


def test_the_routes_are_where_the_documentation_says():
    assert reverse("report-list") == REPORTS
    assert reverse("report-detail", args=[7]) == f"{REPORTS}7/"
    assert reverse("report-download", args=[7]) == f"{REPORTS}7/download/"


def test_an_analyst_asks_for_a_report_follows_it_and_downloads_it(
    client, analyst, report_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(
            client,
            analyst,
            round=report_round.pk,
            kind="national",
            group_by="library",
            file_format="json",
        )

    assert response.status_code == 202
    report = Report.objects.get()
    body = response.json()
    assert response["Location"] == f"http://testserver{REPORTS}{report.pk}/"
    assert body["status"] == "queued"
    assert body["download_url"] is None
    assert (body["kind"], body["group_by"], body["language"]) == ("national", "library", "en")

    status = get(client, f"{REPORTS}{report.pk}/", analyst).json()
    assert status["status"] == "done"
    assert status["status_label"] == "Ready"
    assert (status["progress"], status["step"], status["step_label"]) == (100, "done", "Done")
    assert status["download_url"] == f"http://testserver{REPORTS}{report.pk}/download/"
    assert status["filename"] == "digikompas-foraar-2026-national-library.json"

    download = get(client, status["download_url"], analyst)
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="digikompas-foraar-2026-national-library.json"'
    )
    data = json.loads(download.content)
    hidden = [row for row in data["tables"]["library"] if row["name"] == "Vollsmose Bibliotek"]
    assert {(row["mean"], row["suppressed"]) for row in hidden} == {(None, True)}
    # The download is in the audit log, as the web page's is; asking and following are not.
    event = AuditEvent.objects.get()
    assert (event.actor_email, event.action, event.object_id, event.detail) == (
        analyst.email,
        Action.EXPORTED_RESULTS,
        str(report.pk),
        "API",
    )


def test_a_library_leader_asks_for_the_report_of_their_library(
    client, library_leader, report_round, odense_main, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(
            client,
            library_leader,
            round=report_round.pk,
            kind="library",
            library=odense_main.pk,
            file_format="xlsx",
        )

    assert response.status_code == 202
    assert response.json()["library"] == odense_main.pk
    assert Report.objects.get().status == ReportStatus.DONE


def test_a_leader_cannot_ask_for_a_national_report(client, library_leader, report_round):
    response = ask(
        client, library_leader, round=report_round.pk, kind="national", file_format="pdf"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only analysts can ask for national reports."}


def test_a_leader_cannot_ask_about_another_library(
    client, library_leader, report_round, aarhus_main
):
    response = ask(
        client,
        library_leader,
        round=report_round.pk,
        kind="library",
        library=aarhus_main.pk,
        file_format="pdf",
    )

    assert response.status_code == 404
    assert not Report.objects.exists()


def test_staff_cannot_ask_for_reports(client, staff, report_round, odense_main):
    response = ask(
        client,
        staff,
        round=report_round.pk,
        kind="library",
        library=odense_main.pk,
        file_format="pdf",
    )

    assert response.status_code == 403


def test_a_leader_elsewhere_is_not_told_about_a_round(
    client, other_municipal_leader, report_survey, odense, odense_main
):
    odense_round = open_round(report_survey, municipalities=[odense])

    response = ask(
        client,
        other_municipal_leader,
        round=odense_round.pk,
        kind="library",
        library=odense_main.pk,
        file_format="pdf",
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ({"kind": "library", "file_format": "pdf"},
         {"library": ["Choose the library the report is about."]}),
        ({"kind": "library", "library": 9999, "file_format": "pdf"},
         {"library": ["There is no library with the id 9999."]}),
        ({"kind": "national", "file_format": "docx"},
         {"file_format": ['"docx" is not a valid choice.']}),
        ({"kind": "national", "group_by": "street", "file_format": "pdf"},
         {"group_by": ['"street" is not a valid choice.']}),
    ],
)  # fmt: skip
def test_an_incomplete_request_is_refused_with_its_problems(
    client, analyst, report_round, data, problems
):
    response = ask(client, analyst, round=report_round.pk, **data)

    assert response.status_code == 400
    assert response.json() == problems


def test_a_round_without_responses_has_no_report(client, analyst, report_survey):
    round = open_round(report_survey)

    response = ask(client, analyst, round=round.pk, kind="national", file_format="pdf")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The round Forår 2026 has no responses yet, so there is nothing to report."
    }


def test_a_report_that_is_not_done_cannot_be_downloaded_yet(
    client, analyst, report_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ask(client, analyst, round=report_round.pk, kind="national", file_format="pdf")
    report = Report.objects.get()

    response = get(client, f"{REPORTS}{report.pk}/download/", analyst)

    assert response.status_code == 409
    assert response.json() == {"detail": "The report is not ready yet (status: Waiting to start)."}
    assert not AuditEvent.objects.exists()


def test_reports_outside_ones_units_are_not_found(
    client, other_municipal_leader, branch_leader, report_round, odense_main
):
    report = Report.objects.create(
        round=report_round, kind=ReportKind.LIBRARY, library=odense_main, file_format="pdf"
    )

    for person in (other_municipal_leader, branch_leader):
        assert get(client, f"{REPORTS}{report.pk}/", person).status_code == 404
        assert get(client, f"{REPORTS}{report.pk}/download/", person).status_code == 404


@pytest.mark.parametrize("member", ["staff", "coordinator", "administrator", "outsider"])
def test_only_analysts_and_leaders_may_ask_even_with_an_empty_request(client, request, member):
    response = ask(client, request.getfixturevalue(member))

    assert response.status_code == 403


def test_reports_need_a_key(client, report_round):
    response = client.post(REPORTS, {}, content_type="application/json")

    assert response.status_code == 401
