from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("organisation/staff/", views.OrganisationStaffView.as_view(), name="organisation-staff"),
    path("organisation/account/", views.OrganisationAccountView.as_view(),
         name="organisation-account"),
    path("organisations/", views.OrganisationDirectoryView.as_view(), name="organisation-list"),
    path("organisation-requests/", views.OrganisationRequestListView.as_view(),
         name="organisationrequest-list"),
    path("organisation-requests/<int:pk>/", views.OrganisationRequestDecideView.as_view(),
         name="organisationrequest-decide"),
]
