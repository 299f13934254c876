from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from digikompas.accounts import views as account_views
from digikompas.web import views as web_views

# The admin logs in through allauth, so rate limits and two-factor authentication apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "digikompas"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/settings/", account_views.account_settings, name="account_settings"),
    path("accounts/", include("digikompas.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("orgs/", include("digikompas.orgs.urls")),
    path("frameworks/", include("digikompas.frameworks.urls")),
    path("surveys/", include("digikompas.surveys.urls")),
    path("analysis/", include("digikompas.analysis.urls")),
    path("offers/", include("digikompas.offers.urls")),
    path("pilot/", include("digikompas.pilot.urls")),
    path("leadership/", include("digikompas.leadership.urls")),
    path("privacy/", include("digikompas.privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("digikompas.api")),
    path("admin/", admin.site.urls),
]
