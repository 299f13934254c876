from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from digikompas.frameworks import services


class Command(BaseCommand):
    help = (
        "Store and publish the shipped default competence framework, "
        "unless it is already there. Safe to run again."
    )

    def handle(self, **options):
        framework, created = services.load_default_framework()
        if created:
            self.stdout.write(_("Loaded and published %(framework)s.") % {"framework": framework})
        else:
            self.stdout.write(_("%(framework)s is already loaded.") % {"framework": framework})
