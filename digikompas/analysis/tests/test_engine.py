"""The engine's figures against a straightforward pandas and scipy computation.

Every published cell of every table is compared with a long-format group-by written plainly
here; anonymity itself is tested in test_anonymity.py.
"""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from digikompas.analysis.engine import (
    MISSING,
    Grouping,
    analyse_barriers,
    analyse_competencies,
    change,
)

N_LEVELS = 5
MINIMUM = 5
NAMES = ["nation", "region", "municipality", "library", "role"]


def survey(seed: int, respondents: int = 2000, items: int = 12) -> dict:
    """A generated survey: 25 libraries in 9 municipalities in 3 regions, 4 roles.

    About 5% of the answers are missing, 8% of the respondents work outside any library, library
    sizes vary from a handful to hundreds, role 3 has no need and the others lack some.
    """
    rng = np.random.default_rng(seed)
    municipality_of_library = np.concatenate([np.arange(9), rng.integers(0, 9, 16)])
    region_of_municipality = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    weight = rng.pareto(1.2, 25) + 0.05
    library = rng.choice(25, respondents, p=weight / weight.sum())
    municipality = municipality_of_library[library]
    outside = rng.random(respondents) < 0.08
    municipality[outside] = rng.integers(0, 9, outside.sum())
    role = rng.choice(4, respondents, p=[0.6, 0.2, 0.15, 0.05])
    levels = rng.integers(0, N_LEVELS, (respondents, items)).astype(np.int8)
    levels[rng.random((respondents, items)) < 0.05] = MISSING
    need = rng.integers(0, N_LEVELS, (4, items)).astype(np.int8)
    need[rng.random((4, items)) < 0.2] = MISSING
    need[3] = MISSING
    agreement = rng.integers(1, 6, (respondents, 6)).astype(np.int8)
    agreement[rng.random((respondents, 6)) < 0.05] = MISSING
    keys = {
        "nation": np.zeros(respondents, np.int64),
        "region": region_of_municipality[municipality] + 1,
        "municipality": municipality + 101,
        "library": np.where(outside, MISSING, library + 1001),
        "role": role,
    }
    return {"keys": keys, "levels": levels, "role": role, "need": need, "agreement": agreement}


def groupings(keys: dict[str, np.ndarray]) -> list[Grouping]:
    parents = [None, "nation", "region", "municipality", "nation"]
    return [Grouping(name, keys[name], parent) for name, parent in zip(NAMES, parents, strict=True)]


def analyse(data: dict, minimum: int = MINIMUM, levels=None):
    return analyse_competencies(
        levels=data["levels"] if levels is None else levels,
        n_levels=N_LEVELS,
        role=data["role"],
        need=data["need"],
        groupings=groupings(data["keys"]),
        minimum=minimum,
    )


def long_answers(data: dict, answers: np.ndarray) -> pd.DataFrame:
    """One row per given answer, with the respondent's groups and need."""
    frame = pd.DataFrame(answers).stack().rename("answer").reset_index()
    frame.columns = ["respondent", "item", "answer"]
    frame = frame[frame["answer"] != MISSING]
    for name, keys in data["keys"].items():
        frame[name] = keys[frame["respondent"]]
    frame["need"] = data["need"][data["role"][frame["respondent"]], frame["item"]]
    return frame


def grid(series: pd.Series, keys: np.ndarray, items: int, fill) -> np.ndarray:
    """A (group, item)-indexed series as a (G, C) array in the table's key order."""
    index = pd.MultiIndex.from_product([keys, range(items)])
    return series.reindex(index, fill_value=fill).to_numpy().reshape(len(keys), items)


def expected_competencies(data: dict, name: str, keys: np.ndarray) -> dict[str, np.ndarray]:
    """n, mean, sd, 95% CI, distribution and the need figures by plain pandas and scipy."""
    items = data["levels"].shape[1]
    answers = long_answers(data, data["levels"])
    answers = answers[answers[name] != MISSING]
    by = answers.groupby([name, "item"])["answer"]
    n = grid(by.size(), keys, items, 0)
    mean = grid(by.mean(), keys, items, np.nan)
    sd = grid(by.std(), keys, items, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=sd / np.sqrt(n))
    counts = answers.groupby([name, "item", "answer"]).size()
    distribution = np.stack(
        [grid(counts.xs(level, level="answer"), keys, items, 0) for level in range(N_LEVELS)],
        axis=-1,
    )
    needed = answers[answers["need"] != MISSING]
    below = (needed["answer"] < needed["need"]).groupby([needed[name], needed["item"]])
    gap = (needed["need"] - needed["answer"]).clip(lower=0).groupby([needed[name], needed["item"]])
    return {
        "n": n,
        "mean": mean,
        "sd": sd,
        "ci_low": low,
        "ci_high": high,
        "distribution": distribution,
        "n_need": grid(below.size(), keys, items, 0),
        "share_below": grid(below.mean(), keys, items, np.nan),
        "mean_gap": grid(gap.mean(), keys, items, np.nan),
    }


@pytest.fixture(scope="module")
def data():
    return survey(seed=5)


@pytest.fixture(scope="module")
def tables(data):
    return analyse(data)


@pytest.mark.parametrize("name", NAMES)
def test_every_published_cell_matches_pandas(data, tables, name):
    table = tables[name]
    expected = expected_competencies(data, name, table.keys)
    shown, need_shown = ~table.suppressed, ~table.need_suppressed

    np.testing.assert_array_equal(table.n[shown], expected["n"][shown])
    np.testing.assert_array_equal(table.distribution[shown], expected["distribution"][shown])
    for figure in ("mean", "sd", "ci_low", "ci_high"):
        np.testing.assert_allclose(
            getattr(table, figure)[shown], expected[figure][shown], rtol=1e-12, equal_nan=True
        )
    np.testing.assert_array_equal(table.n_need[need_shown], expected["n_need"][need_shown])
    for figure in ("share_below", "mean_gap"):
        np.testing.assert_allclose(
            getattr(table, figure)[need_shown], expected[figure][need_shown], equal_nan=True
        )


def test_the_data_leaves_enough_visible_to_compare(tables):
    # The comparison above means something only if most cells are published.
    assert (~tables["library"].suppressed).mean() > 0.7
    assert (~tables["library"].need_suppressed).mean() > 0.2
    assert not tables["municipality"].suppressed.all()


@pytest.mark.parametrize("name", NAMES)
def test_the_groups_are_the_keys_found_in_the_data(data, tables, name):
    keys = data["keys"][name]
    assert tables[name].keys.tolist() == sorted(set(keys[keys != MISSING].tolist()))


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_below_the_minimum_is_suppressed(data, tables, name):
    n = expected_competencies(data, name, tables[name].keys)["n"]
    assert tables[name].suppressed[(n > 0) & (n < MINIMUM)].all()
    assert not tables[name].suppressed[n == 0].any()


def test_a_column_nobody_answered_is_empty_not_suppressed(data):
    levels = data["levels"].copy()
    levels[:, 3] = MISSING
    tables = analyse(data, levels=levels)

    for table in tables.values():
        assert (table.n[:, 3] == 0).all()
        assert not table.suppressed[:, 3].any()
        assert np.isnan(table.mean[:, 3]).all()
        assert (table.distribution[:, 3] == 0).all()
        assert np.isnan(table.share_below[:, 3]).all()


def test_a_single_answer_has_a_mean_but_no_spread():
    keys = {name: np.zeros(3, np.int64) for name in NAMES}
    keys["library"] = np.array([7, 8, 8])
    keys["role"] = np.zeros(3, np.int64)
    data = {
        "keys": keys,
        "levels": np.array([[3], [1], [2]], np.int8),
        "role": keys["role"],
        "need": np.array([[4]], np.int8),
    }
    library = analyse(data, minimum=1)["library"]

    assert library.n[:, 0].tolist() == [1, 2]
    assert library.mean[:, 0].tolist() == [3.0, 1.5]
    assert np.isnan(library.sd[0, 0])
    assert np.isnan(library.ci_low[0, 0])
    assert np.isnan(library.ci_high[0, 0])
    assert library.sd[1, 0] == pytest.approx(np.sqrt(0.5))
    assert library.share_below[:, 0].tolist() == [1.0, 1.0]
    assert library.mean_gap[:, 0].tolist() == [1.0, 2.5]


def test_a_role_without_need_is_left_out_of_the_gap_figures():
    # Ten staff (role 0, need 3) at level 2, five leaders (role 1, no need) at level 0.
    keys = {name: np.zeros(15, np.int64) for name in NAMES}
    keys["role"] = np.array([0] * 10 + [1] * 5)
    data = {
        "keys": keys,
        "levels": np.array([[2]] * 10 + [[0]] * 5, np.int8),
        "role": keys["role"],
        "need": np.array([[3], [MISSING]], np.int8),
    }
    tables = analyse(data)

    nation = tables["nation"]
    assert nation.n[0, 0] == 15
    assert nation.n_need[0, 0] == 10
    assert nation.share_below[0, 0] == 1.0
    assert nation.mean_gap[0, 0] == 1.0
    leaders = tables["role"]
    assert leaders.n_need[1, 0] == 0
    assert np.isnan(leaders.share_below[1, 0])
    assert np.isnan(leaders.mean_gap[1, 0])
    assert not leaders.need_suppressed[1, 0]


@pytest.mark.parametrize("name", NAMES)
def test_barrier_shares_match_pandas(data, name):
    table = analyse_barriers(
        agreement=data["agreement"], groupings=groupings(data["keys"]), minimum=MINIMUM
    )[name]
    answers = long_answers(data, data["agreement"])
    answers = answers[answers[name] != MISSING]
    by = (answers["answer"] >= 4).groupby([answers[name], answers["item"]])
    n = grid(by.size(), table.keys, 6, 0)
    share = grid(by.mean(), table.keys, 6, np.nan)
    shown = ~table.suppressed

    np.testing.assert_array_equal(table.n[shown], n[shown])
    np.testing.assert_allclose(table.share_agreeing[shown], share[shown], equal_nan=True)
    assert table.suppressed[(n > 0) & (n < MINIMUM)].all()
    assert (table.n[~shown] == 0).all()
    assert np.isnan(table.share_agreeing[~shown]).all()


def test_agree_from_moves_the_threshold(data):
    strict = analyse_barriers(
        agreement=data["agreement"], groupings=groupings(data["keys"]), minimum=5, agree_from=5
    )["nation"]
    agreement = data["agreement"]
    expected = ((agreement == 5).sum(0) / (agreement != MISSING).sum(0)).tolist()
    assert strict.share_agreeing[0].tolist() == pytest.approx(expected)


# -- change between rounds ---------------------------------------------------------------------


def test_change_matches_welchs_t_interval():
    before_data, after_data = survey(seed=1), survey(seed=2)
    after_data["levels"] = np.where(
        after_data["levels"] == MISSING,
        MISSING,
        np.minimum(after_data["levels"] + (after_data["role"][:, None] == 0), N_LEVELS - 1),
    ).astype(np.int8)
    before, after = analyse(before_data)["region"], analyse(after_data)["region"]
    result = change(before=before, after=after)

    assert result.keys.tolist() == [1, 2, 3]
    for g, key in enumerate(result.keys):
        for c in range(before.n.shape[1]):
            old = before_data["levels"][before_data["keys"]["region"] == key, c]
            new = after_data["levels"][after_data["keys"]["region"] == key, c]
            old, new = old[old != MISSING], new[new != MISSING]
            welch = stats.ttest_ind(new, old, equal_var=False)
            interval = welch.confidence_interval(0.95)
            assert result.difference[g, c] == pytest.approx(new.mean() - old.mean())
            assert result.ci_low[g, c] == pytest.approx(interval.low)
            assert result.ci_high[g, c] == pytest.approx(interval.high)
            assert (result.n_before[g, c], result.n_after[g, c]) == (len(old), len(new))


def test_change_is_suppressed_where_either_round_is_and_empty_for_a_new_group(data, tables):
    before = tables["library"]
    after_data = {**data, "keys": {**data["keys"]}}
    after_data["keys"]["library"] = np.where(
        data["keys"]["library"] == before.keys[-1], 9999, data["keys"]["library"]
    )
    after = analyse(after_data)["library"]
    result = change(before=before, after=after)

    assert result.keys.tolist() == [*before.keys.tolist(), 9999]
    either = np.zeros(result.difference.shape, bool)
    either[:-1] |= before.suppressed
    either[np.isin(result.keys, after.keys)] |= after.suppressed
    np.testing.assert_array_equal(result.suppressed, either)
    assert np.isnan(result.difference[result.suppressed]).all()
    assert (result.n_before[result.suppressed] == 0).all()
    old_only, new_only = len(before.keys) - 1, len(result.keys) - 1
    assert (result.n_after[old_only] == 0).all()
    assert np.isnan(result.difference[old_only]).all()
    assert (result.n_before[new_only] == 0).all()


def test_change_without_spread_has_an_interval_of_width_zero():
    keys = {name: np.zeros(10, np.int64) for name in NAMES}
    data = {"keys": keys, "role": keys["role"], "need": np.array([[2]], np.int8)}
    before = analyse(data, levels=np.full((10, 1), 1, np.int8))["nation"]
    after = analyse(data, levels=np.full((10, 1), 3, np.int8))["nation"]
    result = change(before=before, after=after)

    assert (result.difference[0, 0], result.ci_low[0, 0], result.ci_high[0, 0]) == (2, 2, 2)


def test_change_refuses_tables_of_different_groupings(tables):
    with pytest.raises(
        ValueError, match=exactly("Cannot compare grouping 'region' with grouping 'role'.")
    ):
        change(before=tables["region"], after=tables["role"])


# -- input checks ------------------------------------------------------------------------------


def test_it_leaves_its_arguments_unchanged(data):
    copies = {key: value.copy() for key, value in data.items() if key != "keys"}
    keys = {name: value.copy() for name, value in data["keys"].items()}
    analyse(data)
    for key, value in copies.items():
        np.testing.assert_array_equal(data[key], value)
    for name, value in keys.items():
        np.testing.assert_array_equal(data["keys"][name], value)


def exactly(message: str) -> str:
    """A pattern for pytest.raises that matches this message and nothing more."""
    return f"^{re.escape(message)}$"


def broken(change_of, message):
    return pytest.param(change_of, message, id=message[:40])


def _split_library(d):
    d["keys"]["library"][:2] = [1001, 1001]
    d["keys"]["municipality"][:2] = [101, 102]
    d["keys"]["region"][:2] = [1, 1]


def _orphan_library(d):
    d["keys"]["municipality"][0] = MISSING
    d["keys"]["library"][0] = 1001


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        broken(
            lambda d: d.update(levels=d["levels"][:, :3]),
            "need must have shape (any, 3), not (4, 12).",
        ),
        broken(
            lambda d: d["levels"].__setitem__((0, 0), 5),
            "levels must be in 0..4 or MISSING (-1); found 5.",
        ),
        broken(
            lambda d: d["levels"].__setitem__((0, 0), -2),
            "levels must be in 0..4 or MISSING (-1); found -2.",
        ),
        broken(lambda d: d["role"].__setitem__(0, 4), "role must be in 0..3; found 4."),
        broken(
            lambda d: d["need"].__setitem__((0, 0), 5),
            "need must be in 0..4 or MISSING (-1); found 5.",
        ),
        broken(lambda d: d.update(role=d["role"][:10]), "role must have shape (2000,), not (10,)."),
        broken(
            lambda d: d["keys"].update(library=d["keys"]["library"][:10]),
            "Grouping 'library' keys must have shape (2000,), not (10,).",
        ),
        broken(
            lambda d: d["keys"].update(library=d["keys"]["library"].astype(float)),
            "Grouping 'library' keys must hold integers, not float64.",
        ),
        broken(
            _split_library,
            "Group 1001 of grouping 'library' lies in 2 groups of 'municipality': 101, 102.",
        ),
        broken(
            _orphan_library,
            "Group 1001 of grouping 'library' has respondents outside every group of "
            "'municipality'.",
        ),
        broken(
            lambda d: d["keys"]["nation"].__setitem__(0, 1),
            "The top grouping 'nation' must hold everyone in one group.",
        ),
    ],
)
def test_it_rejects_inconsistent_input(spoil, message):
    data = survey(seed=3)
    spoil(data)
    with pytest.raises(ValueError, match=exactly(message)):
        analyse(data)


@pytest.mark.parametrize(
    ("parents", "message"),
    [
        (
            {"library": "kommune"},
            "Grouping 'library' names parent 'kommune', which is not among the groupings.",
        ),
        ({"role": None}, "Exactly one grouping must have no parent; found 2: ['nation', 'role']."),
        (
            {"region": "municipality"},
            "Groupings ['library', 'municipality', 'region'] do not lead up to the top grouping "
            "'nation'.",
        ),
    ],
)
def test_it_rejects_a_broken_hierarchy(parents, message):
    data = survey(seed=3, respondents=50)
    chain = [
        Grouping(g.name, g.keys, parents.get(g.name, g.parent)) for g in groupings(data["keys"])
    ]
    with pytest.raises(ValueError, match=exactly(message)):
        analyse_competencies(
            levels=data["levels"],
            n_levels=N_LEVELS,
            role=data["role"],
            need=data["need"],
            groupings=chain,
            minimum=MINIMUM,
        )


@pytest.mark.parametrize("minimum", [0, -1, 2.5, True])
def test_it_rejects_a_minimum_that_is_not_a_positive_integer(data, minimum):
    with pytest.raises(ValueError, match="minimum must be a positive integer"):
        analyse(data, minimum=minimum)


def test_it_rejects_barrier_answers_off_the_scale(data):
    agreement = data["agreement"].copy()
    agreement[0, 0] = 0
    message = "agreement must be in 1..5 or MISSING (-1); found 0."
    with pytest.raises(ValueError, match=exactly(message)):
        analyse_barriers(agreement=agreement, groupings=groupings(data["keys"]), minimum=5)
