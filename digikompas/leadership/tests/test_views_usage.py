"""The usage pages of a municipality: importing a usage file, the import history, one
resource's usage month by month, and SUSHI endpoints with "harvest now" – per role, with the
errors a leader meets, and in Chromium with axe-core."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from digikompas.leadership import pricing
from digikompas.leadership.models import (
    DigitalResource,
    Licence,
    PricingModel,
    ResourceType,
    SushiEndpoint,
    UsageImport,
    UsageNote,
    UsageRecord,
)
from digikompas.testing import assert_accessible, html, log_in, log_in_client, message

from .test_counter import R51_PR
from .test_sushi import API_KEY, CUSTOMER_ID, NO_USAGE, SushiServer, make_endpoint, totals

SAMPLES = Path(__file__).resolve().parent / "samples" / "counter"
ODENSE = 461
AARHUS = 751


@pytest.fixture
def sushi_server():
    server = SushiServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def platform_1(db):
    return DigitalResource.objects.create(
        name="Sample database", type=ResourceType.ARTICLES, counter_platform="Platform 1"
    )


@pytest.fixture
def ereolen(db):
    return DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)


def month(year, number):
    return datetime.date(year, number, 1)


@pytest.fixture
def ereolen_usage(odense, ereolen):
    """Loans of eReolen in Odense, January–June 2024: March is missing, May was restated from
    90 to 95, and February carries a note about the loan quota."""
    for number, loans in [(1, 100), (2, 80), (4, 120), (5, 95), (6, 110)]:
        UsageRecord.objects.create(
            resource=ereolen,
            municipality=odense,
            month=month(2024, number),
            metric="loans",
            count=loans,
            restated_from=90 if number == 5 else None,
        )
    UsageRecord.objects.create(
        resource=ereolen, municipality=odense, month=month(2024, 1), metric="borrowers", count=40
    )
    UsageNote.objects.create(
        resource=ereolen,
        municipality=odense,
        month=month(2024, 2),
        kind=UsageNote.Kind.QUOTA,
        text="Loan quota lowered from 5 to 3 a month.",
    )
    # Another municipality's figure is not shown.
    return ereolen


def url(name, *args, code=ODENSE):
    return reverse(f"leadership:{name}", args=[code, *args])


# -- who sees what --------------------------------------------------------------------------------

READ_PAGES = ["usage_imports", "usage_resource", "sushi_endpoints"]
MANAGE_PAGES = ["usage_import", "sushi_harvest"]


@pytest.fixture
def paths(ereolen, odense, sushi_server):
    endpoint = make_endpoint(odense, sushi_server.url, resource=ereolen)
    return {
        "usage_import": url("usage_import"),
        "usage_imports": url("usage_imports"),
        "usage_resource": url("usage_resource", ereolen.pk),
        "sushi_endpoints": url("sushi_endpoints"),
        "sushi_harvest": url("sushi_harvest", endpoint.pk),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("page", READ_PAGES + MANAGE_PAGES)
@pytest.mark.parametrize(
    ("who", "reads", "manages"),
    [
        ("municipal_leader", 200, 200),
        ("other_municipal_leader", 404, 404),
        ("library_leader", 200, 403),
        ("analyst", 200, 403),
        ("staff", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_who_gets_which_page(client, request, paths, page, who, reads, manages):
    log_in_client(client, request.getfixturevalue(who))

    response = client.get(paths[page])

    assert response.status_code == (reads if page in READ_PAGES else manages)


@pytest.mark.django_db
@pytest.mark.parametrize("page", READ_PAGES + MANAGE_PAGES)
def test_logged_out_visitors_are_sent_to_log_in(client, paths, page):
    response = client.get(paths[page])

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_municipality_that_does_not_exist_is_not_found(client, municipal_leader):
    log_in_client(client, municipal_leader)

    assert client.get(url("usage_imports", code=9999)).status_code == 404


@pytest.mark.django_db
def test_an_endpoint_of_another_municipality_is_not_found(
    client, municipal_leader, aarhus, ereolen, sushi_server
):
    theirs = make_endpoint(aarhus, sushi_server.url, resource=ereolen)
    log_in_client(client, municipal_leader)

    assert client.get(url("sushi_harvest", theirs.pk)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["analyst", "library_leader"])
def test_readers_change_nothing(client, request, paths, who, sushi_server, ereolen):
    log_in_client(client, request.getfixturevalue(who))
    upload = SimpleUploadedFile("pr.json", (SAMPLES / "r51/PR_sample_r51.json").read_bytes())

    assert client.post(paths["usage_import"], {"file": upload}).status_code == 403
    endpoint_form = {"resource": ereolen.pk, "url": sushi_server.url, "customer_id": "x"}
    assert client.post(paths["sushi_endpoints"], endpoint_form).status_code == 403
    harvest = {"report_id": "PR", "first": "2022-01", "last": "2022-12"}
    assert client.post(paths["sushi_harvest"], harvest).status_code == 403
    assert SushiEndpoint.objects.count() == 1
    assert not UsageRecord.objects.exists()


# -- importing a file -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_leader_imports_a_counter_report(client, municipal_leader, odense, platform_1):
    log_in_client(client, municipal_leader)
    upload = SimpleUploadedFile(
        "PR_sample_r51.tsv", (SAMPLES / "r51/PR_sample_r51.tsv").read_bytes()
    )

    response = client.post(url("usage_import"), {"file": upload}, follow=True)

    assert response.redirect_chain == [(url("usage_imports"), 302)]
    imported = UsageImport.objects.get()
    assert imported.file_name == "PR_sample_r51.tsv"
    assert imported.imported_by == municipal_leader
    assert totals(platform_1, odense) == R51_PR
    page = html(response)
    assert (
        message(
            f"PR_sample_r51.tsv was imported ({imported.report}, January 2022–December 2022): "
            f"{imported.records} figures stored, 0 of them replacing figures imported before."
        )
        in page
    )
    assert "PR_sample_r51.tsv" in page


@pytest.mark.django_db
def test_importing_the_same_months_again_says_what_it_replaced(
    client, municipal_leader, odense, platform_1
):
    log_in_client(client, municipal_leader)
    raw = (SAMPLES / "r51/PR_sample_r51.json").read_bytes()
    client.post(url("usage_import"), {"file": SimpleUploadedFile("pr.json", raw)})

    response = client.post(
        url("usage_import"), {"file": SimpleUploadedFile("pr.json", raw)}, follow=True
    )

    second = UsageImport.objects.order_by("pk").last()
    assert second.replaced == second.records
    assert f"{second.records} of them replacing figures imported before." in html(response)
    assert totals(platform_1, odense) == R51_PR


@pytest.mark.django_db
def test_a_report_with_counter_exceptions_shows_them(client, municipal_leader, platform_1):
    log_in_client(client, municipal_leader)
    raw = (SAMPLES / "r51/PR_sample_r51.json").read_text()
    raw = raw.replace(
        '"Report_Header": {',
        '"Report_Header": {"Exceptions": [{"Code": 3031, "Message": '
        '"Usage Not Ready for Requested Dates", "Data": "December 2022"}],',
        1,
    )

    response = client.post(
        url("usage_import"),
        {"file": SimpleUploadedFile("pr.json", raw.encode())},
        follow=True,
    )

    page = html(response)
    assert (
        message(
            "The report carries COUNTER exception 3031 Usage Not Ready for Requested Dates "
            "(December 2022).",
            "warning",
        )
        in page
    )
    assert "<strong>3031</strong> Usage Not Ready for Requested Dates" in page


@pytest.mark.django_db
def test_monthly_counts_go_to_the_chosen_resource(client, municipal_leader, odense, ereolen):
    log_in_client(client, municipal_leader)
    counts = b"month,metric,count\n2024-01,loans,100\n2024-02,loans,80\n"

    response = client.post(
        url("usage_import"),
        {"file": SimpleUploadedFile("ereolen.csv", counts), "resource": ereolen.pk},
    )

    assert response.status_code == 302
    assert totals(ereolen, odense) == {"loans": 180}


@pytest.mark.django_db
def test_a_malformed_file_lists_each_problem_and_imports_nothing(
    client, municipal_leader, platform_1
):
    log_in_client(client, municipal_leader)
    lines = (SAMPLES / "r51/PR_sample_r51.tsv").read_text(encoding="utf-8-sig").splitlines()
    body = next(i for i, line in enumerate(lines) if line.startswith("Platform 1"))
    cells = lines[body].split("\t")
    cells[-1] = "many"
    lines[body] = "\t".join(cells)

    response = client.post(
        url("usage_import"),
        {"file": SimpleUploadedFile("PR.tsv", "\n".join(lines).encode())},
    )

    assert response.status_code == 400
    page = html(response)
    assert "Nothing was imported." in page
    assert 'id="import-errors"' in page
    assert f"<tr><td>{body + 1}</td>" in page
    assert not UsageImport.objects.exists()
    assert not UsageRecord.objects.exists()


@pytest.mark.django_db
def test_a_platform_without_a_resource_is_refused(client, municipal_leader):
    log_in_client(client, municipal_leader)
    raw = (SAMPLES / "r51/PR_sample_r51.json").read_bytes()

    response = client.post(url("usage_import"), {"file": SimpleUploadedFile("pr.json", raw)})

    assert response.status_code == 400
    assert "Platform 1" in html(response)
    assert not UsageRecord.objects.exists()


@pytest.mark.django_db
def test_a_file_of_another_type_is_refused(client, municipal_leader):
    log_in_client(client, municipal_leader)

    response = client.post(
        url("usage_import"), {"file": SimpleUploadedFile("report.pdf", b"%PDF-1.7")}
    )

    assert response.status_code == 400
    assert escape(
        "The file must be a COUNTER report or monthly counts saved as .tsv, .txt, .csv, "
        ".xlsx or .json."
    ) in html(response)


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused(client, municipal_leader, settings):
    settings.IMPORT_MAX_BYTES = 1000
    log_in_client(client, municipal_leader)
    raw = (SAMPLES / "r51/PR_sample_r51.json").read_bytes()

    response = client.post(url("usage_import"), {"file": SimpleUploadedFile("pr.json", raw)})

    assert response.status_code == 400
    assert "the largest file you can import is 1000" in html(response)
    assert not UsageImport.objects.exists()


@pytest.mark.django_db
def test_an_empty_history_says_so(client, analyst):
    log_in_client(client, analyst)

    response = client.get(url("usage_imports"))

    assert "No usage has been imported for this municipality yet." in html(response)
    # Analysts read the history; the import button is the leader's.
    assert url("usage_import") not in html(response)


@pytest.mark.django_db
def test_the_history_lists_another_municipalitys_imports_only_there(
    client, municipal_leader, odense, aarhus
):
    for municipality, name in [(odense, "odense.tsv"), (aarhus, "aarhus.tsv")]:
        UsageImport.objects.create(
            municipality=municipality,
            report="COUNTER 5.1 PR",
            file_name=name,
            first_month=month(2022, 1),
            last_month=month(2022, 12),
            records=84,
            exceptions=[{"code": 3031, "severity": "", "message": "Not ready", "data": ""}],
        )
    log_in_client(client, municipal_leader)

    page = html(client.get(url("usage_imports")))

    assert "odense.tsv" in page
    assert "aarhus.tsv" not in page
    assert "January 2022–December 2022" in page
    assert "<strong>3031</strong> Not ready" in page


# -- one resource's usage -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_resource_page_shows_months_metrics_warnings_and_notes(
    client, municipal_leader, ereolen_usage
):
    log_in_client(client, municipal_leader)

    response = client.get(url("usage_resource", ereolen_usage.pk))

    assert response.status_code == 200
    page = html(response)
    # Metrics named in the header, most used first.
    assert '<th scope="col" class="text-align-right">loans</th>' in page
    assert page.index(">loans</th>") < page.index(">borrowers</th>")
    assert "Months without figures: March 2024." in page
    assert "Months whose figures were restated by a later import: May 2024." in page
    assert "95 (was 90)" in page
    assert "Loan quota lowered from 5 to 3 a month." in page
    assert "The figures of the last 24 months, July 2022 to June 2024, by metric." in page


@pytest.mark.django_db
def test_the_resource_page_states_cost_per_use_and_its_rule(
    client, municipal_leader, odense, ereolen_usage
):
    Licence.objects.create(
        resource=ereolen_usage,
        municipality=odense,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2024, 12, 31),
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("120000.00"),
    )
    log_in_client(client, municipal_leader)

    response = client.get(url("usage_resource", ereolen_usage.pk), {"metric": "loans"})

    expected = pricing.cost_per_use(
        ereolen_usage,
        odense,
        "loans",
        first=month(2024, 1),
        last=datetime.date(2024, 6, 30),
    )
    page = html(response)
    assert "Cost per use (loans)" in page
    assert escape(expected.rule) in page
    assert expected.per_use is not None
    assert "No loans figure for: March 2024." in page


@pytest.mark.django_db
def test_a_resource_without_usage_says_so(client, analyst, ereolen):
    log_in_client(client, analyst)

    page = html(client.get(url("usage_resource", ereolen.pk)))

    assert "There is no usage of eReolen for this municipality yet." in page


@pytest.mark.django_db
def test_an_unknown_metric_is_refused(client, municipal_leader, ereolen_usage):
    log_in_client(client, municipal_leader)

    response = client.get(url("usage_resource", ereolen_usage.pk), {"metric": "downloads"})

    assert response.status_code == 400


# -- SUSHI ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_leader_adds_an_endpoint(client, municipal_leader, odense, platform_1, sushi_server):
    log_in_client(client, municipal_leader)

    response = client.post(
        url("sushi_endpoints"),
        {
            "resource": platform_1.pk,
            "url": sushi_server.url + "/",
            "customer_id": CUSTOMER_ID,
            "api_key": API_KEY,
        },
    )

    endpoint = SushiEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("sushi_harvest", endpoint.pk)
    assert endpoint.municipality == odense
    assert endpoint.url == sushi_server.url
    # The key is never shown again.
    page = html(client.get(url("sushi_endpoints")))
    assert API_KEY not in page
    assert sushi_server.url in page


@pytest.mark.django_db
def test_an_endpoint_with_a_query_in_its_address_is_refused(client, municipal_leader, platform_1):
    log_in_client(client, municipal_leader)

    response = client.post(
        url("sushi_endpoints"),
        {
            "resource": platform_1.pk,
            "url": "https://sushi.example.com/r5?customer_id=1",
            "customer_id": CUSTOMER_ID,
        },
    )

    assert response.status_code == 400
    assert "Give the address without" in html(response)
    assert not SushiEndpoint.objects.exists()


@pytest.mark.django_db
def test_harvest_now_stores_the_report(client, municipal_leader, odense, platform_1, sushi_server):
    endpoint = make_endpoint(odense, sushi_server.url, resource=platform_1)
    sushi_server.serve("pr", "r51/PR_sample_r51.json")
    log_in_client(client, municipal_leader)

    response = client.post(
        url("sushi_harvest", endpoint.pk),
        {"report_id": "PR", "first": "2022-01", "last": "2022-12"},
        follow=True,
    )

    assert response.redirect_chain == [(url("usage_imports"), 302)]
    imported = UsageImport.objects.get()
    assert imported.source == UsageImport.Source.SUSHI
    assert imported.imported_by == municipal_leader
    assert totals(platform_1, odense) == R51_PR
    assert message(
        f"The PR report of Sample database for January 2022–December 2022 was harvested: "
        f"{imported.records} figures stored, 0 of them replacing figures imported before."
    ) in html(response)
    assert sushi_server.requests[0][1]["begin_date"] == "2022-01"


@pytest.mark.django_db
def test_harvest_now_shows_the_servers_exception(
    client, municipal_leader, odense, platform_1, sushi_server
):
    endpoint = make_endpoint(odense, sushi_server.url, resource=platform_1)
    sushi_server.respond("reports/pr", NO_USAGE)
    log_in_client(client, municipal_leader)

    response = client.post(
        url("sushi_harvest", endpoint.pk),
        {"report_id": "PR", "first": "2022-01", "last": "2022-12"},
    )

    assert response.status_code == 200
    page = html(response)
    assert "Nothing was stored." in page
    assert "COUNTER exception 3030 No Usage Available for Requested Dates" in page
    assert "The server has no usage for these months." in page
    assert not UsageImport.objects.exists()


@pytest.mark.django_db
def test_harvest_now_shows_a_server_error(
    client, municipal_leader, odense, platform_1, sushi_server
):
    endpoint = make_endpoint(odense, sushi_server.url, resource=platform_1)
    sushi_server.respond("reports/pr", b"oops", status=500)
    log_in_client(client, municipal_leader)

    response = client.post(
        url("sushi_harvest", endpoint.pk),
        {"report_id": "PR", "first": "2022-01", "last": "2022-12"},
    )

    assert "answered with HTTP error 500 (Internal Server Error)." in html(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "last", "error"),
    [
        ("2022-13", "2022-12", "Write the month as YYYY-MM, e.g. 2024-03."),
        ("2022-06", "2022-01", "The last month must not be before the first month."),
        ("2018-01", "2022-12", "Harvest at most 36 months at a time."),
        ("2022-01", "2999-01", "There is no usage yet for months after this month."),
    ],
)
def test_harvest_months_are_checked(
    client, municipal_leader, odense, platform_1, sushi_server, first, last, error
):
    endpoint = make_endpoint(odense, sushi_server.url, resource=platform_1)
    log_in_client(client, municipal_leader)

    response = client.post(
        url("sushi_harvest", endpoint.pk), {"report_id": "PR", "first": first, "last": last}
    )

    assert response.status_code == 400
    assert escape(error) in html(response)
    assert sushi_server.requests == []


# -- in the browser -------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_leader_imports_a_file_and_reads_the_usage_in_a_browser(
    page, municipal_leader, odense, platform_1, ereolen_usage
):
    log_in(page, municipal_leader.user.email)
    page.goto(url("usage_import"))
    assert_accessible(page)

    # A file of another type first: the error is shown, and the page stays accessible.
    page.set_input_files(
        "input[name=file]",
        {"name": "report.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"},
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-error").count() == 1
    assert_accessible(page)

    page.set_input_files("input[name=file]", str(SAMPLES / "r51/PR_sample_r51.tsv"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{url('usage_imports')}")
    assert page.locator(".alert-success").count() == 1
    assert_accessible(page)
    assert totals(platform_1, odense) == R51_PR

    page.goto(url("usage_resource", ereolen_usage.pk))
    assert page.locator("table.usage-table tbody tr").count() == 6
    assert page.locator(".alert-warning").count() >= 1
    assert_accessible(page)


# -- queries --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_history_takes_the_same_queries_for_any_number_of_imports(
    client, municipal_leader, odense, django_assert_num_queries
):
    for number in range(60):
        UsageImport.objects.create(
            municipality=odense,
            report="monthly counts",
            file_name=f"counts-{number}.csv",
            first_month=month(2024, 1),
            last_month=month(2024, 1),
            imported_by=municipal_leader,
        )
    log_in_client(client, municipal_leader)
    # session, user, person, grants, the municipality, count, the page of imports with who
    # imported them, the user's name in the header.
    with django_assert_num_queries(8):
        response = client.get(url("usage_imports"))
    assert len(response.context["page"]) == 50
    assert "Page 1 of 2" in html(response)


@pytest.mark.django_db
def test_the_endpoints_take_the_same_queries_for_any_number(
    client, municipal_leader, odense, sushi_server, django_assert_num_queries
):
    for number in range(5):
        resource = DigitalResource.objects.create(
            name=f"Database {number}", type=ResourceType.ARTICLES
        )
        make_endpoint(odense, sushi_server.url, resource=resource)
    log_in_client(client, municipal_leader)
    # session, user, person, grants, the municipality, the endpoints with their resources, the
    # resources to choose from in the form, the user's name in the header.
    with django_assert_num_queries(8):
        response = client.get(url("sushi_endpoints"))
    assert html(response).count("Harvest<span") == 5
