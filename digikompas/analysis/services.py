"""The analysis of a survey round: the engine's tables for every grouping, and the readings the
pages and reports make of them (largest gaps, a heat map of units × competencies, staff against
leaders on the barriers).

`analyse(round)` loads the round's responses (dataset.load), runs the engine with the anonymity
minimum of the settings and keeps the result in the cache until a response is added. Nothing
here shows a figure the engine suppressed: the engine is where anonymity is enforced, and what
is suppressed stays NaN/0 and is shown as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from digikompas.frameworks.models import Competency, Descriptor, ProficiencyLevel, TargetProfile
from digikompas.orgs.models import JobRole, Library, Municipality, Region
from digikompas.surveys.models import BarrierCategory, Item, Round

from . import dataset, engine
from .dataset import LIBRARY, MUNICIPALITY, NATION, REGION, ROLE, ROLES, STAFF_OR_LEADER

GROUPINGS = dataset.GROUPINGS
GROUPING_NAMES = {
    LIBRARY: _("Library"),
    MUNICIPALITY: _("Municipality"),
    REGION: _("Region"),
    ROLE: _("Job role"),
    STAFF_OR_LEADER: _("Staff or leader"),
    NATION: _("Denmark"),
}
# Cached analyses are rebuilt after this many seconds even when nothing changed.
CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class RoundAnalysis:
    round: Round
    data: dataset.RoundData
    minimum: int
    competencies: dict[str, engine.CompetencyTable] = field(default_factory=dict)
    barriers: dict[str, engine.BarrierTable] = field(default_factory=dict)

    @property
    def respondents(self) -> int:
        return self.data.respondents

    def competency_row(self, grouping: str, key: int) -> int | None:
        """The row of a group in the grouping's competency table, or None when it has none."""
        return _row(self.competencies.get(grouping), key)

    def barrier_row(self, grouping: str, key: int) -> int | None:
        return _row(self.barriers.get(grouping), key)


def _row(table, key: int) -> int | None:
    if table is None:
        return None
    index = int(np.searchsorted(table.keys, key))
    if index < len(table.keys) and table.keys[index] == key:
        return index
    return None


def analyse(round: Round) -> RoundAnalysis:
    """The round's tables, from the cache while no response was added or removed."""
    # The newest response by id, not by time: responses of anonymous rounds share one time.
    state = round.responses.aggregate(count=Count("pk"), latest=Max("pk"))
    minimum = settings.ANONYMITY_MINIMUM
    key = f"analysis-{round.pk}-{state['count']}-{state['latest'] or 0}-{minimum}"
    analysis = cache.get(key)
    if analysis is None:
        analysis = compute(round, minimum=minimum)
        cache.set(key, analysis, CACHE_SECONDS)
    return analysis


def compute(round: Round, *, minimum: int) -> RoundAnalysis:
    data = dataset.load(round)
    groupings = data.groupings(GROUPINGS)
    competencies = barriers = {}
    if data.competency_items and data.respondents:
        competencies = engine.analyse_competencies(
            levels=data.levels,
            n_levels=data.n_levels,
            role=data.need_profile,
            need=data.need,
            groupings=groupings,
            minimum=minimum,
        )
    if data.barrier_items and data.respondents:
        barriers = engine.analyse_barriers(
            agreement=data.agreement,
            groupings=groupings,
            minimum=minimum,
            agree_from=data.barrier_agrees_from(),
        )
    return RoundAnalysis(
        round=round, data=data, minimum=minimum, competencies=competencies, barriers=barriers
    )


# -- names of groups -------------------------------------------------------------------------


def group_names(grouping: str, keys) -> dict[int, str]:
    """Display names of a grouping's keys."""
    keys = [int(key) for key in keys if key != engine.MISSING]
    if grouping == LIBRARY:
        return dict(Library.objects.filter(pk__in=keys).values_list("pk", "name"))
    if grouping == MUNICIPALITY:
        return dict(Municipality.objects.filter(pk__in=keys).values_list("pk", "name"))
    if grouping == REGION:
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    if grouping == ROLE:
        labels = dict(JobRole.choices)
        return {key: str(labels[ROLES[key]]) for key in keys}
    if grouping == STAFF_OR_LEADER:
        return {dataset.STAFF: str(_("Staff")), dataset.LEADERS: str(_("Leaders"))}
    return {0: str(_("Denmark"))}


# -- the largest gaps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """The gap of one job role in one competency, in one group."""

    competency: Competency
    role: str
    mean_gap: float
    share_below: float
    n_need: int
    mean: float
    need: ProficiencyLevel | None
    descriptor: str  # what a person at the needed level does: the missing knowledge

    @property
    def role_name(self) -> str:
        return str(dict(JobRole.choices).get(self.role, self.role))


def needs_by_role(analysis: RoundAnalysis) -> dict[tuple[str, int], int]:
    """(job role, competency id) → the level the role needs in every kind of library."""
    framework = analysis.data.framework
    if framework is None:
        return {}
    profiles = TargetProfile.objects.filter(framework=framework, library_kind="").prefetch_related(
        "targets"
    )
    return {
        (profile.job_role, target.competency_id): target.level
        for profile in profiles
        for target in profile.targets.all()
    }


def largest_gaps(
    analysis: RoundAnalysis, *, within: tuple[str, int] = (NATION, 0), top: int = 10
) -> list[Gap]:
    """The job role × competency pairs with the largest mean gap, largest first, with the
    descriptor of the level the role needs. `within` limits it to one group; the roles are then
    the roles' table of the nation (a role inside a single unit would be too small to publish
    for most units, and the engine publishes no unit × role crossing)."""
    table = analysis.competencies.get(ROLE)
    if table is None or within != (NATION, 0):
        return _largest_in_group(analysis, within=within, top=top)
    items = analysis.data.competency_items
    needs = needs_by_role(analysis)
    scale = {level.value: level for level in analysis.data.levels_of_scale}
    descriptors = _descriptors(items)
    gaps = []
    for row, key in enumerate(table.keys):
        role = ROLES[int(key)]
        for column, item in enumerate(items):
            value = table.mean_gap[row, column]
            if math.isnan(value) or value <= 0:
                continue
            need = needs.get((role, item.competency_id))
            gaps.append(
                Gap(
                    competency=item.competency,
                    role=role,
                    mean_gap=float(value),
                    share_below=float(table.share_below[row, column]),
                    n_need=int(table.n_need[row, column]),
                    mean=float(table.mean[row, column]),
                    need=scale.get(need),
                    descriptor=descriptors.get((item.competency_id, need), ""),
                )
            )
    return sorted(gaps, key=lambda gap: -gap.mean_gap)[:top]


def _largest_in_group(analysis: RoundAnalysis, *, within: tuple[str, int], top: int) -> list[Gap]:
    grouping, key = within
    table = analysis.competencies.get(grouping)
    row = _row(table, key)
    if row is None:
        return []
    items = analysis.data.competency_items
    gaps = []
    for column, item in enumerate(items):
        value = table.mean_gap[row, column]
        if math.isnan(value) or value <= 0:
            continue
        gaps.append(
            Gap(
                competency=item.competency,
                role="",
                mean_gap=float(value),
                share_below=float(table.share_below[row, column]),
                n_need=int(table.n_need[row, column]),
                mean=float(table.mean[row, column]),
                need=None,
                descriptor="",
            )
        )
    return sorted(gaps, key=lambda gap: -gap.mean_gap)[:top]


def _descriptors(items: list[Item]) -> dict[tuple[int, int], str]:
    return {
        (descriptor.competency_id, descriptor.level): descriptor.text
        for descriptor in Descriptor.objects.filter(
            competency__in=[item.competency_id for item in items]
        )
    }


# -- the heat map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    mean_gap: float  # NaN: suppressed or no one with a need
    share_below: float
    suppressed: bool
    n: int

    @property
    def shade(self) -> int:
        """0 (no gap) … 4 (a gap of a whole level or more), for the colour; -1 for no figure."""
        if math.isnan(self.mean_gap):
            return -1
        return min(4, math.ceil(self.mean_gap / 0.25))


@dataclass(frozen=True)
class HeatRow:
    grouping: str
    key: int
    name: str
    cells: list[HeatCell]


def heat_rows(analysis: RoundAnalysis, grouping: str, keys=None) -> list[HeatRow]:
    """One row per group of the grouping (all, or those of `keys`), ordered by name."""
    table = analysis.competencies.get(grouping)
    if table is None:
        return []
    wanted = table.keys if keys is None else [key for key in keys if _row(table, key) is not None]
    names = group_names(grouping, wanted)
    rows = []
    for key in wanted:
        row = _row(table, int(key))
        cells = [
            HeatCell(
                mean_gap=float(table.mean_gap[row, column]),
                share_below=float(table.share_below[row, column]),
                suppressed=bool(table.need_suppressed[row, column]),
                n=int(table.n[row, column]),
            )
            for column in range(len(analysis.data.competency_items))
        ]
        rows.append(HeatRow(grouping, int(key), names.get(int(key), str(key)), cells))
    return sorted(rows, key=lambda row: row.name)


# -- barriers: staff and leaders ------------------------------------------------------------------


@dataclass(frozen=True)
class BarrierRow:
    item: Item
    category: BarrierCategory | None
    staff: float  # share agreeing; NaN when suppressed or no answers
    leaders: float
    staff_n: int
    leaders_n: int


def barrier_rows(analysis: RoundAnalysis) -> list[BarrierRow]:
    """Each barrier item with the share of staff and of leaders who agree, in the nation."""
    table = analysis.barriers.get(STAFF_OR_LEADER)
    if table is None:
        return []
    staff, leaders = _row(table, dataset.STAFF), _row(table, dataset.LEADERS)

    def share(row, column) -> tuple[float, int]:
        if row is None:
            return math.nan, 0
        return float(table.share_agreeing[row, column]), int(table.n[row, column])

    rows = []
    for column, item in enumerate(analysis.data.barrier_items):
        staff_share, staff_n = share(staff, column)
        leaders_share, leaders_n = share(leaders, column)
        rows.append(BarrierRow(item, item.barrier, staff_share, leaders_share, staff_n, leaders_n))
    return rows


# -- a unit against the units around it -----------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One published figure with the group it is about; NaN when suppressed or empty."""

    value: float
    n: int
    suppressed: bool


@dataclass(frozen=True)
class ComparisonRow:
    item: Item
    means: list[Figure]  # one per compared unit, in order
    gaps: list[Figure]


def comparison_rows(analysis: RoundAnalysis, units: list[tuple[str, int]]) -> list[ComparisonRow]:
    """Mean level and mean gap per competency for each (grouping, key), side by side."""
    rows = []
    for column, item in enumerate(analysis.data.competency_items):
        means, gaps = [], []
        for grouping, key in units:
            table = analysis.competencies.get(grouping)
            row = _row(table, key)
            if row is None:
                means.append(Figure(math.nan, 0, False))
                gaps.append(Figure(math.nan, 0, False))
                continue
            means.append(
                Figure(
                    float(table.mean[row, column]),
                    int(table.n[row, column]),
                    bool(table.suppressed[row, column]),
                )
            )
            gaps.append(
                Figure(
                    float(table.mean_gap[row, column]),
                    int(table.n_need[row, column]),
                    bool(table.need_suppressed[row, column]),
                )
            )
        rows.append(ComparisonRow(item, means, gaps))
    return rows


def barrier_comparison(analysis: RoundAnalysis, units: list[tuple[str, int]]) -> list[dict]:
    """Share agreeing per agreement item for each (grouping, key): {"item", "shares"}."""
    rows = []
    for column, item in enumerate(analysis.data.barrier_items):
        shares = []
        for grouping, key in units:
            table = analysis.barriers.get(grouping)
            row = _row(table, key)
            if row is None:
                shares.append(Figure(math.nan, 0, False))
            else:
                shares.append(
                    Figure(
                        float(table.share_agreeing[row, column]),
                        int(table.n[row, column]),
                        bool(table.suppressed[row, column]),
                    )
                )
        rows.append({"item": item, "shares": shares})
    return rows


def published_respondents(analysis: RoundAnalysis, grouping: str, key: int) -> int | None:
    """The most respondents any published figure of the group describes, or None when every
    figure of the group is suppressed. Not the raw count of responses: that one is not
    protected against subtraction, the engine's figures are."""
    best = None
    for tables in (analysis.competencies, analysis.barriers):
        table = tables.get(grouping)
        row = _row(table, key)
        if row is None:
            continue
        visible = table.n[row][~table.suppressed[row]]
        if visible.size and visible.max() > 0:
            best = max(best or 0, int(visible.max()))
    return best


def children(analysis: RoundAnalysis, grouping: str, key: int) -> tuple[str, list[int]] | None:
    """The grouping and keys of the groups inside a unit, for its heat map: regions (or
    municipalities) of Denmark, the libraries of a municipality; None for a library."""
    data = analysis.data
    if grouping == MUNICIPALITY:
        keys = np.unique(data.library[(data.municipality == key) & (data.library >= 0)])
        return LIBRARY, [int(k) for k in keys]
    if grouping == NATION:
        return REGION, None
    return None


# -- change since an earlier round --------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    item: Item
    difference: float  # after - before, in levels; NaN when suppressed or missing on a side
    ci_low: float
    ci_high: float
    n_before: int
    n_after: int

    @property
    def clear(self) -> bool:
        """The 95% interval leaves out 0: a change, not chance."""
        return not math.isnan(self.ci_low) and (self.ci_low > 0 or self.ci_high < 0)


def change_rows(
    before: RoundAnalysis, after: RoundAnalysis, grouping: str, key: int
) -> list[ChangeRow]:
    """The change of the mean level per competency of one group between two rounds of the same
    survey (a round and the round it follows)."""
    old, new = before.competencies.get(grouping), after.competencies.get(grouping)
    if old is None or new is None or old.n.shape[1] != new.n.shape[1]:
        return []
    change = engine.change(before=old, after=new)
    row = _row(change, key)
    if row is None:
        return []
    return [
        ChangeRow(
            item=item,
            difference=float(change.difference[row, column]),
            ci_low=float(change.ci_low[row, column]),
            ci_high=float(change.ci_high[row, column]),
            n_before=int(change.n_before[row, column]),
            n_after=int(change.n_after[row, column]),
        )
        for column, item in enumerate(after.data.competency_items)
    ]
