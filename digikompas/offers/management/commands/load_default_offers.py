from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.offers import services


class Command(BaseCommand):
    help = (
        "Store the shipped catalogue of Danish education offers, linked to the published "
        "default competence framework. Safe to run again."
    )

    def handle(self, **options):
        try:
            result = services.load_default_offers()
        except services.DefaultFrameworkMissing as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
