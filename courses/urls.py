from django.urls import path

from . import views, views_elearning, views_manage, views_newsletter, views_resources

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

# The training newsletter (business support): courses/views_newsletter.py
urlpatterns += [
    path("newsletters/", views_newsletter.NewsletterListView.as_view(), name="newsletter-list"),
    path("newsletters/new/", views_newsletter.NewsletterCreateView.as_view(),
         name="newsletter-create"),
    path("newsletters/<int:pk>/", views_newsletter.NewsletterPreviewView.as_view(),
         name="newsletter-preview"),
    path("newsletters/<int:pk>/email/", views_newsletter.NewsletterEmailView.as_view(),
         name="newsletter-email"),
    path("newsletters/<int:pk>/edit/", views_newsletter.NewsletterUpdateView.as_view(),
         name="newsletter-update"),
    path("newsletters/<int:pk>/send/", views_newsletter.NewsletterSendView.as_view(),
         name="newsletter-send"),
    path("newsletters/unsubscribe/", views_newsletter.NewsletterUnsubscribeView.as_view(),
         name="newsletter-unsubscribe"),
]

# E-learning, the training record and content reviews: courses/views_elearning.py; the
# resources library: courses/views_resources.py
urlpatterns += [
    path("my-record/", views_elearning.TrainingRecordView.as_view(), name="training-record"),
    path("<slug:slug>/e-learning/", views_elearning.ElearningModuleView.as_view(),
         name="elearning-module"),
    path("<slug:slug>/e-learning/check/", views_elearning.KnowledgeCheckView.as_view(),
         name="elearning-check"),
    path("<slug:slug>/e-learning/result/", views_elearning.KnowledgeCheckResultView.as_view(),
         name="elearning-result"),
    path("manage/review/", views_elearning.CourseReviewView.as_view(), name="manage-review"),
    path("resources/", views_resources.ResourceListView.as_view(), name="resource-list"),
    path("resources/<int:pk>/download/", views_resources.ResourceDownloadView.as_view(),
         name="resource-download"),
    path("manage/resources/", views_resources.ResourceManageListView.as_view(),
         name="manage-resource-list"),
    path("manage/resources/new/", views_resources.ResourceCreateView.as_view(),
         name="manage-resource-create"),
    path("manage/resources/<int:pk>/edit/", views_resources.ResourceUpdateView.as_view(),
         name="manage-resource-update"),
    path("manage/resources/<int:pk>/delete/", views_resources.ResourceDeleteView.as_view(),
         name="manage-resource-delete"),
]

# The course page matches any one path segment, so it goes after every other pattern (a page
# such as "resources/" listed after it would be taken for a course). Add patterns above.
urlpatterns.append(path("<slug:slug>/", views.CourseDetailView.as_view(), name="course-detail"))
