"""URLs of evaluations/views/requests.py (included by evaluations/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
