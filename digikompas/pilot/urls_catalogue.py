"""Paths of views_catalogue (included by pilot/urls.py)."""

urlpatterns = []
