from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import DetailView, ListView

from core import page_cache
from core.models import Partnership
from core.permissions import PermissionMixin

from . import ics, selectors
from .forms_catalogue import CatalogueFilterForm
from .models import EventStatus
from .page_cache import next_start


def _site_url():
    return settings.SITE_URL.rstrip("/")


class PolitePageMixin:
    """A page number that is not a number (?page=abc) shows the first page instead of an
    error; a page past the end is still "not found", like every list of the site."""

    def paginate_queryset(self, queryset, page_size):
        page = self.request.GET.get(self.page_kwarg)
        if page is not None and page != "last":
            try:
                if int(page) < 1:
                    raise ValueError
            except ValueError:
                self.kwargs[self.page_kwarg] = 1
        return super().paginate_queryset(queryset, page_size)


class CourseListView(page_cache.AnonymousPageCacheMixin, PolitePageMixin, ListView):
    """The catalogue, for everyone (no login): search and filters in a GET form that works
    without JavaScript; with htmx, the results change without reloading the page. Cached
    for anonymous visitors per query (core.page_cache), drawn again when a course, event or
    booking changes or the next event starts."""

    page_cache_name = "catalogue"
    page_cache_params = ("q", "level", "audience", "category", "format", "with_places", "page")
    template_name = "courses/course_list.html"
    results_template_name = "courses/_course_results_htmx.html"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.form = CatalogueFilterForm(request.GET)
        self.filters = self.form.filters()
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def page_cache_expires(self, now):
        return next_start(now)

    def _results_only(self):
        htmx = getattr(self.request, "htmx", None)
        return bool(htmx) and not htmx.history_restore_request

    def get_template_names(self):
        return [self.results_template_name if self._results_only() else self.template_name]

    def get_queryset(self):
        return selectors.courses_in_catalogue(**self.filters, now=timezone.now())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["filtered"] = any(self.filters.values())
        return context


class CourseDetailView(page_cache.AnonymousPageCacheMixin, PolitePageMixin, ListView):
    """A course's public page, for everyone: what it is, who it is for, what it requires
    first, and its upcoming dates (a page at a time). Cached for anonymous visitors like the
    catalogue."""

    page_cache_name = "course"
    page_cache_params = ("page",)
    template_name = "courses/course_detail.html"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        self.course = selectors.course_in_catalogue(slug=kwargs["slug"])
        if self.course is None:
            raise Http404("No course here")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.course_upcoming_events(course=self.course, now=timezone.now())

    def page_cache_expires(self, now):
        return next_start(now)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        course = self.course
        user = self.request.user
        prerequisites = list(course.prerequisites.all())
        context.update(
            course=course,
            prerequisites=prerequisites,
            completed_ids=(
                selectors.completed_course_ids(user=user)
                if prerequisites and user.is_authenticated else set()
            ),
            prerequisite_check=(
                selectors.prerequisites_check_for(user=user, course=course)
                if prerequisites and user.is_authenticated else None
            ),
            refresher_years=course.refresher_years or Partnership.load().refresher_years,
            elearning_url=self._elearning_url() if course.is_e_learning else "",
        )
        return context

    def _elearning_url(self):
        # The e-learning pages come with their own part of the issue; until they exist the
        # link still goes where they will be.
        try:
            return reverse("courses:elearning-module", kwargs={"slug": self.course.slug})
        except NoReverseMatch:
            return f"{reverse('courses:course-list')}{self.course.slug}/e-learning/"


class EventDetailView(page_cache.AnonymousPageCacheMixin, DetailView):
    """One event's public page, for everyone: when, where, places left and how to book. The
    joining link of an online event is never shown here: it goes to booked delegates. Cached
    for anonymous visitors (core.page_cache), drawn again when the event or one of its
    bookings changes, and when it starts and ends."""

    page_cache_name = "event"
    template_name = "courses/event_detail.html"
    context_object_name = "event"

    def page_cache_scopes(self):
        return [page_cache.SITE, page_cache.event_scope(self.kwargs["pk"])]

    def page_cache_expires(self, now):
        event = getattr(self, "object", None)
        if event is None:
            return None
        return min((t for t in (event.start, event.end) if t > now), default=None)

    def get_object(self, queryset=None):
        event = selectors.event_in_catalogue(pk=self.kwargs["pk"])
        if event is None:
            raise Http404("No event here")
        return event

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        now = timezone.now()
        is_cancelled = event.status == EventStatus.CANCELLED
        context.update(
            course=event.course,
            is_cancelled=is_cancelled,
            has_started=not is_cancelled and event.start <= now,
            has_taken_place=not is_cancelled and (
                event.status == EventStatus.COMPLETED or event.end <= now),
            can_book=event.status == EventStatus.SCHEDULED and event.start > now,
        )
        return context


class EventIcsView(View):
    """One event as an .ics file, for everyone: add it to your own calendar."""

    def get(self, request, pk):
        event = selectors.event_in_catalogue(pk=pk)
        if event is None:
            raise Http404("No event here")
        response = HttpResponse(ics.event_ics(event, site_url=_site_url()),
                                content_type="text/calendar; charset=utf-8")
        day = timezone.localtime(event.start)
        filename = f"{event.course.slug[:60]}-{day:%Y-%m-%d}.ics"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class CalendarFeedView(View):
    """The partnership's upcoming events as a calendar to subscribe to, for everyone."""

    def get(self, request):
        partnership = Partnership.load()
        events = selectors.events_in_calendar_feed(now=timezone.now())
        response = HttpResponse(
            ics.events_feed_ics(events, site_url=_site_url(), name=partnership.name),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="training-calendar.ics"'
        return response


class TrainingPoolView(PermissionMixin, ListView):
    """A facilitator's Training Pool: the courses they may deliver."""

    permission_required = "courses.facilitate"
    template_name = "courses/trainingpool_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.training_pool_of(facilitator=self.request.user)
