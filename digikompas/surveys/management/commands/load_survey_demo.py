import time

from django.core.management.base import BaseCommand, CommandError

from digikompas.surveys import demo


class Command(BaseCommand):
    help = (
        "Load the survey part of the national demo: one closed round of each shipped survey "
        "(competence, barriers, digital leadership) with FICTITIOUS answers from about two "
        "thirds of the demo's people. Needs load_demo first. Does nothing when the demo rounds "
        "are loaded already; --reset replaces them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"seed of the generator; the same seed gives the same answers "
            f"(default {demo.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"delete the demo rounds (titles ending in {demo.DEMO_SUFFIX}) with their "
            "invitations and answers, and load them again",
        )

    def handle(self, *, seed: int, reset: bool, **options):
        started = time.perf_counter()
        try:
            if not reset and demo.is_loaded():
                self.stdout.write(
                    "The survey demo is loaded already; nothing changed (--reset loads it again)."
                )
                self._report()
                return
            demo.load(seed=seed, reset=reset)
        except demo.DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the survey demo (seed {seed}) in {time.perf_counter() - started:.1f} s."
            )
        )
        self._report()

    def _report(self):
        self.stdout.write("All answers in the demo rounds are FICTITIOUS (generated).")
        rounds = demo.summary()
        width = max(len(r.title) for r in rounds)
        for r in rounds:
            self.stdout.write(
                f"  {r.title:<{width}}  {r.anonymity:<12}  {r.invited:>6,} invited  "
                f"{r.responses:>6,} responses ({r.percent:.0f} %)"
            )
        invited = sum(r.invited for r in rounds)
        responses = sum(r.responses for r in rounds)
        self.stdout.write(
            f"  {len(rounds)} rounds, {invited:,} invited, {responses:,} responses "
            f"({100 * responses / invited if invited else 0:.0f} %)"
        )
