from django.views.generic import ListView

from core.permissions import PermissionMixin

from . import selectors


class CourseListView(ListView):
    """The catalogue: live courses and those coming soon, for everyone (no login)."""

    template_name = "courses/course_list.html"
    paginate_by = 20

    def get_queryset(self):
        return selectors.courses_in_catalogue()


class TrainingPoolView(PermissionMixin, ListView):
    """A facilitator's Training Pool: the courses they may deliver."""

    permission_required = "courses.facilitate"
    template_name = "courses/trainingpool_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.training_pool_of(facilitator=self.request.user)
