"""Your data: a person's own export, and an officer's subject access export for anyone."""

from django.urls import path

from . import views_export

urlpatterns = [
    path("your-data/", views_export.YourDataView.as_view(), name="your-data"),
    path("your-data/download/", views_export.YourDataDownloadView.as_view(),
         name="your-data-download"),
    path("people/<int:pk>/export/", views_export.PersonExportView.as_view(),
         name="person-export"),
]
