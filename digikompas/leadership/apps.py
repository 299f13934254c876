from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadershipConfig(AppConfig):
    name = "digikompas.leadership"
    verbose_name = _("Digital leadership")
