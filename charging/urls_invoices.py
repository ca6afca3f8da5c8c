"""URLs of charging/views/invoices.py (included by charging/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
