"""Paths of the licence pages (views_licences) and of resource collaborations
(views_collaborations), included by leadership/urls.py."""

from django.urls import path

from . import views_collaborations, views_licences

urlpatterns = [
    path("licences/", views_licences.licence_overview, name="licence_overview"),
    path("licences/<int:code>/", views_licences.licence_list, name="licence_list"),
    path("licences/<int:code>/new/", views_licences.licence_create, name="licence_create"),
    path("licence/<int:pk>/edit/", views_licences.licence_edit, name="licence_edit"),
    path("licence/<int:pk>/delete/", views_licences.licence_delete, name="licence_delete"),
    path(
        "collaborations/",
        views_collaborations.collaboration_list,
        name="collaboration_list",
    ),
    path(
        "collaborations/new/",
        views_collaborations.collaboration_create,
        name="collaboration_create",
    ),
    path(
        "collaborations/<int:pk>/",
        views_collaborations.collaboration_detail,
        name="collaboration_detail",
    ),
    path(
        "collaborations/<int:pk>/edit/",
        views_collaborations.collaboration_edit,
        name="collaboration_edit",
    ),
    path(
        "collaborations/<int:pk>/members/new/",
        views_collaborations.membership_create,
        name="membership_create",
    ),
    path(
        "collaborations/<int:pk>/members/<int:membership>/edit/",
        views_collaborations.membership_edit,
        name="membership_edit",
    ),
    path(
        "collaborations/<int:pk>/invoices/new/",
        views_collaborations.invoice_create,
        name="invoice_create",
    ),
    path(
        "collaborations/<int:pk>/export/<str:file_format>/",
        views_collaborations.collaboration_export,
        name="collaboration_export",
    ),
    path(
        "collaborations/<int:pk>/peers/<int:code>/",
        views_collaborations.collaboration_peers,
        name="collaboration_peers",
    ),
]
