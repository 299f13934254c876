"""/pilot/: each part of the pilot has its own views module and list of paths."""

from . import urls_catalogue, urls_effect, urls_enrolment, urls_harvest

app_name = "pilot"
urlpatterns = [
    *urls_catalogue.urlpatterns,
    *urls_enrolment.urlpatterns,
    *urls_harvest.urlpatterns,
    *urls_effect.urlpatterns,
]
