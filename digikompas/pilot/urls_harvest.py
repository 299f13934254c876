"""Paths of views_harvest (included by pilot/urls.py)."""

urlpatterns = []
