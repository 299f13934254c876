"""Paths of views_strategy (included by leadership/urls.py)."""

from django.urls import path

from . import views_strategy as views

urlpatterns = [
    path("strategy/<int:code>/", views.strategy_page, name="strategy"),
    path("strategy/<int:code>/goals/new/", views.goal_create, name="goal_create"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path(
        "indicators/<int:pk>/measurements/new/",
        views.measurement_create,
        name="measurement_create",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
]
