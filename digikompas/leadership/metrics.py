"""Trends of a resource's usage in a municipality: the last twelve months against the twelve
before, with the months that have no figure and the months whose figure was restated, and the
metric a resource's usage is best counted in.

A month is the first day of the month. The window ends with the last complete month (the month
before today's) unless another end is asked for, so that a resource whose figures stopped
arriving shows less use and no trend instead of an old trend presented as the current one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .models import UsageRecord

# Preferred metrics, best first: loans (the services that report monthly counts, e.g. eReolen),
# then COUNTER R5's unique title requests (one per title a session opened, the fairest count
# across platforms), then total item requests (every full-text or media request).
PREFERRED_METRICS = ("loans", "Unique_Title_Requests", "Total_Item_Requests")


def add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from `first` to `last`, both included."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return add_months(today.replace(day=1), -1)


@dataclass(frozen=True)
class Trend:
    """`change` is the relative change of the last `months` months against the `months` before
    (0.25: a quarter more; -0.5: half as much), None when it cannot be told honestly: a month of
    either period has no figure, or the earlier period had no use. `series` holds the figures of
    both periods, oldest first; `missing` the months without a figure between the first and the
    last figure; `restated` the months whose figure an import replaced with a different one."""

    change: float | None
    series: list[tuple[datetime.date, int]]
    missing: list[datetime.date]
    restated: list[datetime.date]
    metric: str = ""
    first: datetime.date | None = None  # the first month of the earlier period
    last: datetime.date | None = None  # the last month of the window
    months: int = 12
    current: int = 0  # the use in the last `months` months
    previous: int = 0  # the use in the `months` before
    # Months of the window after the last figure (figures not arrived, or the service stopped).
    not_reported: list[datetime.date] = field(default_factory=list)

    @property
    def current_first(self) -> datetime.date | None:
        return add_months(self.last, 1 - self.months) if self.last else None

    @property
    def has_figures(self) -> bool:
        return bool(self.series)

    @property
    def current_complete(self) -> bool:
        """Whether every month of the last `months` has a figure."""
        if self.last is None:
            return False
        have = {month for month, _count in self.series}
        return all(month in have for month in months_between(self.current_first, self.last))


def trend(
    resource, municipality, metric: str, months: int = 12, *, last: datetime.date | None = None
) -> Trend:
    """The trend of `metric` for the resource in the municipality over the `months` months up
    to `last` (by default the last complete month) against the `months` before."""
    last = (last or last_complete_month()).replace(day=1)
    first = add_months(last, 1 - 2 * months)
    split = add_months(last, 1 - months)  # the first month of the current period
    records = list(
        UsageRecord.objects.filter(
            resource=resource,
            municipality=municipality,
            metric=metric,
            month__gte=first,
            month__lte=last,
        )
        .order_by("month")
        .values_list("month", "count", "restated_from")
    )
    series = [(month, count) for month, count, _restated in records]
    restated = [month for month, _count, earlier in records if earlier is not None]
    have = {month for month, _count in series}
    missing = (
        [m for m in months_between(series[0][0], series[-1][0]) if m not in have] if series else []
    )
    not_reported = list(months_between(add_months(series[-1][0], 1), last)) if series else []
    current = sum(count for month, count in series if month >= split)
    previous = sum(count for month, count in series if month < split)
    complete = len(have) == 2 * months
    change = (current - previous) / previous if complete and previous > 0 else None
    return Trend(
        change=change,
        series=series,
        missing=missing,
        restated=restated,
        metric=metric,
        first=first,
        last=last,
        months=months,
        current=current,
        previous=previous,
        not_reported=not_reported,
    )


def choose_metric(metrics: list[str]) -> str | None:
    """The metric to count a resource's use in, from the metrics it has figures for (most used
    first, as usage.metrics_of gives them): loans, else Unique_Title_Requests, else
    Total_Item_Requests, else the most used one; None when there are no figures."""
    for preferred in PREFERRED_METRICS:
        for metric in metrics:
            if metric.casefold() == preferred.casefold():
                return metric
    return metrics[0] if metrics else None


def metric_reason(metric: str) -> str:
    """Why this metric was chosen, in words."""
    from django.utils.translation import gettext as _

    key = metric.casefold()
    if key == "loans":
        return _("loans as the service reports them")
    if key == "unique_title_requests":
        return _("COUNTER Unique_Title_Requests: each title opened counts once a session")
    if key == "total_item_requests":
        return _("COUNTER Total_Item_Requests: every request of a full text or a media item")
    return _("the metric with the most use: the resource reports none of the usual ones")


# -- the leader's resource overview -------------------------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    resource: object
    metric: str | None
    metric_reason: str
    trend: Trend | None
    cost: object | None  # pricing.CostPerUse
    warnings: list[str]

    @property
    def direction(self) -> str:
        """up, down, flat, or "" when there is no trend."""
        if self.trend is None or self.trend.change is None:
            return ""
        if self.trend.change >= STABLE:
            return "up"
        if self.trend.change <= -STABLE:
            return "down"
        return "flat"

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "flat": "→"}.get(self.direction, "")

    @property
    def trend_words(self) -> str:
        return trend_words(self.trend) if self.trend is not None else ""


# A change smaller than this either way is shown as stable.
STABLE = 0.05


def trend_words(found: Trend) -> str:
    """The trend in words, e.g. "Up 25 % on the 12 months before"."""
    from django.utils.translation import gettext as _

    from .selection import number

    if found.change is None:
        have = len({month for month, _count in found.series})
        if have < 2 * found.months:
            return _("No trend: %(have)s of the %(all)s months have a figure.") % {
                "have": have,
                "all": 2 * found.months,
            }
        return _("No trend: no use in the %(months)s months before.") % {"months": found.months}
    values = {
        "percent": number(abs(found.change) * 100),
        "months": found.months,
    }
    if found.change >= STABLE:
        return _("Up %(percent)s %% on the %(months)s months before.") % values
    if found.change <= -STABLE:
        return _("Down %(percent)s %% on the %(months)s months before.") % values
    sign = "+" if found.change >= 0 else "−"
    return _("Stable (%(sign)s%(percent)s %%) on the %(months)s months before.") % {
        **values,
        "sign": sign,
    }


def offered_resources(municipality):
    """The resources the municipality offers: it holds a licence, is a member of a collaboration
    that holds one, or has usage figures for it."""
    from django.db.models import Q

    from .models import DigitalResource

    return DigitalResource.objects.filter(
        Q(licences__municipality=municipality)
        | Q(licences__collaboration__memberships__municipality=municipality)
        | Q(usage__municipality=municipality)
    ).distinct()


def month_list(months: list[datetime.date]) -> str:
    from django.utils import formats

    return ", ".join(formats.date_format(month, "YEAR_MONTH_FORMAT") for month in months)


def overview(municipality, *, last: datetime.date | None = None) -> list[OverviewRow]:
    """Per resource the municipality offers: its use in the last 12 months in the metric chosen
    for it, the trend, the cost per use and warnings about its figures; cheapest use first,
    resources without a cost per use last."""
    from django.utils.translation import gettext as _

    from . import pricing, selection

    last = (last or last_complete_month()).replace(day=1)
    first = add_months(last, -11)
    metrics_of = selection.metrics_by_resource(municipality)
    rows = []
    for resource in offered_resources(municipality):
        metric = choose_metric(metrics_of.get(resource.pk, []))
        if metric is None:
            rows.append(
                OverviewRow(resource, None, "", None, None, [_("There are no usage figures yet.")])
            )
            continue
        found = trend(resource, municipality, metric, last=last)
        cost = pricing.cost_per_use(
            resource, municipality, metric, first=first, last=pricing.month_end(last)
        )
        warnings = []
        if found.missing:
            warnings.append(_("No figure for %(months)s.") % {"months": month_list(found.missing)})
        if found.not_reported:
            warnings.append(
                _("No figures after %(month)s.") % {"month": month_list([found.series[-1][0]])}
            )
        if found.restated:
            warnings.append(
                _("Restated by a later import: %(months)s.")
                % {"months": month_list(found.restated)}
            )
        if not found.series:
            warnings.append(_("No %(metric)s in the last 24 months.") % {"metric": metric})
        rows.append(OverviewRow(resource, metric, metric_reason(metric), found, cost, warnings))

    def order(row):
        per_use = row.cost.per_use if row.cost is not None else None
        return (per_use is None, per_use or 0, row.resource.name.casefold())

    return sorted(rows, key=order)
