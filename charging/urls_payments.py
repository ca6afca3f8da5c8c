"""URLs of charging/views/payments.py (included by charging/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
