"""The licence pages: a municipality's licences with their cost this licence year, the analysts'
national list, and creating, editing and deleting licences, per role."""

import datetime
from decimal import Decimal

import pytest

from digikompas.leadership.models import (
    Collaboration,
    DigitalResource,
    Licence,
    Membership,
    PricingModel,
    RenewalDecision,
    ResourceType,
)
from digikompas.orgs.models import Municipality
from digikompas.testing import field_error, html, log_in_client, message

D = datetime.date
ODENSE, AARHUS = 461, 751


def this_licence_year():
    """The November–October licence year in force today."""
    today = datetime.date.today()
    start = D(today.year if today.month >= 11 else today.year - 1, 11, 1)
    return start, D(start.year + 1, 10, 31)


@pytest.fixture
def ereolen(db):
    return DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)


@pytest.fixture
def filmstriben(db):
    return DigitalResource.objects.create(name="Filmstriben", type=ResourceType.FILM)


@pytest.fixture
def odense_licence(ereolen, odense):
    first, last = this_licence_year()
    return Licence.objects.create(
        resource=ereolen,
        municipality=odense,
        starts_on=first,
        ends_on=last,
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("120000"),
        terms={"concurrent_users": 3, "on_site_only": False, "remote_access": True},
        renewal_decision=RenewalDecision.RENEGOTIATE,
        renewal_reason="Price too high for the use",
    )


@pytest.fixture
def shared_licence(filmstriben, odense, aarhus):
    fyn = Collaboration.objects.create(
        name="Film sammen", coordinator=odense, split_rule=Collaboration.SplitRule.EQUAL
    )
    Membership.objects.create(collaboration=fyn, municipality=odense, joined_on=D(2020, 1, 1))
    Membership.objects.create(collaboration=fyn, municipality=aarhus, joined_on=D(2020, 1, 1))
    first, last = this_licence_year()
    return Licence.objects.create(
        resource=filmstriben,
        collaboration=fyn,
        starts_on=first,
        ends_on=last,
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("50000.01"),
    )


# -- the list -----------------------------------------------------------------------------------


def test_the_municipal_leader_sees_licences_with_cost_terms_and_decision(
    client, municipal_leader, odense_licence, shared_licence
):
    log_in_client(client, municipal_leader)
    response = client.get(f"/leadership/licences/{ODENSE}/")
    assert response.status_code == 200
    page = html(response)
    assert "<h1>Licences of Odense</h1>" in page
    assert "<strong>120,000.00 kr.</strong>" in page
    assert "A fixed fee of 120,000.00 kr. for the licence period." in page
    assert "Fixed fee" in page
    assert "3 concurrent users<br>Remote access" in page
    assert 'Renegotiate<br><span class="muted">Price too high for the use</span>' in page
    # The collaboration's licence, with Odense's share: 50,000.01 in two, the øre to Aarhus.
    assert "Film sammen" in page
    assert "25,000.00 kr.</td>" in page
    assert f'href="/leadership/licence/{odense_licence.pk}/edit/"' in page
    assert f'href="/leadership/licence/{shared_licence.pk}/edit/"' in page
    assert f'href="/leadership/licences/{ODENSE}/new/"' in page


def test_a_member_leader_reads_the_collaboration_licence_without_changing_it(
    client, other_municipal_leader, odense_licence, shared_licence
):
    log_in_client(client, other_municipal_leader)
    page = html(client.get(f"/leadership/licences/{AARHUS}/"))
    assert "Film sammen" in page
    assert "25,000.01 kr.</td>" in page  # Aarhus's share, the øre by name
    assert "eReolen" not in page  # Odense's own licence
    assert f"/leadership/licence/{shared_licence.pk}/edit/" not in page


def test_a_library_leader_reads_the_municipalitys_licences(client, library_leader, odense_licence):
    log_in_client(client, library_leader)
    page = html(client.get(f"/leadership/licences/{ODENSE}/"))
    assert "120,000.00 kr." in page
    assert "/edit/" not in page
    assert f"/leadership/licences/{ODENSE}/new/" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_municipal_leader", 404), ("staff", 403), ("outsider", 403)],
)
def test_others_get_no_licences(client, request, odense_licence, who, status):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(f"/leadership/licences/{ODENSE}/").status_code == status
    assert client.get(f"/leadership/licence/{odense_licence.pk}/edit/").status_code == status


def test_logged_out_goes_to_the_login(client, odense_licence):
    response = client.get(f"/leadership/licences/{ODENSE}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_empty_list_says_so(client, municipal_leader):
    log_in_client(client, municipal_leader)
    assert "No licence is in force today." in html(client.get(f"/leadership/licences/{ODENSE}/"))


def test_a_licence_that_cannot_be_priced_says_why(client, municipal_leader, ereolen, odense):
    first, last = this_licence_year()
    Licence.objects.create(
        resource=ereolen,
        municipality=odense,
        starts_on=first,
        ends_on=last,
        pricing_model=PricingModel.PER_LOAN,
        price_per_loan=Decimal("10"),
    )
    log_in_client(client, municipal_leader)
    page = html(client.get(f"/leadership/licences/{ODENSE}/"))
    assert "Cannot be computed</span> The licence does not name the usage metric" in page


# -- the national list --------------------------------------------------------------------------


def test_analysts_filter_the_national_list(client, analyst, odense_licence, shared_licence):
    log_in_client(client, analyst)
    page = html(client.get("/leadership/licences/"))
    assert "2 licences" in page
    page = html(client.get("/leadership/licences/?holder=collaboration"))
    assert "1 licence" in page
    assert "Film sammen" in page
    page = html(client.get(f"/leadership/licences/?municipality={AARHUS}"))
    assert "1 licence" in page
    page = html(client.get("/leadership/licences/?renewal_decision=renegotiate&in_force=on"))
    assert "1 licence" in page
    assert "eReolen" in page
    response = client.get("/leadership/licences/?pricing_model=nonsense")
    assert response.status_code == 400


def test_leaders_go_to_their_own_list(client, municipal_leader, staff):
    log_in_client(client, municipal_leader)
    response = client.get("/leadership/licences/")
    assert response.status_code == 302
    assert response["Location"] == f"/leadership/licences/{ODENSE}/"
    log_in_client(client, staff)
    assert client.get("/leadership/licences/").status_code == 403


# -- creating -----------------------------------------------------------------------------------


def post_licence(client, code, data, *, bands=()):
    payload = {
        "bands-TOTAL_FORMS": str(max(len(bands), 3)),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
        "renewal_decision": "undecided",
        **data,
    }
    for number, (start, amount) in enumerate(bands):
        payload[f"bands-{number}-start"] = start
        payload[f"bands-{number}-amount"] = amount
    return client.post(f"/leadership/licences/{code}/new/", payload)


def test_a_new_licence_starts_with_the_pricing_model(client, municipal_leader, ereolen):
    log_in_client(client, municipal_leader)
    page = html(client.get(f"/leadership/licences/{ODENSE}/new/"))
    assert "How is the licence priced?" in page
    assert 'value="per_inhabitant"' in page
    page = html(client.get(f"/leadership/licences/{ODENSE}/new/?pricing_model=per_inhabitant"))
    assert "Pricing model: Per inhabitant, by population band." in page
    assert "Population bands" in page
    assert 'name="bands-0-start"' in page
    assert 'name="fixed_fee"' not in page
    response = client.get(f"/leadership/licences/{ODENSE}/new/?pricing_model=nonsense")
    assert response.status_code == 400


def test_a_licence_priced_per_inhabitant_with_bands_and_terms(
    client, municipal_leader, ereolen, odense
):
    log_in_client(client, municipal_leader)
    response = post_licence(
        client,
        ODENSE,
        {
            "pricing_model": "per_inhabitant",
            "holder": "municipality",
            "resource": ereolen.pk,
            "starts_on": "2024-11-01",
            "ends_on": "2025-10-31",
            "concurrent_users": "5",
            "remote_access": "on",
            "notes": "Includes eReolen Go",
            "renewal_decision": "renew",
        },
        bands=[("100000", "2.50"), ("0", "3"), ("", "")],
    )
    assert response.status_code == 302
    assert response["Location"] == f"/leadership/licences/{ODENSE}/"
    licence = Licence.objects.get()
    assert licence.municipality == odense
    assert licence.pricing_model == PricingModel.PER_INHABITANT
    assert licence.bands == [{"from": 0, "price": "3.00"}, {"from": 100000, "price": "2.50"}]
    assert licence.terms == {"concurrent_users": 5, "on_site_only": False, "remote_access": True}
    assert licence.fixed_fee is None
    page = html(client.get(response["Location"]))
    assert message("The licence for eReolen was created.") in page


def test_the_licence_form_says_what_is_wrong(client, municipal_leader, ereolen):
    log_in_client(client, municipal_leader)
    response = post_licence(
        client,
        ODENSE,
        {
            "pricing_model": "per_inhabitant",
            "holder": "municipality",
            "resource": ereolen.pk,
            "starts_on": "2025-10-31",
            "ends_on": "2024-11-01",
            "on_site_only": "on",
            "remote_access": "on",
            "renewal_decision": "cancel",
        },
        bands=[("0", "3"), ("100000", ""), ("", "2")],
    )
    assert response.status_code == 400
    page = html(response)
    assert field_error("ends_on", "The licence must end after it starts.") in page
    assert field_error("renewal_reason", "Give the reason for cancelling the licence.") in page
    assert (
        field_error(
            "remote_access", "A licence for use on site only cannot also give remote access."
        )
        in page
    )
    assert (
        field_error(
            "bands-1-amount", "Band row 2: give the price for the band from 100000 inhabitants."
        )
        in page
    )
    assert (
        field_error(
            "bands-2-start", "Band row 3: give the number of inhabitants the band starts at."
        )
        in page
    )
    assert "<title>Error:" in page
    assert not Licence.objects.exists()


def test_bands_must_start_at_zero_and_be_given(client, municipal_leader, ereolen):
    log_in_client(client, municipal_leader)
    base = {
        "pricing_model": "per_inhabitant",
        "holder": "municipality",
        "resource": ereolen.pk,
        "starts_on": "2024-11-01",
        "ends_on": "2025-10-31",
        "renewal_decision": "renegotiate",
    }
    page = html(post_licence(client, ODENSE, base, bands=[("1000", "3"), ("1000", "2")]))
    assert "Band row 2 starts at 1000 inhabitants, as row 1 does." in page
    assert "Give the reason for renegotiating the licence." in page
    page = html(post_licence(client, ODENSE, base, bands=[("1000", "3")]))
    assert "The lowest band must start at 0 inhabitants" in page
    page = html(post_licence(client, ODENSE, base))
    assert "Give at least one population band" in page


def test_a_base_fee_or_bands_not_both(client, municipal_leader, ereolen):
    log_in_client(client, municipal_leader)
    base = {
        "pricing_model": "base_plus_use",
        "holder": "municipality",
        "resource": ereolen.pk,
        "starts_on": "2024-11-01",
        "ends_on": "2025-10-31",
        "price_per_use": "1.50",
        "usage_metric": "loans",
    }
    page = html(post_licence(client, ODENSE, base))
    assert (
        field_error(
            "base_fee", "Give a base fee, or population bands with the base fee for each band."
        )
        in page
    )
    page = html(post_licence(client, ODENSE, {**base, "base_fee": "100"}, bands=[("0", "5")]))
    assert field_error("base_fee", "Give either a base fee or population bands, not both.") in page
    response = post_licence(client, ODENSE, base, bands=[("0", "5000"), ("100000", "8000")])
    assert response.status_code == 302
    assert Licence.objects.get().bands == [
        {"from": 0, "fee": "5000.00"},
        {"from": 100000, "fee": "8000.00"},
    ]


def test_a_licence_for_a_coordinated_collaboration(
    client, municipal_leader, ereolen, shared_licence
):
    log_in_client(client, municipal_leader)
    collaboration = shared_licence.collaboration
    page = html(
        client.get(
            f"/leadership/licences/{ODENSE}/new/?pricing_model=per_loan&collaboration={collaboration.pk}"
        )
    )
    assert (
        f'<option value="{collaboration.pk}" selected>The collaboration Film sammen</option>'
        in page
    )
    assert 'value="loans"' in page  # the usual metric of a price per loan
    response = post_licence(
        client,
        ODENSE,
        {
            "pricing_model": "per_loan",
            "holder": str(collaboration.pk),
            "resource": ereolen.pk,
            "starts_on": "2024-11-01",
            "ends_on": "2025-10-31",
            "price_per_loan": "18.50",
            "monthly_quota": "3",
            "usage_metric": "loans",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/leadership/collaborations/{collaboration.pk}/"
    licence = Licence.objects.get(resource=ereolen)
    assert licence.collaboration == collaboration
    assert licence.municipality is None


@pytest.mark.parametrize(
    ("who", "status"), [("library_leader", 403), ("other_municipal_leader", 404), ("staff", 403)]
)
def test_only_the_municipal_leader_creates_licences(client, request, ereolen, who, status):
    log_in_client(client, request.getfixturevalue(who))
    assert client.get(f"/leadership/licences/{ODENSE}/new/").status_code == status


# -- editing and deleting -----------------------------------------------------------------------


def test_editing_changes_the_pricing_model(client, municipal_leader, odense_licence):
    log_in_client(client, municipal_leader)
    url = f"/leadership/licence/{odense_licence.pk}/edit/"
    page = html(client.get(url))
    assert 'name="fixed_fee"' in page
    assert 'value="120000.00"' in page
    assert 'id="id_concurrent_users" value="3"' in page or 'value="3"' in page
    assert 'href="?pricing_model=per_loan"' in page
    response = client.post(
        url,
        {
            "pricing_model": "per_loan",
            "resource": odense_licence.resource.pk,
            "starts_on": "2024-11-01",
            "ends_on": "2025-10-31",
            "price_per_loan": "17",
            "usage_metric": "loans",
            "renewal_decision": "renew",
        },
    )
    assert response.status_code == 302
    odense_licence.refresh_from_db()
    assert odense_licence.pricing_model == PricingModel.PER_LOAN
    assert odense_licence.fixed_fee is None
    assert odense_licence.price_per_loan == Decimal("17.00")
    assert odense_licence.terms == {"on_site_only": False, "remote_access": False}


def test_a_member_leader_cannot_edit_the_collaborations_licence(
    client, other_municipal_leader, shared_licence
):
    log_in_client(client, other_municipal_leader)
    assert client.get(f"/leadership/licence/{shared_licence.pk}/edit/").status_code == 403
    assert client.post(f"/leadership/licence/{shared_licence.pk}/delete/").status_code == 403
    assert Licence.objects.filter(pk=shared_licence.pk).exists()


def test_deleting_a_licence(client, municipal_leader, odense_licence):
    log_in_client(client, municipal_leader)
    url = f"/leadership/licence/{odense_licence.pk}/delete/"
    assert "with its 0 invoices" in html(client.get(url))
    response = client.post(url)
    assert response.status_code == 302
    assert not Licence.objects.exists()
    assert message("The licence for eReolen was deleted.") in html(client.get(response["Location"]))


def test_a_municipality_without_population_is_still_listed(
    client, municipal_leader, ereolen, odense
):
    Municipality.objects.filter(pk=odense.pk).update(population=None)
    first, last = this_licence_year()
    Licence.objects.create(
        resource=ereolen,
        municipality=odense,
        starts_on=first,
        ends_on=last,
        pricing_model=PricingModel.PER_INHABITANT,
        bands=[{"from": 0, "price": "2"}],
    )
    log_in_client(client, municipal_leader)
    page = html(client.get(f"/leadership/licences/{ODENSE}/"))
    assert "The population of Odense is not known" in page
