from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.frameworks import services as frameworks
from digikompas.surveys.defaults import load_default_surveys


class Command(BaseCommand):
    help = (
        "Store the shipped barrier categories and surveys (competence, barriers, digital "
        "leadership) on the default competence framework, loading that first if needed. "
        "Safe to run again."
    )

    def handle(self, **options):
        framework, _created = frameworks.load_default_framework()
        if not framework.is_published:
            raise CommandError(_("The default framework must be published first."))
        created = load_default_surveys(framework=framework)
        for survey in created:
            self.stdout.write(_("Created the survey %(survey)s.") % {"survey": survey})
        if not created:
            self.stdout.write(_("The shipped surveys are already loaded."))
