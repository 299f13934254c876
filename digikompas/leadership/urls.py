"""/leadership/: each part of the toolkit has its own views module and list of paths."""

from . import (
    urls_collaborations,
    urls_plan,
    urls_resources,
    urls_selection,
    urls_strategy,
    urls_usage,
)

app_name = "leadership"
urlpatterns = [
    *urls_resources.urlpatterns,
    *urls_usage.urlpatterns,
    *urls_selection.urlpatterns,
    *urls_collaborations.urlpatterns,
    *urls_plan.urlpatterns,
    *urls_strategy.urlpatterns,
]
