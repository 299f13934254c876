"""Usage figures: storing a read report (leadership.counter) and reading the figures back.

A figure is one UsageRecord: a resource's count of one metric in one month for one holder
(municipality). Importing a month again replaces its figures, never adds to them; a changed
figure keeps the one it replaced in `restated_from`, so pages can warn that a month was
restated. Figures of metrics the new report does not carry are left as they are (a DB1 and a
PR1 of the same platform count different things).
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from digikompas.orgs.models import Municipality

from .counter import CounterError, Problem, Report
from .models import DigitalResource, UsageImport, UsageRecord


def store(
    report: Report,
    *,
    municipality: Municipality,
    resource: DigitalResource | None = None,
    by=None,
    file_name: str = "",
    source: str = UsageImport.Source.FILE,
) -> UsageImport:
    """Store the report's figures for the municipality, all or nothing, and return the import.

    Each row goes to `resource` when it is given (the report must then be of one platform, or
    name none), else to the resource whose COUNTER platform is the row's platform, whatever its
    case. Rows of one resource, month and metric (titles, items, data types) are summed into
    one figure. Raises CounterError, storing nothing, when a platform has no resource or more
    than one.
    """
    # The connection itself: every attribute of django.db.connection is looked up afresh.
    db = connections[DEFAULT_DB_ALIAS]
    sums = report.sums()
    resource_of = _resources(db, sorted(set(map(_PLATFORM, sums))), resource)
    figures: dict[tuple[int, datetime.date, str], int] = defaultdict(int)
    for (platform, month, metric), count in sums.items():
        figures[resource_of[platform], month, metric] += count
    # Positional arguments, in the order of _IMPORT_ATTNAMES: the quick way into a model.
    imported = UsageImport(
        None,
        source,
        file_name[:255],
        report.label,
        municipality.pk,
        report.first_month,
        report.last_month,
        len(figures),
        0,
        report.exceptions,
        by.pk if by is not None else None,
        timezone.now(),
    )
    _MUNICIPALITY.set_cached_value(imported, municipality)
    if by is not None:
        _IMPORTED_BY.set_cached_value(imported, by)
    if db.vendor == "postgresql":
        _store_postgresql(db, imported, figures)
    else:
        _store(db, imported, figures)
    imported._state.adding = False
    imported._state.db = db.alias
    return imported


_PLATFORM, _MONTH, _METRIC = (operator.itemgetter(index) for index in range(3))

# The figures are written in SQL, not through the ORM: this is the import's hot path
# (bench/counter_import.py), and bulk_create spends more time building model instances and
# compiling than the database spends storing them. A replaced figure keeps the one it replaced
# in restated_from, unless it is unchanged (then a restatement seen before still stands); the
# upsert decides that on the locked row itself, so a concurrent import of the same months waits
# and then sees the other's figures.
_TABLE = UsageRecord._meta.db_table
_IMPORT_TABLE = UsageImport._meta.db_table
_IMPORT_ATTNAMES = (
    "id",
    "source",
    "file_name",
    "report",
    "municipality_id",
    "first_month",
    "last_month",
    "records",
    "replaced",
    "exceptions",
    "imported_by_id",
    "imported_at",
)
if tuple(field.attname for field in UsageImport._meta.concrete_fields) != _IMPORT_ATTNAMES:
    raise ImproperlyConfigured("usage.store() must follow the fields of UsageImport.")
_IMPORT_COLUMNS = ", ".join(
    connection.ops.quote_name(field.column) for field in UsageImport._meta.concrete_fields[1:]
)
_MUNICIPALITY = UsageImport._meta.get_field("municipality")
_IMPORTED_BY = UsageImport._meta.get_field("imported_by")
_EXCEPTIONS = UsageImport._meta.get_field("exceptions")
# The SQL of this module names tables and columns from the models' _meta only; every value is a
# query parameter (hence the nosec B608 on each statement).
_RESTATED = (
    f"restated_from = CASE WHEN {_TABLE}.count <> excluded.count THEN {_TABLE}.count "  # nosec B608
    f"ELSE {_TABLE}.restated_from END"
)
_UPSERT = (
    "ON CONFLICT (resource_id, municipality_id, month, metric) DO UPDATE SET "
    f"count = excluded.count, source_id = excluded.source_id, {_RESTATED}"  # nosec B608
)


def _import_values(db, imported: UsageImport) -> list:
    """The import row's column values but the id, in the order of _IMPORT_ATTNAMES, prepared
    for the database as the ORM's save() would."""
    ops = db.ops
    return [
        imported.source,
        imported.file_name,
        imported.report,
        imported.municipality_id,
        ops.adapt_datefield_value(imported.first_month),
        ops.adapt_datefield_value(imported.last_month),
        imported.records,
        imported.replaced,
        _EXCEPTIONS.get_db_prep_save(imported.exceptions, db),
        imported.imported_by_id,
        ops.adapt_datetimefield_value(imported.imported_at),
    ]


_SQLITE_IMPORT = (
    f"INSERT INTO {_IMPORT_TABLE} ({_IMPORT_COLUMNS}) "  # noqa: S608  # nosec B608
    f"VALUES ({', '.join(['?'] * (len(_IMPORT_ATTNAMES) - 1))})"
)
# Figures go in by statements of up to _CHUNK rows each: one statement of many rows costs
# SQLite a third less than as many single-row ones (executemany), 45 µs of 145 for the 12
# figures of the benchmark file. Each size's statement is made once (and prepared once per
# connection: sqlite3 keeps the statements it ran).
_CHUNK = 100


@lru_cache(maxsize=_CHUNK)
def _sqlite_figures(count: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?, ?)"] * count)
    return (
        f"INSERT INTO {_TABLE} (resource_id, municipality_id, month, metric, count, source_id) "  # noqa: S608  # nosec B608
        f"VALUES {values} {_UPSERT}"
    )


def _store(db, imported: UsageImport, figures: dict[tuple[int, datetime.date, str], int]) -> None:
    """SQLite: in one transaction (SQLite has no INSERT in a WITH), the count of figures to be
    replaced, the import row and the figures by _CHUNK, on the sqlite3 connection itself
    (Django's cursor would rewrite every statement's placeholders)."""
    municipality_id = imported.municipality_id
    with db.wrap_database_errors, _sqlite_transaction(db):
        cursor = db.connection.cursor()
        try:
            if figures:
                imported.replaced = _replaced(cursor, figures, municipality_id)
            cursor.execute(_SQLITE_IMPORT, _import_values(db, imported))
            imported.pk = import_id = cursor.lastrowid
            if figures:
                texts = {month: month.isoformat() for month in set(map(_MONTH, figures))}
                rows = [
                    (resource_id, municipality_id, texts[month], metric, count, import_id)
                    for (resource_id, month, metric), count in figures.items()
                ]
                for start in range(0, len(rows), _CHUNK):
                    chunk = rows[start : start + _CHUNK]
                    cursor.execute(_sqlite_figures(len(chunk)), list(chain.from_iterable(chunk)))
        finally:
            cursor.close()


@contextmanager
def _sqlite_transaction(db):
    """A transaction on SQLite: atomic() inside the caller's transaction (a savepoint), else
    BEGIN IMMEDIATE ... COMMIT (or ROLLBACK) on the sqlite3 connection itself. atomic() would
    spend 45 µs of the benchmark's 0.8 ms on its bookkeeping around the statements.
    The caller turns sqlite3's errors into Django's (wrap_database_errors)."""
    if not db.get_autocommit():  # (which connects when not connected)
        with transaction.atomic(using=db.alias):
            yield
        return
    raw = db.connection
    raw.execute("BEGIN IMMEDIATE")
    try:
        yield
        raw.execute("COMMIT")  # where a deferred foreign key can still fail
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise


def _replaced(cursor, figures, municipality_id: int) -> int:
    """How many of the figures are stored already (and will be replaced)."""
    resource_ids = sorted(set(map(_PLATFORM, figures)))
    months = list(map(_MONTH, figures))
    marks = ", ".join(["?"] * len(resource_ids))
    cursor.execute(
        f"SELECT resource_id, month, metric FROM {_TABLE} "  # noqa: S608  # nosec B608
        f"WHERE municipality_id = ? AND resource_id IN ({marks}) AND month >= ? AND month <= ?",
        [municipality_id, *resource_ids, min(months).isoformat(), max(months).isoformat()],
    )
    replaced = 0
    for resource_id, month, metric in cursor.fetchall():
        if isinstance(month, str):
            month = datetime.date.fromisoformat(month)
        if (resource_id, month, metric) in figures:
            replaced += 1
    return replaced


def _store_postgresql(
    db, imported: UsageImport, figures: dict[tuple[int, datetime.date, str], int]
) -> None:
    """PostgreSQL: one statement, so one transaction of its own (or a part of the caller's):
    the figures are upserted, the import row is written with the id they refer to and with the
    number of figures the upsert found stored already (an updated row version carries the
    updating transaction in xmax; an inserted one 0)."""
    columns = list(zip(*figures, strict=True)) if figures else [(), (), ()]
    values = _import_values(db, imported)
    with db.cursor() as cursor:
        cursor.execute(
            _POSTGRESQL,
            [
                imported.municipality_id,
                list(columns[0]),
                list(columns[1]),
                list(columns[2]),
                list(figures.values()),
                *values[:_REPLACED_AT],
                *values[_REPLACED_AT + 1 :],
            ],
        )
        imported.pk, imported.replaced = cursor.fetchone()


_REPLACED_AT = _IMPORT_ATTNAMES.index("replaced") - 1  # in _import_values()


def _postgresql_statement() -> str:
    selected = ["%s"] * (len(_IMPORT_ATTNAMES) - 1)
    selected[_REPLACED_AT] = "(SELECT count(*) FROM stored WHERE NOT inserted)"
    return (
        "WITH new_import AS ("  # noqa: S608  # nosec B608
        f"SELECT nextval(pg_get_serial_sequence('{_IMPORT_TABLE}', 'id')) AS id), "
        f"stored AS (INSERT INTO {_TABLE} (resource_id, municipality_id, month, metric, count, "
        "source_id) SELECT given.resource_id, %s, given.month, given.metric, given.count, "
        "new_import.id FROM unnest(%s::bigint[], %s::date[], %s::text[], %s::bigint[]) "
        "AS given (resource_id, month, metric, count), new_import "
        f"{_UPSERT} RETURNING {_TABLE}.xmax = 0 AS inserted) "
        f"INSERT INTO {_IMPORT_TABLE} (id, {_IMPORT_COLUMNS}) "
        f"SELECT new_import.id, {', '.join(selected)} FROM new_import RETURNING id, replaced"
    )


_POSTGRESQL = _postgresql_statement()


_PLATFORMS = (
    f"SELECT id, name, counter_platform FROM {DigitalResource._meta.db_table} "  # noqa: S608  # nosec B608
    "WHERE counter_platform <> ''"
)


def _resources(db, platforms: list[str], resource: DigitalResource | None) -> dict[str, int]:
    """The resource id of each of the platforms (sorted)."""
    if resource is not None:
        named = [platform for platform in platforms if platform]
        if len(named) > 1:
            message = _(
                "The file holds the usage of %(count)s platforms (%(platforms)s), so it cannot "
                "all be %(resource)s. Import it without choosing a resource: each platform then "
                "goes to the resource with that COUNTER platform."
            )
            values = {"count": len(named), "platforms": ", ".join(named), "resource": resource}
            raise CounterError([Problem(None, None, message % values)])
        return dict.fromkeys(platforms, resource.pk)
    if "" in platforms:
        message = _(
            "The file does not name the resource its figures belong to; choose the resource."
        )
        raise CounterError([Problem(None, None, message)])
    # Compared in Python, not with SQL LOWER(): SQLite lowers ASCII letters only ("Ø").
    found: dict[str, list[str]] = defaultdict(list)
    ids: dict[str, int] = {}
    # On the DB-API connection itself: Django's cursor takes as long as the query here.
    if db.connection is None:
        db.ensure_connection()
    with db.wrap_database_errors:
        cursor = db.connection.cursor()
        try:
            cursor.execute(_PLATFORMS)
            resources = cursor.fetchall()
        finally:
            cursor.close()
    for pk, name, platform in resources:
        found[platform.strip().casefold()].append(name)
        ids[platform.strip().casefold()] = pk
    problems = []
    resource_of = {}
    for platform in platforms:
        names = found.get(platform.casefold(), [])
        if not names:
            message = _(
                "No resource has the COUNTER platform “%(platform)s”. Set it on the resource, "
                "or choose the resource when importing."
            )
            problems.append(Problem(None, None, message % {"platform": platform}))
        elif len(names) > 1:
            message = _(
                "The COUNTER platform “%(platform)s” belongs to %(resources)s; choose the "
                "resource when importing."
            )
            values = {"platform": platform, "resources": ", ".join(sorted(names))}
            problems.append(Problem(None, None, message % values))
        else:
            resource_of[platform] = ids[platform.casefold()]
    if problems:
        raise CounterError(problems)
    return resource_of


def monthly(
    resource: DigitalResource,
    municipality: Municipality,
    metric: str,
    first: datetime.date,
    last: datetime.date,
) -> dict[datetime.date, int]:
    """The figures of the metric by month from first to last (months as first days); months
    without a figure are left out, so callers can tell missing months from zero usage."""
    return dict(
        UsageRecord.objects.filter(
            resource=resource,
            municipality=municipality,
            metric=metric,
            month__gte=first.replace(day=1),
            month__lte=last.replace(day=1),
        )
        .order_by("month")
        .values_list("month", "count")
    )


def metrics_of(resource: DigitalResource, municipality: Municipality) -> list[str]:
    """The metrics the resource has figures of for the municipality, most used first (ties by
    name)."""
    return [
        metric
        for metric, _total in UsageRecord.objects.filter(
            resource=resource, municipality=municipality
        )
        .values("metric")
        .annotate(total=Sum("count"))
        .order_by("-total", "metric")
        .values_list("metric", "total")
    ]
