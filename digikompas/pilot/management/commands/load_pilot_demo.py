from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from digikompas.pilot import demo


class Command(BaseCommand):
    help = (
        "Load the pilot part of the national demo: a pilot programme half run, with modules, "
        "materials, sessions, FICTITIOUS participants, their experiences and evaluations, and a "
        "competence round after the programme. Needs load_demo and load_survey_demo first. Safe "
        "to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"seed of the generator (default {demo.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"delete the demo programme ({demo.PROGRAMME_KEY}) with its people, materials "
            "and round after, and load it again",
        )

    def handle(self, *, seed: int, reset: bool, **options):
        try:
            result = demo.load(seed=seed, reset=reset)
        except demo.DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )
