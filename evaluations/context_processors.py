"""The delegate's evaluations to complete, for the "My training" task line (bookings' template
shows `evaluation_tasks` when it is there). A context processor rather than a template tag
library: the bookings template names no evaluations code (not even a `{% load %}`), so the
dependency stays one way (evaluations -> bookings) and the page renders without this app.
Lazy: the count query runs only on a page that shows it."""

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property


class EvaluationTasks:
    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self):
        from .selectors.requests import requests_open_count

        if not self.user.is_authenticated:
            return 0
        return requests_open_count(user=self.user, now=timezone.now())

    @cached_property
    def url(self):
        return reverse("evaluations:request-list")


def evaluation_tasks(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"evaluation_tasks": SimpleLazyObject(lambda: EvaluationTasks(user))}
