"""/charging/: one module of URLs per part, so that each part's routes sit beside its views."""

from django.urls import include, path

app_name = "charging"

urlpatterns = [
    path("", include("charging.urls_charges")),
    path("", include("charging.urls_invoices")),
    path("", include("charging.urls_payments")),
]
