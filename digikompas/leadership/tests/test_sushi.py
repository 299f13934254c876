"""The SUSHI client against a real HTTP server on loopback that serves the real sample reports
of ../shared/samples/counter (the one seam for the network beyond this machine): what it asks
for, what it stores, and what it says when the server sends COUNTER exceptions or fails."""

from __future__ import annotations

import datetime
import http.server
import json
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db.models import Sum

from digikompas.leadership import sushi
from digikompas.leadership.models import (
    DigitalResource,
    ResourceType,
    SushiEndpoint,
    UsageImport,
    UsageRecord,
)
from digikompas.leadership.tasks import harvest_usage
from digikompas.leadership.tests.test_counter import EXPECTED, R51_PR

SAMPLES = Path(__file__).resolve().parent / "samples" / "counter"

# Each sample JSON report: its report, platform and months; the totals its README states
# come from test_counter's table, one platform per file.
SAMPLE_TOTALS = {
    "r51/PR_sample_r51.json": (
        "PR",
        "Platform 1",
        (2022, 1),
        (2022, 12),
        EXPECTED["r51/PR_sample_r51.json"]["Platform 1"],
    ),
    "r51/DR_sample_r51.json": (
        "DR",
        "Platform 1",
        (2022, 1),
        (2022, 12),
        EXPECTED["r51/DR_sample_r51.json"]["Platform 1"],
    ),
    "r51/TR_sample_r51.json": (
        "TR",
        "Platform 1",
        (2022, 1),
        (2022, 12),
        EXPECTED["r51/TR_sample_r51.json"]["Platform 1"],
    ),
    "r5/counter_sample_PR.json": (
        "PR",
        "Platform 1",
        (2016, 1),
        (2016, 3),
        EXPECTED["r5/counter_sample_PR.json"]["Platform 1"],
    ),
    "r5/atypon_annualreviews_PR.json": (
        "PR",
        "Annual Reviews",
        (2021, 1),
        (2021, 3),
        EXPECTED["r5/atypon_annualreviews_PR.json"]["Annual Reviews"],
    ),
    "r5/atypon_annualreviews_TR.json": (
        "TR",
        "Annual Reviews",
        (2021, 1),
        (2021, 3),
        EXPECTED["r5/atypon_annualreviews_TR.json"]["Annual Reviews"],
    ),
    "r5/ebsco_DR.json": (
        "DR",
        "EBSCOhost",
        (2021, 1),
        (2021, 1),
        EXPECTED["r5/ebsco_DR.json"]["EBSCOhost"],
    ),
}

CUSTOMER_ID = "c123456"
REQUESTOR_ID = "req-7"
API_KEY = "s3cret key"

NO_USAGE = {
    "Code": 3030,
    "Severity": "Error",
    "Message": "No Usage Available for Requested Dates",
    "Data": "No usage for 2022-01 to 2022-12",
}
QUEUED = [{"Code": 1011, "Severity": "Warning", "Message": "Report Queued for Processing"}]
NOT_AUTHORISED = {
    "Code": 2000,
    "Severity": "Error",
    "Message": "Requestor Not Authorized to Access Service",
}


# -- the local SUSHI server -----------------------------------------------------------------------


class SushiServer:
    """A COUNTER_SUSHI server on 127.0.0.1 under /sushi. `reports` maps a report path
    ("pr", "tr", ...) to the sample file it serves; `answers` maps a path to a prepared answer
    (status, body bytes, delay seconds) that wins over the report. Requests are recorded with
    their query parameters; a wrong customer ID or API key is refused as real servers do."""

    prefix = "/sushi"

    def __init__(self):
        self.reports: dict[str, Path] = {}
        self.answers: dict[str, tuple[int, bytes, float]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                server.requests.append((parts.path, query))
                status, body, delay = server.answer(parts.path, query)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}{self.prefix}"

    def answer(self, path: str, query: dict) -> tuple[int, bytes, float]:
        name = path.removeprefix(self.prefix + "/")
        if name in self.answers:
            return self.answers[name]
        if query.get("customer_id") != CUSTOMER_ID or query.get("api_key") != API_KEY:
            return 401, json.dumps(NOT_AUTHORISED).encode(), 0
        if name == "status":
            body = [{"Description": "Sample SUSHI service", "Service_Active": True, "Alerts": []}]
            return 200, json.dumps(body).encode(), 0
        report = name.removeprefix("reports/")
        if report not in self.reports:
            body = {"Code": 3000, "Severity": "Error", "Message": "Report Not Supported"}
            return 404, json.dumps(body).encode(), 0
        if not query.get("begin_date") or not query.get("end_date"):
            body = {"Code": 3020, "Severity": "Error", "Message": "Invalid Date Arguments"}
            return 400, json.dumps(body).encode(), 0
        return 200, self.reports[report].read_bytes(), 0

    def serve(self, report: str, sample: str):
        self.reports[report] = SAMPLES / sample

    def respond(self, path: str, body, *, status: int = 200, delay: float = 0):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.answers[path] = (status, raw, delay)

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def sushi_server():
    server = SushiServer()
    server.start()
    yield server
    server.stop()


def make_endpoint(municipality, url, *, platform_name="Platform 1", resource=None, **more):
    if resource is None:
        resource = DigitalResource.objects.create(
            name=f"{platform_name} database",
            type=ResourceType.ARTICLES,
            counter_platform=platform_name,
        )
    values = {
        "customer_id": CUSTOMER_ID,
        "requestor_id": REQUESTOR_ID,
        "api_key": API_KEY,
        **more,
    }
    return SushiEndpoint.objects.create(
        resource=resource, municipality=municipality, url=url, **values
    )


@pytest.fixture
def endpoint(odense, sushi_server):
    return make_endpoint(odense, sushi_server.url)


def totals(resource, municipality) -> dict[str, int]:
    rows = (
        UsageRecord.objects.filter(resource=resource, municipality=municipality)
        .values("metric")
        .annotate(total=Sum("count"))
    )
    return {row["metric"]: row["total"] for row in rows}


def month(year, number):
    return datetime.date(year, number, 1)


# -- harvesting the samples -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("sample", SAMPLE_TOTALS)
def test_it_stores_the_totals_the_readme_states(sushi_server, odense, sample):
    report_id, platform_name, first, last, expected = SAMPLE_TOTALS[sample]
    endpoint = make_endpoint(odense, sushi_server.url, platform_name=platform_name)
    sushi_server.serve(report_id.lower(), sample)

    imported = sushi.harvest(endpoint, report_id, month(*first), month(*last))

    assert totals(endpoint.resource, odense) == expected
    assert imported.source == UsageImport.Source.SUSHI
    assert imported.municipality == odense
    assert (imported.first_month, imported.last_month) == (month(*first), month(*last))
    assert imported.records == UsageRecord.objects.filter(source=imported).count()


@pytest.mark.django_db
def test_it_asks_for_the_report_with_the_endpoints_credentials_and_months(sushi_server, endpoint):
    SushiEndpoint.objects.filter(pk=endpoint.pk).update(platform="P1")
    endpoint.refresh_from_db()
    sushi_server.serve("pr", "r51/PR_sample_r51.json")

    sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    assert sushi_server.requests == [
        (
            "/sushi/reports/pr",
            {
                "customer_id": CUSTOMER_ID,
                "requestor_id": REQUESTOR_ID,
                "api_key": API_KEY,
                "platform": "P1",
                "begin_date": "2022-01",
                "end_date": "2022-12",
            },
        )
    ]
    endpoint.refresh_from_db()
    assert endpoint.last_harvested_at is not None


@pytest.mark.django_db
def test_it_leaves_out_the_credentials_the_endpoint_does_not_have(sushi_server, odense):
    endpoint = make_endpoint(odense, sushi_server.url + "/", requestor_id="", api_key="")
    sushi_server.respond("reports/pr", (SAMPLES / "r51/PR_sample_r51.json").read_bytes())

    sushi.harvest(endpoint, "pr", month(2022, 1), month(2022, 12))

    path, query = sushi_server.requests[0]
    assert path == "/sushi/reports/pr"
    assert set(query) == {"customer_id", "begin_date", "end_date"}


@pytest.mark.django_db
def test_harvesting_the_same_months_again_replaces_them(sushi_server, endpoint, odense):
    sushi_server.serve("pr", "r51/PR_sample_r51.json")

    first = sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))
    again = sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    assert totals(endpoint.resource, odense) == R51_PR
    assert again.records == first.records
    assert UsageRecord.objects.filter(resource=endpoint.resource).count() == first.records


@pytest.mark.django_db
def test_exceptions_in_the_report_header_are_stored_with_the_import(sushi_server, endpoint, odense):
    data = json.loads((SAMPLES / "r51/PR_sample_r51.json").read_text())
    data["Report_Header"]["Exceptions"] = [
        {"Code": 3031, "Message": "Usage Not Ready for Requested Dates", "Data": "2022-12"}
    ]
    sushi_server.respond("reports/pr", data)

    imported = sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    assert [(e["code"], e["message"]) for e in imported.exceptions] == [
        (3031, "Usage Not Ready for Requested Dates")
    ]
    assert totals(endpoint.resource, odense) == R51_PR


# -- answers that are only exceptions: nothing stored ---------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        (NO_USAGE, 200, 3030, "The server has no usage for these months."),
        (QUEUED, 202, 1011, "The server has not finished the report yet: harvest again later."),
        ({"Exception": NOT_AUTHORISED}, 403, 2000, "check them with the vendor"),
        (
            {"Code": 3000, "Message": "Report Not Supported"},
            400,
            3000,
            "The server does not offer this report: choose another one.",
        ),
    ],
)
def test_an_answer_of_only_exceptions_stores_nothing_and_says_why(
    sushi_server, endpoint, body, status, code, words
):
    sushi_server.respond("reports/pr", body, status=status)

    with pytest.raises(sushi.SushiError) as raised:
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    error = raised.value
    assert error.code == code
    message = (body.get("Exception", body) if isinstance(body, dict) else body[0])["Message"]
    assert f"COUNTER exception {code} {message}" in str(error)
    assert words in str(error)
    assert not UsageImport.objects.exists()
    assert not UsageRecord.objects.exists()
    endpoint.refresh_from_db()
    assert endpoint.last_harvested_at is None


@pytest.mark.django_db
def test_no_usage_in_the_header_of_an_empty_report_stores_nothing(sushi_server, endpoint):
    sushi_server.respond(
        "reports/pr",
        {
            "Report_Header": {"Report_ID": "PR", "Release": "5", "Exceptions": [NO_USAGE]},
            "Report_Items": [],
        },
    )

    with pytest.raises(sushi.SushiError) as raised:
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    assert raised.value.code == 3030
    assert "(No usage for 2022-01 to 2022-12)" in str(raised.value)
    assert not UsageImport.objects.exists()


@pytest.mark.django_db
def test_a_wrong_api_key_is_the_servers_exception(sushi_server, odense):
    endpoint = make_endpoint(odense, sushi_server.url, api_key="wrong")
    sushi_server.serve("pr", "r51/PR_sample_r51.json")

    with pytest.raises(sushi.SushiError) as raised:
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    assert raised.value.code == 2000
    assert not UsageRecord.objects.exists()


@pytest.mark.django_db
def test_a_report_the_server_does_not_offer(sushi_server, endpoint):
    with pytest.raises(sushi.SushiError) as raised:
        sushi.harvest(endpoint, "IR", month(2022, 1), month(2022, 12))

    assert raised.value.code == 3000
    assert "COUNTER exception 3000 Report Not Supported" in str(raised.value)


# -- failures of the server -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_http_error_is_named(sushi_server, endpoint):
    sushi_server.respond("reports/pr", b"<h1>Internal Server Error</h1>", status=500)

    with pytest.raises(sushi.SushiError) as raised:
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    host = sushi_server.url.split("/")[2]
    assert str(raised.value) == (
        f"The SUSHI server at {host} answered with HTTP error 500 (Internal Server Error)."
    )
    assert raised.value.code is None
    assert not UsageImport.objects.exists()


@pytest.mark.django_db
def test_an_answer_that_is_not_json_is_named(sushi_server, endpoint):
    sushi_server.respond("reports/pr", b"<html>Maintenance until 14:00</html>")

    with pytest.raises(sushi.SushiError) as raised:
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))

    assert "did not answer with JSON; its answer begins “<html>Maintenance" in str(raised.value)


@pytest.mark.django_db
def test_json_that_is_not_a_report_is_named(sushi_server, endpoint):
    sushi_server.respond("reports/pr", {"hello": "world"})

    with pytest.raises(sushi.SushiError, match="answered with JSON that is not a COUNTER report"):
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))


@pytest.mark.django_db
def test_another_report_than_the_one_asked_for_is_refused(sushi_server, endpoint):
    sushi_server.respond("reports/pr", (SAMPLES / "r51/TR_sample_r51.json").read_bytes())

    with pytest.raises(sushi.SushiError, match="sent the report TR instead of PR"):
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))
    assert not UsageRecord.objects.exists()


@pytest.mark.django_db
def test_a_server_that_does_not_answer_in_time(sushi_server, endpoint):
    sushi_server.respond("reports/pr", NO_USAGE, delay=2)

    with pytest.raises(sushi.SushiError, match=r"did not answer within 0\.5 seconds"):
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12), timeout=0.5)


@pytest.mark.django_db
def test_a_server_that_cannot_be_reached(odense):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    endpoint = make_endpoint(odense, f"http://127.0.0.1:{port}/sushi")

    with pytest.raises(
        sushi.SushiError, match=f"Could not reach the SUSHI server at 127.0.0.1:{port}"
    ):
        sushi.harvest(endpoint, "PR", month(2022, 1), month(2022, 12))


@pytest.mark.django_db
def test_months_and_reports_are_checked_before_asking(sushi_server, endpoint):
    with pytest.raises(sushi.SushiError, match="not a COUNTER Release 5 report"):
        sushi.harvest(endpoint, "JR1", month(2022, 1), month(2022, 12))
    with pytest.raises(sushi.SushiError, match="first month must not be after the last"):
        sushi.harvest(endpoint, "PR", month(2022, 12), month(2022, 1))
    assert sushi_server.requests == []


@pytest.mark.django_db
def test_the_status_of_the_service(sushi_server, endpoint):
    status = sushi.status(endpoint)

    assert status == sushi.Status(active=True, description="Sample SUSHI service", alerts=[])
    assert sushi_server.requests[0][0] == "/sushi/status"


# -- the task -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_harvests_and_returns_the_import(sushi_server, endpoint, municipal_leader):
    sushi_server.serve("pr", "r51/PR_sample_r51.json")

    result = harvest_usage.enqueue(
        endpoint_id=endpoint.pk,
        report_id="PR",
        first="2022-01",
        last="2022-12-01",
        person_id=municipal_leader.pk,
    )

    imported = UsageImport.objects.get()
    assert result.return_value == {
        "import_id": imported.pk,
        "records": imported.records,
        "replaced": 0,
        "exceptions": [],
    }
    assert imported.imported_by == municipal_leader
    assert totals(endpoint.resource, endpoint.municipality) == R51_PR


@pytest.mark.django_db
def test_the_task_returns_the_servers_exception(sushi_server, endpoint):
    sushi_server.respond("reports/pr", NO_USAGE)

    result = harvest_usage.enqueue(
        endpoint_id=endpoint.pk, report_id="PR", first="2022-01", last="2022-12"
    )

    assert result.return_value["code"] == 3030
    assert "No Usage Available for Requested Dates" in result.return_value["error"]
    assert result.return_value["exceptions"][0]["code"] == 3030
    assert not UsageImport.objects.exists()
