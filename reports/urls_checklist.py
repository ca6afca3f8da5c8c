"""The Training Checklist (officers) and the organisation view (safeguarding leads):
included from reports/urls.py, so the names are reports:checklist-... and
reports:organisation-...."""

from django.urls import path

from .checklist import views

urlpatterns = [
    path("checklist/", views.ChecklistListView.as_view(), name="checklist-list"),
    path("checklist/add/", views.RequirementCreateView.as_view(), name="checklist-create"),
    path("checklist/<int:pk>/", views.RequirementUpdateView.as_view(), name="checklist-update"),
    path("checklist/<int:pk>/delete/", views.RequirementDeleteView.as_view(),
         name="checklist-delete"),
    path("organisation/", views.OrganisationTrainingView.as_view(),
         name="organisation-training"),
    path("organisation/export.<str:fmt>", views.OrganisationTrainingExportView.as_view(),
         name="organisation-training-export"),
    path("organisation/people/<int:pk>/staff-group/", views.StaffGroupSetView.as_view(),
         name="organisation-staff-group"),
]
