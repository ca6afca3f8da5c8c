from django.urls import path

from . import urls_deletion, urls_export, views_notice

app_name = "privacy"

urlpatterns = [
    path("", views_notice.PrivacyNoticeView.as_view(), name="notice"),
    *urls_export.urlpatterns,
    *urls_deletion.urlpatterns,
]
