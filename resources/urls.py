"""The resources library's pages. They stay under /courses/resources/ and
/courses/manage/resources/, in the "courses" URL namespace (ddscp_training/urls.py), as before
the app was split."""

from django.urls import path

from . import views

urlpatterns = [
    path("resources/", views.ResourceListView.as_view(), name="resource-list"),
    path("resources/<int:pk>/download/", views.ResourceDownloadView.as_view(),
         name="resource-download"),
    path("manage/resources/", views.ResourceManageListView.as_view(),
         name="manage-resource-list"),
    path("manage/resources/new/", views.ResourceCreateView.as_view(),
         name="manage-resource-create"),
    path("manage/resources/<int:pk>/edit/", views.ResourceUpdateView.as_view(),
         name="manage-resource-update"),
    path("manage/resources/<int:pk>/delete/", views.ResourceDeleteView.as_view(),
         name="manage-resource-delete"),
]
