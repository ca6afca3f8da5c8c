"""/evaluations/: one module of URLs per part, so that each part's routes sit beside its views."""

from django.urls import include, path

app_name = "evaluations"

urlpatterns = [
    path("", include("evaluations.urls_requests")),
    path("", include("evaluations.urls_answer")),
    path("", include("evaluations.urls_questionnaires")),
    path("", include("evaluations.urls_summaries")),
    path("", include("evaluations.urls_themes")),
    path("", include("evaluations.urls_certificates")),
]
