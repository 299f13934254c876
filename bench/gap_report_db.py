"""Benchmark the gap analysis read from the database, and the national results page.

Run from the project root against an empty database: ``python -m bench.gap_report_db``
(SQLite in a temporary folder) or, through ``scripts/with-postgres``, against the throwaway
PostgreSQL cluster that DATABASE_URL names. It migrates, loads the national demo of libraries
and people and the shipped competence survey, then stores rounds of generated responses the
way the product stores them (Answer rows and the packed scale answers of each response). Not
timed: all of that. Timed:

``BENCH gap_report_db respondents=100000 backend=B seconds=S``
    a full national gap report (JSON: every grouping × competency, the largest gaps, the heat
    map and the method notes), read from the database with the analysis cache emptied first;
    best of three.
``BENCH dashboard respondents=5000 backend=B seconds=S``
    the server time of the national results page for an analyst (view and template, charts
    included), median of five renders after a first one that fills the analysis cache.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

REPORT_RESPONDENTS = 100_000
DASHBOARD_RESPONDENTS = 5_000
BATCH = 5_000


def _database() -> tuple[str, tempfile.TemporaryDirectory | None]:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "postgresql", None
    folder = tempfile.TemporaryDirectory(prefix="digikompas-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder.name}/bench.sqlite3"
    return "sqlite", folder


def main() -> None:
    backend, folder = _database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digikompas.settings")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    _setup()
    round = _round(REPORT_RESPONDENTS, title="Bench 100000")
    print(
        f"BENCH gap_report_db respondents={REPORT_RESPONDENTS} backend={backend} "
        f"seconds={_report_seconds(round):.3f}",
        flush=True,
    )
    round = _round(DASHBOARD_RESPONDENTS, title="Bench 5000")
    print(
        f"BENCH dashboard respondents={DASHBOARD_RESPONDENTS} backend={backend} "
        f"seconds={_dashboard_seconds(round):.3f}",
        flush=True,
    )
    if folder is not None:
        folder.cleanup()


def _setup() -> None:
    from digikompas.frameworks.services import load_default_framework
    from digikompas.orgs import demo
    from digikompas.surveys.defaults import load_default_surveys

    demo.load()
    load_default_surveys(framework=load_default_framework()[0])


def _round(respondents: int, *, title: str):
    """A closed national round of the competence survey with generated answers: levels around
    each role's need, a little lower for some libraries, 5% left unanswered."""
    import datetime

    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from digikompas.orgs.models import JobRole, Library
    from digikompas.surveys import scores
    from digikompas.surveys.defaults import COMPETENCE_SURVEY_KEY
    from digikompas.surveys.models import AnonymityMode, ItemKind, Response, Round, Survey

    survey = Survey.objects.get(key=COMPETENCE_SURVEY_KEY)
    items = list(survey.items.filter(kind=ItemKind.COMPETENCY).order_by("pk"))
    now = timezone.now()
    round = Round.objects.create(
        survey=survey,
        title=title,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        anonymity=AnonymityMode.ANONYMOUS,
    )
    libraries = list(Library.objects.select_related("municipality").order_by("pk"))
    roles = [JobRole.LIBRARIAN, JobRole.LIBRARY_ASSISTANT, JobRole.COMMUNICATOR,
             JobRole.DIGITAL_GUIDE, JobRole.STUDENT_ASSISTANT, JobRole.LIBRARY_LEADER]  # fmt: skip
    rng = np.random.default_rng(respondents)
    library_of = rng.integers(0, len(libraries), respondents)
    role_of = rng.choice(len(roles), respondents, p=[0.35, 0.3, 0.1, 0.1, 0.1, 0.05])
    strength = rng.normal(0, 0.6, len(libraries))
    raw = rng.normal(2.2, 0.9, (respondents, len(items))) + strength[library_of, None]
    levels = np.clip(np.rint(raw), 0, 4).astype(np.int8)
    answered = rng.random((respondents, len(items))) >= 0.05
    ids = np.array([item.pk for item in items])
    with transaction.atomic():
        for start in range(0, respondents, BATCH):
            stop = min(start + BATCH, respondents)
            batch = []
            for r in range(start, stop):
                library = libraries[library_of[r]]
                keep = answered[r]
                batch.append(
                    Response(
                        round=round,
                        library=library,
                        municipality=library.municipality,
                        region_id=library.municipality.region_id,
                        job_role=roles[role_of[r]],
                        submitted_at=now - datetime.timedelta(days=2),
                        scores=scores.pack(
                            zip(ids[keep].tolist(), levels[r, keep].tolist(), strict=True)
                        ),
                    )
                )
            stored = Response.objects.bulk_create(batch)
            _insert_answers(
                (response.pk, item.pk, int(levels[r, c]))
                for r, response in zip(range(start, stop), stored, strict=True)
                for c, item in enumerate(items)
                if answered[r, c]
            )
    return round


def _insert_answers(rows) -> None:
    """Answer rows (response id, item id, number) by the database's bulk path: the ORM's
    bulk_create would take minutes for millions of rows, and this is set-up, not the bench."""
    from django.db import connection

    from digikompas.surveys.models import Answer

    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = "response_id, item_id, number, text, choices"
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for response, item, number in rows:
                    copy.write_row((response, item, number, "", "[]"))
        else:
            cursor.executemany(
                f"INSERT INTO {table} (response_id, item_id, number, text, choices) "  # noqa: S608
                "VALUES (%s, %s, %s, '', '[]')",
                list(rows),
            )


def _report_seconds(round) -> float:
    from django.core.cache import cache

    from digikompas.analysis import reports
    from digikompas.analysis.models import FileFormat, GroupBy, ReportKind

    spec = reports.ReportSpec(
        round=round,
        kind=ReportKind.NATIONAL,
        file_format=FileFormat.JSON,
        group_by=GroupBy.MUNICIPALITY,
        language="da",
    )
    best = float("inf")
    for _ in range(3):
        cache.clear()
        started = time.perf_counter()
        built = reports.build(spec)
        best = min(best, time.perf_counter() - started)
        assert built.content.startswith(b"{")
    return best


def _dashboard_seconds(round) -> float:
    from django.test import RequestFactory
    from django.utils import translation

    from digikompas.analysis import views
    from digikompas.orgs.models import Role, RoleGrant

    analyst = RoleGrant.objects.filter(role=Role.ANALYST).select_related("person__user").first()
    factory = RequestFactory()

    def render() -> float:
        request = factory.get(f"/analysis/rounds/{round.pk}/")
        request.user = analyst.person.user
        started = time.perf_counter()
        with translation.override("da"):
            response = views.results(request, pk=round.pk)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        return elapsed

    render()  # fills the analysis cache and starts the chart renderer
    return statistics.median(render() for _ in range(5))


if __name__ == "__main__":
    sys.exit(main())
