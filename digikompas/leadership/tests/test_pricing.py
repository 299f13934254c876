"""What a licence costs under each Danish pricing model, for its licence year and for part of it,
and what a use costs a municipality – figures computed by hand in the comments."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

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
from digikompas.leadership.pricing import (
    PricingError,
    cost_per_use,
    licence_cost,
    round_half_up,
    to_ore,
)
from digikompas.orgs.models import Municipality

D = datetime.date
# A licence year from November to October: 1 Nov 2024 – 31 Oct 2025 has 365 days.
NOV, OCT = D(2024, 11, 1), D(2025, 10, 31)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def ereolen(db):
    return DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)


def licence(resource, holder, **fields):
    owner = (
        {"collaboration": holder} if isinstance(holder, Collaboration) else {"municipality": holder}
    )
    return Licence.objects.create(
        resource=resource,
        starts_on=fields.pop("starts_on", NOV),
        ends_on=fields.pop("ends_on", OCT),
        **owner,
        **fields,
    )


def usage(resource, municipality, counts: dict, metric="loans"):
    for month, count in counts.items():
        UsageRecord.objects.create(
            resource=resource, municipality=municipality, month=month, metric=metric, count=count
        )


def licence_months(first=NOV, n=12):
    month = first
    out = []
    for _ in range(n):
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def set_population(municipality, population):
    Municipality.objects.filter(pk=municipality.pk).update(population=population)
    municipality.population = population


# -- fixed fee ----------------------------------------------------------------------------------


def test_a_fixed_fee_is_due_for_the_licence_year(ereolen, odense):
    fixed = licence(ereolen, odense, pricing_model=PricingModel.FIXED, fixed_fee=Decimal("120000"))
    cost = licence_cost(fixed)
    assert cost.amount == Decimal("120000.00")
    assert cost.uses is None
    assert cost.complete
    assert "A fixed fee of 120,000.00 kr. for the licence period." in cost.explanation


def test_part_of_a_november_october_year_is_pro_rata_by_days(ereolen, odense):
    fixed = licence(ereolen, odense, pricing_model=PricingModel.FIXED, fixed_fee=Decimal("120000"))
    # January–June 2025: 31+28+31+30+31+30 = 181 of 365 days: 120,000 × 181 / 365 = 59,506.849…
    first_half = licence_cost(fixed, first=D(2025, 1, 1), last=D(2025, 6, 30))
    assert first_half.amount == Decimal("59506.85")
    assert "181 of the 365 days of the licence period" in first_half.explanation
    assert "pro rata by days" in first_half.explanation
    # A calendar year reaching back before the licence counts only November–December 2024:
    # 61 days: 120,000 × 61 / 365 = 20,054.794…
    assert licence_cost(fixed, first=D(2024, 1, 1), last=D(2024, 12, 31)).amount == Decimal(
        "20054.79"
    )
    # The calendar year 2025 holds the other 304 days: 99,945.205… The two parts are the whole
    # year to the øre.
    rest = licence_cost(fixed, first=D(2025, 1, 1), last=D(2025, 12, 31)).amount
    assert rest == Decimal("99945.21")
    assert rest + Decimal("20054.79") == Decimal("120000.00")
    # Outside the licence nothing is due.
    outside = licence_cost(fixed, first=D(2026, 1, 1), last=D(2026, 3, 31))
    assert outside.amount == Decimal("0.00")
    assert "outside the licence period" in outside.explanation


def test_a_leap_day_is_a_day_of_the_licence_year(ereolen, odense):
    # 1 Nov 2023 – 31 Oct 2024 has 366 days: 36,600 kr. is 100 kr. a day.
    fixed = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.FIXED,
        fixed_fee=Decimal("36600"),
        starts_on=D(2023, 11, 1),
        ends_on=D(2024, 10, 31),
    )
    assert licence_cost(fixed, first=D(2024, 2, 1), last=D(2024, 2, 29)).amount == Decimal(
        "2900.00"
    )


# -- per inhabitant -----------------------------------------------------------------------------

BANDS = [
    {"from": 0, "price": "3.00"},
    {"from": 100000, "price": "2.50"},
    {"from": 205000, "price": "2.00"},
]


@pytest.mark.parametrize(
    ("population", "amount", "band"),
    [
        # The band whose "from" is the largest not above the population, for all inhabitants.
        (205000, "410000.00", "205,000"),  # exactly at an edge: the higher band
        (204999, "512497.50", "100,000"),  # one below: 204,999 × 2.50
        (100000, "250000.00", "100,000"),
        (99999, "299997.00", "0"),
        (0, "0.00", "0"),
    ],
)
def test_per_inhabitant_by_population_band(ereolen, odense, population, amount, band):
    set_population(odense, population)
    priced = licence(ereolen, odense, pricing_model=PricingModel.PER_INHABITANT, bands=BANDS)
    cost = licence_cost(priced)
    assert cost.amount == Decimal(amount)
    assert f"in the band from {band} inhabitants" in cost.explanation


def test_per_inhabitant_for_part_of_the_year(ereolen, odense):
    set_population(odense, 204895)
    priced = licence(ereolen, odense, pricing_model=PricingModel.PER_INHABITANT, bands=BANDS)
    # 204,895 × 2.50 × 181 / 365 = 92,714,987.5 / 365 = 254,013.664…
    assert licence_cost(priced, first=D(2025, 1, 1), last=D(2025, 6, 30)).amount == Decimal(
        "254013.66"
    )


def test_a_collaboration_pays_for_its_members_while_they_are_members(ereolen, odense, aarhus):
    set_population(odense, 50000)
    set_population(aarhus, 30000)
    fyn = Collaboration.objects.create(name="Fyn", coordinator=odense)
    Membership.objects.create(collaboration=fyn, municipality=odense, joined_on=D(2020, 1, 1))
    # Aarhus joins on 1 May 2025: 184 of the 365 days.
    Membership.objects.create(collaboration=fyn, municipality=aarhus, joined_on=D(2025, 5, 1))
    priced = licence(
        ereolen,
        fyn,
        pricing_model=PricingModel.PER_INHABITANT,
        bands=[{"from": 0, "price": "3.00"}, {"from": 60000, "price": "2.80"}],
    )
    cost = licence_cost(priced)
    # Inhabitant-days 50,000 × 365 + 30,000 × 184 = 23,770,000, an average of 65,123 (band
    # from 60,000): 2.80 × 23,770,000 / 365 = 182,345.205…
    assert cost.amount == Decimal("182345.21")
    assert "65,123 inhabitants on average" in cost.explanation
    assert "Aarhus 30,000 for 184 of 365 days" in cost.explanation


def test_a_price_per_inhabitant_needs_the_population(ereolen, odense):
    set_population(odense, None)
    priced = licence(ereolen, odense, pricing_model=PricingModel.PER_INHABITANT, bands=BANDS)
    with pytest.raises(PricingError, match="The population of Odense is not known"):
        licence_cost(priced)


def test_no_band_for_a_small_population(ereolen, odense):
    set_population(odense, 500)
    priced = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.PER_INHABITANT,
        bands=[{"from": 1000, "price": "2"}],
    )
    with pytest.raises(PricingError, match="No population band covers 500 inhabitants"):
        licence_cost(priced)


# -- base fee plus a price per use --------------------------------------------------------------


def test_base_fee_plus_a_price_per_use(ereolen, odense):
    usage(ereolen, odense, dict.fromkeys(licence_months(), 100))
    priced = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.BASE_PLUS_USE,
        base_fee=Decimal("10000"),
        price_per_use=Decimal("1.50"),
        usage_metric="loans",
    )
    cost = licence_cost(priced)
    # 10,000 + 1,200 × 1.50
    assert cost.amount == Decimal("11800.00")
    assert cost.uses == 1200
    assert cost.complete
    assert "Plus 1.50 kr. per use × 1,200 loans." in cost.explanation


def test_a_missing_month_makes_the_cost_incomplete(ereolen, odense):
    usage(ereolen, odense, dict.fromkeys(licence_months(n=11), 100))  # no October 2025
    priced = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.BASE_PLUS_USE,
        base_fee=Decimal("10000"),
        price_per_use=Decimal("1.50"),
        usage_metric="loans",
    )
    cost = licence_cost(priced)
    assert cost.amount == Decimal("11650.00")
    assert not cost.complete
    assert "No figures for October 2025: the cost is incomplete." in cost.explanation


def test_a_month_partly_in_the_period_counts_pro_rata(ereolen, odense):
    usage(ereolen, odense, dict.fromkeys(licence_months(), 100))
    priced = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.BASE_PLUS_USE,
        base_fee=Decimal("10000"),
        price_per_use=Decimal("1.50"),
        usage_metric="loans",
    )
    # 15 January – 28 February 2025: 45 days. Base 10,000 × 45 / 365 = 1,232.876…; uses
    # 100 × 17/31 + 100 = 154.8… → 155, × 1.50 = 232.50; in all 1,465.376… → 1,465.38.
    cost = licence_cost(priced, first=D(2025, 1, 15), last=D(2025, 2, 28))
    assert cost.uses == 155
    assert cost.amount == Decimal("1465.38")
    assert "counts pro rata by its days" in cost.explanation


def test_a_base_fee_by_population_band(ereolen, odense):
    set_population(odense, 204895)
    usage(ereolen, odense, dict.fromkeys(licence_months(), 10))
    priced = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.BASE_PLUS_USE,
        bands=[{"from": 0, "fee": "5000"}, {"from": 100000, "fee": "8000"}],
        price_per_use=Decimal("2"),
        usage_metric="loans",
    )
    # 8,000 + 120 × 2
    assert licence_cost(priced).amount == Decimal("8240.00")


def test_a_price_per_use_needs_a_metric(ereolen, odense):
    priced = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.BASE_PLUS_USE,
        base_fee=Decimal("10000"),
        price_per_use=Decimal("1.50"),
    )
    with pytest.raises(PricingError, match="does not name the usage metric"):
        licence_cost(priced)


# -- price per loan -----------------------------------------------------------------------------


def test_price_per_loan_with_the_quota_as_a_term(ereolen, odense):
    usage(ereolen, odense, dict.fromkeys(licence_months(), 1000))
    # Another metric is not priced.
    usage(ereolen, odense, {NOV: 5}, metric="Total_Item_Requests")
    priced = licence(
        ereolen,
        odense,
        pricing_model=PricingModel.PER_LOAN,
        price_per_loan=Decimal("18.50"),
        monthly_quota=3,
        usage_metric="loans",
    )
    cost = licence_cost(priced)
    # 12,000 × 18.50
    assert cost.amount == Decimal("222000.00")
    assert cost.uses == 12000
    assert "18.50 kr. per loan × 12,000 loans." in cost.explanation
    assert "Borrowers may borrow 3 titles a month" in cost.explanation
    assert "the quota limits the loans, not the price" in cost.explanation


def test_a_collaborations_loans_are_its_members_while_members(ereolen, odense, aarhus):
    fyn = Collaboration.objects.create(name="Fyn", coordinator=odense)
    Membership.objects.create(collaboration=fyn, municipality=odense, joined_on=D(2020, 1, 1))
    Membership.objects.create(
        collaboration=fyn, municipality=aarhus, joined_on=D(2024, 1, 1), left_on=D(2024, 12, 31)
    )
    usage(ereolen, odense, dict.fromkeys(licence_months(), 100))
    usage(ereolen, aarhus, dict.fromkeys(licence_months(), 50))
    priced = licence(
        ereolen,
        fyn,
        pricing_model=PricingModel.PER_LOAN,
        price_per_loan=Decimal("10"),
        usage_metric="loans",
    )
    # Odense 1,200 loans; Aarhus only November and December 2024: 100.
    assert licence_cost(priced).uses == 1300
    assert licence_cost(priced).amount == Decimal("13000.00")


# -- cost per use -------------------------------------------------------------------------------


def test_cost_per_use_of_an_own_licence(ereolen, odense):
    licence(ereolen, odense, pricing_model=PricingModel.FIXED, fixed_fee=Decimal("120000"))
    usage(ereolen, odense, dict.fromkeys(licence_months(), 1000))
    result = cost_per_use(ereolen, odense, "loans", first=NOV, last=OCT)
    assert result.cost == Decimal("120000.00")
    assert result.uses == 12000
    assert result.per_use == Decimal("10.00")
    assert result.metric == "loans"
    assert result.missing_months == []
    assert "no package cost is split" in result.rule


def test_cost_per_use_names_missing_months_and_no_licence(ereolen, odense):
    usage(ereolen, odense, {NOV: 10})
    result = cost_per_use(ereolen, odense, "loans", first=NOV, last=D(2024, 12, 31))
    assert result.cost is None
    assert result.per_use is None
    assert result.missing_months == [D(2024, 12, 1)]
    assert result.rule == "Odense has no licence for eReolen in the period."


def test_a_collaboration_licence_costs_a_member_its_invoice_shares(ereolen, odense, aarhus):
    fyn = Collaboration.objects.create(
        name="Fyn", coordinator=odense, split_rule=Collaboration.SplitRule.EQUAL
    )
    Membership.objects.create(collaboration=fyn, municipality=odense, joined_on=D(2020, 1, 1))
    Membership.objects.create(collaboration=fyn, municipality=aarhus, joined_on=D(2020, 1, 1))
    shared = licence(ereolen, fyn, pricing_model=PricingModel.FIXED, fixed_fee=Decimal("100000"))
    usage(ereolen, odense, dict.fromkeys(licence_months(), 500))
    # Without invoices: the computed cost, split by the rule.
    result = cost_per_use(ereolen, odense, "loans", first=NOV, last=OCT)
    assert result.cost == Decimal("50000.00")
    assert result.per_use == Decimal("8.33")  # 50,000 / 6,000 = 8.333…
    assert "No invoices yet" in result.rule
    assert "equal shares" in result.rule
    # With an invoice: the stored share, whatever the rule would say now.
    invoice = Invoice.objects.create(
        licence=shared,
        issued_on=NOV,
        period_start=NOV,
        period_end=OCT,
        amount=Decimal("90000"),
    )
    InvoiceShare.objects.create(invoice=invoice, municipality=odense, amount=Decimal("60000"))
    InvoiceShare.objects.create(invoice=invoice, municipality=aarhus, amount=Decimal("30000"))
    result = cost_per_use(ereolen, odense, "loans", first=NOV, last=OCT)
    assert result.cost == Decimal("60000.00")
    assert result.per_use == Decimal("10.00")
    assert "Odense's share of 1 invoice of the collaboration Fyn" in result.rule
    # Half a year of the invoice: pro rata by days (181 of 365): 60,000 × 181 / 365.
    half = cost_per_use(ereolen, odense, "loans", first=D(2025, 1, 1), last=D(2025, 6, 30))
    assert half.cost == Decimal("29753.42")


# -- rounding -----------------------------------------------------------------------------------


def test_rounding_is_half_up_to_the_ore():
    assert to_ore(Fraction(5, 1000)) == Decimal("0.01")
    assert to_ore(Fraction(4999, 1000000)) == Decimal("0.00")
    assert to_ore(Decimal("2.675")) == Decimal("2.68")  # a float would say 2.67
    assert round_half_up(Fraction(3, 2)) == 2
    assert round_half_up(Fraction(5, 2)) == 3


@given(st.fractions(min_value=0, max_value=10**9))
def test_rounding_to_the_ore_is_within_half_an_ore(value):
    rounded = to_ore(value)
    assert rounded == rounded.quantize(Decimal("0.01"))
    assert abs(Fraction(rounded) - value) <= Fraction(1, 200)


@given(
    fee=st.integers(min_value=0, max_value=10**9),
    split_day=st.integers(min_value=1, max_value=364),
)
def test_two_parts_of_a_year_cost_the_year_within_an_ore(fee, split_day):
    """Fixed fee in øre, cut at any day: the parts, each rounded, differ from the whole by at
    most one øre (the rounding of two halves)."""
    whole = Fraction(fee, 100)
    first = to_ore(whole * Fraction(split_day, 365))
    second = to_ore(whole * Fraction(365 - split_day, 365))
    assert abs(first + second - to_ore(whole)) <= Decimal("0.01")
