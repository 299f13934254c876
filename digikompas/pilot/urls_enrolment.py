"""Paths of views_enrolment (included by pilot/urls.py)."""

from django.urls import path

from . import views_enrolment as views

urlpatterns = [
    path("sessions/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("sessions/<int:pk>/enrol-staff/", views.enrol_staff, name="enrol_staff"),
    path("sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/participants/", views.participants, name="participants"),
    path("sessions/<int:pk>/participants.csv", views.participants_csv, name="participants_csv"),
    path("enrolments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("mine/", views.mine, name="mine"),
    path("mine/calendar/new/", views.feed_reset, name="feed_reset"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate"),
]
