"""Benchmark the gap-analysis engine against a straightforward pandas group-by.

Run from the project root: ``python -m bench.gap_engine [respondents ...]``. For each size it
prints ``BENCH gap_engine respondents=N seconds=S speedup_vs_pandas=R``: S is the engine's best
time over a few runs of ``analyse_competencies`` (anonymity included), R the pandas reference's
time divided by S. Generating the data is not timed, and neither is turning it into the long
table the reference starts from (one row per answer, the respondent's groups and need joined on,
as a database query would deliver it). The reference computes the same figures – n, mean, sd,
level distribution, n with a need, share below need and mean gap per group × item for every
grouping – but no confidence intervals and no anonymity, so the comparison favours it. Before
timing, the engine's visible cells are checked against the reference.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from digikompas.analysis.engine import MISSING, Grouping, analyse_competencies

ITEMS = 80
N_LEVELS = 5
LIBRARIES, MUNICIPALITIES, REGIONS, ROLES = 500, 98, 5, 6
MINIMUM = 5
SIZES = (5_000, 100_000, 1_000_000)
RUNS = 3


def generate(n_respondents: int, seed: int = 2024) -> dict:
    """A national survey: libraries in municipalities in regions, six roles, 5% missing answers.

    Libraries differ in size (a few large main libraries, many small branches); 2% of the
    respondents work for a municipality outside any library. One role has no need at all and
    the others lack a need for a tenth of the competencies.
    """
    rng = np.random.default_rng(seed)
    municipality_of_library = np.concatenate(
        [np.arange(MUNICIPALITIES), rng.integers(0, MUNICIPALITIES, LIBRARIES - MUNICIPALITIES)]
    )
    region_of_municipality = np.concatenate(
        [np.arange(REGIONS), rng.integers(0, REGIONS, MUNICIPALITIES - REGIONS)]
    )
    weight = rng.pareto(1.5, LIBRARIES) + 1
    library = rng.choice(LIBRARIES, n_respondents, p=weight / weight.sum())
    municipality = municipality_of_library[library]
    outside = rng.random(n_respondents) < 0.02
    municipality[outside] = rng.integers(0, MUNICIPALITIES, outside.sum())
    library_key = np.where(outside, MISSING, library + 1000)  # keys as database ids
    role = rng.choice(ROLES, n_respondents, p=[0.5, 0.2, 0.1, 0.1, 0.05, 0.05])
    ability = rng.normal(2, 0.8, (n_respondents, 1)) + rng.normal(0, 0.5, (1, ITEMS))
    levels = np.clip(np.rint(ability + rng.normal(0, 0.7, (n_respondents, ITEMS))), 0, 4)
    levels = levels.astype(np.int8)
    levels[rng.random((n_respondents, ITEMS)) < 0.05] = MISSING
    need = rng.integers(1, N_LEVELS, (ROLES, ITEMS)).astype(np.int8)
    need[rng.random((ROLES, ITEMS)) < 0.1] = MISSING
    need[ROLES - 1] = MISSING
    groupings = [
        Grouping("nation", np.zeros(n_respondents, np.int64), None),
        Grouping("region", region_of_municipality[municipality] + 1, "nation"),
        Grouping("municipality", municipality + 101, "region"),
        Grouping("library", library_key, "municipality"),
        Grouping("role", role, "nation"),
    ]
    return {"levels": levels, "role": role, "need": need, "groupings": groupings}


def run_engine(data: dict) -> dict:
    return analyse_competencies(
        levels=data["levels"],
        n_levels=N_LEVELS,
        role=data["role"],
        need=data["need"],
        groupings=data["groupings"],
        minimum=MINIMUM,
    )


def long_table(data: dict) -> pd.DataFrame:
    """One row per answer with the respondent's groups and need: the reference's input.

    Columns are as narrow as their values allow (76 million rows at 1,000,000 respondents).
    """
    levels = data["levels"]
    respondent, item = np.nonzero(levels != MISSING)
    columns = {}
    for grouping in data["groupings"]:
        keys = grouping.keys
        columns[grouping.name] = keys.astype(np.min_scalar_type(-int(keys.max()) - 1))[respondent]
    columns["item"] = item.astype(np.int8)
    columns["level"] = levels[respondent, item]
    columns["need"] = data["need"][data["role"][respondent], item]
    return pd.DataFrame(columns, copy=False)


def run_reference(answers: pd.DataFrame, groupings: list[str]) -> dict:
    """The figures per grouping by plain pandas group-bys over the long table."""
    needed = answers["need"] != MISSING
    need_rows = pd.DataFrame(
        {
            "below": answers["level"][needed] < answers["need"][needed],
            "gap": (answers["need"][needed] - answers["level"][needed]).clip(lower=0),
        }
    )
    out = {}
    for name in groupings:
        # Respondents outside every group of a grouping form a group of their own here,
        # dropped afterwards: cheaper than filtering 76 million rows first.
        by = answers.groupby([name, "item"])["level"]
        stats = by.agg(["count", "mean", "std"])
        distribution = answers.groupby([name, "item", "level"]).size().unstack(fill_value=0)
        need = need_rows.groupby([answers[name][needed], answers["item"][needed]]).agg(
            n_need=("below", "size"), share_below=("below", "mean"), mean_gap=("gap", "mean")
        )
        out[name] = tuple(
            frame.drop(index=MISSING, level=0, errors="ignore")
            for frame in (stats, distribution, need)
        )
    return out


def check(tables: dict, reference: dict) -> None:
    """The engine's visible cells equal the reference's (a guard that both compute the same)."""
    for name, (stats, distribution, need) in reference.items():
        table = tables[name]
        g = np.searchsorted(table.keys, stats.index.get_level_values(0))
        c = stats.index.get_level_values(1).to_numpy()
        shown = ~table.suppressed[g, c]
        np.testing.assert_array_equal(table.n[g, c][shown], stats["count"].to_numpy()[shown])
        np.testing.assert_allclose(table.mean[g, c][shown], stats["mean"].to_numpy()[shown])
        np.testing.assert_allclose(
            table.sd[g, c][shown], stats["std"].to_numpy()[shown], equal_nan=True
        )
        dist = distribution.reindex(columns=range(N_LEVELS), fill_value=0).to_numpy()
        np.testing.assert_array_equal(table.distribution[g, c][shown], dist[shown])
        g = np.searchsorted(table.keys, need.index.get_level_values(0))
        c = need.index.get_level_values(1).to_numpy()
        shown = ~table.need_suppressed[g, c]
        np.testing.assert_array_equal(table.n_need[g, c][shown], need["n_need"].to_numpy()[shown])
        np.testing.assert_allclose(table.mean_gap[g, c][shown], need["mean_gap"].to_numpy()[shown])


def best_of(runs: int, function, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main(sizes: tuple[int, ...] = SIZES) -> None:
    for n_respondents in sizes:
        data = generate(n_respondents)
        seconds, tables = best_of(RUNS, run_engine, data)
        answers = long_table(data)
        names = [g.name for g in data["groupings"]]
        reference_seconds, reference = best_of(1, run_reference, answers, names)
        check(tables, reference)
        del answers, reference
        print(
            f"BENCH gap_engine respondents={n_respondents} seconds={seconds:.4f} "
            f"speedup_vs_pandas={reference_seconds / seconds:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main(tuple(int(arg) for arg in sys.argv[1:]) or SIZES)
