from django.urls import path

from . import views_catalogue, views_coverage

app_name = "offers"
urlpatterns = [
    path("", views_catalogue.catalogue, name="catalogue"),
    path("new/", views_catalogue.offer_create, name="offer_create"),
    path("<int:pk>/", views_catalogue.offer_detail, name="offer_detail"),
    path("<int:pk>/edit/", views_catalogue.offer_edit, name="offer_edit"),
    path("<int:pk>/delete/", views_catalogue.offer_delete, name="offer_delete"),
    path("<int:pk>/competencies/", views_catalogue.offer_competencies, name="offer_competencies"),
    path("providers/", views_catalogue.provider_list, name="provider_list"),
    path("providers/new/", views_catalogue.provider_create, name="provider_create"),
    path("providers/<int:pk>/edit/", views_catalogue.provider_edit, name="provider_edit"),
    path("import/", views_catalogue.offer_import, name="import"),
    path("export/", views_catalogue.offer_export, name="export"),
    path("coverage/", views_coverage.coverage_index, name="coverage_index"),
    path("coverage/<int:pk>/", views_coverage.coverage, name="coverage"),
    path(
        "coverage/<int:pk>/export/<str:format>/",
        views_coverage.coverage_export,
        name="coverage_export",
    ),
    path("recommendations/", views_coverage.recommendations, name="recommendations"),
]
