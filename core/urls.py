from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("partnership/", views.PartnershipUpdateView.as_view(), name="partnership-update"),
    path("audit/", views.AuditEntryListView.as_view(), name="auditentry-list"),
    path("audit/download/", views.AuditEntryExportView.as_view(), name="auditentry-export"),
    path("emails/", views.OutgoingEmailListView.as_view(), name="outgoingemail-list"),
    path("emails/<int:pk>/", views.OutgoingEmailDetailView.as_view(),
         name="outgoingemail-detail"),
    path("emails/<int:pk>/send-again/", views.OutgoingEmailResendView.as_view(),
         name="outgoingemail-resend"),
]
