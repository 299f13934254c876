from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from digikompas.leadership.resources import load_default_resources


class Command(BaseCommand):
    help = (
        "Store the shipped catalogue of digital resources Danish public libraries offer "
        "(eReolen, Filmstriben, ...). Safe to run again."
    )

    def handle(self, **options):
        result = load_default_resources()
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
