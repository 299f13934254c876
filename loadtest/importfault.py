"""Fault 2: the task worker is killed (SIGKILL) in the middle of an import, and the import is
tried again.

The import is a SUSHI harvest (leadership.tasks.harvest_usage) of a generated COUNTER R5 title
report of a few thousand titles from a SUSHI server on loopback. To kill the worker at a known
point *inside* the import's transaction rather than at a lucky moment, the load test holds a
lock on the endpoint's row: the harvest has then inserted its import and every usage figure
and waits at its last statement (stamping the endpoint's last harvest). The worker is killed
there, the lock let go, and PostgreSQL rolls the orphaned transaction back. Then nothing of the
harvest may be visible. The harvest is started again the way a leader does it (the Harvest
button enqueues the task again) and a new worker must store it completely, once.

django-tasks-db keeps no heartbeat: the killed worker's task stays RUNNING for ever. The
product's `manage.py requeue_stale_tasks` (run from cron) puts such a task back in the queue;
here it is run at once, and the next worker must then finish that same task.
"""

from __future__ import annotations

import datetime
import http.server
import io
import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .server import ROOT, production_environment

PLATFORM = "Loadtest Books"
METRICS = ("Total_Item_Investigations", "Total_Item_Requests", "Unique_Item_Investigations",
           "Unique_Item_Requests")  # fmt: skip
FIRST, LAST = datetime.date(2024, 1, 1), datetime.date(2025, 12, 1)


@dataclass(frozen=True)
class ImportVerdict:
    killed_inside: bool
    half_imported: int  # usage figures or imports of the killed harvest visible afterwards
    stale_status: str  # the killed task's status after the kill
    retried_ok: bool
    records: int
    expected: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.killed_inside and self.half_imported == 0 and self.retried_ok


def _months() -> list[datetime.date]:
    months, month = [], FIRST
    while month <= LAST:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def generate_report(titles: int, seed: int = 9) -> tuple[bytes, Counter]:
    """A COUNTER R5 title report (SUSHI JSON) and its totals per (month, metric)."""
    rng = random.Random(seed)  # noqa: S311 - made-up usage
    totals: Counter = Counter()
    items = []
    for n in range(titles):
        performance = []
        for month in _months():
            if rng.random() < 0.3:
                continue
            instances = []
            for metric in METRICS:
                count = rng.randint(1, 40)
                totals[(month, metric)] += count
                instances.append({"Metric_Type": metric, "Count": count})
            end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            performance.append(
                {
                    "Period": {
                        "Begin_Date": month.isoformat(),
                        "End_Date": (end - datetime.timedelta(days=1)).isoformat(),
                    },
                    "Instance": instances,
                }
            )
        items.append(
            {
                "Title": f"Bog nummer {n}",
                "Item_ID": [{"Type": "ISBN", "Value": f"978-87-{n:07d}-0"}],
                "Platform": PLATFORM,
                "Publisher": "Forlaget Belastning",
                "Data_Type": "Book",
                "Section_Type": "Book",
                "YOP": "2020",
                "Access_Type": "Controlled",
                "Access_Method": "Regular",
                "Performance": performance,
            }
        )
    report = {
        "Report_Header": {
            "Report_Name": "Title Master Report",
            "Report_ID": "TR",
            "Release": "5",
            "Institution_Name": "Odense Bibliotekerne",
            "Customer_ID": "loadtest",
            "Report_Filters": [
                {"Name": "Begin_Date", "Value": FIRST.isoformat()},
                {"Name": "End_Date", "Value": "2025-12-31"},
            ],
            "Created": "2026-01-05T10:00:00Z",
            "Created_By": "digikompas load test",
        },
        "Report_Items": items,
    }
    return json.dumps(report).encode(), totals


class _SushiServer:
    def __init__(self, body: bytes):
        body_ = body

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body_)))
                self.end_headers()
                self.wfile.write(body_)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sushi"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _worker(database_url: str, folder: Path, *args: str) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    command += ["--interval", "0.2", "-v0", *args]
    with (folder / "worker.log").open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - fixed programs, no outside input
            command,
            cwd=ROOT,
            env=production_environment(database_url, folder / "static"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _waiting_harvest(admin: psycopg.Connection) -> int | None:
    """The backend of a harvest that has written (it has a transaction id) and now waits for
    the lock on the endpoint's row, or None."""
    row = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND backend_xid IS NOT NULL AND query LIKE 'UPDATE \"leadership_sushiendpoint\"%'"
    ).fetchone()
    return row[0] if row else None


def run(*, database_url: str, folder: Path, titles: int, out=print) -> ImportVerdict:
    from django.core.management import call_command
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from digikompas.leadership.models import (
        DigitalResource,
        ResourceType,
        SushiEndpoint,
        UsageImport,
        UsageRecord,
    )
    from digikompas.leadership.tasks import harvest_usage
    from digikompas.orgs.models import Municipality

    connections.close_all()
    body, totals = generate_report(titles)
    server = _SushiServer(body)
    resource = DigitalResource.objects.create(
        name="Loadtest e-bøger", type=ResourceType.E_BOOKS, counter_platform=PLATFORM
    )
    endpoint = SushiEndpoint.objects.create(
        resource=resource,
        municipality=Municipality.objects.get(code=461),
        url=server.url,
        customer_id="loadtest",
        platform=PLATFORM,
    )
    dsn = database_url.replace("postgres://", "postgresql://", 1)

    def visible() -> int:
        return (
            UsageRecord.objects.filter(resource=resource).count()
            + UsageImport.objects.filter(usage__resource=resource).distinct().count()
            + SushiEndpoint.objects.filter(pk=endpoint.pk, last_harvested_at__isnull=False).count()
        )

    def enqueue():
        return harvest_usage.enqueue(
            endpoint_id=endpoint.pk,
            report_id="TR",
            first=FIRST.isoformat(),
            last=LAST.isoformat(),
        )

    detail = []
    worker = None
    try:
        with (
            psycopg.connect(dsn, autocommit=True) as admin,
            psycopg.connect(dsn) as holder,
        ):
            holder.execute(
                "SELECT id FROM leadership_sushiendpoint WHERE id = %s FOR UPDATE", [endpoint.pk]
            )
            first = enqueue()
            started = time.monotonic()
            worker = _worker(database_url, folder)
            backend = None
            while time.monotonic() - started < 90 and worker.poll() is None:
                backend = _waiting_harvest(admin)
                if backend:
                    break
                time.sleep(0.1)
            killed_inside = backend is not None
            if killed_inside:
                seconds = time.monotonic() - started
                detail.append(f"killed inside the harvest's transaction after {seconds:.1f}s")
            else:
                detail.append("the harvest never reached its transaction")
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            holder.rollback()  # let the orphaned transaction go on, and fail
            deadline = time.monotonic() + 30
            while backend and time.monotonic() < deadline:
                alive = admin.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]
                ).fetchone()
                if not alive:
                    break
                time.sleep(0.1)
        half_imported = visible()
        stale = DBTaskResult.objects.get(pk=first.id).status
        out(f" worker killed; its task is {stale}; left of its harvest: {half_imported} rows")
        # The retry: the operator's `requeue_stale_tasks` (cron) puts the killed task back in
        # the queue, and a new worker runs it. (A leader may also press Harvest again.)
        requeue = io.StringIO()
        call_command("requeue_stale_tasks", "--after", "0", stdout=requeue)
        out(f" {requeue.getvalue().splitlines()[-1]}")
        worker = _worker(database_url, folder, "--batch")
        try:
            worker.wait(timeout=120)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        result = DBTaskResult.objects.get(pk=first.id)
        stored = {
            (r.month, r.metric): r.count for r in UsageRecord.objects.filter(resource=resource)
        }
        imports = UsageImport.objects.filter(usage__resource=resource).distinct().count()
        expected = dict(totals.items())
        retried_ok = result.status == "SUCCESSFUL" and stored == expected and imports == 1
        if not retried_ok:
            detail.append(
                f"retry: task {result.status} {result.return_value or result.traceback[-500:]}; "
                f"{len(stored)} of {len(expected)} figures, {imports} imports"
            )
        return ImportVerdict(
            killed_inside=killed_inside,
            half_imported=half_imported,
            stale_status=stale,
            retried_ok=retried_ok,
            records=len(stored),
            expected=len(expected),
            detail="; ".join(detail),
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        server.close()
