from django.urls import path

from . import views, views_elearning, views_manage, views_record_export

app_name = "courses"
urlpatterns = [
    path("", views.CourseListView.as_view(), name="course-list"),
    path("training-pool/", views.TrainingPoolView.as_view(), name="trainingpool-list"),
    path("calendar.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/event.ics", views.EventIcsView.as_view(), name="event-ics"),
]

# Programme management (officers): courses/views_manage.py
urlpatterns += [
    path("manage/events/", views_manage.EventListView.as_view(), name="manage-event-list"),
    path("manage/events/calendar/", views_manage.EventCalendarView.as_view(),
         name="manage-event-calendar"),
    path("manage/events/new/", views_manage.EventCreateView.as_view(), name="manage-event-create"),
    path("manage/events/<int:pk>/edit/", views_manage.EventUpdateView.as_view(),
         name="manage-event-update"),
    path("manage/events/<int:pk>/duplicate/", views_manage.EventDuplicateView.as_view(),
         name="manage-event-duplicate"),
    path("manage/events/<int:pk>/cancel/", views_manage.EventCancelView.as_view(),
         name="manage-event-cancel"),
    path("manage/courses/", views_manage.CourseListView.as_view(), name="manage-course-list"),
    path("manage/courses/new/", views_manage.CourseCreateView.as_view(),
         name="manage-course-create"),
    path("manage/courses/<int:pk>/edit/", views_manage.CourseUpdateView.as_view(),
         name="manage-course-update"),
    path("manage/courses/<int:pk>/training-pool/", views_manage.TrainingPoolManageView.as_view(),
         name="manage-pool"),
    path("manage/venues/", views_manage.VenueListView.as_view(), name="manage-venue-list"),
    path("manage/venues/new/", views_manage.VenueCreateView.as_view(), name="manage-venue-create"),
    path("manage/venues/<int:pk>/edit/", views_manage.VenueUpdateView.as_view(),
         name="manage-venue-update"),
]

# E-learning, the training record and content reviews: courses/views_elearning.py
urlpatterns += [
    path("my-record/", views_elearning.TrainingRecordView.as_view(), name="training-record"),
    path("my-record/export.<str:fmt>", views_record_export.TrainingRecordExportView.as_view(),
         name="training-record-export"),
    path("people/<int:pk>/training-record.<str:fmt>",
         views_record_export.PersonTrainingRecordExportView.as_view(),
         name="person-training-record-export"),
    path("<slug:slug>/e-learning/", views_elearning.ElearningModuleView.as_view(),
         name="elearning-module"),
    path("<slug:slug>/e-learning/check/", views_elearning.KnowledgeCheckView.as_view(),
         name="elearning-check"),
    path("<slug:slug>/e-learning/result/", views_elearning.KnowledgeCheckResultView.as_view(),
         name="elearning-result"),
    path("manage/review/", views_elearning.CourseReviewView.as_view(), name="manage-review"),
]

# Exports (issue 11): the programme as CSV or XLSX: courses/views_exports.py
from . import views_exports  # noqa: E402

urlpatterns += [
    path("manage/events/programme.<str:kind>", views_exports.ProgrammeExportView.as_view(),
         name="manage-event-export"),
]

# The course page matches any one path segment, so it goes after every other pattern (a page
# such as "resources/" listed after it would be taken for a course). Add patterns above.
# The newsletter and resources apps keep their pages under /courses/ and in this namespace
# ("courses:newsletter-list", "courses:resource-list"): ddscp_training/urls.py puts their
# patterns before these, so this app never imports the apps above it.
urlpatterns.append(path("<slug:slug>/", views.CourseDetailView.as_view(), name="course-detail"))
