"""Training needs analysis rounds (reports.tna.views), under /reports/training-needs/."""

from django.urls import path

from .tna import views

urlpatterns = [
    path("", views.RoundListView.as_view(), name="tna-round-list"),
    path("new/", views.RoundCreateView.as_view(), name="tna-round-create"),
    path("<int:pk>/close/", views.RoundCloseView.as_view(), name="tna-round-close"),
    path("<int:pk>/results/", views.RoundResultsView.as_view(), name="tna-results"),
    path("<int:pk>/results.csv", views.RoundResultsExportView.as_view(),
         name="tna-results-export"),
    path("your-organisation/", views.LeadRoundListView.as_view(), name="tna-mine"),
    path("<int:pk>/answer/", views.LeadAnswerView.as_view(), name="tna-answer"),
    path("<int:pk>/your-answers/", views.LeadReturnView.as_view(), name="tna-return"),
]
