from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from digikompas.pilot import tasks


class Command(BaseCommand):
    help = (
        "Remind everyone with a seat in a pilot session that starts within 48 hours, once. "
        "Run it every hour or so (cron); running it again sends nothing twice."
    )

    def handle(self, **options):
        sent = tasks.send_session_reminders.call()
        self.stdout.write(
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", sent)
            % {"count": sent}
        )
