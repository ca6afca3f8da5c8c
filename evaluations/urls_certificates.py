"""URLs of evaluations/views/certificates.py (included by evaluations/urls.py)."""

from django.urls import path

from .views import certificates as views

urlpatterns = [
    # Public: no login (the QR code on every certificate opens the code's page).
    path("certificates/verify/", views.CertificateVerifyView.as_view(),
         name="certificate-verify"),
    path("certificates/verify/<str:code>/", views.CertificateVerifyCodeView.as_view(),
         name="certificate-verify-code"),
    # The delegate's own PDF (officers: any).
    path("certificates/<str:code>/download/", views.CertificateDownloadView.as_view(),
         name="certificate-download"),
    # Officers.
    path("certificates/", views.CertificateListView.as_view(), name="certificate-list"),
    path("certificates/issue/", views.CertificateIssueView.as_view(), name="certificate-issue"),
    path("certificates/<str:code>/revoke/", views.CertificateRevokeView.as_view(),
         name="certificate-revoke"),
]
