from django.urls import path

from . import views, views_reports

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/", views.results, name="results"),
    path("rounds/<int:pk>/<str:grouping>/<int:key>/", views.results, name="unit_results"),
    path("rounds/<int:pk>/reports/", views_reports.report_new, name="report_new"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/download/", views_reports.report_download, name="report_download"),
]
