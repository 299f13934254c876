"""Paths of views_enrolment (included by pilot/urls.py)."""

urlpatterns = []
