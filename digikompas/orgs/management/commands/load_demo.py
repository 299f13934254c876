import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from digikompas.orgs import demo


def _grouped(secret: str) -> str:
    """A base32 secret in groups of four, as authenticator apps show it."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class Command(BaseCommand):
    help = (
        "Load the national demo: FICTITIOUS libraries and about 5,000 fictitious people in all "
        "98 municipalities, and one demo login per role. Does nothing when the demo is loaded "
        "already; --reset replaces it. Demo only: the logins' password is public."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=demo.DEFAULT_SEED,
            help=f"seed of the generator; the same seed gives the same data "
            f"(default {demo.DEFAULT_SEED})",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"delete the demo (people, logins and libraries under {demo.DEMO_DOMAIN}) "
            "and load it again",
        )
        parser.add_argument(
            "--on-server",
            action="store_true",
            help="load even though DEBUG is off (only for a server that shows the demo)",
        )

    def handle(self, *, seed: int, reset: bool, on_server: bool, **options):
        # The demo creates an administrator whose password and second factor are printed for
        # all to see; on a real server that would be an open door.
        if not settings.DEBUG and not on_server:
            raise CommandError(
                "DEBUG is off, so this looks like a real server: the demo's public logins "
                "(an administrator among them) do not belong there. Use --on-server for a "
                "server that only shows the demo."
            )
        started = time.perf_counter()
        try:
            if not reset and demo.is_loaded():
                self.stdout.write(
                    "The demo is loaded already; nothing changed (--reset loads it again)."
                )
                self._report()
                return
            demo.load(seed=seed, reset=reset)
        except demo.DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the national demo (seed {seed}) in {time.perf_counter() - started:.1f} s."
            )
        )
        self._report()

    def _report(self):
        counts = demo.summary()
        self.stdout.write(
            "All libraries and people of the demo are FICTITIOUS (only the municipalities are "
            "real).\n"
            f"  {counts.municipalities} municipalities, {counts.libraries:,} libraries, "
            f"{counts.people:,} people, {counts.library_leaders + counts.municipal_leaders:,} "
            f"leaders ({counts.library_leaders:,} library leaders, "
            f"{counts.municipal_leaders:,} municipal leaders)\n"
        )
        self.stdout.write(
            self.style.WARNING(
                "Demo logins - for trying the product only: the password is public, so never "
                "load the demo into a database with real people or on a public server."
            )
        )
        width = max(len(login.title) for login in demo.DEMO_LOGINS)
        self.stdout.write(f"  {'Role':<{width}}  {'E-mail':<34}  Password")
        for login in demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.title:<{width}}  {login.email:<34}  {demo.DEMO_PASSWORD}")
        self.stdout.write(
            "\nAnalysts and administrators log in with a second factor. Add the secret to an "
            "authenticator app, or print the current code with the command shown:"
        )
        for login in demo.DEMO_LOGINS:
            if login.totp_secret:
                self.stdout.write(
                    f"  {login.title}: TOTP secret {_grouped(login.totp_secret)}\n"
                    f"    python manage.py demo_totp {login.email}"
                )
