"""URLs of evaluations/views/certificates.py (included by evaluations/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
