from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/download/", views.my_data_download, name="my_data_download"),
    path("people/<int:pk>/data/", views.person_data_download, name="person_data"),
    path("people/<int:pk>/erase/", views.person_erase, name="person_erase"),
    path("audit/", views.audit_log, name="audit_log"),
]
