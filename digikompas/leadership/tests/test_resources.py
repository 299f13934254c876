"""The catalogue of digital resources: the shipped resources and their command, the catalogue
page (the toolkit's start page) with its filters and links, a resource's page, and the forms
analysts curate it with; the leader's overview of a municipality's resources."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from digikompas.leadership import metrics
from digikompas.leadership.models import (
    Collaboration,
    DigitalResource,
    Licence,
    Membership,
    PricingModel,
    ResourceType,
    UsageRecord,
)
from digikompas.leadership.resources import default_resources, load_default_resources
from digikompas.orgs.models import UserGroup
from digikompas.testing import field_error, html, log_in_client, message

CATALOGUE = reverse("leadership:resource_list")


def overview_url(municipality):
    return reverse("leadership:overview", args=[municipality.code])


# -- the shipped resources ----------------------------------------------------------------------


def test_the_shipped_resources_are_valid_and_named_once():
    names = [resource["name"].casefold() for resource in default_resources()]
    assert len(names) == len(set(names))
    for data in default_resources():
        DigitalResource(**data).full_clean(validate_constraints=False)
        assert data["description_da"], data["name"]
        assert data["description_en"], data["name"]
        assert set(data["target_groups"]) <= set(UserGroup.values)


def test_the_resources_not_confirmed_in_the_sources_are_marked_as_examples():
    by_name = {data["name"]: data for data in default_resources()}
    for name in ("PressReader", "Ordbogen", "Britannica", "Ancestry", "Naxos Music Library"):
        assert by_name[name]["is_example"], name
        assert "not confirmed" in by_name[name]["description_en"].lower(), name
    for name in ("eReolen", "eReolen Go!", "Filmstriben", "Infomedia", "Digital Artikelservice"):
        assert not by_name[name]["is_example"], name
    # The services that report loans or views, not COUNTER, have no COUNTER platform.
    assert (
        by_name["eReolen"]["counter_platform"] == by_name["Filmstriben"]["counter_platform"] == ""
    )


def test_the_command_loads_them_once(db):
    out = io.StringIO()
    call_command("load_default_resources", stdout=out)
    count = len(default_resources())
    assert out.getvalue() == f"{count} created, 0 updated, 0 unchanged.\n"
    assert DigitalResource.objects.count() == count

    out = io.StringIO()
    call_command("load_default_resources", stdout=out)
    assert out.getvalue() == f"0 created, 0 updated, {count} unchanged.\n"
    assert DigitalResource.objects.count() == count


def test_loading_again_restores_the_shipped_facts_and_keeps_the_accessibility(db):
    load_default_resources()
    DigitalResource.objects.filter(name="Filmstriben").update(
        name="FILMSTRIBEN", vendor="Someone", accessible=True
    )

    result = load_default_resources()

    assert (result.created, result.updated) == (0, 1)
    filmstriben = DigitalResource.objects.get(name="Filmstriben")
    assert (filmstriben.vendor, filmstriben.accessible) == ("DBC Digital", True)


# -- the catalogue ------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    load_default_resources()


def test_everyone_logged_in_sees_the_catalogue(client, staff, catalogue):
    page = html(log_in_client(client, staff).get(CATALOGUE))
    assert "<h1>Digital resources</h1>" in page
    assert f"<strong>{len(default_resources())} resources</strong>" in page
    assert ">eReolen</a></th>" in page
    assert '>PressReader</a><span class="badge badge-info">Example data</span>' in page
    # Staff get no toolkit and no editing.
    assert "Digital leadership toolkit" not in page
    assert reverse("leadership:resource_create") not in page


def test_the_catalogue_needs_a_login(client):
    response = client.get(CATALOGUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_filters_by_type_and_target_group(client, staff, catalogue):
    log_in_client(client, staff)
    page = html(client.get(CATALOGUE, {"type": ResourceType.GENEALOGY}))
    assert "<strong>2 resources</strong>" in page
    assert ">Ancestry</a>" in page
    assert ">Mediestream Folkebibliotek</a>" in page

    page = html(client.get(CATALOGUE, {"group": UserGroup.CHILDREN_0_8}))
    assert "<strong>1 resource</strong>" in page
    assert ">eReolen Go!</a>" in page

    page = html(client.get(CATALOGUE, {"examples": "examples", "type": ResourceType.NEWS}))
    assert "<strong>1 resource</strong>" in page
    assert ">PressReader</a>" in page

    page = html(client.get(CATALOGUE, {"type": ResourceType.MUSIC, "group": "genealogists"}))
    assert "No resources match these filters." in page


def test_an_unknown_filter_is_refused(client, staff, catalogue):
    response = log_in_client(client, staff).get(CATALOGUE, {"type": "vinyl"})
    assert response.status_code == 400
    assert "Some filters could not be used" in html(response)


def test_the_empty_catalogue(client, staff):
    page = html(log_in_client(client, staff).get(CATALOGUE))
    assert "There are no resources in the catalogue yet." in page


def test_leaders_get_the_toolkit_of_their_municipality(client, municipal_leader, odense):
    page = html(log_in_client(client, municipal_leader).get(CATALOGUE))
    assert '<h2 id="toolkit-heading">Digital leadership toolkit</h2>' in page
    assert "<h3>Odense</h3>" in page
    assert f'<a href="{overview_url(odense)}">Resource overview</a>' in page
    selection = reverse("leadership:selection", args=[odense.code])
    assert f'<a href="{selection}">Selection of resources</a>' in page


def test_a_library_leader_gets_the_toolkit_of_the_library_s_municipality(
    client, library_leader, odense
):
    page = html(log_in_client(client, library_leader).get(CATALOGUE))
    assert f'<a href="{overview_url(odense)}">Resource overview</a>' in page


def test_analysts_choose_a_municipality(client, analyst, aarhus):
    log_in_client(client, analyst)
    page = html(client.get(CATALOGUE))
    assert '<select name="municipality"' in page
    assert overview_url(aarhus) not in page

    page = html(client.get(CATALOGUE, {"municipality": aarhus.code}))
    assert "<h3>Aarhus</h3>" in page
    assert f'<a href="{overview_url(aarhus)}">Resource overview</a>' in page


# -- a resource ---------------------------------------------------------------------------------


def test_a_resource_s_page(client, staff, catalogue):
    pressreader = DigitalResource.objects.get(name="PressReader")
    page = html(
        log_in_client(client, staff).get(
            reverse("leadership:resource_detail", args=[pressreader.pk])
        )
    )
    assert "<h1>PressReader</h1>" in page
    assert "This resource is example data" in page
    assert "Not confirmed as a Danish library offer in the sources read" in page
    assert "Adult leisure readers, Seniors, New Danes and language learners" in page
    assert "Monthly counts (loans, views), not COUNTER" in page
    assert "Edit the resource" not in page


def test_an_unknown_resource_is_not_found(client, staff, db):
    response = log_in_client(client, staff).get(reverse("leadership:resource_detail", args=[999]))
    assert response.status_code == 404


VALID = {
    "name": "Bibliotekets Lydbøger",
    "vendor": "Forlaget",
    "type": ResourceType.AUDIOBOOKS,
    "target_groups": ["seniors", "new_danes"],
    "counter_platform": "Lydbog Platform",
    "website": "https://example.com",
    "description_da": "Lydbøger.",
    "description_en": "Audiobooks.",
    "accessible": "true",
}


def test_analysts_create_a_resource(client, analyst, db):
    log_in_client(client, analyst)
    assert client.get(reverse("leadership:resource_create")).status_code == 200
    response = client.post(reverse("leadership:resource_create"), VALID, follow=True)
    resource = DigitalResource.objects.get()
    assert (resource.name, resource.target_groups, resource.accessible, resource.is_example) == (
        "Bibliotekets Lydbøger",
        ["seniors", "new_danes"],
        True,
        False,
    )
    assert message("The resource “Bibliotekets Lydbøger” was created.") in html(response)


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": "EREOLEN"}, "name", "There is already a resource named “EREOLEN”."),
        (
            {"counter_platform": "ebscohost"},
            "counter_platform",
            "The resource “EBSCO MasterFILE” already has this COUNTER platform; usage files "
            "could not tell the two apart.",
        ),
        (
            {"type": "vinyl"},
            "type",
            "Select a valid choice. vinyl is not one of the available choices.",
        ),
        (
            {"target_groups": ["pets"]},
            "target_groups",
            "Select a valid choice. pets is not one of the available choices.",
        ),
        ({"website": "ereolen"}, "website", "Enter a valid URL."),
    ],
)
def test_the_form_says_which_field_is_wrong(client, analyst, catalogue, changes, field, error):
    response = log_in_client(client, analyst).post(
        reverse("leadership:resource_create"), {**VALID, **changes}
    )
    assert response.status_code == 400
    assert field_error(field, error) in html(response)
    assert not DigitalResource.objects.filter(vendor="Forlaget").exists()


def test_analysts_edit_a_resource(client, analyst, catalogue):
    ancestry = DigitalResource.objects.get(name="Ancestry")
    url = reverse("leadership:resource_edit", args=[ancestry.pk])
    log_in_client(client, analyst)
    form = html(client.get(url))
    assert '<option value="unknown" selected>Not known</option>' in form
    response = client.post(
        url,
        {
            **VALID,
            "name": "Ancestry",
            "counter_platform": "",
            "accessible": "false",
            "is_example": "on",
        },
    )
    assert response.status_code == 302
    ancestry.refresh_from_db()
    assert (ancestry.accessible, ancestry.is_example, ancestry.vendor) == (False, True, "Forlaget")


@pytest.mark.parametrize("who", ["staff", "municipal_leader", "library_leader", "coordinator"])
def test_only_analysts_curate(client, catalogue, who, request):
    log_in_client(client, request.getfixturevalue(who))
    pk = DigitalResource.objects.get(name="eReolen").pk
    assert client.get(reverse("leadership:resource_create")).status_code == 403
    assert client.post(reverse("leadership:resource_edit", args=[pk]), VALID).status_code == 403


# -- the leader's overview ----------------------------------------------------------------------

LAST = datetime.date(2025, 12, 1)


@pytest.fixture
def january_2026(time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 15, 12))


def loans(resource, municipality, counts: dict, metric="loans", restated=()):
    UsageRecord.objects.bulk_create(
        UsageRecord(
            resource=resource,
            municipality=municipality,
            month=month,
            metric=metric,
            count=count,
            restated_from=1 if month in restated else None,
        )
        for month, count in counts.items()
    )


def months(first, count):
    return [metrics.add_months(first, n) for n in range(count)]


@pytest.fixture
def offered(odense, aarhus, catalogue):
    ereolen = DigitalResource.objects.get(name="eReolen")
    ebsco = DigitalResource.objects.get(name="EBSCO MasterFILE")
    faktalink = DigitalResource.objects.get(name="Faktalink")
    loans(ereolen, odense, dict.fromkeys(months(datetime.date(2024, 1, 1), 12), 100))
    loans(ereolen, odense, dict.fromkeys(months(datetime.date(2025, 1, 1), 12), 125))
    Licence.objects.create(
        resource=ereolen,
        municipality=odense,
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        pricing_model=PricingModel.PER_LOAN,
        price_per_loan=Decimal("12.00"),
        usage_metric="loans",
    )
    counts = dict.fromkeys(months(datetime.date(2024, 1, 1), 24), 40)
    del counts[datetime.date(2025, 3, 1)]
    loans(
        ebsco, odense, counts, metric="Unique_Title_Requests", restated=[datetime.date(2025, 5, 1)]
    )
    loans(ebsco, odense, dict.fromkeys(counts, 400), metric="Total_Item_Requests")
    Licence.objects.create(
        resource=ebsco,
        municipality=odense,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("8800.00"),
    )
    # Faktalink through a collaboration, with no usage; Aarhus' usage is not Odense's.
    fyn = Collaboration.objects.create(name="Fynske biblioteker")
    Membership.objects.create(
        collaboration=fyn, municipality=odense, joined_on=datetime.date(2024, 1, 1)
    )
    Licence.objects.create(
        resource=faktalink,
        collaboration=fyn,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("5000.00"),
    )
    loans(DigitalResource.objects.get(name="Filmstriben"), aarhus, {LAST: 10})


def test_the_overview_of_the_municipality_s_resources(
    client, municipal_leader, offered, january_2026, odense
):
    page = html(log_in_client(client, municipal_leader).get(overview_url(odense)))

    assert "<h1>Resource overview for Odense</h1>" in page
    assert "from January 2025 to December 2025" in page
    # Cheapest use first: EBSCO 8,800 kr / 440 unique title requests = 20.00 kr;
    # eReolen 12.00 kr a loan; Faktalink has no usage, so no cost per use: last.
    rows = page.split("<tbody>")[1].split("</tr>")
    assert ">eReolen</a>" in rows[0]
    assert ">EBSCO MasterFILE</a>" in rows[1]
    assert ">Faktalink</a>" in rows[2]
    assert "Filmstriben" not in page
    assert (
        '<td>loans<br><span class="form-hint">loans as the service reports them</span></td>'
        '<td class="text-align-right">1,500</td>'
        '<td><span aria-hidden="true">↑</span> Up 25 % on the 12 months before.</td>'
        '<td class="text-align-right">12.00 kr.</td>'
    ) in rows[0]
    assert "Unique_Title_Requests" in rows[1]
    assert '<td class="text-align-right">440</td>' in rows[1]
    assert "No trend: 23 of the 24 months have a figure." in rows[1]
    assert '<td class="text-align-right">20.00 kr.</td>' in rows[1]
    assert "Warning: No figure for March 2025." in rows[1]
    assert "Warning: Restated by a later import: May 2025." in rows[1]
    assert "Warning: There are no usage figures yet." in rows[2]


def test_the_overview_without_resources(client, municipal_leader, january_2026, catalogue, odense):
    page = html(log_in_client(client, municipal_leader).get(overview_url(odense)))
    assert "Odense has no licences and no usage figures yet." in page


def test_figures_that_stopped_arriving_are_warned_about(
    client, municipal_leader, catalogue, january_2026, odense
):
    ereolen = DigitalResource.objects.get(name="eReolen")
    loans(ereolen, odense, dict.fromkeys(months(datetime.date(2024, 1, 1), 22), 10))
    page = html(log_in_client(client, municipal_leader).get(overview_url(odense)))
    assert "Warning: No figures after October 2025." in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("municipal_leader", 200),
        ("library_leader", 200),
        ("analyst", 200),
        ("other_municipal_leader", 404),
        ("other_leader", 404),
        ("staff", 403),
        ("coordinator", 403),
    ],
)
def test_who_sees_the_overview(client, who, status, request, odense):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(overview_url(odense)).status_code == status
