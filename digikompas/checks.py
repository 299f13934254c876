"""System checks that refuse development defaults on a deployed server."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def deployed_settings_check(app_configs, **kwargs):
    errors = []
    if settings.DEBUG:
        errors.append(Error("DEBUG is on; set DEBUG=false on a server.", id="digikompas.E001"))
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is the development key; set SECRET_KEY in the environment.",
                id="digikompas.E002",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(Error("ALLOWED_HOSTS must name the site's hosts.", id="digikompas.E003"))
    return errors
