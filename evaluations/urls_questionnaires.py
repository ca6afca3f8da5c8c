"""URLs of evaluations/views/questionnaires.py (included by evaluations/urls.py)."""

from django.urls import path

from .views import questionnaires as views

urlpatterns = [
    path("questionnaires/", views.QuestionnaireListView.as_view(), name="questionnaire-list"),
    path("questionnaires/course/new/", views.OverrideCreateView.as_view(),
         name="questionnaire-override-create"),
    path("questionnaires/<int:pk>/", views.QuestionnaireUpdateView.as_view(),
         name="questionnaire-update"),
    path("questionnaires/<int:pk>/preview/", views.QuestionnairePreviewView.as_view(),
         name="questionnaire-preview"),
    path("questionnaires/<int:pk>/remove/", views.OverrideRemoveView.as_view(),
         name="questionnaire-override-remove"),
]
