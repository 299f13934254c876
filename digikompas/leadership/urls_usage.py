"""Paths of views_usage (included by leadership/urls.py)."""

from django.urls import path

from . import views_usage

urlpatterns = [
    path("usage/<int:code>/import/", views_usage.usage_import, name="usage_import"),
    path("usage/<int:code>/imports/", views_usage.usage_imports, name="usage_imports"),
    path(
        "usage/<int:code>/resources/<int:pk>/",
        views_usage.usage_resource,
        name="usage_resource",
    ),
    path("usage/<int:code>/sushi/", views_usage.sushi_endpoints, name="sushi_endpoints"),
    path(
        "usage/<int:code>/sushi/<int:pk>/harvest/",
        views_usage.sushi_harvest,
        name="sushi_harvest",
    ),
]
