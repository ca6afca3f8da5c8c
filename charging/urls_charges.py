"""URLs of charging/views/charges.py (included by charging/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
