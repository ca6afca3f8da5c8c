"""URLs of evaluations/views/themes.py (included by evaluations/urls.py)."""

from django.urls import path

from .views import themes as views

urlpatterns = [
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("themes/add/", views.ThemeCreateView.as_view(), name="theme-create"),
    path("themes/<int:pk>/change/", views.ThemeUpdateView.as_view(), name="theme-update"),
    path("themes/<int:pk>/delete/", views.ThemeDeleteView.as_view(), name="theme-delete"),
    path("themes/tagging/", views.ThemeTaggingView.as_view(), name="theme-tagging"),
    path("events/<int:event_pk>/session-comments/", views.SessionCommentCreateView.as_view(),
         name="sessioncomment-create"),
]
