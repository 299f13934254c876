import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Nobody signs up: people get an account by invitation (see accounts.services)."""
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Let someone who has just logged in set up their first second factor at once.

        Analysts and administrators are sent to set up two-factor authentication straight
        after logging in; asking for the password they typed seconds ago would only confuse.
        Changing or removing an existing factor still asks again.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = context.request
        if required and app == "allauth.mfa" and request is not None:
            user = request.user
            if user.is_authenticated and not is_mfa_enabled(user):
                records = get_authentication_records(request, user)
                if records and (
                    time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
                ):
                    return False
        return required


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        """Single sign-on logs in existing, invited accounts only (matched by e-mail)."""
        return False
