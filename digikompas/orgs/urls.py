from django.urls import path

from digikompas.orgs import views

app_name = "orgs"
urlpatterns = [
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/<int:code>/", views.municipality_detail, name="municipality_detail"),
    path("libraries/<int:pk>/people/", views.library_people, name="library_people"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/import/", views.import_people, name="import_people"),
    path("people/import/template.csv", views.import_template, name="import_template"),
]
