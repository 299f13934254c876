"""Paths of views_resources (included by leadership/urls.py)."""

from django.urls import path

from . import views_resources

urlpatterns = [
    path("", views_resources.resource_list, name="resource_list"),
    path("resources/new/", views_resources.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views_resources.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views_resources.resource_edit, name="resource_edit"),
    path("overview/<int:code>/", views_resources.overview, name="overview"),
]
