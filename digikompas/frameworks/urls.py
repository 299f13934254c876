from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("import/", views.import_framework, name="import"),
    path("compare/", views.compare, name="compare"),
    path("<int:pk>/", views.framework_detail, name="detail"),
    path("<int:pk>/print/", views.framework_print, name="print"),
    path("<int:pk>/export/<str:file_format>/", views.export, name="export"),
    path("<int:pk>/new-version/", views.new_version, name="new_version"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/delete/", views.delete_draft, name="delete"),
    path("<int:pk>/edit/", views.edit_details, name="edit"),
    path("<int:pk>/scale/", views.edit_scale, name="scale"),
    path("<int:pk>/domains/new/", views.domain_form, name="domain_new"),
    path("domains/<int:domain_pk>/", views.domain_form, name="domain_edit"),
    path("domains/<int:domain_pk>/delete/", views.domain_delete, name="domain_delete"),
    path("<int:pk>/competencies/new/", views.competency_form, name="competency_new"),
    path("competencies/<int:competency_pk>/", views.competency_form, name="competency_edit"),
    path(
        "competencies/<int:competency_pk>/delete/",
        views.competency_delete,
        name="competency_delete",
    ),
    path("<int:pk>/profiles/new/", views.profile_form, name="profile_new"),
    path("profiles/<int:profile_pk>/", views.profile_form, name="profile_edit"),
    path("profiles/<int:profile_pk>/delete/", views.profile_delete, name="profile_delete"),
]
