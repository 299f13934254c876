from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.offers import demo, services


class Command(BaseCommand):
    help = (
        "Store the shipped catalogue of education offers and let the demo provider login "
        "maintain the offers of one provider. Safe to run again."
    )

    def handle(self, **options):
        try:
            result = demo.load()
        except services.DefaultFrameworkMissing as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
