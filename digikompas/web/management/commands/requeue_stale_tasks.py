import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import ngettext
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = (
        "Put tasks back in the queue whose worker died while running them (killed, out of "
        "memory, machine restarted): django-tasks-db keeps no heartbeat, so such a task stays "
        "RUNNING for ever. Every task of the product can run twice without harm, so a task "
        "still RUNNING after --after minutes is run again by the next worker. Run it every few "
        "minutes (cron) or after restarting a worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after",
            type=float,
            default=30,
            help="minutes a task must have been running to count as stale (default 30; longer "
            "than any task takes: a SUSHI harvest waits at most 2 minutes for its server)",
        )

    def handle(self, *, after, **options):
        started_before = timezone.now() - datetime.timedelta(minutes=after)
        stale = DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=started_before
        )
        requeued = 0
        for pk, task_path, started_at in stale.values_list("pk", "task_path", "started_at"):
            # Claimed by a conditional update: a task that finished (or was put back by another
            # run of this command) in the meantime is left alone.
            requeued += DBTaskResult.objects.filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            ).update(status=TaskResultStatus.READY)
            self.stdout.write(f"{pk} {task_path} (started {started_at:%Y-%m-%d %H:%M:%S %Z})")
        self.stdout.write(
            ngettext(
                "%(count)s stale task put back in the queue.",
                "%(count)s stale tasks put back in the queue.",
                requeued,
            )
            % {"count": requeued}
        )
