"""The pages of resource collaborations per role: the coordinating municipality's leader changes
the collaboration, its members and invoices (split on save); members' leaders read; others are
not told it exists. The export read back, and a member beside its anonymised peers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from digikompas.leadership.models import (
    Collaboration,
    DigitalResource,
    Invoice,
    Licence,
    Membership,
    PricingModel,
    ResourceType,
    UsageRecord,
)
from digikompas.orgs.models import JobRole, Municipality, Role
from digikompas.testing import (
    assert_accessible,
    field_error,
    html,
    log_in,
    log_in_client,
    make_person,
    message,
)

D = datetime.date
ODENSE, AARHUS, VEJLE = 461, 751, 630


@pytest.fixture
def filmstriben(db):
    return DigitalResource.objects.create(name="Filmstriben", type=ResourceType.FILM)


@pytest.fixture
def collaboration(odense, aarhus):
    """Odense coordinates; Aarhus is a member; Svendborg left before the licence year."""
    film = Collaboration.objects.create(
        name="Film sammen",
        coordinator=odense,
        split_rule=Collaboration.SplitRule.EQUAL,
        description="Filmstriben for Odense and Aarhus",
    )
    Membership.objects.create(collaboration=film, municipality=odense, joined_on=D(2020, 1, 1))
    Membership.objects.create(collaboration=film, municipality=aarhus, joined_on=D(2020, 1, 1))
    Membership.objects.create(
        collaboration=film,
        municipality=Municipality.objects.get(name="Svendborg"),
        joined_on=D(2020, 1, 1),
        left_on=D(2024, 10, 31),
    )
    return film


@pytest.fixture
def licence(collaboration, filmstriben):
    return Licence.objects.create(
        resource=filmstriben,
        collaboration=collaboration,
        starts_on=D(2024, 11, 1),
        ends_on=D(2025, 10, 31),
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("1000.00"),
    )


@pytest.fixture
def vejle_leader(reference_data):
    return make_person(
        "Vera Vejle",
        "vera@vejle.example",
        job_role=JobRole.HEAD_OF_LIBRARIES,
        grants=[(Role.MUNICIPAL_LEADER, Municipality.objects.get(code=VEJLE))],
    )


def detail(pk):
    return f"/leadership/collaborations/{pk}/"


# -- who sees what ------------------------------------------------------------------------------


def test_the_coordinators_leader_sees_and_may_change_everything(
    client, municipal_leader, collaboration, licence
):
    log_in_client(client, municipal_leader)
    page = html(client.get("/leadership/collaborations/"))
    assert "Film sammen" in page
    assert "Aarhus, Odense" in page  # members today; Svendborg has left
    page = html(client.get(detail(collaboration.pk)))
    assert "<h1>Film sammen</h1>" in page
    assert "Has left" in page
    assert f'href="/leadership/collaborations/{collaboration.pk}/edit/"' in page
    assert f'href="/leadership/collaborations/{collaboration.pk}/members/new/"' in page
    assert f'href="/leadership/collaborations/{collaboration.pk}/invoices/new/"' in page
    assert "<strong>1,000.00 kr.</strong>" in page
    assert f'href="/leadership/collaborations/{collaboration.pk}/peers/{ODENSE}/"' in page


def test_a_members_leader_reads_without_changing(
    client, other_municipal_leader, collaboration, licence
):
    log_in_client(client, other_municipal_leader)
    page = html(client.get(detail(collaboration.pk)))
    assert "<h1>Film sammen</h1>" in page
    assert "/edit/" not in page
    assert "/invoices/new/" not in page
    # Aarhus compares itself, not Odense.
    assert f"/peers/{AARHUS}/" in page
    assert f"/peers/{ODENSE}/" not in page
    for url in ("edit/", "members/new/", "invoices/new/"):
        assert client.get(detail(collaboration.pk) + url).status_code == 403
    assert client.get(detail(collaboration.pk) + f"peers/{ODENSE}/").status_code == 404


def test_a_library_leader_of_a_member_reads(client, library_leader, collaboration):
    log_in_client(client, library_leader)
    assert client.get(detail(collaboration.pk)).status_code == 200
    assert client.get(detail(collaboration.pk) + "edit/").status_code == 403


@pytest.mark.parametrize(
    "url",
    ["", "edit/", "members/new/", "invoices/new/", "export/xlsx/", f"peers/{VEJLE}/"],
)
def test_an_outsider_municipality_gets_404(client, vejle_leader, collaboration, url):
    log_in_client(client, vejle_leader)
    assert client.get(detail(collaboration.pk) + url).status_code == 404
    assert "Film sammen" not in html(client.get("/leadership/collaborations/"))


@pytest.mark.parametrize("who", ["staff", "outsider"])
def test_staff_and_outsiders_get_403(client, request, collaboration, who):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get("/leadership/collaborations/").status_code == 403
    assert client.get(detail(collaboration.pk)).status_code == 403


def test_analysts_read_every_collaboration(client, analyst, collaboration):
    log_in_client(client, analyst)
    assert client.get(detail(collaboration.pk)).status_code == 200
    assert client.get(detail(collaboration.pk) + "edit/").status_code == 403
    assert client.get("/leadership/collaborations/new/").status_code == 403


def test_an_empty_list_says_so(client, vejle_leader):
    log_in_client(client, vejle_leader)
    page = html(client.get("/leadership/collaborations/"))
    assert "You take part in no resource collaboration yet." in page
    assert 'href="/leadership/collaborations/new/"' in page


# -- creating and editing -----------------------------------------------------------------------


def test_a_leader_creates_a_collaboration_and_is_its_first_member(client, municipal_leader, odense):
    log_in_client(client, municipal_leader)
    response = client.post(
        "/leadership/collaborations/new/",
        {
            "name": "E-bøger på Fyn",
            "coordinator": odense.pk,
            "split_rule": "usage",
            "usage_metric": "",
            "joined_on": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert field_error(
        "usage_metric", "Name the usage metric the invoices are split by, e.g. loans."
    ) in html(response)
    response = client.post(
        "/leadership/collaborations/new/",
        {
            "name": "E-bøger på Fyn",
            "coordinator": odense.pk,
            "split_rule": "usage",
            "usage_metric": "loans",
            "joined_on": "2025-01-01",
        },
    )
    collaboration = Collaboration.objects.get(name="E-bøger på Fyn")
    assert response["Location"] == detail(collaboration.pk)
    membership = collaboration.memberships.get()
    assert (membership.municipality, membership.joined_on) == (odense, D(2025, 1, 1))
    assert message("The collaboration “E-bøger på Fyn” was created. Now add its members.") in html(
        client.get(response["Location"])
    )


def test_a_leader_cannot_coordinate_for_another_municipality(client, municipal_leader, aarhus):
    log_in_client(client, municipal_leader)
    response = client.post(
        "/leadership/collaborations/new/",
        {"name": "X", "coordinator": aarhus.pk, "split_rule": "equal", "joined_on": "2025-01-01"},
    )
    assert response.status_code == 400
    assert not Collaboration.objects.filter(name="X").exists()


def test_editing_the_rule(client, municipal_leader, collaboration):
    log_in_client(client, municipal_leader)
    response = client.post(
        detail(collaboration.pk) + "edit/",
        {
            "name": "Film sammen",
            "coordinator": collaboration.coordinator_id,
            "split_rule": "custom",
            "usage_metric": "",
        },
    )
    assert response.status_code == 302
    collaboration.refresh_from_db()
    assert collaboration.split_rule == "custom"


def test_memberships_are_checked(client, municipal_leader, collaboration, aarhus):
    log_in_client(client, municipal_leader)
    url = detail(collaboration.pk) + "members/new/"
    page = html(client.post(url, {"municipality": aarhus.pk, "joined_on": "2025-01-01"}))
    assert (
        field_error(
            "joined_on",
            "Aarhus is already a member from 01/01/2020 to with no end; the memberships of one "
            "municipality cannot overlap.",
        )
        in page
    )
    svendborg = Municipality.objects.get(name="Svendborg")
    page = html(
        client.post(
            url,
            {"municipality": svendborg.pk, "joined_on": "2025-06-01", "left_on": "2025-05-01"},
        )
    )
    assert field_error("left_on", "A member cannot leave before it joined.") in page
    # Svendborg joins again after it left: a second membership.
    response = client.post(url, {"municipality": svendborg.pk, "joined_on": "2025-06-01"})
    assert response.status_code == 302
    assert collaboration.memberships.filter(municipality=svendborg).count() == 2


def test_agreed_shares_are_required_for_a_custom_rule(client, municipal_leader, collaboration):
    collaboration.split_rule = Collaboration.SplitRule.CUSTOM
    collaboration.save()
    membership = collaboration.memberships.get(municipality__name="Aarhus")
    log_in_client(client, municipal_leader)
    url = detail(collaboration.pk) + f"members/{membership.pk}/edit/"
    page = html(client.post(url, {"joined_on": "2020-01-01"}))
    assert (
        field_error("share", "The collaboration splits by agreed shares: give this member's share.")
        in page
    )
    response = client.post(url, {"joined_on": "2020-01-01", "share": "2.5"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.share == Decimal("2.5")
    # Another collaboration's membership is not found here.
    other = Collaboration.objects.create(name="Other", coordinator=collaboration.coordinator)
    elsewhere = Membership.objects.create(
        collaboration=other, municipality=membership.municipality, joined_on=D(2020, 1, 1)
    )
    assert client.get(detail(collaboration.pk) + f"members/{elsewhere.pk}/edit/").status_code == 404


# -- invoices -----------------------------------------------------------------------------------


def invoice_data(licence, **more):
    return {
        "licence": licence.pk,
        "reference": "F-2025-17",
        "issued_on": "2024-11-15",
        "period_start": "2024-11-01",
        "period_end": "2025-10-31",
        "amount": "1000.00",
        **more,
    }


def test_an_invoice_is_split_when_saved(client, municipal_leader, collaboration, licence):
    log_in_client(client, municipal_leader)
    url = detail(collaboration.pk) + "invoices/new/"
    page = html(client.get(url))
    assert 'value="2024-11-01"' in page  # the only licence's period
    response = client.post(url, invoice_data(licence))
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert {s.municipality.name: s.amount for s in invoice.shares.all()} == {
        "Aarhus": Decimal("500.00"),
        "Odense": Decimal("500.00"),
    }
    page = html(client.get(response["Location"]))
    assert message("The invoice of 1000.00 kr. was saved and split between 2 members.") in page
    assert 'Sum of the shares</th><td class="text-align-right"><strong>1,000.00</strong>' in page
    assert "Equals the invoice amount." in page


def test_awkward_amounts_split_to_the_ore(client, municipal_leader, collaboration, licence):
    Membership.objects.create(
        collaboration=collaboration,
        municipality=Municipality.objects.get(name="Assens"),
        joined_on=D(2020, 1, 1),
    )
    log_in_client(client, municipal_leader)
    client.post(detail(collaboration.pk) + "invoices/new/", invoice_data(licence))
    page = html(client.get(detail(collaboration.pk)))
    # 1,000.00 into three; the øre to Aarhus, first by name.
    assert '<th scope="row">Aarhus</th><td class="text-align-right">333.34</td>' in page
    assert '<th scope="row">Assens</th><td class="text-align-right">333.33</td>' in page
    assert "<strong>1,000.00</strong>" in page


def test_invoices_are_checked(client, municipal_leader, collaboration, licence):
    log_in_client(client, municipal_leader)
    url = detail(collaboration.pk) + "invoices/new/"
    page = html(client.post(url, invoice_data(licence, period_end="2024-10-01")))
    assert field_error("period_end", "The period must end after it starts.") in page
    page = html(client.post(url, invoice_data(licence, period_end="2025-11-30")))
    assert (
        field_error(
            "period_start",
            "The invoice period must lie within the licence period, 11/01/2024–10/31/2025.",
        )
        in page
    )
    page = html(client.post(url, invoice_data(licence, amount="-1")))
    assert "Ensure this value is greater than or equal to 0" in page
    # A rule that cannot be applied: nothing is saved.
    collaboration.split_rule = Collaboration.SplitRule.CUSTOM
    collaboration.save()
    response = client.post(url, invoice_data(licence))
    assert response.status_code == 400
    assert (
        "The invoice cannot be split: The collaboration splits by agreed shares, but Aarhus, "
        "Odense have no agreed share." in html(response)
    )
    assert not Invoice.objects.exists()


def test_a_collaboration_without_licences_asks_for_one_first(
    client, municipal_leader, collaboration
):
    log_in_client(client, municipal_leader)
    page = html(client.get(detail(collaboration.pk) + "invoices/new/"))
    assert "The collaboration holds no licence yet: add one before its invoices." in page


# -- export -------------------------------------------------------------------------------------


def split_invoices(licence, *amounts):
    from digikompas.leadership.costsplit import store_split

    for number, amount in enumerate(amounts, start=1):
        invoice = Invoice.objects.create(
            licence=licence,
            reference=f"F-{number}",
            issued_on=D(2024, 11, number),
            period_start=licence.starts_on,
            period_end=licence.ends_on,
            amount=Decimal(amount),
        )
        store_split(invoice)


def test_the_export_reads_back(client, other_municipal_leader, collaboration, licence):
    split_invoices(licence, "1000.01", "0.01")
    log_in_client(client, other_municipal_leader)
    response = client.get(detail(collaboration.pk) + "export/xlsx/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="film-sammen-invoices.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Invoices"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Invoice date",
        "Invoice number",
        "Resource",
        "Period from",
        "Period to",
        "Amount (DKK)",
        "Aarhus",
        "Odense",
        "Sum of shares (DKK)",
    ]
    assert rows[1][1:3] == ["F-1", "Filmstriben"]
    assert [Decimal(str(v)) for v in rows[1][5:]] == [
        Decimal("1000.01"),
        Decimal("500.01"),
        Decimal("500"),
        Decimal("1000.01"),
    ]
    assert [Decimal(str(v)) for v in rows[2][5:]] == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0"),
        Decimal("0.01"),
    ]
    bases = [[cell.value for cell in row] for row in workbook["Shares"].iter_rows(min_row=2)]
    assert [row[3] for row in bases] == ["Aarhus", "Odense", "Aarhus", "Odense"]
    assert bases[0][5] == "Equal shares"

    response = client.get(detail(collaboration.pk) + "export/csv/")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][-3:] == ["Aarhus", "Odense", "Sum of shares (DKK)"]
    assert table[1] == [
        "2024-11-01",
        "F-1",
        "Filmstriben",
        "2024-11-01",
        "2025-10-31",
        "1000.01",
        "500.01",
        "500.00",
        "1000.01",
    ]
    assert client.get(detail(collaboration.pk) + "export/pdf/").status_code == 404


# -- peers --------------------------------------------------------------------------------------

PEER_NAMES = ["Assens", "Kerteminde", "Nyborg", "Svendborg", "Middelfart"]


@pytest.fixture
def peers_of(collaboration, filmstriben, settings):
    """A collaboration with Odense and `n` other members (one of them Aarhus), a licence since
    1 November last year priced per loan, every member with loans in every month."""
    settings.ANONYMITY_MINIMUM = 5

    def build(n: int):
        collaboration.memberships.exclude(municipality__name__in=["Odense", "Aarhus"]).delete()
        for name in PEER_NAMES[: n - 1]:
            Membership.objects.create(
                collaboration=collaboration,
                municipality=Municipality.objects.get(name=name),
                joined_on=D(2020, 1, 1),
            )
        today = datetime.date.today()
        start = D(today.year - 1, 11, 1)
        Licence.objects.filter(collaboration=collaboration).delete()
        Licence.objects.create(
            resource=filmstriben,
            collaboration=collaboration,
            starts_on=start,
            ends_on=D(start.year + 2, 10, 31),
            pricing_model=PricingModel.FIXED,
            fixed_fee=Decimal("100000"),
            usage_metric="loans",
        )
        month = start
        while month < today.replace(day=1):
            for index, membership in enumerate(collaboration.memberships.all()):
                UsageRecord.objects.get_or_create(
                    resource=filmstriben,
                    municipality=membership.municipality,
                    month=month,
                    metric="loans",
                    defaults={"count": 100 * (index + 1)},
                )
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return collaboration

    return build


def peers_page(client, collaboration):
    response = client.get(detail(collaboration.pk) + f"peers/{ODENSE}/")
    assert response.status_code == 200
    return html(response)


def others_named(page):
    return [name for name in ["Aarhus", *PEER_NAMES] if name in page]


def test_with_one_peer_nothing_about_peers_is_shown(client, municipal_leader, peers_of):
    collaboration = peers_of(1)
    log_in_client(client, municipal_leader)
    page = peers_page(client, collaboration)
    assert "<h1>Odense beside its peers</h1>" in page
    assert "Only 1 other member has this figure: too few to show anything" in page
    assert "median" not in page.split("<h2>Filmstriben</h2>")[1]
    assert ">Peer<" not in page
    assert others_named(page) == []


def test_with_two_peers_only_the_median(client, municipal_leader, peers_of):
    collaboration = peers_of(2)
    log_in_client(client, municipal_leader)
    page = peers_page(client, collaboration)
    assert "2 other members: only the median is shown." in page
    assert "Peers' median" in page
    assert "Peers' lower quartile" not in page
    assert ">Peer<" not in page
    assert others_named(page) == []


def test_below_the_minimum_median_and_quartiles(client, municipal_leader, peers_of):
    collaboration = peers_of(4)
    log_in_client(client, municipal_leader)
    page = peers_page(client, collaboration)
    assert "4 other members: the median and quartiles are shown" in page
    assert "Peers' lower quartile" in page
    assert "Peers' upper quartile" in page
    assert ">Peer<" not in page
    assert others_named(page) == []


def test_from_the_minimum_each_peer_unnamed_and_sorted(client, municipal_leader, peers_of):
    collaboration = peers_of(5)
    log_in_client(client, municipal_leader)
    page = peers_page(client, collaboration)
    assert "5 other members, unnamed and sorted by the figure." in page
    # Equal shares of 100,000 between 6: 16,666.67 each; per inhabitant the populations differ.
    per_use = page.split("Cost per use (loans), Filmstriben")[1]
    assert per_use.count('<th scope="row">Peer</th>') == 5
    values = [
        Decimal(cell.split("<")[0].replace(",", ""))
        for cell in per_use.split('<th scope="row">Peer</th><td class="text-align-right">')[1:]
    ]
    assert values == sorted(values)
    assert others_named(page) == []
    assert "Odense" in page


def test_the_peer_figures_are_the_shares_over_population_and_uses(peers_of, odense):
    from digikompas.leadership.peers import compare

    collaboration = peers_of(2)
    today = datetime.date.today()
    [comparison] = compare(collaboration, odense, today=today)
    # Three members, equal shares of the fixed fee pro rata for the months so far.
    share = comparison.own_share
    assert comparison.per_inhabitant.own == (share / odense.population).quantize(Decimal("0.01"))
    assert comparison.per_use.own == (share / comparison.own_uses).quantize(Decimal("0.01"))
    assert comparison.per_use.count == 2
    assert comparison.per_use.peers == []


# -- in the browser -----------------------------------------------------------------------------


@pytest.mark.browser
def test_the_licence_list_and_collaboration_detail_pass_axe(
    page, municipal_leader, collaboration, licence
):
    split_invoices(licence, "1000.00")
    # In force today, so that the list shows it with its cost.
    today = datetime.date.today()
    Licence.objects.filter(pk=licence.pk).update(
        starts_on=D(today.year - 1, 11, 1), ends_on=D(today.year + 1, 10, 31)
    )
    log_in(page, municipal_leader.user.email)
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.goto(f"/leadership/licences/{ODENSE}/")
    assert page.locator("table caption").count() == 1  # the licences in force today
    assert_accessible(page)
    page.goto(detail(collaboration.pk))
    assert page.locator("caption", has_text="Filmstriben").count() == 1
    assert_accessible(page)
    page.goto(detail(collaboration.pk) + f"peers/{ODENSE}/")
    assert_accessible(page)
    page.goto(f"/leadership/licence/{licence.pk}/edit/")
    assert_accessible(page)
