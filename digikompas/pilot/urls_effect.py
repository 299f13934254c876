"""Paths of views_effect (included by pilot/urls.py)."""

from django.urls import path

from . import views_effect

urlpatterns = [
    path("programmes/<int:pk>/effect/", views_effect.effect, name="effect"),
    path(
        "programmes/<int:pk>/effect/export/<str:format>/",
        views_effect.effect_export,
        name="effect_export",
    ),
]
