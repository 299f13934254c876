"""The gap-analysis engine: competence levels, needs and barriers per group, with anonymity.

Pure numpy (scipy for Student's t quantiles and one sparse sum) and no Django, so it can be
tested and benchmarked alone. The input is a respondent × item matrix, each respondent's key in
every grouping, and for competencies the required level per role × competency (the competence
need). Every function returns new arrays and never changes its arguments.

How it is computed
------------------
Every figure published is additive over respondents: a count per answer level (from which n,
mean, sd and the confidence interval follow), and for the need the count below it and the sum
of the gaps. So the answers are counted once, at the finest *cell* – the combination of a
respondent's keys in all groupings and, for competencies, their role – and every group of every
grouping is a sum of cells. Counting sorts the respondents by cell and adds one-hot bytes of each
answer level in runs of at most 255 rows (eight item counts share one 64-bit add); the tables are
then sums over a few thousand cells.

Anonymity
---------
``minimum`` is the smallest number of respondents any published figure may describe. The
tables are protected by primary and complementary suppression (suppression.py), so that no
published number, alone or subtracted from another along a grouping's hierarchy, describes
1..minimum-1 respondents; that module's docstring holds the rules and what they do not cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse, special

from .suppression import Edge, protect, protect_with_needs

MISSING = -1
"""A missing answer, a respondent outside every group of a grouping, or a role with no need."""

_CONFIDENCE = 0.95
_CHUNK = 8192  # respondents per counting pass: the one-hot bytes stay in the L2/L3 cache
_RUN = 255  # most rows summed into one byte lane
_SPAN_LIMIT = 1 << 22  # largest key range densified through a lookup table rather than a sort


# -- public types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    """One way of grouping respondents.

    ``keys`` (R,) holds each respondent's group key (any integers except MISSING, e.g. database
    ids); MISSING means the respondent belongs to no group of this grouping – they still count in
    the parent. ``parent`` names the grouping each group lies wholly inside; it is None only for
    the top, which has one group holding everyone.
    """

    name: str
    keys: np.ndarray
    parent: str | None


@dataclass(frozen=True)
class CompetencyTable:
    """Competence levels of one grouping's groups (rows, ``keys`` sorted) × competencies.

    ``n`` counts the respondents with an answer; ``distribution`` (G, C, L) counts them per level.
    ``mean``, ``sd`` (n - 1 denominator) and the 95% confidence interval of the mean (Student's
    t) are NaN where n == 0 or the cell is suppressed; ``sd`` and the interval also where n == 1.
    ``n_need`` counts those whose role has a need for the competency; ``share_below`` is the share
    of them below their need and ``mean_gap`` the mean of max(need - level, 0) over them, NaN
    where n_need == 0 or ``need_suppressed``. Counts are 0 where suppressed.
    """

    grouping: str
    keys: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    distribution: np.ndarray
    n_need: np.ndarray
    share_below: np.ndarray
    mean_gap: np.ndarray
    suppressed: np.ndarray
    need_suppressed: np.ndarray


@dataclass(frozen=True)
class BarrierTable:
    """Agreement with barrier statements of one grouping's groups × items.

    ``share_agreeing`` is the share of the ``n`` respondents who answered at or above the
    ``agree_from`` level; NaN where n == 0 or suppressed, where n is 0.
    """

    grouping: str
    keys: np.ndarray
    n: np.ndarray
    share_agreeing: np.ndarray
    suppressed: np.ndarray


@dataclass(frozen=True)
class Change:
    """The change of the mean level between two rounds, per group (``keys``: either round's) × C.

    ``difference`` is after - before, with its 95% confidence interval by Welch's t; NaN where a
    round has no answers, and the interval also where a round has fewer than two. A cell is
    suppressed (and its counts 0) where either round's cell is.
    """

    grouping: str
    keys: np.ndarray
    n_before: np.ndarray
    n_after: np.ndarray
    difference: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    suppressed: np.ndarray


# -- public functions --------------------------------------------------------------------------


def analyse_competencies(
    *,
    levels: np.ndarray,
    n_levels: int,
    role: np.ndarray,
    need: np.ndarray,
    groupings: Sequence[Grouping],
    minimum: int,
) -> dict[str, CompetencyTable]:
    """Return a CompetencyTable per grouping, keyed by grouping name, in the order given.

    ``levels`` (R, C) int8 holds each respondent's level 0..n_levels-1 per competency, or
    MISSING; ``role`` (R,) each respondent's role index 0..K-1; ``need`` (K, C) the required level
    per role × competency, or MISSING for no need. Raises ValueError for inconsistent input.
    """
    if isinstance(n_levels, bool) or not isinstance(n_levels, int | np.integer) or n_levels < 1:
        raise ValueError(f"n_levels must be a positive integer, not {n_levels!r}.")
    levels = _answers(levels, "levels", 0, n_levels - 1)
    n_respondents, n_items = levels.shape
    role = _integers(role, "role", (n_respondents,))
    need = _integers(need, "need", (None, n_items))
    n_roles = need.shape[0]
    if n_roles == 0:
        raise ValueError("need must have a row per role; it has none.")
    _check_range(role, "role", 0, n_roles - 1, allow_missing=False)
    _check_range(need, "need", 0, n_levels - 1, allow_missing=True)
    minimum = _minimum(minimum)
    hierarchy = _Hierarchy.build(groupings, n_respondents, extra=(role, n_roles))

    dist = _count(levels, hierarchy, first=0, n_values=n_levels)  # (cells, L, C)
    need_of_cell = need[hierarchy.extra_of_cell].astype(np.int64)[:, None, :]
    level = np.arange(n_levels)[None, :, None]
    n_cell = dist.sum(axis=1)
    per_cell = np.concatenate(
        [
            dist.reshape(len(dist), -1),
            np.where(need_of_cell[:, 0] != MISSING, n_cell, 0),
            (dist * (level < need_of_cell)).sum(axis=1),
            (dist * np.maximum(need_of_cell - level, 0)).sum(axis=1),
        ],
        axis=1,
    )
    sums = [hierarchy.group_sums(per_cell, g) for g in range(len(hierarchy.levels))]
    dists = [s[:, : n_levels * n_items].reshape(-1, n_levels, n_items) for s in sums]
    ns = [d.sum(axis=1) for d in dists]

    def part(k: int) -> list[np.ndarray]:  # the k-th (G, C) block after the distribution
        start = n_items * (n_levels + k)
        return [s[:, start : start + n_items] for s in sums]

    n_need, below, gap = part(0), part(1), part(2)
    suppressed, need_suppressed = protect_with_needs(hierarchy, ns, n_need, minimum)
    tables = {}
    for g, lev in enumerate(hierarchy.levels):
        tables[lev.name] = _competency_table(
            lev, dists[g], n_need[g], below[g], gap[g], suppressed[g], need_suppressed[g]
        )
    return {grouping.name: tables[grouping.name] for grouping in groupings}


def analyse_barriers(
    *,
    agreement: np.ndarray,
    groupings: Sequence[Grouping],
    minimum: int,
    agree_from: int = 4,
) -> dict[str, BarrierTable]:
    """Return a BarrierTable per grouping, keyed by grouping name, in the order given.

    ``agreement`` (R, B) int8 holds each respondent's answer 1..5 per barrier item (1 = strongly
    disagree) or MISSING; an answer of ``agree_from`` or more counts as agreeing.
    """
    agreement = _answers(agreement, "agreement", 1, 5)
    if not isinstance(agree_from, int | np.integer) or not 1 <= agree_from <= 5:
        raise ValueError(f"agree_from must be an integer 1..5, not {agree_from!r}.")
    minimum = _minimum(minimum)
    hierarchy = _Hierarchy.build(groupings, agreement.shape[0])
    counts = _count(agreement, hierarchy, first=1, n_values=5)  # (cells, 5, B)
    per_cell = np.concatenate([counts.sum(axis=1), counts[:, agree_from - 1 :].sum(axis=1)], axis=1)
    n_items = agreement.shape[1]
    sums = [hierarchy.group_sums(per_cell, g) for g in range(len(hierarchy.levels))]
    ns = [s[:, :n_items] for s in sums]
    suppressed, _ = protect(hierarchy, [ns], [np.zeros(n.shape, bool) for n in ns], minimum)
    tables = {}
    for g, lev in enumerate(hierarchy.levels):
        n = np.where(suppressed[g], 0, ns[g])
        tables[lev.name] = BarrierTable(
            grouping=lev.name,
            keys=lev.keys,
            n=n,
            share_agreeing=_ratio(sums[g][:, n_items:], n),
            suppressed=suppressed[g],
        )
    return {grouping.name: tables[grouping.name] for grouping in groupings}


def change(*, before: CompetencyTable, after: CompetencyTable) -> Change:
    """Compare two rounds' tables of the same grouping, matching groups by key.

    A group present in only one round gets n == 0 on the other side and a NaN difference.
    """
    if before.grouping != after.grouping:
        raise ValueError(
            f"Cannot compare grouping {before.grouping!r} with grouping {after.grouping!r}."
        )
    if before.n.shape[1] != after.n.shape[1]:
        raise ValueError(
            f"Cannot compare {before.n.shape[1]} competencies with {after.n.shape[1]}."
        )
    keys = np.union1d(before.keys, after.keys)
    n_b, mean_b, var_b, hidden_b = _matched(before, keys)
    n_a, mean_a, var_a, hidden_a = _matched(after, keys)
    suppressed = hidden_b | hidden_a
    difference = np.where(suppressed, np.nan, mean_a - mean_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Welch: each round's variance of the mean, and the Welch–Satterthwaite degrees of freedom.
        v_b, v_a = var_b / n_b, var_a / n_a
        se = np.sqrt(v_b + v_a)
        df = (v_b + v_a) ** 2 / (v_b**2 / (n_b - 1) + v_a**2 / (n_a - 1))
    half = np.full(se.shape, np.nan)
    known = np.isfinite(se) & ~suppressed
    exact = known & (se == 0)  # both rounds answered alike: no spread, no interval
    spread = known & (se > 0)
    half[exact] = 0.0
    half[spread] = special.stdtrit(df[spread], 0.5 + _CONFIDENCE / 2) * se[spread]
    return Change(
        grouping=before.grouping,
        keys=keys,
        n_before=np.where(suppressed, 0, n_b),
        n_after=np.where(suppressed, 0, n_a),
        difference=difference,
        ci_low=difference - half,
        ci_high=difference + half,
        suppressed=suppressed,
    )


def _matched(table: CompetencyTable, keys: np.ndarray) -> tuple[np.ndarray, ...]:
    """n, mean, variance and suppressed of a table's rows for ``keys``; empty where absent."""
    shape = (len(keys), table.n.shape[1])
    n, mean, var = np.zeros(shape, np.int64), np.full(shape, np.nan), np.full(shape, np.nan)
    hidden = np.zeros(shape, bool)
    at = np.flatnonzero(np.isin(keys, table.keys))
    rows = np.searchsorted(table.keys, keys[at])
    n[at], mean[at], var[at] = table.n[rows], table.mean[rows], table.sd[rows] ** 2
    hidden[at] = table.suppressed[rows]
    return n, mean, var, hidden


# -- input checks ------------------------------------------------------------------------------


def _integers(array: np.ndarray, name: str, shape: tuple[int | None, ...]) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers, not {array.dtype}.")
    if array.ndim != len(shape) or any(
        want is not None and got != want for got, want in zip(array.shape, shape, strict=True)
    ):
        wanted = ", ".join("any" if s is None else str(s) for s in shape)
        wanted = f"({wanted},)" if len(shape) == 1 else f"({wanted})"
        raise ValueError(f"{name} must have shape {wanted}, not {array.shape}.")
    return array


def _check_range(array: np.ndarray, name: str, low: int, high: int, *, allow_missing: bool):
    if array.size == 0:
        return
    lowest, highest = int(array.min()), int(array.max())
    bad = None
    if highest > high:
        bad = highest
    elif lowest < low and not (allow_missing and lowest == MISSING):
        bad = lowest
    elif lowest == MISSING and low > MISSING + 1:
        # Values between MISSING and low: whole-array passes, not a copy of the valid ones.
        between = (array > MISSING) & (array < low)
        if between.any():
            bad = int(array[between][0])
    if bad is not None:
        missing = " or MISSING (-1)" if allow_missing else ""
        raise ValueError(f"{name} must be in {low}..{high}{missing}; found {bad}.")


def _answers(array: np.ndarray, name: str, low: int, high: int) -> np.ndarray:
    """A C-contiguous int8 (R, items) matrix of answers low..high or MISSING."""
    array = _integers(array, name, (None, None))
    _check_range(array, name, low, high, allow_missing=True)
    return np.ascontiguousarray(array, dtype=np.int8)


def _minimum(minimum: int) -> int:
    if isinstance(minimum, bool) or not isinstance(minimum, int | np.integer) or minimum < 1:
        raise ValueError(f"minimum must be a positive integer, not {minimum!r}.")
    return int(minimum)


# -- the hierarchy and its cells ---------------------------------------------------------------


@dataclass(frozen=True)
class _Level:
    """One grouping, prepared: its groups and which cells make each of them."""

    name: str
    keys: np.ndarray  # (G,) sorted group keys
    parent: int  # index of the parent level in _Hierarchy.levels; -1 for the top
    parent_of: np.ndarray  # (G,) each group's index in the parent level
    members: sparse.csr_array  # (G, cells) 1 where a cell lies in a group


@dataclass(frozen=True)
class _Hierarchy:
    """The groupings in top-down order and the respondents bucketed by cell."""

    levels: list[_Level]
    edges: list[Edge]  # in the order of their child level
    order: np.ndarray  # respondents sorted by cell
    cell_starts: np.ndarray  # (cells,) where each cell starts in `order`
    cell_sizes: np.ndarray  # (cells,) respondents per cell
    extra_of_cell: np.ndarray  # (cells,) the extra key (the role) of each cell

    @classmethod
    def build(
        cls,
        groupings: Sequence[Grouping],
        n_respondents: int,
        extra: tuple[np.ndarray, int] | None = None,
    ) -> _Hierarchy:
        """Check the groupings and bucket the respondents by cell.

        ``extra`` is an additional key 0..k-1 per respondent (the role) that splits cells
        without being a grouping.
        """
        ordered = _top_down(groupings)
        codes, keys = [], []
        for grouping in ordered:
            key = _integers(grouping.keys, f"Grouping {grouping.name!r} keys", (n_respondents,))
            group_keys, code = _dense(key)
            top = grouping.parent is None and n_respondents > 0
            if top and (group_keys.size != 1 or (code == MISSING).any()):
                raise ValueError(
                    f"The top grouping {grouping.name!r} must hold everyone in one group."
                )
            codes.append(code)
            keys.append(group_keys)
        # A grouping splits the cells unless everyone has the same code (like the top).
        parts = [
            (code, len(k))
            for code, k in zip(codes, keys, strict=True)
            if len(k) > 1 or (len(k) == 1 and int(code.min()) == MISSING)
        ]
        if extra is not None and not any(np.array_equal(extra[0], g.keys) for g in ordered):
            parts.append(extra)  # the role is usually a grouping, and then it is in already
        cell = _combine(parts, n_respondents)
        n_cells = int(cell.max()) + 1 if n_respondents else 0
        if n_cells <= 1 << 16:  # numpy sorts 16-bit keys by radix
            order = np.argsort(cell.astype(np.uint16), kind="stable")
        else:
            order = np.argsort(cell, kind="stable")
        sizes = np.bincount(cell, minlength=n_cells)
        starts = np.cumsum(sizes) - sizes
        first = order[starts]  # one respondent of each cell
        index = {grouping.name: i for i, grouping in enumerate(ordered)}
        of_cell = [code[first] for code in codes]
        levels, edges = [], []
        for i, grouping in enumerate(ordered):
            parent = -1 if grouping.parent is None else index[grouping.parent]
            in_group = np.flatnonzero(of_cell[i] != MISSING)
            members = sparse.csr_array(
                (np.ones(len(in_group), np.int64), (of_cell[i][in_group], in_group)),
                shape=(len(keys[i]), n_cells),
            )
            parent_of = np.zeros(len(keys[i]), np.int64)
            if parent >= 0:
                parent_of = _parent_of(grouping, ordered[parent], keys, of_cell, i, parent)
                by_parent = np.argsort(parent_of, kind="stable")
                parents, at = np.unique(parent_of[by_parent], return_index=True)
                edges.append(Edge(parent, i, by_parent, at, parents, len(keys[parent])))
            levels.append(_Level(grouping.name, keys[i], parent, parent_of, members))
        extra_of_cell = extra[0][first] if extra is not None else np.zeros(n_cells, np.int64)
        return cls(levels, edges, order, starts, sizes, extra_of_cell)

    def group_sums(self, per_cell: np.ndarray, level: int) -> np.ndarray:
        """Sum per-cell rows (cells, k) into the groups of one level (G, k)."""
        return self.levels[level].members @ per_cell


def _top_down(groupings: Sequence[Grouping]) -> list[Grouping]:
    """The groupings ordered parents first; checks names, the one top and the parent links."""
    by_name: dict[str, Grouping] = {}
    for grouping in groupings:
        if grouping.name in by_name:
            raise ValueError(f"Two groupings are named {grouping.name!r}.")
        by_name[grouping.name] = grouping
    tops = [g.name for g in groupings if g.parent is None]
    if len(tops) != 1:
        raise ValueError(f"Exactly one grouping must have no parent; found {len(tops)}: {tops}.")
    for grouping in groupings:
        if grouping.parent is not None and grouping.parent not in by_name:
            raise ValueError(
                f"Grouping {grouping.name!r} names parent {grouping.parent!r}, "
                "which is not among the groupings."
            )
    ordered = [by_name[tops[0]]]
    for parent in ordered:  # grows while iterating: a breadth-first walk down from the top
        ordered.extend(g for g in groupings if g.parent == parent.name)
    if len(ordered) != len(groupings):
        stuck = sorted(set(by_name) - {g.name for g in ordered})
        raise ValueError(f"Groupings {stuck} do not lead up to the top grouping {tops[0]!r}.")
    return ordered


def _parent_of(
    child: Grouping,
    parent: Grouping,
    keys: list[np.ndarray],
    of_cell: list[np.ndarray],
    i: int,
    p: int,
) -> np.ndarray:
    """Each child group's parent group; ValueError unless every group lies inside one parent."""
    in_child = of_cell[i] != MISSING
    group, parent_group = of_cell[i][in_child], of_cell[p][in_child]
    orphan = parent_group == MISSING
    if orphan.any():
        key = keys[i][group[orphan][0]]
        raise ValueError(
            f"Group {key} of grouping {child.name!r} has respondents outside every group "
            f"of {parent.name!r}."
        )
    parent_of = np.full(len(keys[i]), MISSING, np.int64)
    parent_of[group] = parent_group
    split = parent_of[group] != parent_group
    if split.any():
        g = group[split][0]
        among = np.unique(keys[p][parent_group[group == g]])
        raise ValueError(
            f"Group {keys[i][g]} of grouping {child.name!r} lies in {len(among)} groups of "
            f"{parent.name!r}: {', '.join(str(k) for k in among)}."
        )
    return parent_of


def _dense(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct keys, each respondent's index among them or MISSING) for some keys."""
    if not keys.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int32)
    low, high = int(keys.min()), int(keys.max())
    if low == high:
        code = np.full(keys.shape, MISSING if low == MISSING else 0, np.int32)
        return np.array([] if low == MISSING else [low], np.int64), code
    if high - low < max(_SPAN_LIMIT, 4 * keys.size):
        # Database ids are dense enough for a lookup table, which is much faster than a sort;
        # MISSING goes through the table too rather than costing a mask.
        offset = keys - low if low else keys
        seen = np.zeros(high - low + 1, bool)
        seen[offset] = True
        if low <= MISSING:
            seen[MISSING - low] = False
        distinct = np.flatnonzero(seen)
        rank = np.empty(len(seen), np.int32)  # read only where a key is
        rank[distinct] = np.arange(len(distinct), dtype=np.int32)
        if low <= MISSING:
            rank[MISSING - low] = MISSING
        return (distinct + low).astype(np.int64), rank[offset]
    present = keys != MISSING
    distinct, inverse = np.unique(keys[present], return_inverse=True)
    code = np.full(keys.shape, MISSING, np.int32)
    code[present] = inverse
    return distinct.astype(np.int64), code


def _combine(parts: list[tuple[np.ndarray, int]], n_respondents: int) -> np.ndarray:
    """Dense cell ids 0..cells-1 for the combinations of codes (code in MISSING..k-1, k)."""
    cell = np.zeros(n_respondents, np.int64)
    span = 1
    for code, k in parts:
        if span * (k + 1) > _SPAN_LIMIT:
            cell, span = _densify(cell, span)
        cell *= k + 1
        cell += code
        cell += 1
        span *= k + 1
    return _densify(cell, span)[0]


def _densify(cell: np.ndarray, span: int) -> tuple[np.ndarray, int]:
    if span <= _SPAN_LIMIT:
        seen = np.zeros(span, bool)
        seen[cell] = True
        present = np.flatnonzero(seen)
        rank = np.empty(span, np.int64)  # read only where seen
        rank[present] = np.arange(len(present))
        return rank[cell], len(present)
    distinct, inverse = np.unique(cell, return_inverse=True)
    return inverse.astype(np.int64), len(distinct)


# -- counting ----------------------------------------------------------------------------------


def _count(answers: np.ndarray, hierarchy: _Hierarchy, *, first: int, n_values: int) -> np.ndarray:
    """(cells, n_values, items) int64: respondents per cell answering first+v to each item.

    Respondents are taken in cell order, _CHUNK at a time. For each value a one-hot byte matrix
    is filled and its rows summed in runs of at most _RUN rows (so a byte cannot overflow), eight
    items per 64-bit add; the runs of a cell are then summed in int64. Runs split at every cell
    start, every _RUN rows inside a cell and every chunk start.
    """
    n_respondents, n_items = answers.shape
    n_cells = len(hierarchy.cell_sizes)
    if n_respondents == 0 or n_items == 0:
        return np.zeros((n_cells, n_values, n_items), np.int64)
    width = -(-n_items // 8) * 8
    rows = _row_view(answers)
    runs = -(-hierarchy.cell_sizes // _RUN)
    run_cell = np.repeat(np.arange(n_cells), runs)
    run_index = np.arange(runs.sum()) - np.repeat(np.cumsum(runs) - runs, runs)
    points = np.union1d(
        hierarchy.cell_starts[run_cell] + _RUN * run_index, np.arange(0, n_respondents, _CHUNK)
    )
    chunk_points = np.searchsorted(points, np.arange(0, n_respondents + _CHUNK, _CHUNK))
    totals = np.empty((n_values, len(points), width // 8), np.uint64)
    onehot = np.zeros((n_values, _CHUNK, width), bool)  # columns past n_items stay False
    chunk = np.empty((_CHUNK, *rows.shape[1:]), rows.dtype)
    for i, start in enumerate(range(0, n_respondents, _CHUNK)):
        stop = min(start + _CHUNK, n_respondents)
        size = stop - start
        np.take(rows, hierarchy.order[start:stop], axis=0, out=chunk[:size])
        values = chunk[:size].view(np.int8).reshape(size, n_items)
        for v in range(n_values):
            np.equal(values, first + v, out=onehot[v, :size, :n_items])
        p0, p1 = chunk_points[i], chunk_points[i + 1]
        np.add.reduceat(
            onehot[:, :size].view(np.uint64), points[p0:p1] - start, axis=1, out=totals[:, p0:p1]
        )
    # One count per byte; widening first is much faster than a casting reduceat.
    per_run = totals.view(np.uint8)[:, :, :n_items].transpose(1, 0, 2).astype(np.int64)
    return np.add.reduceat(per_run, np.searchsorted(points, hierarchy.cell_starts), axis=0)


def _row_view(answers: np.ndarray) -> np.ndarray:
    """The answer rows as the widest unsigned integers that tile them, for fast row gathers."""
    n_items = answers.shape[1]
    for dtype in (np.uint64, np.uint32, np.uint16):
        if n_items % np.dtype(dtype).itemsize == 0:
            return answers.view(dtype)
    return answers.view(f"V{n_items}").reshape(-1)


# -- figures -----------------------------------------------------------------------------------


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator as float, NaN where the denominator is 0."""
    out = np.full(denominator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _t_quantile(df: np.ndarray) -> np.ndarray:
    """Student's t quantile for the two-sided interval, per degrees of freedom (integers >= 1)."""
    distinct, inverse = np.unique(df, return_inverse=True)
    return special.stdtrit(distinct, 0.5 + _CONFIDENCE / 2)[inverse].reshape(df.shape)


def _competency_table(
    lev: _Level,
    dist: np.ndarray,
    n_need: np.ndarray,
    below: np.ndarray,
    gap: np.ndarray,
    suppressed: np.ndarray,
    need_suppressed: np.ndarray,
) -> CompetencyTable:
    dist = np.where(suppressed[:, None, :], 0, dist)
    n = dist.sum(axis=1)
    level = np.arange(dist.shape[1])[None, :, None]
    s1 = (dist * level).sum(axis=1)
    s2 = (dist * level * level).sum(axis=1)
    mean = _ratio(s1, n)
    # n·Σx² − (Σx)² is exact in int64 for any realistic n; float64 would lose digits.
    var = _ratio(n * s2 - s1 * s1, n * (n - 1))
    sd = np.sqrt(var)
    half = np.full(n.shape, np.nan)
    two = n >= 2
    half[two] = _t_quantile(n[two] - 1) * sd[two] / np.sqrt(n[two])
    n_need = np.where(need_suppressed, 0, n_need)
    return CompetencyTable(
        grouping=lev.name,
        keys=lev.keys,
        n=n,
        mean=mean,
        sd=sd,
        ci_low=mean - half,
        ci_high=mean + half,
        distribution=np.ascontiguousarray(dist.transpose(0, 2, 1)),
        n_need=n_need,
        share_below=_ratio(below, n_need),
        mean_gap=_ratio(gap, n_need),
        suppressed=suppressed,
        need_suppressed=need_suppressed,
    )
