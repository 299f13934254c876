"""Benchmark the import of COUNTER files against pycounter.

Run from the project root: ``python -m bench.counter_import`` (SQLite in a temporary folder, or
the PostgreSQL that DATABASE_URL names). ``make bench`` first installs pycounter into its own
virtual environment, ``.venv-bench`` (requirements/bench.lock): pycounter pins an old
python-dateutil, so it is never a dependency of the app or its tests. Its part runs in a
subprocess of that environment, this same file with ``--pycounter FILE...``, which prints its
timings and totals as JSON.

For the largest sample R4 and the largest sample R5/R5.1 tabular file in
digikompas/leadership/tests/samples/counter (by bytes; TSV, CSV or XLSX), one line per file:

``BENCH counter_import rows=N seconds=S speedup_vs_pycounter=R``

- ``N``: the rows the file yields, one per title (or platform, database) × metric × month.
- ``S``: best of 3 × 30 runs of reading the file from disk and parsing it (``counter.parse``), as
  pycounter's figure includes opening and reading the file, and storing it for a
  municipality (``usage.store``, one transaction, committed) into an empty usage table; emptying
  the table between runs is not timed. The rounds of 30 alternate with pycounter's, so that a
  busy spell of the machine does not fall on one side only. SQLite lives on tmpfs (/dev/shm)
  when there is one, as scripts/with-postgres runs PostgreSQL without fsync: the figure is the
  import's work, not the disk's flush at commit.
- ``R``: pycounter's best of 3 × 30 runs of ``pycounter.report.parse`` on the same file, divided by
  ``S``; ``n/a`` when pycounter cannot read the file (it reads COUNTER 3/4 tabular files and
  R5 only as SUSHI JSON), with the reason on the line before.

Before the lines, our totals per platform and metric are checked against pycounter's where
pycounter reads the file (pycounter names JR1's metric "FT Article Requests", BR2's "Book Section
Requests"); a difference stops the benchmark.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(
    os.environ.get(
        "COUNTER_SAMPLES", ROOT / "digikompas" / "leadership" / "tests" / "samples" / "counter"
    )
)
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
REPEATS = 30
ROUNDS = 3
TABULAR = (".tsv", ".csv", ".xlsx")
# pycounter's metric names for ours.
PYCOUNTER_METRICS = {
    "FT Article Requests": "Full-Text Article Requests",
    "Book Section Requests": "Section Requests",
    "Book Title Requests": "Title Requests",
}


def largest(folders: list[str]) -> Path:
    files = [f for folder in folders for f in (SAMPLES / folder).iterdir() if f.suffix in TABULAR]
    return max(files, key=lambda f: f.stat().st_size)


# -- pycounter's side, in .venv-bench ----------------------------------------------------------


def pycounter_main(paths: list[str]) -> None:
    from pycounter import report as pycounter_report

    results = []
    for path in paths:
        result = {"file": path}
        try:
            best = float("inf")
            for _ in range(REPEATS):
                started = time.perf_counter()
                parsed = pycounter_report.parse(path)
                best = min(best, time.perf_counter() - started)
            totals: dict[str, int] = {}
            for publication in parsed.pubs:
                for _month, metric, count in publication:
                    key = f"{publication.platform}|{metric}"
                    totals[key] = totals.get(key, 0) + int(count)
            result.update(seconds=best, totals=totals)
        except Exception as error:  # any failure means "cannot parse"
            result["error"] = f"{type(error).__name__}: {error}"
        results.append(result)
    print(json.dumps(results))


def run_pycounter(paths: list[Path]) -> dict[str, dict]:
    if not BENCH_PYTHON.exists():
        reason = "no .venv-bench (make bench installs pycounter there)"
        return {str(path): {"error": reason} for path in paths}
    completed = subprocess.run(  # noqa: S603 - our own interpreter and file
        [str(BENCH_PYTHON), __file__, "--pycounter", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {result["file"]: result for result in json.loads(completed.stdout)}


# -- our side ----------------------------------------------------------------------------------


def _database() -> tuple[str, tempfile.TemporaryDirectory | None]:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "postgresql", None
    # On tmpfs when there is one: the figure is the import's work, not the disk's flush at
    # commit (20 ms on a virtual disk, more than all the rest); scripts/with-postgres likewise
    # runs PostgreSQL with fsync off.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
    folder = tempfile.TemporaryDirectory(prefix="digikompas-bench-", dir=shm)
    os.environ["DATABASE_URL"] = f"sqlite:///{folder.name}/bench.sqlite3"
    return "sqlite", folder


def main() -> int:
    files = [largest(["r4"]), largest(["r5", "r51"])]
    backend, folder = _database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digikompas.settings")
    # As deployed: with DEBUG on, Django logs every query with its time and SQL.
    os.environ.setdefault("DEBUG", "false")
    # ... and so with a key of its own (settings refuse the development key with DEBUG off).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    import django

    django.setup()
    from django.core.management import call_command

    from digikompas.leadership import counter, usage
    from digikompas.leadership.models import DigitalResource, ResourceType, UsageRecord
    from digikompas.orgs.models import Municipality

    call_command("migrate", verbosity=0)
    municipality = Municipality.objects.get(name="Odense")
    reports = {path: counter.parse(path.read_bytes(), path.name) for path in files}
    for report in reports.values():
        for platform in {row.platform for row in report.rows}:
            DigitalResource.objects.get_or_create(
                name=f"Bench {platform}",
                defaults={"counter_platform": platform, "type": ResourceType.OTHER},
            )

    def ours(path: Path) -> float:
        best = float("inf")
        for _ in range(REPEATS):
            UsageRecord.objects.all().delete()
            started = time.perf_counter()
            usage.store(
                counter.parse(path.read_bytes(), path.name),
                municipality=municipality,
                file_name=path.name,
            )
            best = min(best, time.perf_counter() - started)
        return best

    # Rounds of both, one after the other, so that a busy spell of the machine does not fall on
    # one side only; the best of every round counts.
    seconds = dict.fromkeys(files, float("inf"))
    theirs: dict[str, dict] = {}
    for _round in range(ROUNDS):
        for name, result in run_pycounter(files).items():
            kept = theirs.setdefault(name, result)
            if "seconds" in result and result["seconds"] < kept["seconds"]:
                theirs[name] = result
        for path in files:
            seconds[path] = min(seconds[path], ours(path))
    failed = False
    for path, report in reports.items():
        name = path.relative_to(SAMPLES)
        mine: dict[str, int] = {}
        for row in report.rows:
            key = f"{row.platform}|{row.metric}"
            mine[key] = mine.get(key, 0) + row.count
        result = theirs.get(str(path), {"error": "no result"})
        if "error" in result:
            speedup = "n/a"
            print(
                f"# {name} ({report.label}, {backend}): pycounter cannot parse it "
                f"({result['error']})",
                flush=True,
            )
        else:
            converted: dict[str, int] = {}
            for key, count in result["totals"].items():
                platform, metric = key.split("|", 1)
                key = f"{platform}|{PYCOUNTER_METRICS.get(metric, metric)}"
                converted[key] = converted.get(key, 0) + count
            if converted != mine:
                print(f"# {name}: totals differ; ours {mine}, pycounter's {converted}")
                failed = True
            speedup = f"{result['seconds'] / seconds[path]:.1f}"
            print(
                f"# {name} ({report.label}, {backend}): totals equal to pycounter's "
                f"({sum(mine.values())}); pycounter {result['seconds']:.5f} s",
                flush=True,
            )
        print(
            f"BENCH counter_import rows={len(report.rows)} seconds={seconds[path]:.5f} "
            f"speedup_vs_pycounter={speedup}",
            flush=True,
        )
    if folder is not None:
        folder.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pycounter"]:
        pycounter_main(sys.argv[2:])
    else:
        sys.exit(main())
