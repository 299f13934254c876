from django.urls import path

from digikompas.accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("people/<int:pk>/invite/", views.invite_person, name="invite_person"),
    path("api-key/", views.api_key, name="api_key"),
]
