from allauth.mfa.utils import is_mfa_enabled
from django.shortcuts import redirect
from django.urls import reverse

from digikompas.orgs.access import actor_for

# Paths a user who still has to set up a second factor may use.
_ALLOWED_NAMES = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_login",
    "account_reauthenticate",
    "set_language",
}


class RequireMFAMiddleware:
    """Send analysts and administrators to set up two-factor authentication before anything else.

    Their roles reach national personal data, so a password alone is not enough
    (settings.MFA_REQUIRED_ROLES names the roles).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in _ALLOWED_NAMES:
            return None
        if request.path.startswith(("/static/", "/api/")):
            return None
        if actor_for(user).needs_mfa and not is_mfa_enabled(user):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.get_full_path())
        return None
