"""manage.py requeue_stale_tasks: a task whose worker died stays RUNNING (django-tasks-db keeps
no heartbeat) until this command puts it back in the queue for the next worker."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone, translation
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


def _task(status, *, started_minutes_ago):
    return DBTaskResult.objects.create(
        status=status,
        started_at=timezone.now() - datetime.timedelta(minutes=started_minutes_ago),
        args_kwargs={"args": [], "kwargs": {"endpoint_id": 1}},
        task_path="digikompas.leadership.tasks.harvest_usage",
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=["killed-worker"],
    )


def _requeue(*args):
    out = io.StringIO()
    with translation.override("en"):
        call_command("requeue_stale_tasks", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_puts_a_task_running_too_long_back_in_the_queue(db):
    stale = _task(TaskResultStatus.RUNNING, started_minutes_ago=120)
    running = _task(TaskResultStatus.RUNNING, started_minutes_ago=5)
    done = _task(TaskResultStatus.SUCCESSFUL, started_minutes_ago=120)

    lines = _requeue()

    assert lines[-1] == "1 stale task put back in the queue."
    assert lines[0].startswith(f"{stale.pk} digikompas.leadership.tasks.harvest_usage (started ")
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {
        stale.pk: TaskResultStatus.READY,
        running.pk: TaskResultStatus.RUNNING,
        done.pk: TaskResultStatus.SUCCESSFUL,
    }
    # Back in the queue: the next worker picks it up, and its history says who tried before.
    assert list(DBTaskResult.objects.ready()) == [stale]
    stale.refresh_from_db()
    assert stale.worker_ids == ["killed-worker"]


def test_the_age_of_a_stale_task_can_be_chosen(db):
    _task(TaskResultStatus.RUNNING, started_minutes_ago=5)
    _task(TaskResultStatus.RUNNING, started_minutes_ago=3)

    assert _requeue("--after", "10")[-1] == "0 stale tasks put back in the queue."
    assert _requeue("--after", "2")[-1] == "2 stale tasks put back in the queue."
    assert not DBTaskResult.objects.running().exists()
