"""Paths of views_plan (included by leadership/urls.py)."""

from django.urls import path

from . import views_plan as views

urlpatterns = [
    path("plan/<int:code>/", views.annual_plan, name="plan"),
    path("plan/<int:code>/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/done/", views.activity_done, name="activity_done"),
    path("week/", views.week, name="week"),
]
