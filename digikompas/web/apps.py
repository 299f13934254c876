from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The site shell: layout, start page, the look of Det Fælles Designsystem."""

    name = "digikompas.web"
    verbose_name = _("Site")
