"""The JSON API at /api/v1/: each app adds its endpoints to the one router here.

An app with endpoints has an `api.py` with `register(router)`; list it in API_MODULES. Its viewsets
use `permission_classes = DATA_PERMISSIONS` (digikompas.orgs.api) and fetch objects through
digikompas.orgs.access. The schema and its Swagger UI are public (they describe the API, not its
data); every data endpoint needs an API key (`Authorization: Token <key>`, made at
/accounts/api-key/) or a session.
"""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from digikompas.accounts import api as accounts_api
from digikompas.analysis import api as analysis_api
from digikompas.frameworks import api as frameworks_api
from digikompas.orgs import api as orgs_api
from digikompas.pilot import api as pilot_api
from digikompas.surveys import api as surveys_api

API_MODULES = [orgs_api, accounts_api, frameworks_api, surveys_api, analysis_api, pilot_api]


# It changes nothing, so a POST needs no CSRF token; without the exemption a program's POST to a
# wrong path would get the site's HTML "CSRF failed" page instead of this 404.
@csrf_exempt
def not_found(request, unmatched):
    """A path under /api/v1/ that names no endpoint (e.g. `/people/abc/`): the JSON 404 of the
    API rather than the HTML page of the site.

    This route matches every path, so CommonMiddleware no longer adds a missing slash; a GET of
    an endpoint without its slash is still sent on to it, as before."""
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse({"detail": gettext("Not found.")}, status=404)


# Path converters rather than regular expressions: a viewset names its lookup's converter
# (`lookup_value_converter = "int"`), so `/people/abc/` is a plain 404 and the schema knows the
# parameter's type.
router = DefaultRouter(use_regex_path=False)
# JSON is the only format clients need; `.json` suffix routes would double every path.
router.include_format_suffixes = False
for module in API_MODULES:
    module.register(router)

# No authentication on the description, so a stale or wrong key cannot lock a reader out of it.
_public = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(**_public), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", **_public),
        name="api-docs",
    ),
    # Last: only what no route above matches.
    # (?s:…) and \Z: a path with an encoded line break (%0A) is unmatched too.
    re_path(r"^(?P<unmatched>(?s:.*))\Z", not_found),
]
