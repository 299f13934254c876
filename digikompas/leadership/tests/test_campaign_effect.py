"""The effect of a campaign on usage, against figures worked out by hand.

Odense (set to 200,000 inhabitants) runs a campaign for eReolen in March and April 2025. Its
loans a month: 1,000 in January–June 2024; 1,200 in January and February 2025 (before), 2,000
in March and April (during), 1,400 in May and June (after). Per 1,000 inhabitants a month:
6.0 before, 10.0 during, 7.0 after. Against the same months a year earlier: +20 % before,
+100 % during, so 80 percentage points beyond the season.

Five comparable municipalities (190,000, 210,000, 180,000, 220,000 and 170,000 inhabitants:
970,000 together) use 5.0 loans per 1,000 inhabitants a month before and after and 5.5 during.
Difference in differences: during (10.0 − 6.0) − (5.5 − 5.0) = 3.5 per 1,000 inhabitants a
month, 58.3 % of the level before; after (7.0 − 6.0) − (5.0 − 5.0) = 1.0.

Not compared: a municipality nearer in population that ran its own eReolen campaign, one with a
month missing, and a sixth farther away, each with usage that would change the pooled figure.
"""

import datetime

import pytest
from django.utils import translation

from digikompas.leadership import plan
from digikompas.leadership.models import UsageNote, UsageRecord
from digikompas.orgs.models import Municipality

from .test_plan import make_campaign, make_resource

D = datetime.date
LOANS = "loans"
SEPTEMBER = D(2025, 9, 15)
BEFORE = [D(2025, 1, 1), D(2025, 2, 1)]
DURING = [D(2025, 3, 1), D(2025, 4, 1)]
AFTER = [D(2025, 5, 1), D(2025, 6, 1)]
LAST_YEAR = [D(2024, m, 1) for m in range(1, 7)]


def figures(resource, municipality, counts: dict, metric=LOANS):
    UsageRecord.objects.bulk_create(
        UsageRecord(
            resource=resource, municipality=municipality, month=month, metric=metric, count=count
        )
        for month, count in counts.items()
    )


def peer(code: int, population: int):
    municipality = Municipality.objects.get(code=code)
    municipality.population = population
    municipality.save()
    return municipality


@pytest.fixture
def ereolen(db):
    return make_resource("eReolen")


@pytest.fixture
def campaign(odense, ereolen):
    odense.population = 200_000
    odense.save()
    figures(ereolen, odense, dict.fromkeys(LAST_YEAR, 1000))
    figures(ereolen, odense, {**dict.fromkeys(BEFORE, 1200), **dict.fromkeys(DURING, 2000)})
    figures(ereolen, odense, dict.fromkeys(AFTER, 1400))
    # The comparable five: 5.0 loans per 1,000 inhabitants a month, 5.5 during.
    for code, population in [(479, 190_000), (630, 210_000), (561, 180_000), (621, 220_000),
                             (615, 170_000)]:  # fmt: skip
        municipality = peer(code, population)
        rate = population // 1000
        figures(ereolen, municipality, {
            **dict.fromkeys(BEFORE + AFTER, rate * 5),
            **dict.fromkeys(DURING, rate * 11 // 2),
        })  # fmt: skip
    # Nearest of all, but with its own eReolen campaign in the window.
    aarhus = peer(751, 200_500)
    figures(ereolen, aarhus, dict.fromkeys(BEFORE + DURING + AFTER, 90_000))
    make_campaign(aarhus, ereolen, "Aarhus læser", D(2025, 6, 1), D(2025, 6, 30))
    # Near, but without figures for April.
    randers = peer(730, 199_000)
    figures(ereolen, randers, dict.fromkeys([m for m in BEFORE + DURING + AFTER
                                             if m != D(2025, 4, 1)], 90_000))  # fmt: skip
    # A sixth, farther away than the five.
    figures(ereolen, peer(430, 100_000), dict.fromkeys(BEFORE + DURING + AFTER, 90_000))
    # Another resource's figures, and another metric's, count for nothing.
    figures(make_resource("Filmstriben"), odense, dict.fromkeys(DURING, 99_999))
    figures(ereolen, odense, dict.fromkeys(DURING, 99_999), metric="Total_Item_Requests")
    return make_campaign(odense, ereolen, "Lån en e-bog", D(2025, 3, 3), D(2025, 4, 28))


@pytest.fixture(autouse=True)
def _english():
    # The sentences are compared in English, the msgids.
    with translation.override("en"):
        yield


def by_key(effect):
    return {period.key: period for period in effect.periods}


def test_the_periods_hold_the_municipality_s_usage_and_the_year_before(campaign):
    effect = plan.campaign_effect(campaign, LOANS, today=SEPTEMBER)

    periods = by_key(effect)
    assert list(periods) == ["before", "during", "after"]
    assert [p.months for p in effect.periods] == [tuple(BEFORE), tuple(DURING), tuple(AFTER)]
    assert [(p.uses, p.year_before) for p in effect.periods] == [
        (2400, 2000),
        (4000, 2000),
        (2800, 2000),
    ]
    assert [p.per_1000 for p in effect.periods] == pytest.approx([6.0, 10.0, 7.0])
    assert [p.change_on_year for p in effect.periods] == pytest.approx([0.2, 1.0, 0.4])
    assert effect.seasonal == pytest.approx(80.0)
    assert effect.complete
    assert effect.missing == ()


def test_comparable_municipalities_are_pooled_per_inhabitant(campaign):
    effect = plan.campaign_effect(campaign, LOANS, today=SEPTEMBER)

    assert effect.peers == 5
    assert [p.peers_per_1000 for p in effect.periods] == pytest.approx([5.0, 5.5, 5.0])


def test_the_difference_in_differences_estimate(campaign):
    effect = plan.campaign_effect(campaign, LOANS, today=SEPTEMBER)

    during, after = effect.estimates
    assert during.period == "during"
    assert (during.own_change, during.peers_change, during.difference) == pytest.approx(
        (4.0, 0.5, 3.5)
    )
    assert during.relative == pytest.approx(3.5 / 6)
    assert (after.period, after.difference) == ("after", pytest.approx(1.0))
    assert effect.words == [
        "During the campaign, monthly usage changed by +4.0 per 1,000 inhabitants from before "
        "the campaign, against +0.5 in comparable municipalities (5): an estimated effect of "
        "+3.5 per 1,000 inhabitants a month (+58.3 % of the level before).",
        "After the campaign, monthly usage changed by +1.0 per 1,000 inhabitants from before the "
        "campaign, against +0.0 in comparable municipalities (5): an estimated effect of +1.0 "
        "per 1,000 inhabitants a month (+16.7 % of the level before).",
        "Against the same months a year earlier, usage changed +100.0 % during the campaign "
        "and +20.0 % before it: +80.0 percentage points beyond the season.",
    ]


def test_the_comparable_municipalities_are_never_named(campaign):
    effect = plan.campaign_effect(campaign, LOANS, today=SEPTEMBER)

    text = " ".join(effect.words)
    for name in ("Svendborg", "Vejle", "Esbjerg", "Kolding", "Horsens", "Aarhus", "Randers"):
        assert name not in text


def test_the_months_after_wait_until_they_have_passed(campaign):
    effect = plan.campaign_effect(campaign, LOANS, today=D(2025, 6, 10))

    assert effect.after_pending
    assert [p.key for p in effect.periods] == ["before", "during"]
    assert [e.period for e in effect.estimates] == ["during"]
    assert effect.words[-1] == (
        "The months after the campaign have not all passed yet; they are compared later."
    )


def test_missing_months_make_the_result_incomplete_and_are_named(campaign, odense):
    UsageRecord.objects.filter(
        municipality=odense, metric=LOANS, month__in=[D(2024, 2, 1), D(2025, 3, 1)]
    ).delete()

    effect = plan.campaign_effect(campaign, LOANS, today=SEPTEMBER)

    assert not effect.complete
    assert effect.missing == (D(2024, 2, 1), D(2025, 3, 1))
    assert effect.missing_names == ["February 2024", "March 2025"]
    before, during, _after = effect.periods
    assert (before.uses, before.year_before, during.uses) == (2400, None, None)
    # Only the months after can still be compared with the months before.
    assert [e.period for e in effect.estimates] == ["after"]
    assert effect.seasonal is None
    assert effect.words[0] == (
        "The result is incomplete: figures are missing for February 2024, March 2025."
    )


def test_too_few_comparable_municipalities_give_no_comparison(campaign, ereolen):
    UsageRecord.objects.filter(
        resource=ereolen, municipality__code__in=[479, 630, 561, 621], month=D(2025, 1, 1)
    ).delete()

    effect = plan.campaign_effect(campaign, LOANS, today=SEPTEMBER)

    assert effect.peers == 0
    assert effect.estimates == ()
    assert [p.peers_per_1000 for p in effect.periods] == [None, None, None]
    assert effect.why_no_comparison.startswith("Fewer than 3 comparable municipalities")
    assert effect.seasonal == pytest.approx(80.0)


def test_quota_and_catalogue_notes_in_the_window_stand_beside_the_figures(
    campaign, ereolen, odense, aarhus
):
    quota = UsageNote.objects.create(
        resource=ereolen, municipality=odense, month=D(2025, 3, 1), kind=UsageNote.Kind.QUOTA,
        text="Lånekvoten hævet fra 3 til 5 lån om måneden.",
    )  # fmt: skip
    catalogue = UsageNote.objects.create(
        resource=ereolen, month=D(2025, 1, 1), kind=UsageNote.Kind.CATALOGUE,
        text="Nyt forlag i kataloget.",
    )  # fmt: skip
    UsageNote.objects.create(
        resource=ereolen, municipality=aarhus, month=D(2025, 3, 1), kind=UsageNote.Kind.QUOTA,
        text="Aarhus' egen kvote.",
    )  # fmt: skip
    UsageNote.objects.create(
        resource=ereolen, municipality=odense, month=D(2025, 9, 1), kind=UsageNote.Kind.OTHER,
        text="Efter perioden.",
    )  # fmt: skip

    effect = plan.campaign_effect(campaign, LOANS, today=SEPTEMBER)

    assert list(effect.notes) == [catalogue, quota]


def test_without_a_metric_the_resource_s_metric_is_taken(campaign):
    UsageRecord.objects.filter(metric="Total_Item_Requests").delete()

    effect = plan.campaign_effect(campaign, today=SEPTEMBER)

    assert effect.metric == LOANS
    assert effect.estimates[0].difference == pytest.approx(3.5)


def test_a_resource_without_figures_says_so(odense, ereolen):
    quiet = make_campaign(odense, make_resource("Ordbog"), "Ordbogen", D(2025, 3, 1),
                          D(2025, 3, 31))  # fmt: skip

    effect = plan.campaign_effect(quiet, today=SEPTEMBER)

    assert effect.metric is None
    assert not effect.complete
    assert effect.words == ["There are no usage figures for Ordbog in Odense yet."]
