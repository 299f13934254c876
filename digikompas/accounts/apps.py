from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "digikompas.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from digikompas import checks  # noqa: F401  (registers the deploy checks)
