"""Progress of the strategy's indicators, measured by hand and from usage."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from digikompas.leadership import strategy
from digikompas.leadership.models import Indicator, Measurement, StrategyGoal, UsageRecord

from .test_plan import make_resource

D = datetime.date
TODAY = D(2026, 3, 15)  # the last twelve whole months: March 2025 to February 2026


@pytest.fixture
def goal(odense):
    return StrategyGoal.objects.create(
        municipality=odense, title="Flere låner digitalt", horizon=D(2027, 12, 31)
    )


def indicator(goal, baseline, target, *values, **more) -> Indicator:
    made = Indicator.objects.create(
        goal=goal, name="Digitale lån", baseline=Decimal(baseline), target=Decimal(target), **more
    )
    for day, value in enumerate(values, start=1):
        Measurement.objects.create(indicator=made, measured_on=D(2026, 1, day), value=value)
    return made


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("baseline", "target", "values", "percent", "words"),
    [
        (100, 200, [120, 150], 50, "More than halfway"),
        (100, 200, [130], 30, "Under way"),
        (100, 200, [100], 0, "No progress from the baseline yet"),
        (100, 200, [80], 0, "Behind the baseline"),
        (100, 200, [250], 100, "Target reached"),
        (50, 30, [40], 50, "More than halfway"),  # a target below the baseline
        (50, 30, [25], 100, "Target reached"),
        (10, 10, [10], 100, "Target reached"),
        (10, 10, [9], 0, "No progress from the baseline yet"),
    ],
)
def test_progress_is_the_way_from_baseline_to_target_clipped(
    goal, baseline, target, values, percent, words
):
    progress = strategy.progress(indicator(goal, baseline, target, *values), today=TODAY)

    assert progress.latest == Decimal(values[-1])
    assert progress.percent == percent
    assert progress.words == words
    assert not progress.from_usage


def test_the_raw_fraction_keeps_how_far_behind_or_beyond(goal):
    behind = strategy.progress(indicator(goal, 100, 200, 80), today=TODAY)
    beyond = strategy.progress(indicator(goal, 100, 200, 250), today=TODAY)

    assert (behind.raw, beyond.raw) == (pytest.approx(-0.2), pytest.approx(1.5))


def test_an_indicator_without_measurements_is_not_measured_yet(goal):
    progress = strategy.progress(indicator(goal, 100, 200), today=TODAY)

    assert (progress.latest, progress.percent, progress.words) == (None, None, "Not measured yet")


def test_an_indicator_with_a_usage_metric_sums_its_resources_over_twelve_months(goal, odense):
    ereolen, filmstriben = make_resource("eReolen"), make_resource("Filmstriben")
    other = make_resource("Ordbog")
    made = indicator(goal, 20_000, 30_000, 99_999, usage_metric="loans")
    made.resources.set([ereolen, filmstriben])
    months = [D(2025, m, 1) for m in range(3, 13)] + [D(2026, 1, 1), D(2026, 2, 1)]
    for month in months:
        UsageRecord.objects.create(
            resource=ereolen, municipality=odense, month=month, metric="loans", count=1500
        )
        if month != D(2025, 7, 1):
            UsageRecord.objects.create(
                resource=filmstriben, municipality=odense, month=month, metric="loans", count=500
            )
    # Outside the twelve months, another metric, another resource: not counted.
    for resource, month, metric in [
        (ereolen, D(2025, 2, 1), "loans"),
        (ereolen, D(2026, 3, 1), "loans"),
        (ereolen, D(2025, 6, 1), "Total_Item_Requests"),
        (other, D(2025, 6, 1), "loans"),
    ]:
        UsageRecord.objects.create(
            resource=resource, municipality=odense, month=month, metric=metric, count=7777
        )

    progress = strategy.progress(made, today=TODAY)

    # 12 × 1,500 + 11 × 500 = 23,500: (23,500 − 20,000) / (30,000 − 20,000) = 35 %.
    assert progress.from_usage
    assert progress.latest == Decimal(23_500)
    assert progress.percent == 35
    assert progress.missing == (D(2025, 7, 1),)
    with translation.override("en"):
        assert strategy.progress(made, today=TODAY).measured == "loans, March 2025 – February 2026"


def test_a_goal_s_progress_is_the_mean_of_its_measured_indicators(goal, odense):
    indicator(goal, 0, 100, 50)
    indicator(goal, 0, 10, 10)
    indicator(goal, 0, 10)

    (found,) = strategy.goals_of(odense, today=TODAY)

    assert [p.percent for p in found.indicators] == [50, 100, None]
    assert found.percent == 75


def test_a_measurement_on_a_day_already_measured_replaces_it(goal):
    made = indicator(goal, 0, 100, 10)

    strategy.add_measurement(indicator=made, measured_on=D(2026, 1, 1), value=Decimal(40))

    assert list(made.measurements.values_list("value", flat=True)) == [Decimal(40)]
