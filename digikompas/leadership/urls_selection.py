"""Paths of views_selection (included by leadership/urls.py)."""

from django.urls import path

from . import views_selection

urlpatterns = [
    path("selection/<int:code>/", views_selection.selection_page, name="selection"),
    path("selection/<int:code>/save/", views_selection.scenario_save, name="scenario_save"),
    path(
        "selection/<int:code>/export/<str:format>/",
        views_selection.selection_export,
        name="selection_export",
    ),
]
