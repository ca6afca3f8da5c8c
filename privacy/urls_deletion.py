"""Deletion requests: a delegate asks, an officer carries it out (anonymisation)."""

from django.urls import path

from . import views_deletion

urlpatterns = [
    path("your-data/delete/", views_deletion.DeletionRequestView.as_view(),
         name="deletion-request"),
    path("requests/", views_deletion.DeletionRequestListView.as_view(),
         name="deletion-request-list"),
    path("people/<int:pk>/delete/", views_deletion.PersonDeleteView.as_view(),
         name="person-delete"),
]
