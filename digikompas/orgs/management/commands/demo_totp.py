import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from digikompas.orgs.demo import DEMO_DOMAIN


def current_code(secret: str) -> str:
    """The TOTP code allauth accepts now (it allows no clock drift with the default settings)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


class Command(BaseCommand):
    help = (
        f"Print the current two-factor code of a demo login (e-mail address @{DEMO_DOMAIN}), "
        "for trying the demo without an authenticator app."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help=f"a demo login, e.g. analytiker@{DEMO_DOMAIN}")

    def handle(self, *, email: str, **options):
        email = email.strip().lower()
        # The codes of real accounts stay in their owners' authenticator apps.
        if not email.endswith(f"@{DEMO_DOMAIN}"):
            raise CommandError(
                f"{email} is not a demo login; demo_totp only prints codes for addresses "
                f"ending in @{DEMO_DOMAIN}."
            )
        authenticator = Authenticator.objects.filter(
            user__email__iexact=email, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(
                f"{email} has no authenticator app set up; only the analyst and administrator "
                "demo logins use two factors (is the demo loaded? python manage.py load_demo)."
            )
        self.stdout.write(current_code(decrypt(authenticator.data["secret"])))
