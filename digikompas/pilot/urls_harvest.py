"""Paths of views_harvest (included by pilot/urls.py): materials and the toolbox, the experience
harvest and idea bank, and evaluations."""

from django.urls import path

from . import views_harvest as views

urlpatterns = [
    path("materials/", views.material_list, name="material_list"),
    path("materials/new/", views.material_create, name="material_create"),
    path("materials/<int:pk>/edit/", views.material_edit, name="material_edit"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path("materials/<int:pk>/download/", views.material_download, name="material_download"),
    path("toolbox/", views.toolbox, name="toolbox"),
    path(
        "modules/<int:pk>/experiences/new/",
        views.experience_create,
        name="experience_create",
    ),
    path("experiences/", views.experience_mine, name="experience_mine"),
    path("experiences/<int:pk>/edit/", views.experience_edit, name="experience_edit"),
    path("experiences/<int:pk>/delete/", views.experience_delete, name="experience_delete"),
    path("ideas/", views.idea_bank, name="idea_bank"),
    path("ideas/export/<str:format>/", views.idea_bank_export, name="idea_bank_export"),
    path("enrolments/<int:pk>/evaluation/", views.evaluate, name="evaluate"),
    path("modules/<int:pk>/evaluations/", views.evaluation_summary, name="evaluation_summary"),
]
