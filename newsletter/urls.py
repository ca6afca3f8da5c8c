"""The training newsletter's pages (business support). They stay under /courses/newsletters/
and in the "courses" URL namespace (ddscp_training/urls.py), as before the app was split."""

from django.urls import path

from . import views

urlpatterns = [
    path("newsletters/", views.NewsletterListView.as_view(), name="newsletter-list"),
    path("newsletters/new/", views.NewsletterCreateView.as_view(), name="newsletter-create"),
    path("newsletters/<int:pk>/", views.NewsletterPreviewView.as_view(),
         name="newsletter-preview"),
    path("newsletters/<int:pk>/email/", views.NewsletterEmailView.as_view(),
         name="newsletter-email"),
    path("newsletters/<int:pk>/edit/", views.NewsletterUpdateView.as_view(),
         name="newsletter-update"),
    path("newsletters/<int:pk>/send/", views.NewsletterSendView.as_view(), name="newsletter-send"),
    path("newsletters/<int:pk>/test/", views.NewsletterTestView.as_view(), name="newsletter-test"),
    path("newsletters/unsubscribe/", views.NewsletterUnsubscribeView.as_view(),
         name="newsletter-unsubscribe"),
]
