"""The local strategy: goals, their indicators and the progress towards each target, and the
pieces of the leader's dashboard that read other apps (the leader's own digital-leadership
self-assessment, the gaps of the units they lead).

Progress of an indicator is (latest − baseline) / (target − baseline), clipped to 0–100 %, so
that it works for targets below the baseline too (fewer cancelled loans). The latest value is the
latest measurement, or – for an indicator with a usage metric – the sum of that metric over the
linked resources in the municipality in the last twelve whole months, measured when the page is
shown.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.orgs.access import Actor
from digikompas.orgs.models import Municipality
from digikompas.surveys.models import AnonymityMode, ItemKind, Response

from . import access, usage
from .models import Indicator, Measurement, StrategyGoal, first_of_month
from .plan import add_months, month_name

LEADERSHIP_SURVEY_KEY = "digitalt-lederskab"
USAGE_MONTHS = 12


# -- access ---------------------------------------------------------------------------------------
# Goals and indicators are fetched through their municipality's access rules (leadership.access):
# read by the toolkit's users of the municipality, changed by its municipal leader.


def get_goal(actor: Actor, pk: int) -> StrategyGoal:
    access.require_toolkit(actor)
    goals = StrategyGoal.objects.select_related("municipality")
    ids = access.readable_municipality_ids(actor)
    if ids is not None:
        goals = goals.filter(municipality_id__in=ids)
    try:
        return goals.get(pk=pk)
    except StrategyGoal.DoesNotExist:
        raise Http404 from None


def get_indicator(actor: Actor, pk: int) -> Indicator:
    access.require_toolkit(actor)
    indicators = Indicator.objects.select_related("goal__municipality")
    ids = access.readable_municipality_ids(actor)
    if ids is not None:
        indicators = indicators.filter(goal__municipality_id__in=ids)
    try:
        return indicators.get(pk=pk)
    except Indicator.DoesNotExist:
        raise Http404 from None


def require_strategist(actor: Actor, municipality: Municipality) -> None:
    """Goals, indicators and measurements are the municipal leader's."""
    if not access.manages(actor, municipality):
        raise PermissionDenied


# -- progress -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    indicator: Indicator
    latest: Decimal | None
    measured: str  # when or over which months, in words
    from_usage: bool
    fraction: float | None  # 0–1, clipped; None without a latest value
    raw: float | None  # before clipping: below 0 is behind the baseline
    missing: tuple[datetime.date, ...] = ()  # usage months without figures

    @property
    def percent(self) -> int | None:
        return None if self.fraction is None else round(self.fraction * 100)

    @property
    def words(self) -> str:
        if self.raw is None:
            return _("Not measured yet")
        if self.raw < 0:
            return _("Behind the baseline")
        if self.raw >= 1:
            return _("Target reached")
        if self.raw == 0:
            return _("No progress from the baseline yet")
        if self.raw < 0.5:
            return _("Under way")
        return _("More than halfway")


def fraction_of(baseline: Decimal, target: Decimal, latest: Decimal) -> float:
    """(latest − baseline) / (target − baseline), unclipped. A target equal to the baseline is
    reached (1) by a value at or beyond it and not (0) otherwise."""
    if target == baseline:
        return 1.0 if latest >= target else 0.0
    return float((latest - baseline) / (target - baseline))


def usage_window(today: datetime.date) -> list[datetime.date]:
    """The last USAGE_MONTHS whole months before today's month."""
    this_month = first_of_month(today)
    return [add_months(this_month, i - USAGE_MONTHS) for i in range(USAGE_MONTHS)]


def measured_from_usage(
    indicator: Indicator, municipality: Municipality, today: datetime.date
) -> tuple[Decimal, tuple[datetime.date, ...]]:
    """The sum of the indicator's metric over its linked resources in the municipality in the
    last twelve whole months, and the months with no figure for some resource."""
    months = usage_window(today)
    total, missing = 0, set()
    for resource in indicator.resources.all():
        figures = usage.monthly(
            resource, municipality, indicator.usage_metric, months[0], months[-1]
        )
        total += sum(figures.get(month, 0) for month in months)
        missing.update(month for month in months if month not in figures)
    return Decimal(total), tuple(sorted(missing))


def progress(indicator: Indicator, *, today: datetime.date | None = None) -> Progress:
    today = today or timezone.localdate()
    municipality = indicator.goal.municipality
    missing: tuple[datetime.date, ...] = ()
    if indicator.usage_metric and indicator.resources.all():
        latest, missing = measured_from_usage(indicator, municipality, today)
        months = usage_window(today)
        measured = _("%(metric)s, %(first)s – %(last)s") % {
            "metric": indicator.usage_metric,
            "first": month_name(months[0]),
            "last": month_name(months[-1]),
        }
        from_usage = True
    else:
        measurements = list(indicator.measurements.all())
        last = measurements[-1] if measurements else None
        latest = last.value if last else None
        measured = last.measured_on.isoformat() if last else ""
        from_usage = False
    if latest is None:
        return Progress(indicator, None, measured, from_usage, None, None, missing)
    raw = fraction_of(indicator.baseline, indicator.target, latest)
    return Progress(indicator, latest, measured, from_usage, min(max(raw, 0.0), 1.0), raw, missing)


@dataclass(frozen=True)
class GoalProgress:
    goal: StrategyGoal
    indicators: tuple[Progress, ...]

    @property
    def percent(self) -> int | None:
        """The mean progress of the goal's measured indicators."""
        known = [p.fraction for p in self.indicators if p.fraction is not None]
        return round(sum(known) / len(known) * 100) if known else None


def goals_of(
    municipality: Municipality, *, today: datetime.date | None = None
) -> list[GoalProgress]:
    goals = municipality.strategy_goals.prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.prefetch_related(
                "resources",
                "campaigns",
                "competencies",
                Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on")),
            ),
        )
    ).order_by("position", "pk")
    return [
        GoalProgress(
            goal, tuple(progress(indicator, today=today) for indicator in goal.indicators.all())
        )
        for goal in goals
    ]


# -- state changes --------------------------------------------------------------------------------


@transaction.atomic
def add_measurement(
    *, indicator: Indicator, measured_on: datetime.date, value: Decimal, note: str = ""
) -> Measurement:
    """A measurement of the day, replacing one already given that day."""
    measurement, _created = Measurement.objects.update_or_create(
        indicator=indicator, measured_on=measured_on, defaults={"value": value, "note": note}
    )
    return measurement


# -- the leader's self-assessment -----------------------------------------------------------------


@dataclass(frozen=True)
class SelfRow:
    item_text: str
    code: str
    yours: int | None
    level: str  # the level's name
    need: int | None
    national_mean: float | None  # None when not published (too few, or no access)


@dataclass(frozen=True)
class SelfAssessment:
    response: Response
    rows: tuple[SelfRow, ...]
    national: bool  # whether national means are shown


def self_assessment(actor: Actor) -> SelfAssessment | None:
    """The leader's own latest response to the digital-leadership survey in a confidential round
    (anonymous rounds keep no link to the person), with the level their job role needs and the
    national mean of the round where the analysis publishes it."""
    if actor.person is None:
        return None
    response = (
        Response.objects.filter(
            person=actor.person,
            round__survey__key=LEADERSHIP_SURVEY_KEY,
            round__anonymity=AnonymityMode.CONFIDENTIAL,
        )
        .select_related("round__survey", "library")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if response is None:
        return None
    from digikompas.surveys.profiles import profile_of

    profile = profile_of(response)
    if profile is None:
        return None
    means = _national_means(actor, response)
    rows = tuple(
        SelfRow(
            item_text=str(row.item.competency) if row.item.competency_id else row.item.text,
            code=row.item.code,
            yours=row.yours.value if row.yours else None,
            level=row.yours.label if row.yours else "",
            need=row.required.value if row.required else None,
            national_mean=means.get(row.item.pk),
        )
        for row in profile.rows
    )
    return SelfAssessment(response, rows, bool(means))


def _national_means(actor: Actor, response: Response) -> dict[int, float]:
    """The national mean level per item of the round, as the analysis publishes it (the engine
    suppresses groups under the anonymity minimum); empty when the leader may not read the
    round's results."""
    from digikompas.analysis import access as analysis_access
    from digikompas.analysis import services as analysis
    from digikompas.analysis.dataset import NATION

    try:
        if not analysis_access.rounds_with_results(actor).filter(pk=response.round_id).exists():
            return {}
    except PermissionDenied:
        return {}
    result = analysis.analyse(response.round)
    means = {}
    for row in analysis.comparison_rows(result, [(NATION, analysis_access.NATION_UNIT_KEY)]):
        figure = row.means[0]
        published = not figure.suppressed and not math.isnan(figure.value)
        if row.item.kind == ItemKind.COMPETENCY and published:
            means[row.item.pk] = figure.value
    return means


# -- the gaps of the units a leader leads ---------------------------------------------------------


@dataclass(frozen=True)
class UnitGaps:
    unit: object  # analysis.access.Unit
    gaps: tuple  # offers.recommend.Gap, largest first
    round: object | None
    why_none: str


def unit_gaps(actor: Actor, *, top: int = 5) -> list[UnitGaps]:
    """The largest gaps of each unit the leader leads, from the newest round where the unit is
    published; a unit too small to publish gets a reason instead."""
    from digikompas.analysis import access as analysis_access
    from digikompas.offers import recommend

    rounds = recommend.unit_rounds(actor)
    found = []
    for unit in analysis_access.own_units(actor):
        result = recommend.for_unit(unit, rounds) if rounds else None
        if result is None:
            why = _(
                "Too few people from %(name)s have answered a competence survey for its gaps to "
                "be shown (at least %(minimum)s are needed)."
            ) % {"name": unit.name, "minimum": settings.ANONYMITY_MINIMUM}
            found.append(UnitGaps(unit, (), None, why))
        else:
            found.append(UnitGaps(unit, result.gaps[:top], result.round, ""))
    return found
