"""The selection page: the ranking with the explanation of every score, the weights as a form,
saved scenarios, the export; who may see and save; and the toolkit's pages in a browser."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from digikompas.leadership import metrics, selection
from digikompas.leadership.models import (
    DigitalResource,
    Licence,
    PricingModel,
    ResourceType,
    SelectionScenario,
    UsageRecord,
)
from digikompas.leadership.resources import load_default_resources
from digikompas.testing import assert_accessible, field_error, html, log_in, log_in_client, message

EVEN = dict.fromkeys(selection.CRITERION_KEYS, 1)


def url(name, municipality, *args):
    return reverse(f"leadership:{name}", args=[municipality.code, *args])


@pytest.fixture
def january_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 15, 12))


@pytest.fixture
def resources(odense, january_2026):
    """A: 125 loans a month, 2.00 kr a loan, accessible; B: 200 a month, 5.00 kr a loan."""
    a = DigitalResource.objects.create(
        name="A", type=ResourceType.E_BOOKS, target_groups=["seniors"], accessible=True
    )
    b = DigitalResource.objects.create(
        name="B", type=ResourceType.FILM, target_groups=["seniors", "children_9_12"]
    )
    for resource, per_month, price in ((a, 125, "2.00"), (b, 200, "5.00")):
        UsageRecord.objects.bulk_create(
            UsageRecord(
                resource=resource,
                municipality=odense,
                month=metrics.add_months(datetime.date(2024, 1, 1), n),
                metric="loans",
                count=per_month,
            )
            for n in range(24)
        )
        Licence.objects.create(
            resource=resource,
            municipality=odense,
            starts_on=datetime.date(2024, 1, 1),
            ends_on=datetime.date(2025, 12, 31),
            pricing_model=PricingModel.PER_LOAN,
            price_per_loan=Decimal(price),
            usage_metric="loans",
        )
    return {"A": a, "B": b}


def names_in_order(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', body)


# -- the page -----------------------------------------------------------------------------------


def test_the_ranking_with_the_default_weights(client, municipal_leader, resources, odense):
    page = html(log_in_client(client, municipal_leader).get(url("selection", odense)))

    assert "<h1>Selection of resources for Odense</h1>" in page
    assert names_in_order(page) == ["A", "B"]
    assert (
        '<summary class="details-summary"><span class="details-summary-text">Scores of A</span>'
        "</summary>" in page
    )
    assert (
        "<li><strong>Cost per use</strong> (weight 5): Cost per use 2.00 kr. (3,000.00 kr. for "
        "1,500 loans), the lowest of 2: 100.</li>"
    ) in page
    assert "No scenarios have been saved yet." in page
    assert 'name="usage" value="5"' in page


def test_weights_in_the_query_change_the_order(client, municipal_leader, resources, odense):
    only_usage = {**dict.fromkeys(selection.CRITERION_KEYS, 0), "usage": 10}
    page = html(log_in_client(client, municipal_leader).get(url("selection", odense), only_usage))
    assert names_in_order(page) == ["B", "A"]
    assert (
        "<li><strong>Usage</strong> (weight 10): 2,400 loans from January 2025 to December "
        "2025, the highest of 2: 100.</li>" in page
    )


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"usage": "11"}, "usage", "The weight cannot be above 10."),
        ({"trend": "-1"}, "trend", "The weight cannot be below 0."),
        ({"strategy": "much"}, "strategy", "Write a whole number from 0 to 10."),
        (
            {"accessibility": ""},
            "accessibility",
            "Give a weight from 0 to 10; 0 leaves the criterion out.",
        ),
        (
            {"target_groups": ["pets"]},
            "target_groups",
            "Select a valid choice. pets is not one of the available choices.",
        ),
    ],
)
def test_wrong_weights_are_named(
    client, municipal_leader, resources, odense, changes, field, error
):
    response = log_in_client(client, municipal_leader).get(
        url("selection", odense), {**EVEN, **changes}
    )
    assert response.status_code == 400
    page = html(response)
    assert field_error(field, error) in page
    assert '<h2 id="ranking-heading">' not in page


def test_every_weight_zero(client, municipal_leader, resources, odense):
    response = log_in_client(client, municipal_leader).get(
        url("selection", odense), dict.fromkeys(selection.CRITERION_KEYS, 0)
    )
    assert response.status_code == 400
    assert "<li>Give at least one criterion a weight above 0.</li>" in html(response)


def test_an_empty_catalogue(client, municipal_leader, odense, january_2026):
    page = html(log_in_client(client, municipal_leader).get(url("selection", odense)))
    assert "There are no resources in the catalogue to rank yet." in page


# -- scenarios ----------------------------------------------------------------------------------


def test_a_leader_saves_a_scenario_and_opens_it_again(client, library_leader, resources, odense):
    log_in_client(client, library_leader)
    weights = {**EVEN, "usage": 10, "cost_per_use": 0}
    response = client.post(
        url("scenario_save", odense),
        {**weights, "target_groups": ["seniors", "teachers"], "name": "  Brug  først "},
        follow=True,
    )
    scenario = SelectionScenario.objects.get()
    assert (scenario.name, scenario.weights, scenario.target_groups) == (
        "Brug først",
        weights,
        ["seniors", "teachers"],
    )
    assert scenario.created_by == library_leader
    assert response.redirect_chain == [(f"{url('selection', odense)}?scenario={scenario.pk}", 302)]
    page = html(response)
    assert message("The scenario “Brug først” was saved.") in page
    assert '<strong aria-current="true">Brug først</strong>' in page
    assert 'name="usage" value="10"' in page
    assert 'name="cost_per_use" value="0"' in page
    assert 'value="teachers" class="form-checkbox" id="id_target_groups_9" checked' in page
    assert names_in_order(page) == ["B", "A"]

    # The list links to it from the default page.
    page = html(client.get(url("selection", odense)))
    assert f'<a href="?scenario={scenario.pk}">Brug først</a>' in page


def test_a_scenario_name_is_used_once_in_a_municipality(
    client, municipal_leader, resources, odense
):
    SelectionScenario.objects.create(municipality=odense, name="Brug først", weights=EVEN)
    response = log_in_client(client, municipal_leader).post(
        url("scenario_save", odense), {**EVEN, "name": "brug FØRST"}
    )
    assert response.status_code == 400
    assert field_error(
        "name", "Odense already has a scenario named “brug FØRST”; choose another name."
    ) in html(response)
    assert SelectionScenario.objects.count() == 1


def test_a_scenario_needs_a_name(client, municipal_leader, resources, odense):
    response = log_in_client(client, municipal_leader).post(url("scenario_save", odense), EVEN)
    assert response.status_code == 400
    assert field_error("name", "Give the scenario a name.") in html(response)


def test_another_municipality_s_scenario_is_not_found(
    client, municipal_leader, odense, aarhus, january_2026
):
    theirs = SelectionScenario.objects.create(municipality=aarhus, name="Deres", weights=EVEN)
    log_in_client(client, municipal_leader)
    assert client.get(url("selection", odense), {"scenario": theirs.pk}).status_code == 404
    assert client.get(url("selection", odense), {"scenario": "x"}).status_code == 404


def test_analysts_read_but_do_not_save(client, analyst, resources, odense):
    log_in_client(client, analyst)
    page = html(client.get(url("selection", odense)))
    assert "Save these weights as a scenario" not in page
    response = client.post(url("scenario_save", odense), {**EVEN, "name": "Min"})
    assert response.status_code == 403
    assert not SelectionScenario.objects.exists()


# -- export -------------------------------------------------------------------------------------


def test_the_export_as_csv_reads_back(client, municipal_leader, resources, odense):
    query = {**EVEN, "target_groups": ["seniors", "children_9_12"]}
    response = log_in_client(client, municipal_leader).get(
        url("selection_export", odense, "csv"), query
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="selection-461-2025-12.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == [
        "Rank",
        "Resource",
        "Vendor",
        "Example data",
        "Total",
        "Usage (weight 1)",
        "Usage: explanation",
    ]
    ranking = selection.rank(
        odense,
        weights=EVEN,
        target_groups=["seniors", "children_9_12"],
        last=datetime.date(2025, 12, 1),
    )
    assert [row[1] for row in rows[1:]] == [row.resource.name for row in ranking.rows]
    first = ranking.rows[0]
    assert rows[1][4] == str(first.total)
    assert rows[1][5:] == [
        value for score in first.scores for value in (str(score.score), score.explanation)
    ]


def test_the_export_as_xlsx_reads_back(client, municipal_leader, resources, odense):
    from openpyxl import load_workbook

    scenario = SelectionScenario.objects.create(
        municipality=odense, name="Brug", weights={**EVEN, "usage": 10}, target_groups=["seniors"]
    )
    response = log_in_client(client, municipal_leader).get(
        url("selection_export", odense, "xlsx"), {"scenario": scenario.pk}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    ranking, weights = workbook.worksheets
    rows = list(ranking.iter_rows(values_only=True))
    assert rows[0][5] == "Usage (weight 10)"
    assert [row[1] for row in rows[1:]] == ["B", "A"]
    assert rows[1][6] == "2,400 loans from January 2025 to December 2025, the highest of 2: 100."
    facts = {row[0]: row[1] for row in weights.iter_rows(values_only=True)}
    assert facts["Municipality"] == "Odense"
    assert facts["Usage"] == 10
    assert facts["The library's target groups"] == "Seniors"


def test_an_unknown_export_format_or_wrong_weights(client, municipal_leader, resources, odense):
    log_in_client(client, municipal_leader)
    assert client.get(url("selection_export", odense, "pdf")).status_code == 404
    response = client.get(url("selection_export", odense, "csv"), {**EVEN, "usage": "99"})
    assert response.status_code == 400
    assert response.content.decode() == "Usage: The weight cannot be above 10."


# -- who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("municipal_leader", 200),
        ("library_leader", 200),
        ("branch_leader", 200),
        ("analyst", 200),
        ("other_municipal_leader", 404),
        ("other_leader", 404),
        ("staff", 403),
        ("coordinator", 403),
        ("provider", 403),
        ("outsider", 403),
    ],
)
def test_who_sees_the_selection(client, who, status, request, odense, january_2026):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(url("selection", odense)).status_code == status
    assert client.get(url("selection_export", odense, "csv")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_municipal_leader", 404), ("staff", 403), ("analyst", 403)],
)
def test_who_may_not_save(client, who, status, request, odense):
    log_in_client(client, request.getfixturevalue(who))
    response = client.post(url("scenario_save", odense), {**EVEN, "name": "X"})
    assert response.status_code == status


def test_anonymous_visitors_log_in_first(client, odense):
    for address in (
        url("selection", odense),
        url("overview", odense),
        reverse("leadership:resource_list"),
    ):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# -- in a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_toolkit_pages_are_accessible(page, municipal_leader, odense):
    load_default_resources()
    ereolen = DigitalResource.objects.get(name="eReolen")
    UsageRecord.objects.bulk_create(
        UsageRecord(
            resource=ereolen,
            municipality=odense,
            month=metrics.add_months(metrics.last_complete_month(), -n),
            metric="loans",
            count=100 + n,
        )
        for n in range(24)
    )
    log_in(page, municipal_leader.email)

    page.goto(reverse("leadership:resource_list"))
    page.locator(f'main a[href="{url("overview", odense)}"]').first.click()
    page.wait_for_url(f"**{url('overview', odense)}")
    assert_accessible(page)

    page.goto(reverse("leadership:resource_list") + "?type=genealogy")
    assert_accessible(page)

    page.goto(url("selection", odense))
    page.locator("summary").first.click()
    assert_accessible(page)
    page.fill("input[name=name]", "Første forsøg")
    page.locator("form[action$='/save/'] button[type=submit]").click()
    page.wait_for_url("**?scenario=*")
    assert SelectionScenario.objects.get().name == "Første forsøg"
    assert_accessible(page)
