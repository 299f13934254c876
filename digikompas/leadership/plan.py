"""The dissemination plan: the annual plan (årshjul) of a municipality, the weekly priority list of
a library's staff, the state changes of campaigns and activities, and the effect of a campaign on
the usage of its resource.

The effect of a campaign (`campaign_effect`) compares the usage of the campaign's resource in the
municipality in three periods of equal length – the months before the campaign, the months of the
campaign, and the months after it – with

- the same months of the year before (seasonality: a rise every autumn is no campaign effect),
- comparable municipalities that ran no campaign for the resource in the whole window: the
  COMPARABLE municipalities nearest in population with figures for the resource and metric in
  every month compared; their usage is pooled per inhabitant and they are never named.

The difference-in-differences estimate is the change of the municipality's monthly usage per
1,000 inhabitants from before to during (or after), minus the same change of the comparable
municipalities. The year-on-year estimate is the change against the year before in the campaign
months minus that change in the months before, in percentage points. Both are estimates from
observational figures, not proof: the notes beside the figures (loan quota or catalogue changes)
name other possible explanations.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Municipality, Role

from . import access, usage
from .models import (
    Activity,
    Campaign,
    Status,
    UsageNote,
    UsageRecord,
    first_of_month,
)

# How many comparable municipalities are pooled, and how few are enough to compare with: fewer
# than that and the pooled figure would come close to showing one municipality's usage.
COMPARABLE = 5
COMPARABLE_MINIMUM = 3
OPEN = (Status.PLANNED, Status.ACTIVE)


# -- months ---------------------------------------------------------------------------------------


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first` to `last`, both included."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_name(month: datetime.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


# -- the annual plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    campaign: Campaign
    running: tuple[bool, ...]  # one per month of the year
    starts_before: bool  # began in an earlier year
    ends_after: bool  # goes on into the next year


@dataclass(frozen=True)
class PlanMonth:
    month: datetime.date
    campaigns: tuple[Campaign, ...]
    activities: int  # activities due in the month, of the campaigns shown


@dataclass(frozen=True)
class AnnualPlan:
    municipality: Municipality
    year: int
    months: tuple[datetime.date, ...]
    rows: tuple[PlanRow, ...]
    by_month: tuple[PlanMonth, ...]


@dataclass(frozen=True)
class PlanFilter:
    """What the annual plan is narrowed to; empty values mean everything."""

    library: int | None = None  # a library's pk; 0 means the municipality-wide campaigns
    resource: int | None = None
    target_group: str = ""
    channel: str = ""
    status: str = ""


def filter_campaigns(campaigns: QuerySet[Campaign], chosen: PlanFilter) -> QuerySet[Campaign]:
    if chosen.library == 0:
        campaigns = campaigns.filter(library__isnull=True)
    elif chosen.library is not None:
        campaigns = campaigns.filter(library_id=chosen.library)
    if chosen.resource is not None:
        campaigns = campaigns.filter(resource_id=chosen.resource)
    if chosen.target_group:
        campaigns = campaigns.filter(target_group=chosen.target_group)
    if chosen.status:
        campaigns = campaigns.filter(status=chosen.status)
    return campaigns


def annual_plan(
    *, municipality: Municipality, year: int, chosen: PlanFilter = PlanFilter()
) -> AnnualPlan:
    """The campaigns of the municipality running in any month of the year, in the order they
    start, each with the months it runs; and per month the campaigns running in it."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    months = tuple(months_between(first, last))
    campaigns = filter_campaigns(
        municipality.campaigns.filter(starts_on__lte=last, ends_on__gte=first), chosen
    ).select_related("resource", "library", "owner")
    campaigns = campaigns.annotate(
        due_in_year=Count("activities", filter=Q(activities__due_on__range=(first, last)))
    )
    # Channels are a JSON list, which SQLite cannot search in; a year's campaigns are few.
    selected = [c for c in campaigns if not chosen.channel or chosen.channel in c.channels]
    rows = tuple(
        PlanRow(
            campaign=c,
            running=tuple(first_of_month(c.starts_on) <= month <= c.ends_on for month in months),
            starts_before=c.starts_on < first,
            ends_after=c.ends_on > last,
        )
        for c in selected
    )
    due = dict(
        Activity.objects.filter(campaign__in=[c.pk for c in selected], due_on__year=year)
        .values_list("due_on__month")
        .annotate(n=Count("pk"))
        .values_list("due_on__month", "n")
    )
    by_month = tuple(
        PlanMonth(
            month=month,
            campaigns=tuple(row.campaign for row in rows if row.running[i]),
            activities=due.get(month.month, 0),
        )
        for i, month in enumerate(months)
    )
    return AnnualPlan(municipality, year, months, rows, by_month)


# -- the weekly priority list ---------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    monday: datetime.date
    sunday: datetime.date
    current: bool
    overdue: tuple[Activity, ...]  # due before this week, neither done nor cancelled
    due: tuple[Activity, ...]  # due this week, open first

    @property
    def previous(self) -> datetime.date:
        return self.monday - datetime.timedelta(days=7)

    @property
    def next(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=7)


def week_scope(actor: Actor) -> Q:
    """The activities on a person's weekly list, as a filter on Activity: the campaigns of the
    municipalities they lead; of the libraries they work at or lead, and the municipality-wide
    campaigns of those libraries' municipalities."""
    libraries = set(actor.led_library_ids)
    if actor.person is not None and actor.person.library_id:
        libraries.add(actor.person.library_id)
    municipalities = {
        g.library.municipality_id for g in actor.grants if g.role == Role.LIBRARY_LEADER
    }
    if actor.person is not None and actor.person.library_id:
        municipalities.add(actor.person.library.municipality_id)
    return (
        Q(campaign__municipality_id__in=actor.led_municipality_ids)
        | Q(campaign__library_id__in=libraries)
        | Q(campaign__library__isnull=True, campaign__municipality_id__in=municipalities)
    )


def has_week(actor: Actor) -> bool:
    """Whether the person has a weekly list: they work at a library or lead one or more."""
    return actor.person is not None and bool(
        actor.person.library_id or actor.led_library_ids or actor.led_municipality_ids
    )


def week(actor: Actor, *, monday: datetime.date, today: datetime.date | None = None) -> Week:
    """The activities of the person's libraries due in the week starting `monday`, open ones
    first, then by priority and date; in the current week also the overdue ones."""
    today = today or timezone.localdate()
    monday = monday_of(monday)
    sunday = monday + datetime.timedelta(days=6)
    current = monday == monday_of(today)
    activities = (
        Activity.objects.filter(week_scope(actor))
        .exclude(campaign__status=Status.CANCELLED)
        .select_related("campaign__resource", "campaign__library", "owner")
    )
    due = activities.filter(due_on__range=(monday, sunday)).exclude(status=Status.CANCELLED)
    due = sorted(due, key=lambda a: (a.status == Status.DONE, a.priority, a.due_on, a.pk))
    overdue = ()
    if current:
        overdue = tuple(
            activities.filter(due_on__lt=monday, status__in=OPEN).order_by(
                "priority", "due_on", "pk"
            )
        )
    return Week(monday, sunday, current, overdue, tuple(due))


def can_mark_done(actor: Actor, activity: Activity) -> bool:
    """The activity's owner, or whoever may change its campaign."""
    own = actor.person is not None and activity.owner_id == actor.person.pk
    return own or access.can_change_campaign(actor, activity.campaign)


@transaction.atomic
def set_activity_status(*, activity: Activity, status: str) -> Activity:
    activity.status = status
    activity.full_clean()
    activity.save(update_fields=["status"])
    return activity


@transaction.atomic
def delete_campaign(*, campaign: Campaign) -> None:
    campaign.delete()


def campaigns_under_way(
    campaigns: QuerySet[Campaign], *, today: datetime.date | None = None
) -> QuerySet[Campaign]:
    """Campaigns whose period covers today and that are neither done nor cancelled."""
    today = today or timezone.localdate()
    return campaigns.filter(starts_on__lte=today, ends_on__gte=today, status__in=OPEN)


# -- the effect of a campaign ---------------------------------------------------------------------

BEFORE, DURING, AFTER = "before", "during", "after"
PERIOD_NAMES = {
    BEFORE: gettext_lazy("Before the campaign"),
    DURING: gettext_lazy("During the campaign"),
    AFTER: gettext_lazy("After the campaign"),
}


@dataclass(frozen=True)
class Period:
    key: str
    months: tuple[datetime.date, ...]
    uses: int | None  # the municipality's usage; None when a month is missing
    year_before: int | None  # the same months a year earlier
    per_1000: float | None  # monthly usage per 1,000 inhabitants
    peers_per_1000: float | None  # the same for the comparable municipalities, pooled
    missing: tuple[datetime.date, ...]  # the municipality's missing months (both years)

    @property
    def name(self) -> str:
        return str(PERIOD_NAMES[self.key])

    @property
    def first(self) -> datetime.date:
        return self.months[0]

    @property
    def last(self) -> datetime.date:
        return self.months[-1]

    @property
    def change_on_year(self) -> float | None:
        """The change against the same months a year earlier, as a fraction."""
        if self.uses is None or not self.year_before:
            return None
        return self.uses / self.year_before - 1

    @property
    def change_on_year_percent(self) -> float | None:
        change = self.change_on_year
        return None if change is None else change * 100


@dataclass(frozen=True)
class Estimate:
    """The change from before to `period`, beyond the comparable municipalities' change."""

    period: str
    own_change: float  # per 1,000 inhabitants a month
    peers_change: float
    difference: float  # own_change − peers_change
    relative: float | None  # the difference as a fraction of the level before

    @property
    def name(self) -> str:
        return str(PERIOD_NAMES[self.period])


@dataclass(frozen=True)
class Effect:
    campaign: Campaign
    metric: str | None  # None when the resource has no figures in the municipality
    periods: tuple[Period, ...]  # before, during and (when it is over) after
    after_pending: bool  # the months after the campaign have not all passed yet
    peers: int  # how many comparable municipalities are pooled
    estimates: tuple[Estimate, ...]
    seasonal: float | None  # percentage points: change on the year during − before
    notes: tuple[UsageNote, ...]
    missing: tuple[datetime.date, ...]
    why_no_comparison: str = ""
    words: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.metric is not None and not self.missing

    @property
    def missing_names(self) -> list[str]:
        return [month_name(month) for month in self.missing]


def _sum(figures: dict[datetime.date, int], months: Iterable[datetime.date]) -> int | None:
    total = 0
    for month in months:
        if month not in figures:
            return None
        total += figures[month]
    return total


def _metric_of(campaign: Campaign) -> str | None:
    metrics = usage.metrics_of(campaign.resource, campaign.municipality)
    return metrics[0] if metrics else None


def comparable_municipalities(
    campaign: Campaign, metric: str, months: list[datetime.date], window: tuple
) -> list[Municipality]:
    """The COMPARABLE municipalities nearest in population to the campaign's municipality that
    have figures for the resource and metric in every one of `months` and ran no campaign for
    the resource in the window."""
    own = campaign.municipality
    if own.population is None:
        return []
    complete = (
        UsageRecord.objects.filter(resource=campaign.resource, metric=metric, month__in=months)
        .exclude(municipality=own)
        .values("municipality")
        .annotate(n=Count("month", distinct=True))
        .filter(n=len(months))
        .values("municipality")
    )
    campaigning = Campaign.objects.filter(
        resource=campaign.resource, starts_on__lte=window[1], ends_on__gte=window[0]
    ).values("municipality")
    candidates = (
        Municipality.objects.filter(pk__in=complete, population__isnull=False)
        .exclude(pk__in=campaigning)
        .only("pk", "code", "population")
    )
    return sorted(candidates, key=lambda m: (abs(m.population - own.population), m.code))[
        :COMPARABLE
    ]


def campaign_effect(
    campaign: Campaign, metric: str | None = None, *, today: datetime.date | None = None
) -> Effect:
    """The usage of the campaign's resource in its municipality before, during and after the
    campaign, against the year before and against comparable municipalities (see the module's
    docstring)."""
    today = today or timezone.localdate()
    metric = metric or _metric_of(campaign)
    during = months_between(campaign.starts_on, campaign.ends_on)
    n = len(during)
    before = [add_months(during[0], i - n) for i in range(n)]
    after = [add_months(during[-1], i + 1) for i in range(n)]
    # A month's figures are there after it ends; the months after count once all have passed.
    after_pending = after[-1] >= first_of_month(today)
    window = (before[0], add_months(after[-1], 1) - datetime.timedelta(days=1))
    notes = tuple(
        UsageNote.objects.filter(
            Q(municipality=campaign.municipality) | Q(municipality__isnull=True),
            resource=campaign.resource,
            month__range=(before[0], after[-1]),
        ).order_by("month", "pk")
    )
    if metric is None:
        return Effect(
            campaign, None, (), after_pending, 0, (), None, notes, (), words=[
                _("There are no usage figures for %(resource)s in %(municipality)s yet.")
                % {"resource": campaign.resource, "municipality": campaign.municipality}
            ]
        )  # fmt: skip
    spans = {BEFORE: before, DURING: during}
    if not after_pending:
        spans[AFTER] = after
    compared = [month for months in spans.values() for month in months]
    own_figures = usage.monthly(
        campaign.resource,
        campaign.municipality,
        metric,
        add_months(compared[0], -12),
        compared[-1],
    )
    population = campaign.municipality.population
    peers = comparable_municipalities(campaign, metric, compared, window)
    peer_population = sum(m.population for m in peers)
    peer_figures: dict[datetime.date, int] = {}
    if len(peers) >= COMPARABLE_MINIMUM:
        for row in (
            UsageRecord.objects.filter(
                resource=campaign.resource,
                metric=metric,
                municipality__in=peers,
                month__in=compared,
            )
            .values("month")
            .annotate(total=Sum("count"))
        ):
            peer_figures[row["month"]] = row["total"]

    periods = []
    for key, months in spans.items():
        last_year = [add_months(m, -12) for m in months]
        uses = _sum(own_figures, months)
        missing = tuple(m for m in [*last_year, *months] if m not in own_figures)
        peer_uses = _sum(peer_figures, months) if peer_figures else None
        periods.append(
            Period(
                key=key,
                months=tuple(months),
                uses=uses,
                year_before=_sum(own_figures, last_year),
                per_1000=(
                    uses / len(months) / population * 1000
                    if uses is not None and population
                    else None
                ),
                peers_per_1000=(
                    peer_uses / len(months) / peer_population * 1000
                    if peer_uses is not None and peer_population
                    else None
                ),
                missing=missing,
            )
        )
    missing = tuple(sorted({m for p in periods for m in p.missing}))
    first = periods[0]
    estimates = []
    for period in periods[1:]:
        if None in (first.per_1000, first.peers_per_1000, period.per_1000, period.peers_per_1000):
            continue
        own_change = period.per_1000 - first.per_1000
        peers_change = period.peers_per_1000 - first.peers_per_1000
        difference = own_change - peers_change
        estimates.append(
            Estimate(
                period=period.key,
                own_change=own_change,
                peers_change=peers_change,
                difference=difference,
                relative=difference / first.per_1000 if first.per_1000 else None,
            )
        )
    seasonal = None
    if first.change_on_year is not None and periods[1].change_on_year is not None:
        seasonal = (periods[1].change_on_year - first.change_on_year) * 100
    why = ""
    if population is None:
        why = _("The municipality's population is not known, so usage per inhabitant is not.")
    elif len(peers) < COMPARABLE_MINIMUM:
        why = _(
            "Fewer than %(minimum)s comparable municipalities without a campaign for the "
            "resource have figures for every month compared, so there is no comparison: a "
            "smaller group could show one municipality's usage."
        ) % {"minimum": COMPARABLE_MINIMUM}
    effect = Effect(
        campaign=campaign,
        metric=metric,
        periods=tuple(periods),
        after_pending=after_pending,
        peers=len(peers) if len(peers) >= COMPARABLE_MINIMUM else 0,
        estimates=tuple(estimates),
        seasonal=seasonal,
        notes=notes,
        missing=missing,
        why_no_comparison=why,
    )
    effect.words.extend(_words(effect))
    return effect


def _signed(value: float, places: int = 1) -> str:
    # number_format cuts digits off; round first, so that 19.9999 reads 20.0.
    return ("+" if value >= 0 else "−") + formats.number_format(round(abs(value), places), places)


def _words(effect: Effect) -> list[str]:
    """The estimates in sentences, for the page."""
    words = []
    if effect.missing:
        words.append(
            _("The result is incomplete: figures are missing for %(months)s.")
            % {"months": ", ".join(effect.missing_names)}
        )
    for estimate in effect.estimates:
        text = _(
            "%(period)s, monthly usage changed by %(own)s per 1,000 inhabitants from before the "
            "campaign, against %(peers)s in comparable municipalities (%(n)s): an estimated "
            "effect of %(difference)s per 1,000 inhabitants a month"
        ) % {
            "period": estimate.name,
            "own": _signed(estimate.own_change),
            "peers": _signed(estimate.peers_change),
            "n": effect.peers,
            "difference": _signed(estimate.difference),
        }
        if estimate.relative is not None:
            text += _(" (%(relative)s %% of the level before).") % {
                "relative": _signed(estimate.relative * 100)
            }
        else:
            text += "."
        words.append(text)
    if effect.seasonal is not None:
        words.append(
            _(
                "Against the same months a year earlier, usage changed %(during)s %% during "
                "the campaign and %(before)s %% before it: %(difference)s percentage points "
                "beyond the season."
            )
            % {
                "during": _signed(effect.periods[1].change_on_year * 100),
                "before": _signed(effect.periods[0].change_on_year * 100),
                "difference": _signed(effect.seasonal),
            }
        )
    if effect.after_pending:
        words.append(
            _("The months after the campaign have not all passed yet; they are compared later.")
        )
    if effect.notes:
        words.append(
            _(
                "Notes in the period name other possible explanations of a change; read them "
                "beside the figures."
            )
        )
    return words
