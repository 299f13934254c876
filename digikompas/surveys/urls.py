from django.urls import path

from . import views_answer, views_import, views_rounds

app_name = "surveys"
urlpatterns = [
    # Answering, by personal link: no login.
    path("a/<str:token>/", views_answer.start, name="answer"),
    path("a/<str:token>/<int:number>/", views_answer.section, name="answer_section"),
    path("a/<str:token>/review/", views_answer.review, name="answer_review"),
    path("a/<str:token>/submit/", views_answer.submit, name="answer_submit"),
    path("a/<str:token>/done/", views_answer.done, name="answer_done"),
    # Surveys and rounds, for analysts (and leaders: the response rates of their units).
    path("", views_rounds.survey_list, name="list"),
    path("<int:pk>/", views_rounds.survey_detail, name="survey_detail"),
    path("<int:pk>/rounds/new/", views_rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round_detail"),
    path("rounds/<int:pk>/invite/", views_rounds.round_invite, name="round_invite"),
    path("rounds/<int:pk>/remind/", views_rounds.round_remind, name="round_remind"),
    path("rounds/<int:pk>/import/", views_import.import_responses, name="import_responses"),
]
