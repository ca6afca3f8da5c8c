"""URLs of evaluations/views/requests.py (included by evaluations/urls.py)."""

from django.urls import path

from .views import requests as views

urlpatterns = [
    path("", views.RequestListView.as_view(), name="request-list"),
    path("responses/", views.ResponseRateListView.as_view(), name="responserate-list"),
    path("responses/events/<int:pk>/", views.ResponseRateEventView.as_view(),
         name="responserate-event"),
    path("responses/remind/", views.RequestRemindView.as_view(), name="request-remind"),
]
