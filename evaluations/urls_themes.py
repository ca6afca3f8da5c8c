"""URLs of evaluations/views/themes.py (included by evaluations/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns = []
