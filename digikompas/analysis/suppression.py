"""Anonymity: which cells of the engine's tables are hidden, by primary and complementary
suppression.

Pure numpy and no Django, like engine.py, which sums the counts per group and hands them here
with the hierarchy of groupings; the masks returned say which figures it must not publish.

The rules (a law of the product)
--------------------------------
``minimum`` is the smallest number of respondents any published figure may describe. Each column
(competency or barrier item) of each table is protected on its own, on n = the respondents of the
group who answered that item:

1. *Primary suppression*: a cell with 0 < n < minimum is hidden. A cell with n == 0 is empty, not
   hidden.
2. *Complementary suppression*, so nothing hidden can be recovered by subtraction. Each grouping
   lies inside its parent grouping; respondents of a parent group with no key in the child
   grouping (MISSING, e.g. municipal staff outside any library) form an implicit, never-shown
   *remainder*. The *residue* of a parent group in a child grouping is what subtracting published
   figures cannot reach: the remainder plus every hidden child – and of a hidden child only the
   part not covered by its own published descendants, since those can be subtracted too. Until
   nothing changes, over every grouping and level of the hierarchy:

   a. a published parent's residue must hold 0 or at least ``minimum`` respondents;
   b. a hidden, non-empty group's residue in each child grouping must not be 0 – otherwise its
      n is the sum of its published children;
   c. a published parent with exactly one hidden non-empty child must have a non-empty remainder
      – otherwise that child's n is the parent's minus its published siblings.

   While (a) or (b) fails, the published group with the smallest n (ties: lowest key, shallower
   grouping first) among those the residue was computed around (the visible children, or the
   visible descendants of hidden children) is hidden; while (c) fails, the smallest published
   non-empty child is hidden. If there is no such group, the parent itself is hidden – which can
   in turn require hiding its siblings, hence the repetition until nothing changes. Groupings
   that share a parent (e.g. "region" and "role" both under "nation") are each checked against
   it; a residue is never derived across two groupings, as only their margins are published.
3. The need figures (``n_need``, ``share_below``, ``mean_gap``) describe only the respondents
   whose role has a need for the competency; set beside the group's own figures they tell
   something about the others (a library's two leaders without a need, say). So each group has
   two *parts*, with and without a need, counted like n, and its need figures are hidden
   (``need_suppressed``, which includes every suppressed cell) unless both parts hold 0 or at
   least ``minimum`` respondents. Rule (a) holds for both parts. A group whose need figures
   alone are hidden must keep both parts unknown, as one follows from the other and n: rule (b)
   for it, and rule (c) below every parent whose part is known (published, covered from below,
   or following in turn). A *pure* group – everyone with a need, or no one – shows its need
   figures in its n, so hiding them alone is useless: it is picked only when no other group is
   left, and then its n is hidden too; and where no group is left to pick beside a group whose
   need figures are hidden, that group's own n is hidden. n is then protected again, and so on
   until nothing changes.

Barrier tables follow rules 1 and 2. With these rules no published number, subtracted from
another along a grouping's hierarchy, describes 1..minimum-1 respondents, and no hidden cell's n
follows from the published ones as a linear equation (tests/test_anonymity.py plays the
attacker). Not covered, by design: bounds an attacker may infer (a hidden cell holds at least
one respondent, or what a share below need over roles with different needs says beside the
distribution), differences between columns or between survey rounds, and differences between
groupings declared side by side although one nests in the other (roles inside staff/leaders):
declare such a grouping as the other's child.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

_NONE = np.iinfo(np.int64).max  # "no candidate" in packed (n, group id) minima


# -- the hierarchy as protection sees it -------------------------------------------------------


class Level(Protocol):
    """One grouping's groups (engine._Level is one)."""

    @property
    def keys(self) -> np.ndarray: ...  # (G,) sorted group keys

    @property
    def parent_of(self) -> np.ndarray: ...  # (G,) each group's index in the parent level


class Hierarchy(Protocol):
    """The groupings top-down and the edges between them (engine._Hierarchy is one)."""

    @property
    def levels(self) -> Sequence[Level]: ...

    @property
    def edges(self) -> Sequence[Edge]: ...  # in the order of their child level


@dataclass(frozen=True)
class Edge:
    """A level below its parent level, for sums and minima over each parent's children."""

    parent: int
    child: int
    order: np.ndarray  # child groups ordered by parent group
    starts: np.ndarray  # where each parent with children starts in `order`
    parents: np.ndarray  # those parents
    n_parents: int

    def sum(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros((self.n_parents, *values.shape[1:]), values.dtype)
        if self.order.size:
            out[self.parents] = np.add.reduceat(values[self.order], self.starts, axis=0)
        return out

    def min(self, values: np.ndarray) -> np.ndarray:
        out = np.full((self.n_parents, *values.shape[1:]), _NONE, np.int64)
        if self.order.size:
            out[self.parents] = np.minimum.reduceat(values[self.order], self.starts, axis=0)
        return out


# -- protection --------------------------------------------------------------------------------


def protect_with_needs(
    hierarchy: Hierarchy, n: list[np.ndarray], n_need: list[np.ndarray], minimum: int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The suppressed and need-suppressed masks per level (rules 1–3 of the module docstring).

    The need parts are protected given the n mask; where that takes hiding a cell's n too,
    n is protected again with it, and so on until nothing changes (masks only grow).
    """
    no_need = [total - m for total, m in zip(n, n_need, strict=True)]
    suppressed, _ = protect(hierarchy, [n], [np.zeros(x.shape, bool) for x in n], minimum)
    while True:
        pure = [
            ~hidden & ((m == 0) | (o == 0))
            for hidden, m, o in zip(suppressed, n_need, no_need, strict=True)
        ]
        need_suppressed, also = protect(
            hierarchy, [n_need, no_need], suppressed, minimum, pure=pure
        )
        if not any(mask.any() for mask in also):
            return suppressed, need_suppressed
        hidden = [mask | more for mask, more in zip(suppressed, also, strict=True)]
        suppressed, _ = protect(hierarchy, [n], hidden, minimum)


def protect(
    hierarchy: Hierarchy,
    tables: list[list[np.ndarray]],
    hidden: list[np.ndarray],
    minimum: int,
    pure: list[np.ndarray] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return the hidden mask (G, C) per level after the rules in the module docstring, and the
    cells whose n must be hidden as well (only when protecting the need parts).

    ``tables`` holds one or more counts, each a (G, C) array per level, protected together: a
    cell hidden for one is hidden for all. ``hidden`` are the cells hidden from the start.

    Without ``pure`` the counts are n, and rules (b) and (c) keep every hidden cell's n unknown.
    With it they are the two need parts of cells whose n is settled (hidden from the start are
    the cells with n hidden): rules (b) and (c) then guard the cells hidden here, whose n is
    shown, so that neither part follows (the other would follow from n). A ``pure`` cell is
    picked only when no other is left; picking it, or finding nothing to pick for a guarded
    cell, means hiding that cell's n.
    """
    parts = pure is not None
    start = hidden
    hidden = [mask.copy() for mask in hidden]
    for counts in tables:
        for mask, n in zip(hidden, counts, strict=True):
            mask |= (n > 0) & (n < minimum)
    if pure is None:
        pure = [np.zeros(mask.shape, bool) for mask in hidden]
    escalated = [np.zeros(mask.shape, bool) for mask in hidden]
    sizes = [len(lev.keys) for lev in hierarchy.levels]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    largest = max(int(n.max(initial=0)) for counts in tables for n in counts)
    if offsets[-1] >= 1 << 32 or largest >= 1 << 30:
        raise ValueError("Too many groups or respondents to protect.")
    rules = _Rules(
        hierarchy=hierarchy,
        minimum=minimum,
        parts=parts,
        pure=pure,
        offsets=offsets,
        ids=[
            np.broadcast_to(np.arange(offsets[g], offsets[g + 1])[:, None], mask.shape)
            for g, mask in enumerate(hidden)
        ],
    )
    remainders = [
        [counts[e.parent] - e.sum(counts[e.child]) for e in hierarchy.edges] for counts in tables
    ]
    while True:
        guarded = hidden
        if parts:
            guarded = [h & ~s & ~e for h, s, e in zip(hidden, start, escalated, strict=True)]
        picks = [np.zeros_like(mask) for mask in hidden]
        more = [np.zeros_like(mask) for mask in hidden]
        tied = [~s & ~e for s, e in zip(start, escalated, strict=True)]
        rules.check(tables, remainders, hidden, guarded, tied, picks, more)
        changed = False
        for mask, pick, up, done, p in zip(hidden, picks, more, escalated, pure, strict=True):
            up |= pick & p
            changed |= bool((pick & ~mask).any() or (up & ~done).any())
            mask |= pick
            done |= up
        if not changed:
            return hidden, escalated


@dataclass(frozen=True)
class _Layer:
    """One count table seen from below in one round: what subtraction cannot reach."""

    counts: list[np.ndarray]
    remainders: list[np.ndarray]  # per edge
    own: list[np.ndarray]  # a published non-empty cell as a packed candidate, else _NONE
    residue: list[np.ndarray]  # per cell: the part no published cell below it reaches
    cover: list[np.ndarray]  # per edge and parent: the best candidate in its residue's reach
    part: list[np.ndarray]  # per edge and parent: the residue through that edge


@dataclass(frozen=True)
class _Rules:
    """One round of the rules (a), (b), (c) over every level, for protect."""

    hierarchy: Hierarchy
    minimum: int
    parts: bool  # protecting the two need parts rather than n
    pure: list[np.ndarray]
    offsets: np.ndarray  # first group id of each level
    ids: list[np.ndarray]  # (G, C) group id of each cell

    def check(
        self,
        tables: list[list[np.ndarray]],
        remainders: list[list[np.ndarray]],
        hidden: list[np.ndarray],
        guarded: list[np.ndarray],
        tied: list[np.ndarray],
        picks: list[np.ndarray],
        more: list[np.ndarray],
    ) -> None:
        """Mark in ``picks`` the cells to hide next, one per broken rule per group × column,
        and in ``more`` the cells whose n is to be hidden too. ``tied`` cells have a shown n,
        so that one need part known makes the other known."""
        layers = [self._layer(c, r, hidden) for c, r in zip(tables, remainders, strict=True)]
        lone = self._lone(layers, hidden, tied) if self.parts else [None] * len(layers)
        for layer, alone in zip(layers, lone, strict=True):
            for e, edge in enumerate(self.hierarchy.edges):
                self._edge(layer, e, edge, hidden, guarded, alone, picks, more)

    def _layer(self, counts, remainders, hidden) -> _Layer:
        edges = self.hierarchy.edges
        # Packed so that a minimum finds a cell that is not pure, then the smallest n, then the
        # shallowest level, then the lowest key.
        own = [
            np.where(
                ~hidden[g] & (n > 0),
                (self.pure[g].astype(np.int64) << 62) | (n << 32) | self.ids[g],
                _NONE,
            )
            for g, n in enumerate(counts)
        ]
        residue = list(counts)  # a cell of a lowest level: all of it
        below = [np.full(n.shape, _NONE) for n in counts]
        part: list[np.ndarray] = [None] * len(edges)  # type: ignore[list-item]
        cover: list[np.ndarray] = [None] * len(edges)  # type: ignore[list-item]
        for g in reversed(range(len(counts))):  # children before parents
            mine = [e for e, edge in enumerate(edges) if edge.parent == g]
            for e in mine:
                c = edges[e].child
                part[e] = remainders[e] + edges[e].sum(np.where(hidden[c], residue[c], 0))
                cover[e] = edges[e].min(np.where(hidden[c], below[c], own[c]))
            if mine:
                # Through a hidden cell an attacker subtracts along whichever child grouping
                # leaves the least, so its residue is the smallest over its child groupings.
                residue[g] = np.minimum.reduce([part[e] for e in mine])
                below[g] = np.minimum.reduce([cover[e] for e in mine])
        return _Layer(counts, remainders, own, residue, cover, part)

    def _lone(self, layers, hidden, tied) -> list[list[np.ndarray]]:
        """Per layer and cell: whether its count follows as the only unknown below a parent
        whose count is known.

        A count is known if published; or covered by published cells below (residue 0); or the
        only unknown below a known parent (remainder 0); or, where n is shown (``tied``), if
        the cell's other part is known.
        """
        levels, edges = self.hierarchy.levels, self.hierarchy.edges
        known = [
            [~h | (r == 0) for h, r in zip(hidden, lay.residue, strict=True)] for lay in layers
        ]
        alone = [[np.zeros(k.shape, bool) for k in kk] for kk in known]
        while True:
            before = sum(int(k.sum()) for kk in known for k in kk)
            for t, layer in enumerate(layers):
                for e, edge in enumerate(edges):  # parents before children
                    c = edge.child
                    unknown = ~known[t][c]
                    lone = (layer.remainders[e] == 0) & (edge.sum(unknown.astype(np.int32)) == 1)
                    lone &= known[t][edge.parent]
                    alone[t][c] |= unknown & lone[levels[c].parent_of]
                    known[t][c] |= alone[t][c]
            both = [np.logical_and.reduce([k[g] for k in known]) for g in range(len(levels))]
            either = [np.logical_or.reduce([k[g] for k in known]) for g in range(len(levels))]
            for kk in known:
                for g, k in enumerate(kk):
                    k |= tied[g] & either[g] & ~both[g]
            if sum(int(k.sum()) for kk in known for k in kk) == before:  # known only grows
                return alone

    def _edge(self, layer, e, edge, hidden, guarded, alone, picks, more) -> None:
        p, c = edge.parent, edge.child
        part, cover, remainder = layer.part[e], layer.cover[e], layer.remainders[e]
        rule_a = ~hidden[p] & (part > 0) & (part < self.minimum)
        rule_b = guarded[p] & (layer.counts[p] > 0) & (part == 0)
        if self.parts:
            # A guarded cell that follows as the only unknown below its parent.
            lone = edge.min(np.where(guarded[c] & alone[c], self.ids[c], _NONE))
            rule_c = lone != _NONE
        else:
            count = edge.sum((hidden[c] & (layer.counts[c] > 0)).astype(np.int32))
            rule_c = ~hidden[p] & (remainder == 0) & (count == 1)
        by_cover = rule_a | rule_b
        pick = np.where(by_cover, cover, np.where(rule_c, edge.min(layer.own[c]), 0))
        broken = by_cover | rule_c
        stuck = broken & (pick == _NONE)
        if self.parts:
            # Hiding a pure cell's n to shield a guarded one costs more than hiding the guarded
            # cell's own n; only rule (a) has no guarded cell to fall back on.
            stuck |= (rule_b | rule_c) & ~rule_a & (pick != _NONE) & (pick >= 1 << 62)
            # Nothing left to hide beside a guarded cell: its n is hidden instead.
            more[p] |= stuck & rule_b
            self._mark(more, lone, stuck & ~by_cover)
            picks[p] |= stuck & rule_a & ~rule_b
        else:
            picks[p] |= stuck
        self._mark(picks, pick, broken & ~stuck)

    def _mark(self, masks: list[np.ndarray], packed: np.ndarray, where: np.ndarray) -> None:
        """Set masks[level][group, column] for the packed group ids at ``where``."""
        rows, cols = np.nonzero(where)
        ids = packed[rows, cols] & 0xFFFFFFFF
        level_of = np.searchsorted(self.offsets, ids, side="right") - 1
        for g in np.unique(level_of):
            at = level_of == g
            masks[g][ids[at] - self.offsets[g], cols[at]] = True
