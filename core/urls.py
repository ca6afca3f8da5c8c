from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("partnership/", views.PartnershipUpdateView.as_view(), name="partnership-update"),
    path("audit/", views.AuditEntryListView.as_view(), name="auditentry-list"),
]
