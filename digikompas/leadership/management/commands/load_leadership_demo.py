from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.leadership import demo


class Command(BaseCommand):
    help = (
        "Load the leadership part of the national demo: FICTITIOUS usage of the digital "
        "resources for 24 months, licences in every pricing model, a resource collaboration "
        "with split invoices, Odense's dissemination plan, strategy goals and a selection "
        "scenario. Needs load_demo and load_default_framework first. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"seed of the generator (default {demo.DEFAULT_SEED})",
        )

    def handle(self, *, seed: int, **options):
        try:
            result = demo.load(seed=seed)
        except demo.DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
