"""URLs of charging/views/payments.py (included by charging/urls.py)."""

from django.urls import path

from .views import payments as views

urlpatterns = [
    # Business support and officers.
    path("outstanding/", views.InvoiceOutstandingListView.as_view(),
         name="payment-outstanding"),
    path("outstanding/<int:pk>/remind/", views.InvoiceReminderView.as_view(),
         name="invoice-remind"),
    path("payments/invoice/<int:pk>/", views.PaymentCreateView.as_view(),
         name="payment-create"),
    path("export/", views.PaymentExportView.as_view(), name="payment-export"),
    # An organisation's finance contact: their own organisation only.
    path("statement/", views.StatementView.as_view(), name="statement"),
    path("statement/invoices/<int:pk>/", views.StatementInvoiceView.as_view(),
         name="statement-invoice"),
    path("statement/invoices/<int:pk>/pdf/", views.StatementInvoicePdfView.as_view(),
         name="statement-invoice-pdf"),
    path("statement/credit-notes/", views.StatementCreditNotesView.as_view(),
         name="statement-credit-notes"),
    path("statement/credit-notes/<int:pk>/pdf/", views.StatementCreditNotePdfView.as_view(),
         name="statement-credit-note-pdf"),
    path("statement/charges/", views.StatementChargesView.as_view(),
         name="statement-charges"),
    path("statement/payments/", views.StatementPaymentsView.as_view(),
         name="statement-payments"),
]
