from django.urls import include, path, re_path

from . import views
from .views import narrative

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="report-list"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("<int:pk>/progress/", views.ReportProgressView.as_view(), name="report-progress"),
    path("<int:pk>/try-again/", views.ReportRetryView.as_view(), name="report-retry"),
    re_path(r"^(?P<pk>[0-9]+)/download/(?P<fmt>pdf|xlsx)/$", views.ReportDownloadView.as_view(),
            name="report-download"),
    path("<int:pk>/tables/<str:key>.csv", views.ReportTableCsvView.as_view(),
         name="report-table-csv"),
    # An annual report's narrative and its issue (officers: reports/views/narrative.py).
    path("<int:pk>/narrative/", narrative.ReportNarrativeView.as_view(),
         name="report-narrative"),
    path("<int:pk>/issue/", narrative.ReportIssueView.as_view(), name="report-issue"),
    # Training needs analysis rounds (reports/urls_tna.py).
    path("training-needs/", include("reports.urls_tna")),
    # The Training Checklist and the organisation view (reports/urls_checklist.py).
    path("", include("reports.urls_checklist")),
]
