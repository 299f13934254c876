"""Each member's share of a collaboration's invoice: exact to the øre, summing to the invoice,
by each rule, with members joining and leaving."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digikompas.leadership.costsplit import (
    SplitError,
    largest_remainder,
    member_days,
    split,
    split_amount,
    store_split,
)
from digikompas.leadership.models import (
    Collaboration,
    DigitalResource,
    Invoice,
    InvoiceShare,
    Licence,
    Membership,
    PricingModel,
    ResourceType,
    UsageRecord,
)
from digikompas.orgs.models import Municipality

D = datetime.date
YEAR = (D(2025, 1, 1), D(2025, 12, 31))
Rule = Collaboration.SplitRule


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def filmstriben(db):
    return DigitalResource.objects.create(name="Filmstriben", type=ResourceType.FILM)


@pytest.fixture
def fyn(reference_data):
    return Collaboration.objects.create(name="Fynske biblioteker", split_rule=Rule.EQUAL)


def town(name):
    return Municipality.objects.get(name=name)


LONG_AGO = D(2020, 1, 1)


def join(collaboration, name, joined=LONG_AGO, left=None, share=None):
    return Membership.objects.create(
        collaboration=collaboration,
        municipality=town(name),
        joined_on=joined,
        left_on=left,
        share=share,
    )


def invoice_of(collaboration, resource, amount, period=YEAR):
    licence = Licence.objects.create(
        resource=resource,
        collaboration=collaboration,
        starts_on=period[0],
        ends_on=period[1],
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal(amount),
    )
    return Invoice.objects.create(
        licence=licence,
        issued_on=period[0],
        period_start=period[0],
        period_end=period[1],
        amount=Decimal(amount),
    )


def amounts(shares):
    return {share.municipality.name: share.amount for share in shares}


def with_rule(collaboration, rule, metric=""):
    collaboration.split_rule = rule
    collaboration.usage_metric = metric
    collaboration.save()


# -- equal --------------------------------------------------------------------------------------


def test_1000_kroner_into_three_equal_shares(fyn, filmstriben):
    for name in ("Svendborg", "Odense", "Assens"):
        join(fyn, name)
    shares = split(invoice_of(fyn, filmstriben, "1000.00"))
    # 333.333… each; the øre left over goes to the first by name.
    assert amounts(shares) == {
        "Assens": Decimal("333.34"),
        "Odense": Decimal("333.33"),
        "Svendborg": Decimal("333.33"),
    }
    assert [s.municipality.name for s in shares] == ["Assens", "Odense", "Svendborg"]
    assert {s.basis for s in shares} == {"Equal shares"}


def test_one_ore_into_seven(fyn, filmstriben):
    names = [
        "Assens",
        "Faaborg-Midtfyn",
        "Kerteminde",
        "Middelfart",
        "Nordfyns",
        "Nyborg",
        "Odense",
    ]
    for name in reversed(names):
        join(fyn, name)
    shares = amounts(split(invoice_of(fyn, filmstriben, "0.01")))
    assert shares == {
        name: Decimal("0.01") if name == "Assens" else Decimal("0.00") for name in names
    }
    assert sum(shares.values()) == Decimal("0.01")


def test_a_zero_invoice_splits_into_zeros(fyn, filmstriben):
    join(fyn, "Odense")
    join(fyn, "Assens")
    assert set(amounts(split(invoice_of(fyn, filmstriben, "0.00"))).values()) == {Decimal("0.00")}


# -- by population ------------------------------------------------------------------------------


def test_by_population(fyn, filmstriben):
    with_rule(fyn, Rule.POPULATION)
    for name, population in (("Odense", 300000), ("Svendborg", 200000), ("Assens", 100000)):
        Municipality.objects.filter(name=name).update(population=population)
        join(fyn, name)
    shares = split(invoice_of(fyn, filmstriben, "1000.00"))
    # 500, 333.333…, 166.666…: 999.99 rounded down, the øre to the largest remainder (Assens).
    assert amounts(shares) == {
        "Assens": Decimal("166.67"),
        "Odense": Decimal("500.00"),
        "Svendborg": Decimal("333.33"),
    }
    assert amounts(shares)
    assert shares[1].basis == "By population: 300,000 inhabitants"


def test_population_must_be_known(fyn, filmstriben):
    with_rule(fyn, Rule.POPULATION)
    join(fyn, "Odense")
    Municipality.objects.filter(name="Odense").update(population=None)
    with pytest.raises(SplitError, match="The population of Odense is not known"):
        split(invoice_of(fyn, filmstriben, "100.00"))


# -- by usage -----------------------------------------------------------------------------------


def months_of_2025():
    return [D(2025, month, 1) for month in range(1, 13)]


def used(resource, name, per_month, metric="views"):
    for month in months_of_2025():
        UsageRecord.objects.create(
            resource=resource, municipality=town(name), month=month, metric=metric, count=per_month
        )


def test_by_usage(fyn, filmstriben):
    with_rule(fyn, Rule.USAGE, metric="views")
    for name in ("Odense", "Svendborg", "Assens"):
        join(fyn, name)
    used(filmstriben, "Odense", 25)  # 300 a year
    used(filmstriben, "Svendborg", 0)  # 0 a year; Assens has no figures at all
    used(filmstriben, "Assens", 1000, metric="loans")  # another metric does not count
    shares = split(invoice_of(fyn, filmstriben, "1000.00"))
    assert amounts(shares) == {
        "Assens": Decimal("0.00"),
        "Odense": Decimal("1000.00"),
        "Svendborg": Decimal("0.00"),
    }
    assert shares[1].basis == "By usage: 300 views while a member"


def test_by_usage_with_no_usage_at_all_is_equal(fyn, filmstriben):
    with_rule(fyn, Rule.USAGE, metric="views")
    join(fyn, "Odense")
    join(fyn, "Assens")
    shares = split(invoice_of(fyn, filmstriben, "100.01"))
    assert amounts(shares) == {"Assens": Decimal("50.01"), "Odense": Decimal("50.00")}
    assert shares[0].basis == "By usage, but no member had any views: equal shares"


def test_usage_counts_only_while_a_member(fyn, filmstriben):
    with_rule(fyn, Rule.USAGE, metric="views")
    join(fyn, "Odense")
    join(fyn, "Assens", joined=D(2025, 7, 1))
    used(filmstriben, "Odense", 10)  # 120
    used(filmstriben, "Assens", 10)  # only July–December: 60
    shares = split(invoice_of(fyn, filmstriben, "900.00"))
    assert amounts(shares) == {"Assens": Decimal("300.00"), "Odense": Decimal("600.00")}
    assert shares[0].basis == (
        "By usage: 60 views while a member; counted while a member, 184 of 365 days"
    )


def test_a_usage_split_needs_a_metric(fyn, filmstriben):
    with_rule(fyn, Rule.USAGE)
    join(fyn, "Odense")
    with pytest.raises(SplitError, match="splits by usage but names no usage metric"):
        split(invoice_of(fyn, filmstriben, "100.00"))


# -- agreed shares ------------------------------------------------------------------------------


def test_by_agreed_shares(fyn, filmstriben):
    with_rule(fyn, Rule.CUSTOM)
    join(fyn, "Odense", share=Decimal("2"))
    join(fyn, "Svendborg", share=Decimal("0.5"))
    join(fyn, "Assens", share=Decimal("0.5"))
    shares = split(invoice_of(fyn, filmstriben, "1000.00"))
    # 666.666…, 166.666…, 166.666…: 999.98 rounded down; the three remainders tie (⅔ øre), so
    # the two øre left go to the first two by name.
    assert amounts(shares) == {
        "Assens": Decimal("166.67"),
        "Odense": Decimal("666.67"),
        "Svendborg": Decimal("166.66"),
    }
    assert shares[1].basis == "Agreed share 2 of 3"


def test_agreed_shares_must_be_given_and_not_all_zero(fyn, filmstriben):
    with_rule(fyn, Rule.CUSTOM)
    join(fyn, "Odense", share=Decimal("0"))
    assens = join(fyn, "Assens")
    invoice = invoice_of(fyn, filmstriben, "100.00")
    with pytest.raises(SplitError, match="but Assens has no agreed share"):
        split(invoice)
    assens.share = Decimal("0")
    assens.save()
    with pytest.raises(SplitError, match="every member's share is zero"):
        split(invoice)


# -- members over time --------------------------------------------------------------------------


def test_a_member_for_part_of_the_period_pays_pro_rata(fyn, filmstriben):
    join(fyn, "Odense")
    join(fyn, "Svendborg", left=D(2024, 12, 31))  # left before the period: not counted
    join(fyn, "Nyborg", joined=D(2026, 1, 1))  # joins after it: not counted
    join(fyn, "Assens")
    join(fyn, "Kerteminde", joined=D(2025, 7, 2))  # 183 of 365 days
    # Weights 1, 1 and 183/365 of 913/365: 913 kroner is 365 + 365 + 183.
    shares = split(invoice_of(fyn, filmstriben, "913.00"))
    assert amounts(shares) == {
        "Assens": Decimal("365.00"),
        "Kerteminde": Decimal("183.00"),
        "Odense": Decimal("365.00"),
    }
    assert amounts(shares)
    assert shares[1].basis == ("Equal shares; a member 183 of 365 days, pro rata")


def test_a_member_that_left_and_joined_again_counts_its_days_once(fyn, filmstriben):
    join(fyn, "Odense")
    join(fyn, "Assens", joined=D(2020, 1, 1), left=D(2025, 3, 31))
    join(fyn, "Assens", joined=D(2025, 3, 20), left=D(2025, 6, 30))  # overlapping by mistake
    assert {m.name: d for m, d in member_days(fyn, *YEAR).items()} == {"Assens": 181, "Odense": 365}


def test_no_members_in_the_period(fyn, filmstriben):
    join(fyn, "Odense", left=D(2024, 6, 30))
    with pytest.raises(SplitError, match="had no members from 01/01/2025 to 12/31/2025"):
        split(invoice_of(fyn, filmstriben, "100.00"))


# -- storing ------------------------------------------------------------------------------------


def test_storing_a_split_twice_replaces_it(fyn, filmstriben):
    join(fyn, "Odense")
    join(fyn, "Assens")
    invoice = invoice_of(fyn, filmstriben, "1000.00")
    store_split(invoice)
    join(fyn, "Nyborg")
    store_split(invoice)
    stored = InvoiceShare.objects.filter(invoice=invoice)
    assert stored.count() == 3
    assert sum(s.amount for s in stored) == Decimal("1000.00")
    assert {s.municipality.name: s.amount for s in stored} == {
        "Assens": Decimal("333.34"),
        "Nyborg": Decimal("333.33"),
        "Odense": Decimal("333.33"),
    }


def test_a_municipalitys_own_licence_is_its_own(odense, filmstriben):
    licence = Licence.objects.create(
        resource=filmstriben,
        municipality=odense,
        starts_on=YEAR[0],
        ends_on=YEAR[1],
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal(5),
    )
    invoice = Invoice.objects.create(
        licence=licence, issued_on=YEAR[0], period_start=YEAR[0], period_end=YEAR[1], amount=5
    )
    assert amounts(split(invoice)) == {"Odense": Decimal("5.00")}


# -- properties ---------------------------------------------------------------------------------


@given(
    total=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(
        st.fractions(min_value=0, max_value=10**6, max_denominator=10**4), min_size=1, max_size=12
    ).filter(lambda ws: sum(ws) > 0),
)
def test_largest_remainder_sums_exactly_and_is_fair(total, weights):
    keys = list(range(len(weights)))
    shares = largest_remainder(total, dict(zip(keys, weights, strict=True)), order=lambda k: k)
    assert sum(shares.values()) == total
    weight_sum = sum(weights)
    for key, weight in zip(keys, weights, strict=True):
        exact = Fraction(total) * weight / weight_sum
        assert shares[key] >= 0
        # Never more than one øre from the exact share.
        assert exact - 1 < shares[key] < exact + 1


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ore=st.integers(min_value=0, max_value=10**11),
    rule=st.sampled_from([Rule.EQUAL, Rule.POPULATION, Rule.CUSTOM]),
    joined=st.lists(st.integers(min_value=0, max_value=364), min_size=5, max_size=5),
    agreed=st.lists(st.integers(min_value=1, max_value=1000), min_size=5, max_size=5),
)
def test_shares_always_sum_to_the_amount_and_are_never_negative(
    fyn, filmstriben, ore, rule, joined, agreed
):
    with_rule(fyn, rule)
    fyn.memberships.all().delete()
    names = ["Assens", "Kerteminde", "Nyborg", "Odense", "Svendborg"]
    for name, day, share in zip(names, joined, agreed, strict=True):
        join(fyn, name, joined=YEAR[0] + datetime.timedelta(days=day), share=Decimal(share))
    amount = Decimal(ore) / 100
    shares = split_amount(
        collaboration=fyn, resource=filmstriben, amount=amount, first=YEAR[0], last=YEAR[1]
    )
    assert sum(s.amount for s in shares) == amount
    assert all(s.amount >= 0 for s in shares)
    assert all(s.amount == s.amount.quantize(Decimal("0.01")) for s in shares)
    assert len(shares) == 5
