"""Anonymity: nothing about fewer than `minimum` respondents can be read or derived.

Hand-made examples first, then an attacker let loose on random small hierarchies. The attacker
knows the public organisation (which library lies in which municipality, which roles have a
need) and which counts are zero, and uses every published number: per published group it
subtracts what is published below it, and it solves the published sums as linear equations.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digikompas.analysis.engine import (
    MISSING,
    Grouping,
    analyse_barriers,
    analyse_competencies,
)

PARENT = {
    "nation": None,
    "region": "nation",
    "municipality": "region",
    "library": "municipality",
    "role": "nation",
}
CHILDREN = {name: [c for c, p in PARENT.items() if p == name] for name in PARENT}


def place(*people: tuple[int, int, int, int]) -> dict[str, np.ndarray]:
    """Keys per grouping from (region, municipality, library, role) per respondent."""
    region, municipality, library, role = (np.array(column) for column in zip(*people, strict=True))
    return {
        "nation": np.zeros(len(region), np.int64),
        "region": region,
        "municipality": municipality,
        "library": library,
        "role": role,
    }


def groupings_of(keys: dict[str, np.ndarray]) -> list[Grouping]:
    return [Grouping(name, keys[name], parent) for name, parent in PARENT.items()]


def competencies(keys, levels, need=None, minimum=5):
    levels = np.asarray(levels, np.int8).reshape(len(keys["nation"]), -1)
    if need is None:
        need = np.full((int(keys["role"].max()) + 1, levels.shape[1]), 2, np.int8)
    return analyse_competencies(
        levels=levels,
        n_levels=5,
        role=keys["role"],
        need=np.asarray(need, np.int8),
        groupings=groupings_of(keys),
        minimum=minimum,
    )


def hidden_keys(table, column=0) -> list[int]:
    return table.keys[table.suppressed[:, column]].tolist()


def staff(count, region, municipality, library, role=0):
    return [(region, municipality, library, role)] * count


# -- hand-made examples --------------------------------------------------------------------------


def test_a_small_library_hides_the_next_smallest_beside_it():
    # Municipality 10 (40 answers): libraries 100 (3), 101 (12), 102 (25).
    keys = place(*staff(3, 1, 10, 100), *staff(12, 1, 10, 101), *staff(25, 1, 10, 102))
    tables = competencies(keys, np.full(40, 2))

    assert hidden_keys(tables["library"]) == [100, 101]
    assert tables["library"].n[:, 0].tolist() == [0, 0, 25]
    assert tables["municipality"].n[:, 0].tolist() == [40]


def test_a_library_alone_in_its_municipality_is_shown():
    keys = place(*staff(20, 1, 10, 100), *staff(30, 1, 11, 110))
    tables = competencies(keys, np.full(50, 2))

    assert hidden_keys(tables["library"]) == []
    assert tables["library"].n[:, 0].tolist() == [20, 30]


def test_municipal_staff_outside_libraries_are_protected_like_a_small_library():
    # Municipality 10: library 100 (20) and two municipal staff with no library.
    keys = place(*staff(20, 1, 10, 100), *staff(2, 1, 10, MISSING), *staff(30, 1, 11, 110))
    tables = competencies(keys, np.full(52, 2))

    assert hidden_keys(tables["library"]) == [100]
    assert tables["municipality"].n[:, 0].tolist() == [22, 30]


def test_a_hidden_municipality_hides_enough_of_its_libraries_too():
    # Region 1: municipality 10 (77, one library), 11 (20: libraries of 15 and 5), 12 (3).
    # Hiding 12 needs 11 hidden; 11 would then be the sum of its libraries, so 111 goes too.
    keys = place(
        *staff(77, 1, 10, 100),
        *staff(15, 1, 11, 110),
        *staff(5, 1, 11, 111),
        *staff(3, 1, 12, 120),
        *staff(40, 2, 20, 200),
    )
    tables = competencies(keys, np.full(140, 2))

    assert hidden_keys(tables["municipality"]) == [11, 12]
    assert hidden_keys(tables["library"]) == [111, 120]
    # What an attacker can subtract in region 1 leaves 3 + 5 respondents, never just the 3.
    region, shown = tables["region"].n[0, 0], tables["library"].n[:, 0]
    assert region - tables["municipality"].n[0, 0] - shown[1] == 8


def test_a_small_role_hides_the_next_smallest_role():
    keys = place(*staff(30, 1, 10, 100, role=0), *staff(8, 1, 10, 100, 1), *staff(2, 1, 10, 100, 2))
    tables = competencies(keys, np.full(40, 2))

    assert hidden_keys(tables["role"]) == [1, 2]
    assert tables["nation"].n[:, 0].tolist() == [40]


def test_nothing_is_shown_when_everyone_together_is_too_few():
    keys = place(*staff(4, 1, 10, 100))
    tables = competencies(keys, np.full(4, 2))

    assert all(table.suppressed.all() for table in tables.values())
    assert all((table.n == 0).all() for table in tables.values())


def test_an_empty_cell_is_shown_as_empty_not_hidden():
    keys = place(*staff(10, 1, 10, 100), *staff(10, 1, 10, 101))
    levels = np.array([[2, MISSING]] * 10 + [[2, 3]] * 10)
    tables = competencies(keys, levels)

    library = tables["library"]
    assert library.n.tolist() == [[10, 0], [10, 10]]
    assert not library.suppressed.any()
    assert np.isnan(library.mean[0, 1])


def test_a_hidden_cell_publishes_nothing():
    keys = place(*staff(3, 1, 10, 100), *staff(12, 1, 10, 101), *staff(25, 1, 10, 102))
    library = competencies(keys, np.arange(40) % 5)["library"]

    hidden = library.suppressed[:, 0]
    assert (library.n[hidden] == 0).all()
    assert (library.distribution[hidden] == 0).all()
    assert (library.n_need[hidden] == 0).all()
    for figure in (library.mean, library.sd, library.ci_low, library.ci_high):
        assert np.isnan(figure[hidden]).all()
    assert np.isnan(library.share_below[hidden]).all()
    assert np.isnan(library.mean_gap[hidden]).all()


def test_the_gap_of_a_library_is_hidden_when_its_leader_alone_has_no_need():
    # Library 100: nine staff with a need and one leader (role 1) without; the leader's level
    # would follow from the library's distribution and the staff's share below the need.
    keys = place(*staff(9, 1, 10, 100), *staff(1, 1, 10, 100, role=1), *staff(20, 1, 11, 110))
    tables = competencies(keys, np.full(30, 2), need=[[3], [MISSING]])

    library = tables["library"]
    assert library.n[:, 0].tolist() == [10, 20]
    assert library.need_suppressed[:, 0].tolist() == [True, False]
    assert np.isnan(library.share_below[0, 0])
    assert library.share_below[1, 0] == 1.0


def test_a_library_whose_leaders_alone_lack_a_need_hides_the_next_librarys_gap_too():
    # Municipality 10: library 100 (ten with a need, two leaders without) and 101 (fifteen and
    # five). Without 101's need figures hidden, the municipality's minus 101's give 100's.
    keys = place(
        *staff(10, 1, 10, 100),
        *staff(2, 1, 10, 100, role=1),
        *staff(15, 1, 10, 101),
        *staff(5, 1, 10, 101, role=1),
        *staff(30, 1, 11, 110),
    )
    tables = competencies(keys, np.full(62, 2), need=[[3], [MISSING]])

    library = tables["library"]
    assert library.need_suppressed[:, 0].tolist() == [True, True, False]
    assert not library.suppressed.any()
    assert not tables["municipality"].need_suppressed.any()


def test_a_library_whose_leaders_alone_lack_a_need_loses_its_n_beside_staff_only():
    # As above, but library 101 has staff with a need only: its need figures are its figures,
    # so hiding them shields nothing, and library 100's n is hidden instead (its two leaders'
    # levels would be its distribution minus the rest of the municipality's need figures).
    keys = place(
        *staff(10, 1, 10, 100),
        *staff(2, 1, 10, 100, role=1),
        *staff(15, 1, 10, 101),
        *staff(3, 1, 10, MISSING, role=1),
        *staff(30, 1, 11, 110),
    )
    tables = competencies(keys, np.full(60, 2), need=[[3], [MISSING]])

    library = tables["library"]
    assert library.suppressed[:, 0].tolist() == [True, False, False]
    assert library.need_suppressed[:, 0].tolist() == [True, False, False]
    assert not tables["municipality"].need_suppressed.any()


def test_barrier_tables_follow_the_same_rule():
    keys = place(*staff(3, 1, 10, 100), *staff(12, 1, 10, 101), *staff(25, 1, 10, 102))
    tables = analyse_barriers(
        agreement=np.full((40, 1), 4, np.int8), groupings=groupings_of(keys), minimum=5
    )

    assert tables["library"].suppressed[:, 0].tolist() == [True, True, False]
    assert np.isnan(tables["library"].share_agreeing[:2, 0]).all()
    assert tables["library"].share_agreeing[2, 0] == 1.0


# -- the attacker ----------------------------------------------------------------------------------


class Chart:
    """The public organisation: every group of every grouping (in table order) and its parent."""

    def __init__(self, keys: dict[str, np.ndarray], tables):
        self.keys = {name: tables[name].keys for name in PARENT}
        self.members = {name: [keys[name] == key for key in self.keys[name]] for name in PARENT}
        self.children: dict[tuple[str, int, str], list[int]] = {}
        for name, parent in PARENT.items():
            if parent is None:
                continue
            index = {int(key): i for i, key in enumerate(self.keys[parent])}
            for j, member in enumerate(self.members[name]):
                at = index[int(keys[parent][member][0])]
                self.children.setdefault((parent, at, name), []).append(j)

    def below(self, name: str, i: int, grouping: str) -> list[int]:
        return self.children.get((name, i, grouping), [])

    def groups(self):
        for name in PARENT:
            for i in range(len(self.keys[name])):
                yield name, i


def subtractable(chart, values, known, name, i):
    """The most an attacker can subtract for a group: itself if known, else what is below it."""
    if known[name][i]:
        return values[name][i]
    total = np.zeros_like(values[name][i])
    for grouping in CHILDREN[name][:1]:
        for j in chart.below(name, i, grouping):
            total = total + subtractable(chart, values, known, grouping, j)
    return total


def assert_no_small_residue(chart, values, known, minimum, what):
    """Every known group minus what is known below it leaves 0 or >= minimum respondents."""
    for name, i in chart.groups():
        if not known[name][i]:
            continue
        for grouping in CHILDREN[name]:
            below = chart.below(name, i, grouping)
            direct = sum((values[grouping][j] for j in below if known[grouping][j]), 0)
            deepest = sum((subtractable(chart, values, known, grouping, j) for j in below), 0)
            for residue in (values[name][i] - direct, values[name][i] - deepest):
                left = int(np.sum(residue))
                assert (np.asarray(residue) >= 0).all()
                assert left == 0 or left >= minimum, (
                    f"{what}: {name} {chart.keys[name][i]} minus the {grouping}s known below "
                    f"it leaves {left} respondents"
                )


class Equations:
    """The published sums as linear equations over the unknown counts."""

    def __init__(self):
        self.columns: dict[tuple, int] = {}
        self.rows: list[dict[int, int]] = []

    def unknown(self, name: tuple) -> int:
        return self.columns.setdefault(name, len(self.columns))

    def add(self, terms: dict[int, int]) -> None:
        if terms:
            self.rows.append(terms)

    def sums(self, chart, count, known, tag):
        """Every group = its children + the remainder, per child grouping."""
        for name, i in chart.groups():
            for grouping in CHILDREN[name]:
                below = chart.below(name, i, grouping)
                terms: dict[int, int] = {}
                for sign, (g, j) in [(1, (name, i))] + [(-1, (grouping, j)) for j in below]:
                    if not known[g][j] and count[g][j]:  # zeros are known to the attacker
                        terms[self.unknown((tag, g, j))] = sign
                if count[name][i] - sum(count[grouping][j] for j in below):
                    terms[self.unknown((tag, "remainder", name, i, grouping))] = -1
                self.add(terms)

    def determined(self, terms: dict[tuple, int]) -> bool:
        """Whether the sum of these unknowns follows from the equations."""
        if not self.rows or any(name not in self.columns for name in terms):
            return False
        matrix = np.zeros((len(self.rows) + 1, len(self.columns)))
        for r, row in enumerate(self.rows):
            for column, value in row.items():
                matrix[r, column] = value
        for name, value in terms.items():
            matrix[-1, self.columns[name]] = value
        return np.linalg.matrix_rank(matrix[:-1]) == np.linalg.matrix_rank(matrix)


def attack_counts(answers, chart, tables, published, minimum, what):
    """Attack one table's n through its published additive figures, column by column."""
    for c in range(answers.shape[1]):
        answered = answers[:, c] != MISSING
        count = {n: [int((m & answered).sum()) for m in chart.members[n]] for n in PARENT}
        known = {n: ~tables[n].suppressed[:, c] for n in PARENT}
        figures = {n: published[n][:, c] for n in PARENT}
        for name, i in chart.groups():
            if known[name][i]:
                assert int(figures[name][i].sum()) == count[name][i]
                assert count[name][i] == 0 or count[name][i] >= minimum
            else:
                assert not figures[name][i].any()
        assert_no_small_residue(chart, figures, known, minimum, what)
        equations = Equations()
        equations.sums(chart, count, known, "n")
        for name, i in chart.groups():
            if not known[name][i]:
                assert not equations.determined({("n", name, i): 1}), (
                    f"{what}: hidden {name} {chart.keys[name][i]} has a known n ({count[name][i]})"
                )


def attack_need(levels, role, need, chart, tables, minimum):
    """Attack the need figures: the respondents with a need and those without, per group."""
    for c in range(levels.shape[1]):
        answered = levels[:, c] != MISSING
        needed = answered & (need[role, c] != MISSING)
        count = {  # per part: 0 with a need, 1 without
            side: {n: [int((m & wanted).sum()) for m in chart.members[n]] for n in PARENT}
            for side, wanted in ((0, needed), (1, answered & ~needed))
        }
        shown_n = {n: ~tables[n].suppressed[:, c] for n in PARENT}
        known = {n: [] for n in PARENT}  # if published, or if its n is and a part is 0
        for name, i in chart.groups():
            parts = count[0][name][i], count[1][name][i]
            if not tables[name].need_suppressed[i, c]:
                assert tables[name].n_need[i, c] == parts[0]
                assert all(part == 0 or part >= minimum for part in parts)
            known[name].append(
                not tables[name].need_suppressed[i, c] or (shown_n[name][i] and 0 in parts)
            )
        equations = Equations()
        for side in (0, 1):
            equations.sums(chart, count[side], known, side)
        for name, i in chart.groups():  # a shown n ties the two parts together
            if shown_n[name][i] and not known[name][i]:
                equations.add({equations.unknown((side, name, i)): 1 for side in (0, 1)})
        follows = {side: {n: list(known[n]) for n in PARENT} for side in (0, 1)}
        for name, i in chart.groups():
            if known[name][i]:
                continue
            parts = count[0][name][i], count[1][name][i]
            for side in (0, 1):
                if parts[side] == 0 or equations.determined({(side, name, i): 1}):
                    follows[side][name][i] = True
                    small = [p for p in parts if 0 < p < minimum]
                    assert not small if shown_n[name][i] else not 0 < parts[side] < minimum, (
                        f"need part {side} of {name} {chart.keys[name][i]} follows: {parts}"
                    )
            if not shown_n[name][i] and all(parts):
                assert not equations.determined({(0, name, i): 1, (1, name, i): 1})
        for side in (0, 1):  # what is known or follows, minus what is known or follows below it
            values = {n: np.array(count[side][n]) for n in PARENT}
            assert_no_small_residue(chart, values, follows[side], minimum, f"need part {side}")


@st.composite
def surveys(draw):
    """A random small nation: regions, municipalities, libraries, roles and answers."""
    places = []  # (region, municipality, library) a respondent can sit in
    for region in range(1, draw(st.integers(1, 3)) + 1):
        places.append((region, MISSING, MISSING))
        for m in range(draw(st.integers(1, 3))):
            municipality = 10 * region + m
            places.append((region, municipality, MISSING))
            for n in range(draw(st.integers(0, 3))):
                places.append((region, municipality, 10 * municipality + n))
    people = draw(
        st.lists(
            st.tuples(
                st.sampled_from(places),
                st.integers(0, 2),  # role
                st.lists(st.integers(MISSING, 2), min_size=2, max_size=2),  # levels
                st.sampled_from([MISSING, 1, 2, 3, 4, 5]),  # a barrier answer
            ),
            min_size=1,
            max_size=45,
        )
    )
    need = draw(
        st.lists(st.lists(st.integers(MISSING, 2), min_size=2, max_size=2), min_size=3, max_size=3)
    )
    keys = place(*((r, m, lib, role) for (r, m, lib), role, _, _ in people))
    levels = np.array([answers for _, _, answers, _ in people], np.int8)
    agreement = np.array([[answer] for _, _, _, answer in people], np.int8)
    return keys, levels, np.array(need, np.int8), agreement, draw(st.integers(2, 6))


@settings(
    max_examples=300,
    deadline=None,  # the attacker's linear algebra is what takes time, not the engine
    derandomize=True,  # the same examples on every run: a failure is never a fluke
    database=None,
)
@given(surveys())
def test_no_attacker_recovers_a_small_group_or_a_hidden_count(survey):
    keys, levels, need, agreement, minimum = survey
    groupings = groupings_of(keys)
    tables = analyse_competencies(
        levels=levels,
        n_levels=3,
        role=keys["role"],
        need=need,
        groupings=groupings,
        minimum=minimum,
    )
    chart = Chart(keys, tables)
    distributions = {name: table.distribution for name, table in tables.items()}
    attack_counts(levels, chart, tables, distributions, minimum, "levels")
    attack_need(levels, keys["role"], need, chart, tables, minimum)

    barriers = analyse_barriers(agreement=agreement, groupings=groupings, minimum=minimum)
    agreeing = {}
    for name, table in barriers.items():
        agree = np.rint(np.nan_to_num(table.share_agreeing) * table.n).astype(np.int64)
        agreeing[name] = np.stack([table.n - agree, agree], axis=-1)
    attack_counts(agreement, chart, barriers, agreeing, minimum, "barriers")


@pytest.mark.parametrize("minimum", [1, 2])
def test_a_minimum_of_one_hides_nothing(minimum):
    keys = place(*staff(1, 1, 10, 100), *staff(2, 1, 10, 101))
    tables = competencies(keys, np.full(3, 2), minimum=minimum)

    assert tables["library"].suppressed[:, 0].tolist() == [minimum == 2, minimum == 2]
