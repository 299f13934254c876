"""Trends: the last 12 months against the 12 before, missing and restated months, and the metric
a resource's use is counted in."""

import datetime

import pytest
from django.utils import translation

from digikompas.leadership import metrics
from digikompas.leadership.models import DigitalResource, ResourceType, UsageRecord

LAST = datetime.date(2025, 12, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def ereolen(db):
    return DigitalResource.objects.create(name="eReolen", type=ResourceType.E_BOOKS)


def figures(resource, municipality, counts: dict, metric="loans", restated=()):
    for month, count in counts.items():
        UsageRecord.objects.create(
            resource=resource,
            municipality=municipality,
            month=month,
            metric=metric,
            count=count,
            restated_from=count + 1 if month in restated else None,
        )


def months(first, count):
    return [metrics.add_months(first, n) for n in range(count)]


def test_the_change_of_the_last_12_months_against_the_12_before(ereolen, odense):
    figures(ereolen, odense, dict.fromkeys(months(datetime.date(2024, 1, 1), 12), 100))
    figures(ereolen, odense, dict.fromkeys(months(datetime.date(2025, 1, 1), 12), 125))

    found = metrics.trend(ereolen, odense, "loans", last=LAST)

    assert (found.current, found.previous) == (1500, 1200)
    assert found.change == pytest.approx(0.25)
    assert found.series[0] == (datetime.date(2024, 1, 1), 100)
    assert found.series[-1] == (LAST, 125)
    assert len(found.series) == 24
    assert (found.missing, found.restated, found.not_reported) == ([], [], [])
    assert metrics.trend_words(found) == "Up 25 % on the 12 months before."


def test_figures_outside_the_window_and_of_other_metrics_do_not_count(ereolen, odense, aarhus):
    figures(ereolen, odense, dict.fromkeys(months(datetime.date(2023, 1, 1), 36), 10))
    figures(ereolen, odense, {LAST: 999}, metric="Total_Item_Requests")
    figures(ereolen, aarhus, {LAST: 999})

    found = metrics.trend(ereolen, odense, "loans", last=LAST)

    assert (found.current, found.previous, found.change) == (120, 120, 0.0)
    assert metrics.trend_words(found) == "Stable (+0 %) on the 12 months before."


def test_a_missing_month_leaves_no_trend_and_is_named(ereolen, odense):
    counts = dict.fromkeys(months(datetime.date(2024, 1, 1), 24), 100)
    del counts[datetime.date(2024, 6, 1)]
    del counts[datetime.date(2025, 2, 1)]
    figures(ereolen, odense, counts)

    found = metrics.trend(ereolen, odense, "loans", last=LAST)

    assert found.change is None
    assert found.missing == [datetime.date(2024, 6, 1), datetime.date(2025, 2, 1)]
    assert metrics.trend_words(found) == "No trend: 22 of the 24 months have a figure."


def test_months_after_the_last_figure_are_not_reported(ereolen, odense):
    figures(ereolen, odense, dict.fromkeys(months(datetime.date(2024, 1, 1), 21), 50))

    found = metrics.trend(ereolen, odense, "loans", last=LAST)

    assert found.missing == []
    assert found.not_reported == months(datetime.date(2025, 10, 1), 3)
    assert found.change is None
    assert found.current == 9 * 50


def test_restated_months(ereolen, odense):
    restated = [datetime.date(2025, 3, 1), datetime.date(2025, 4, 1)]
    figures(
        ereolen, odense, dict.fromkeys(months(datetime.date(2024, 1, 1), 24), 80), restated=restated
    )

    found = metrics.trend(ereolen, odense, "loans", last=LAST)

    assert found.restated == restated
    assert found.change == 0.0  # a restated figure is still a figure


def test_no_use_before_leaves_no_trend(ereolen, odense):
    figures(ereolen, odense, dict.fromkeys(months(datetime.date(2024, 1, 1), 12), 0))
    figures(ereolen, odense, dict.fromkeys(months(datetime.date(2025, 1, 1), 12), 5))

    found = metrics.trend(ereolen, odense, "loans", last=LAST)

    assert found.change is None
    assert metrics.trend_words(found) == "No trend: no use in the 12 months before."


def test_no_figures(ereolen, odense):
    found = metrics.trend(ereolen, odense, "loans", last=LAST)
    assert (found.change, found.series, found.missing, found.not_reported) == (None, [], [], [])


def test_the_window_ends_with_the_last_complete_month(ereolen, odense, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 15, 12))
    assert metrics.last_complete_month() == LAST
    assert metrics.trend(ereolen, odense, "loans").last == LAST


@pytest.mark.parametrize(
    ("available", "chosen"),
    [
        (["Total_Item_Requests", "loans"], "loans"),
        (["Total_Item_Requests", "Unique_Title_Requests"], "Unique_Title_Requests"),
        (["Total_Item_Investigations", "Total_Item_Requests"], "Total_Item_Requests"),
        (["views", "Searches_Platform"], "views"),
        ([], None),
    ],
)
def test_the_metric_a_resource_is_counted_in(available, chosen):
    assert metrics.choose_metric(available) == chosen
