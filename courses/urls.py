from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("", views.CourseListView.as_view(), name="course-list"),
    path("training-pool/", views.TrainingPoolView.as_view(), name="trainingpool-list"),
]
