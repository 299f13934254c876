"""Paths of views_effect (included by pilot/urls.py)."""

urlpatterns = []
