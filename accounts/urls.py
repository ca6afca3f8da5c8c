from django.urls import path

from . import views, views_people

app_name = "accounts"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("organisation/staff/", views.OrganisationStaffView.as_view(), name="organisation-staff"),
    path("organisation/account/", views.OrganisationAccountView.as_view(),
         name="organisation-account"),
    path("organisations/", views.OrganisationDirectoryView.as_view(), name="organisation-list"),
    path("organisations/<int:pk>/domains/", views.OrganisationDomainsView.as_view(),
         name="organisation-domains"),
    path("membership-requests/", views.MembershipRequestListView.as_view(),
         name="membershiprequest-list"),
    path("membership-requests/<int:pk>/", views.MembershipRequestDecideView.as_view(),
         name="membershiprequest-decide"),
    path("organisation-requests/", views.OrganisationRequestListView.as_view(),
         name="organisationrequest-list"),
    path("organisation-requests/<int:pk>/", views.OrganisationRequestDecideView.as_view(),
         name="organisationrequest-decide"),
    path("people/", views_people.PersonListView.as_view(), name="person-list"),
    path("people/<int:pk>/", views_people.PersonDetailView.as_view(), name="person-detail"),
    path("people/<int:pk>/roles/", views_people.PersonRolesView.as_view(), name="person-roles"),
]
