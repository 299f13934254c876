"""The selection tool: every resource of the catalogue scored on weighted criteria for one
municipality, each score with its explanation in words.

Each criterion scores a resource 0–100; a criterion without the data to judge by is neutral (50)
and says why. The total is the weighted mean of the scores (weights 0–10). The criteria:

- usage: the use in the last 12 months in the resource's metric (metrics.choose_metric), ranked
  among the resources with use, highest first;
- trend: 50 + the change on the 12 months before in percentage points (+25 % → 75), within 0–100;
- cost per use: pricing.cost_per_use over the last 12 months, ranked, lowest first;
- target groups: the share of the library's target groups (the scenario's) the resource is for;
- strategy: 100 when the resource is linked to an indicator of the municipality's strategy goals,
  0 when it is not (neutral while the municipality has no indicator);
- staff competence: 100 × (1 − mean gap / largest possible gap) in disseminating digital
  resources, the municipality's published figure in the newest survey round where it is
  published (the competencies of its strategy indicators linked to the resource when those are
  published, else the domain DISSEMINATION_DOMAIN of the framework);
- accessibility: 100 when the vendor documents WCAG 2.1 AA, 0 when not, neutral when unknown;
- collaboration price: 50 + the saving per inhabitant a year of the collaboration's licence on the
  own licence in percentage points, within 0–100 (neutral unless there are both).

Ranks among n resources score 100 × (n − rank + 1) / n (the 3rd lowest of 9: 78); equal values
share the better rank. Use counts in different metrics (loans, Unique_Title_Requests) are ranked
together: the page says so.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib.humanize.templatetags.humanize import ordinal
from django.db.models import Exists, OuterRef, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from digikompas.orgs.models import Municipality, UserGroup

from . import metrics
from .models import DigitalResource, Indicator, Licence, UsageRecord

NEUTRAL = 50
MAX_WEIGHT = 10
# The domain of the default framework whose competencies are disseminating digital resources
# ("Formidling af digitale ressourcer").
DISSEMINATION_DOMAIN = "D3"
# Survey rounds tried, newest first, for one where the municipality is published.
ROUNDS_TRIED = 3


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    help: str


CRITERIA = (
    Criterion(
        "usage",
        gettext_lazy("Usage"),
        gettext_lazy("Use in the last 12 months, compared with the other resources."),
    ),
    Criterion(
        "trend",
        gettext_lazy("Trend of usage"),
        gettext_lazy("Use in the last 12 months against the 12 months before."),
    ),
    Criterion(
        "cost_per_use",
        gettext_lazy("Cost per use"),
        gettext_lazy("What a use costs the municipality; the lower, the better."),
    ),
    Criterion(
        "audience",
        gettext_lazy("Fit to the library's target groups"),
        gettext_lazy("How many of the target groups chosen below the resource is for."),
    ),
    Criterion(
        "strategy",
        gettext_lazy("Fit to the strategy"),
        gettext_lazy("Whether an indicator of the library strategy is linked to the resource."),
    ),
    Criterion(
        "competence",
        gettext_lazy("Staff competence to disseminate it"),
        gettext_lazy("The staff's gap in disseminating digital resources, from the survey."),
    ),
    Criterion(
        "accessibility",
        gettext_lazy("Accessibility"),
        gettext_lazy("Whether the vendor documents WCAG 2.1 AA."),
    ),
    Criterion(
        "collaboration",
        gettext_lazy("Collaboration price"),
        gettext_lazy("Whether a collaboration's licence is cheaper per inhabitant than an own."),
    ),
)
CRITERION_KEYS = tuple(criterion.key for criterion in CRITERIA)
DEFAULT_WEIGHTS = {
    "usage": 5,
    "trend": 3,
    "cost_per_use": 5,
    "audience": 4,
    "strategy": 4,
    "competence": 2,
    "accessibility": 3,
    "collaboration": 2,
}


class NoWeights(ValueError):
    """Every weight is 0: there is nothing to rank by."""


@dataclass(frozen=True)
class Score:
    criterion: Criterion
    score: int
    explanation: str
    neutral: bool = False
    weight: int = 0


@dataclass(frozen=True)
class Ranked:
    resource: DigitalResource
    total: float
    scores: list[Score]
    rank: int = 0
    metric: str | None = None


@dataclass(frozen=True)
class Competence:
    """The municipality's published mean gap in disseminating digital resources (None when not
    published: `reason` says why), per competency identifier too."""

    mean_gap: float | None
    largest_gap: int
    reason: str
    round_title: str = ""
    by_competency: dict = field(default_factory=dict)  # identifier → (code, mean gap)


@dataclass(frozen=True)
class Ranking:
    municipality: Municipality
    weights: dict[str, int]
    target_groups: list[str]
    rows: list[Ranked]
    first: datetime.date
    last: datetime.date
    competence: Competence


def round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def number(value, decimals: int = 0) -> str:
    """A number as the page shows it, rounded half up (number_format would cut a float off)."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=decimals, force_grouping=True)


def clean_weights(weights: dict) -> dict[str, int]:
    """Every criterion's weight, 0–10; a missing one is 0."""
    cleaned = {}
    for key in CRITERION_KEYS:
        value = int(weights.get(key) or 0)
        cleaned[key] = min(max(value, 0), MAX_WEIGHT)
    return cleaned


def rank_scores(values: dict, *, lowest_first: bool) -> dict:
    """key → (rank, count, score) among the values; equal values share the better rank."""
    count = len(values)
    out = {}
    for key, value in values.items():
        better = sum(
            1 for other in values.values() if (other < value if lowest_first else other > value)
        )
        rank = better + 1
        out[key] = (rank, count, round_half_up(100 * (count - rank + 1) / count))
    return out


def ranked_words(rank: int, count: int, *, lowest: bool) -> str:
    if rank == 1:
        return (_("the lowest of %(count)s") if lowest else _("the highest of %(count)s")) % {
            "count": count
        }
    return (
        _("the %(ordinal)s lowest of %(count)s")
        if lowest
        else _("the %(ordinal)s highest of %(count)s")
    ) % {"ordinal": ordinal(rank), "count": count}


def month_text(month: datetime.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


# -- the facts of every resource ----------------------------------------------------------------


def metrics_by_resource(municipality: Municipality) -> dict[int, list[str]]:
    """resource id → the metrics it has figures for in the municipality, most used first (as
    usage.metrics_of, for every resource in one query)."""
    rows = (
        UsageRecord.objects.filter(municipality=municipality)
        .values("resource_id", "metric")
        .annotate(total=Sum("count"))
        .order_by("resource_id", "-total", "metric")
    )
    out: dict[int, list[str]] = {}
    for row in rows:
        out.setdefault(row["resource_id"], []).append(row["metric"])
    return out


def strategy_links(municipality: Municipality) -> tuple[bool, dict[int, list[Indicator]]]:
    """Whether the municipality has strategy indicators, and resource id → its indicators."""
    indicators = list(
        Indicator.objects.filter(goal__municipality=municipality)
        .select_related("goal")
        .prefetch_related("resources", "competencies")
    )
    linked: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        for resource in indicator.resources.all():
            linked.setdefault(resource.pk, []).append(indicator)
    return bool(indicators), linked


def competence(municipality: Municipality) -> Competence:
    """The municipality's published gap in disseminating digital resources, from the newest
    survey round (of ROUNDS_TRIED with its answers) where the municipality is published."""
    from digikompas.analysis import services as analysis
    from digikompas.analysis.dataset import MUNICIPALITY
    from digikompas.surveys.models import ItemKind, Response, Round

    answered = Response.objects.filter(round=OuterRef("pk"), municipality=municipality)
    rounds = list(
        Round.objects.filter(Exists(answered), survey__items__kind=ItemKind.COMPETENCY)
        .distinct()
        .select_related("survey__framework")
        .order_by("-closes_at", "-pk")[:ROUNDS_TRIED]
    )
    if not rounds:
        return Competence(
            None,
            0,
            _("No one in %(name)s has answered a competence survey yet")
            % {"name": municipality.name},
        )
    for round in rounds:
        result = analysis.analyse(round)
        if analysis.published_respondents(result, MUNICIPALITY, municipality.pk) is None:
            continue
        row = result.competency_row(MUNICIPALITY, municipality.pk)
        table = result.competencies.get(MUNICIPALITY)
        largest = max(result.data.n_levels - 1, 1)
        by_competency = {}
        domain = []
        for column, item in enumerate(result.data.competency_items):
            value = float(table.mean_gap[row, column])
            if math.isnan(value):
                continue
            competency = item.competency
            by_competency[competency.identifier] = (competency.code, value)
            if competency.domain.code == DISSEMINATION_DOMAIN:
                domain.append(value)
        if not domain:
            return Competence(
                None,
                largest,
                _(
                    "The round “%(round)s” has no published figure for %(name)s in "
                    "disseminating digital resources"
                )
                % {"round": round.title, "name": municipality.name},
                round.title,
                by_competency,
            )
        return Competence(sum(domain) / len(domain), largest, "", round.title, by_competency)
    return Competence(
        None,
        0,
        _(
            "%(name)s is not published in the latest survey rounds: too few respondents to "
            "show figures without revealing anyone"
        )
        % {"name": municipality.name},
    )


# -- the criteria -------------------------------------------------------------------------------


def _neutral(criterion: Criterion, reason: str) -> Score:
    return Score(
        criterion,
        NEUTRAL,
        _("%(reason)s: neutral, %(score)s.") % {"reason": reason, "score": NEUTRAL},
        neutral=True,
    )


def _scored(criterion: Criterion, text: str, score: int) -> Score:
    return Score(criterion, score, _("%(text)s: %(score)s.") % {"text": text, "score": score})


CRITERION = {criterion.key: criterion for criterion in CRITERIA}


def rank(
    municipality: Municipality,
    *,
    weights: dict,
    target_groups: list[str],
    resources=None,
    last: datetime.date | None = None,
) -> Ranking:
    """Every resource (of `resources`, by default the catalogue) scored and ranked for the
    municipality, best first; equal totals by name. Raises NoWeights when every weight is 0."""
    from . import pricing

    weights = clean_weights(weights)
    if not any(weights.values()):
        raise NoWeights(_("Give at least one criterion a weight above 0."))
    resources = list(resources if resources is not None else DigitalResource.objects.all())
    last = (last or metrics.last_complete_month()).replace(day=1)
    first = metrics.add_months(last, -11)
    period_end = pricing.month_end(last)
    metrics_of = metrics_by_resource(municipality)
    has_strategy, linked = strategy_links(municipality)
    reading = competence(municipality)
    group_names = dict(UserGroup.choices)

    facts = {}
    for resource in resources:
        metric = metrics.choose_metric(metrics_of.get(resource.pk, []))
        trend = metrics.trend(resource, municipality, metric, last=last) if metric else None
        cost = (
            pricing.cost_per_use(resource, municipality, metric, first=first, last=period_end)
            if metric
            else None
        )
        facts[resource.pk] = (metric, trend, cost)

    used = {pk: t.current for pk, (m, t, c) in facts.items() if t is not None and t.current > 0}
    usage_ranks = rank_scores(used, lowest_first=False)
    per_use = {
        pk: c.per_use for pk, (m, t, c) in facts.items() if c is not None and c.per_use is not None
    }
    cost_ranks = rank_scores(per_use, lowest_first=True)

    rows = []
    for resource in resources:
        metric, trend, cost = facts[resource.pk]
        scores = [
            _usage(resource, metric, trend, usage_ranks, first, last),
            _trend(metric, trend),
            _cost(resource, municipality, metric, cost, cost_ranks),
            _target_groups(resource, target_groups, group_names),
            _strategy(municipality, has_strategy, linked.get(resource.pk, [])),
            _competence(reading, linked.get(resource.pk, [])),
            _accessibility(resource),
            _collaboration(resource, municipality),
        ]
        scores = [
            Score(s.criterion, s.score, s.explanation, s.neutral, weights[s.criterion.key])
            for s in scores
        ]
        total = sum(s.score * s.weight for s in scores) / sum(weights.values())
        rows.append(Ranked(resource, round_half_up(total * 10) / 10, scores, metric=metric))
    rows.sort(key=lambda row: (-row.total, row.resource.name.casefold()))
    rows = [
        Ranked(row.resource, row.total, row.scores, rank=n, metric=row.metric)
        for n, row in enumerate(rows, start=1)
    ]
    return Ranking(municipality, weights, list(target_groups), rows, first, last, reading)


def _usage(resource, metric, trend, ranks, first, last) -> Score:
    criterion = CRITERION["usage"]
    if metric is None:
        return _neutral(criterion, _("No usage figures"))
    if resource.pk not in ranks:
        return _neutral(
            criterion,
            _("No %(metric)s from %(first)s to %(last)s")
            % {"metric": metric, "first": month_text(first), "last": month_text(last)},
        )
    position, count, score = ranks[resource.pk]
    text = _("%(uses)s %(metric)s from %(first)s to %(last)s, %(ranked)s") % {
        "uses": number(trend.current),
        "metric": metric,
        "first": month_text(first),
        "last": month_text(last),
        "ranked": ranked_words(position, count, lowest=False),
    }
    if not trend.current_complete:
        text += _(" (some months have no figure)")
    return _scored(criterion, text, score)


def _trend(metric, trend) -> Score:
    criterion = CRITERION["trend"]
    if trend is None:
        return _neutral(criterion, _("No usage figures"))
    if trend.change is None:
        have = len(trend.series)
        if have < 2 * trend.months:
            reason = _("No trend: %(have)s of the %(all)s months have a figure") % {
                "have": have,
                "all": 2 * trend.months,
            }
        else:
            reason = _("No trend: no use in the 12 months before")
        return _neutral(criterion, reason)
    score = min(max(round_half_up(NEUTRAL + 100 * trend.change), 0), 100)
    values = {
        "percent": number(abs(trend.change) * 100),
        "current": number(trend.current),
        "previous": number(trend.previous),
        "metric": metric,
    }
    if round(trend.change * 100) == 0:
        text = _("Unchanged on the 12 months before (%(current)s against %(previous)s %(metric)s)")
    elif trend.change > 0:
        text = _(
            "Up %(percent)s %% on the 12 months before (%(current)s against %(previous)s "
            "%(metric)s)"
        )
    else:
        text = _(
            "Down %(percent)s %% on the 12 months before (%(current)s against %(previous)s "
            "%(metric)s)"
        )
    return _scored(criterion, text % values, score)


def _cost(resource, municipality, metric, cost, ranks) -> Score:
    from .pricing import kroner

    criterion = CRITERION["cost_per_use"]
    if cost is None:
        return _neutral(criterion, _("No usage figures, so no cost per use"))
    if cost.cost is None:
        return _neutral(criterion, cost.rule.rstrip("."))
    if cost.per_use is None:
        return _neutral(
            criterion,
            _("Cost %(cost)s but no %(metric)s in the period")
            % {"cost": kroner(cost.cost), "metric": metric},
        )
    position, count, score = ranks[resource.pk]
    text = _("Cost per use %(per_use)s (%(cost)s for %(uses)s %(metric)s), %(ranked)s") % {
        "per_use": kroner(cost.per_use),
        "cost": kroner(cost.cost),
        "uses": number(cost.uses),
        "metric": metric,
        "ranked": ranked_words(position, count, lowest=True),
    }
    return _scored(criterion, text, score)


def _target_groups(resource, chosen, names) -> Score:
    criterion = CRITERION["audience"]
    if not chosen:
        return _neutral(criterion, _("No target groups of the library were chosen"))
    if not resource.target_groups:
        return _neutral(criterion, _("The resource names no target groups"))
    shared = [group for group in chosen if group in resource.target_groups]
    score = round_half_up(100 * len(shared) / len(chosen))
    if shared:
        text = _("For %(count)s of the library's %(all)s target groups (%(groups)s)") % {
            "count": len(shared),
            "all": len(chosen),
            "groups": ", ".join(str(names.get(group, group)) for group in shared),
        }
    else:
        text = _("For none of the library's %(all)s target groups") % {"all": len(chosen)}
    return _scored(criterion, text, score)


def _strategy(municipality, has_strategy, indicators) -> Score:
    criterion = CRITERION["strategy"]
    if not has_strategy:
        return _neutral(
            criterion,
            _("%(name)s has no strategy goals with indicators yet") % {"name": municipality.name},
        )
    if not indicators:
        return _scored(criterion, _("Linked to no indicator of the strategy"), 0)
    names = "; ".join(
        _("“%(indicator)s” (goal “%(goal)s”)")
        % {"indicator": indicator.name, "goal": indicator.goal.title}
        for indicator in indicators
    )
    return _scored(criterion, _("Linked to the indicator %(names)s") % {"names": names}, 100)


def _competence(reading: Competence, indicators) -> Score:
    criterion = CRITERION["competence"]
    if reading.mean_gap is None and not reading.by_competency:
        return _neutral(criterion, reading.reason)
    # The competencies the strategy ties to this resource, when their gaps are published.
    linked = {}
    for indicator in indicators:
        for competency in indicator.competencies.all():
            if competency.identifier in reading.by_competency:
                linked[competency.identifier] = reading.by_competency[competency.identifier]
    if linked:
        gap = sum(value for _code, value in linked.values()) / len(linked)
        what = _("the competencies the strategy links to it (%(codes)s)") % {
            "codes": ", ".join(sorted(code for code, _value in linked.values()))
        }
    elif reading.mean_gap is not None:
        gap = reading.mean_gap
        what = _("disseminating digital resources")
    else:
        return _neutral(criterion, reading.reason)
    score = min(max(round_half_up(100 * (1 - gap / reading.largest_gap)), 0), 100)
    text = _(
        "The staff's mean gap in %(what)s is %(gap)s levels of at most %(largest)s "
        "(survey round “%(round)s”)"
    ) % {
        "what": what,
        "gap": number(gap, 2),
        "largest": reading.largest_gap,
        "round": reading.round_title,
    }
    return _scored(criterion, text, score)


def _accessibility(resource) -> Score:
    criterion = CRITERION["accessibility"]
    if resource.accessible is None:
        return _neutral(criterion, _("Not known whether the vendor documents WCAG 2.1 AA"))
    if resource.accessible:
        return _scored(criterion, _("The vendor documents WCAG 2.1 AA"), 100)
    return _scored(criterion, _("The vendor does not document WCAG 2.1 AA"), 0)


def _per_inhabitant_year(licence: Licence) -> tuple[Fraction, str]:
    """The licence's cost per inhabitant a year, and the words for it (may raise)."""
    from . import pricing

    cost = pricing.licence_cost(licence)
    people = pricing.population(licence, licence.starts_on, licence.ends_on)
    period_days = pricing.days(licence.starts_on, licence.ends_on)
    value = Fraction(cost.amount) / people.average * Fraction(365, period_days)
    return value, pricing.kroner(pricing.to_ore(value))


def _collaboration(resource, municipality) -> Score:
    from .costsplit import SplitError
    from .pricing import PricingError

    criterion = CRITERION["collaboration"]
    shared = (
        Licence.objects.filter(
            resource=resource, collaboration__memberships__municipality=municipality
        )
        .select_related("collaboration")
        .order_by("-starts_on", "-pk")
        .first()
    )
    if shared is None:
        return _neutral(
            criterion,
            _("No collaboration %(name)s belongs to holds a licence for it")
            % {"name": municipality.name},
        )
    own = (
        Licence.objects.filter(resource=resource, municipality=municipality)
        .order_by("-starts_on", "-pk")
        .first()
    )
    if own is None:
        return _neutral(
            criterion,
            _(
                "%(name)s has it through the collaboration %(collaboration)s and no own licence "
                "to compare with"
            )
            % {"name": municipality.name, "collaboration": shared.collaboration.name},
        )
    try:
        own_value, own_text = _per_inhabitant_year(own)
        shared_value, shared_text = _per_inhabitant_year(shared)
    except (PricingError, SplitError) as error:
        return _neutral(
            criterion, _("The prices cannot be compared: %(reason)s") % {"reason": error}
        )
    if own_value == 0:
        return _neutral(criterion, _("The own licence costs nothing"))
    saving = 1 - shared_value / own_value
    score = min(max(round_half_up(NEUTRAL + 100 * float(saving)), 0), 100)
    values = {
        "collaboration": shared.collaboration.name,
        "shared": shared_text,
        "own": own_text,
        "percent": number(abs(float(saving)) * 100),
    }
    if shared_value < own_value:
        text = _(
            "The collaboration %(collaboration)s pays %(shared)s per inhabitant a year against "
            "%(own)s for the own licence, %(percent)s %% less"
        )
    elif shared_value > own_value:
        text = _(
            "The collaboration %(collaboration)s pays %(shared)s per inhabitant a year against "
            "%(own)s for the own licence, %(percent)s %% more"
        )
    else:
        text = _(
            "The collaboration %(collaboration)s pays the same per inhabitant a year as the own "
            "licence, %(own)s"
        )
    return _scored(criterion, text % values, score)


def weights_text(weights: dict[str, int]) -> str:
    return ", ".join(f"{CRITERION[key].label} {weights[key]}" for key in CRITERION_KEYS)


def total_text(row: Ranked, weights: dict[str, int]) -> str:
    """How the total was reached, in words: the weighted mean."""
    parts = " + ".join(f"{s.weight} × {s.score}" for s in row.scores if s.weight)
    return _("(%(parts)s) / %(sum)s = %(total)s") % {
        "parts": parts,
        "sum": sum(weights.values()),
        "total": number(row.total, 1),
    }


def save_scenario(
    *, municipality: Municipality, name: str, weights: dict, target_groups: list[str], by=None
):
    """Store the weights and target groups as a named scenario of the municipality."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from .models import SelectionScenario

    scenario = SelectionScenario(
        municipality=municipality,
        name=name,
        weights=clean_weights(weights),
        target_groups=list(target_groups),
        created_by=by,
    )
    scenario.full_clean()
    try:
        with transaction.atomic():
            scenario.save()
    except IntegrityError:
        # Another leader saved the same name between the form's check and this save.
        raise ValidationError(
            {
                "name": _(
                    "%(municipality)s already has a scenario named “%(name)s”; choose another name."
                )
                % {"municipality": municipality.name, "name": name}
            }
        ) from None
    return scenario
