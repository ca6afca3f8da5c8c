"""URLs of evaluations/views/summaries.py (included by evaluations/urls.py)."""

from django.urls import path

from .views import summaries as views

urlpatterns = [
    path("summaries/", views.SummaryListView.as_view(), name="summary-list"),
    path("events/<int:event_pk>/summary/", views.SummaryDetailView.as_view(),
         name="summary-detail"),
    path("events/<int:event_pk>/summary.pdf", views.SummaryPdfView.as_view(),
         name="summary-pdf"),
]
