"""A member of a collaboration compared with its anonymised peers: for each shared resource, its
cost per inhabitant and cost per use (the collaboration licence's cost to it, leadership.pricing)
beside the other members' figures.

Peers are municipalities, not persons, but they are never named; how much is shown depends on
how many other members have a figure (n), because with few peers an aggregate is a peer's own
figure in disguise:

- n < 2: nothing about the peers (the median of one peer would be that peer's figure);
- n = 2: only the median;
- 3 ≤ n < settings.ANONYMITY_MINIMUM: the median and the quartiles;
- n ≥ settings.ANONYMITY_MINIMUM (and at least 3): also each peer's figure as an unnamed "peer"
  row, sorted by value.

The quartiles are those of the peers' figures by linear interpolation between the closest ranks
(as Excel's QUARTILE.INC and numpy's default); the member's own figure is named and not among the
peers. Cost per use is compared only for members with a figure for every month of the period
and at least one use: an incomplete month would make the figure look higher than it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings

from .costsplit import SplitError, member_days
from .models import Collaboration, Licence
from .pricing import PricingError, municipality_share, round_half_up, to_ore, uses_between

NOTHING, MEDIAN, QUARTILES, ROWS = "nothing", "median", "quartiles", "rows"


@dataclass
class Measure:
    """One figure compared: the member's own, and what may be shown of the peers'."""

    own: Decimal | None
    peers: list[Decimal] = field(default_factory=list)  # sorted; empty unless shown as rows
    count: int = 0
    shown: str = NOTHING
    median: Decimal | None = None
    lower_quartile: Decimal | None = None
    upper_quartile: Decimal | None = None


@dataclass
class Comparison:
    licence: Licence
    first: datetime.date
    last: datetime.date
    metric: str
    per_inhabitant: Measure
    per_use: Measure | None  # None: no usage metric named for the licence or collaboration
    own_share: Decimal | None = None
    own_uses: int | None = None
    problem: str = ""


def quantile(values: list[Fraction], q: Fraction) -> Fraction:
    """The q-quantile of sorted values by linear interpolation between closest ranks."""
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def shown_for(count: int) -> str:
    if count < 2:
        return NOTHING
    if count < 3:
        return MEDIAN
    if count < settings.ANONYMITY_MINIMUM:
        return QUARTILES
    return ROWS


def measure(own: Fraction | None, peers: list[Fraction]) -> Measure:
    values = sorted(peers)
    result = Measure(own=None if own is None else to_ore(own), count=len(values))
    result.shown = shown_for(len(values))
    if result.shown == NOTHING:
        return result
    result.median = to_ore(quantile(values, Fraction(1, 2)))
    if result.shown in (QUARTILES, ROWS):
        result.lower_quartile = to_ore(quantile(values, Fraction(1, 4)))
        result.upper_quartile = to_ore(quantile(values, Fraction(3, 4)))
    if result.shown == ROWS:
        result.peers = [to_ore(value) for value in values]
    return result


def period_of(licence: Licence, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The licence period up to the last whole month before today (the months with figures),
    or to today when the licence began this month."""
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    last = min(licence.ends_on, last_month_end)
    if last < licence.starts_on:
        last = min(licence.ends_on, today)
    return licence.starts_on, last


def shared_licences(collaboration: Collaboration, today: datetime.date) -> list[Licence]:
    """Per resource, the collaboration's licence in force today or else the latest begun."""
    chosen: dict[int, Licence] = {}
    licences = collaboration.licences.filter(starts_on__lte=today).select_related("resource")
    for licence in licences.order_by("resource__name", "-starts_on"):
        current = chosen.get(licence.resource_id)
        if current is None or (
            not current.starts_on <= today <= current.ends_on
            and licence.starts_on <= today <= licence.ends_on
        ):
            chosen[licence.resource_id] = licence
    return sorted(chosen.values(), key=lambda licence: licence.resource.name)


def compare(collaboration: Collaboration, municipality, *, today: datetime.date | None = None):
    """The member's comparisons with its peers, one per shared resource."""
    today = today or datetime.date.today()
    out = []
    for licence in shared_licences(collaboration, today):
        first, last = period_of(licence, today)
        metric = licence.usage_metric or collaboration.usage_metric
        members = list(member_days(collaboration, first, last))
        per_inhabitant: dict[int, Fraction] = {}
        per_use: dict[int, Fraction] = {}
        own_share = own_uses = None
        problem = ""
        for member in members:
            try:
                share, _rule = municipality_share(licence, member, first, last)
            except (PricingError, SplitError) as error:
                problem = str(error)
                break
            if member.population:
                per_inhabitant[member.pk] = Fraction(share) / member.population
            used = uses_between(licence.resource, member, metric, first, last) if metric else None
            uses = round_half_up(used.count) if used is not None else None
            if used is not None and not used.missing and uses:
                per_use[member.pk] = Fraction(share) / uses
            if member.pk == municipality.pk:
                own_share, own_uses = share, uses
        others = [m.pk for m in members if m.pk != municipality.pk]
        out.append(
            Comparison(
                licence=licence,
                first=first,
                last=last,
                metric=metric,
                per_inhabitant=measure(
                    per_inhabitant.get(municipality.pk),
                    [per_inhabitant[pk] for pk in others if pk in per_inhabitant],
                ),
                per_use=measure(
                    per_use.get(municipality.pk),
                    [per_use[pk] for pk in others if pk in per_use],
                )
                if metric
                else None,
                own_share=own_share,
                own_uses=own_uses,
                problem=problem,
            )
        )
    return out
