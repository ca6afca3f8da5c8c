"""URLs of charging/views/invoices.py (included by charging/urls.py): business support and
L&D officers."""

from django.urls import path

from .views import invoices as views

urlpatterns = [
    path("invoicing/", views.InvoiceBatchView.as_view(), name="invoice-batch"),
    path("invoicing/history/", views.InvoiceBatchListView.as_view(), name="invoice-batch-list"),
    path("invoicing/<int:pk>/", views.InvoiceBatchDetailView.as_view(),
         name="invoice-batch-detail"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/invoice.pdf", views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("invoices/<int:pk>/credit-note/", views.CreditNoteCreateView.as_view(),
         name="credit-note-create"),
    path("credit-notes/<int:pk>/credit-note.pdf", views.CreditNotePdfView.as_view(),
         name="credit-note-pdf"),
]
