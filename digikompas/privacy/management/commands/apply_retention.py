from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from digikompas.privacy import retention, tasks


class Command(BaseCommand):
    help = (
        "Remove the personal data of survey rounds whose retention period has ended: their "
        "invitations, and the people linked to their responses. Run it daily (cron); running "
        "it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only print what would be removed."
        )

    def handle(self, *, dry_run, **options):
        if dry_run:
            due = retention.apply_retention(dry_run=True)
            for cleaned in due:
                self.stdout.write(cleaned.describe())
            self.stdout.write(
                ngettext(
                    "%(count)s round would be cleaned.",
                    "%(count)s rounds would be cleaned.",
                    len(due),
                )
                % {"count": len(due)}
            )
            return
        count = tasks.apply_retention.call()
        self.stdout.write(
            ngettext("%(count)s round cleaned.", "%(count)s rounds cleaned.", count)
            % {"count": count}
        )
