"""Programme management for L&D officers: events (list, month calendar, add, change, run
again, cancel), courses, their Training Pools and venues. Thin views (STYLE.md): a form
parses, one service writes, a refusal goes back on the form."""

import calendar
import re
from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from core.calendar import LONDON
from core.dates import day, month_year
from core.exceptions import DomainError
from core.permissions import PermissionMixin

from . import selectors, services
from .forms import (
    CourseForm,
    EventCancelForm,
    EventCourseChoiceForm,
    EventDuplicateForm,
    EventForm,
    ProgrammeFilterForm,
    TrainingPoolAddForm,
    TrainingPoolRemoveForm,
    VenueForm,
)


def form_refused(form, exc):
    """Put a service's refusal on the form, each problem next to its field when it has one."""
    problems = getattr(exc, "problems", None) or [(exc.field, exc.message)]
    for field, message in problems:
        form.add_error(field if field in form.fields else None, message)


def event_words(event):
    return f"{event.course.title} on {day(event.start)}"


class ObjectMixin:
    """Loads the object named in the URL through a selector scoped to the user, after the
    permission check (so a person without the permission gets a 403, not a 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = self.get_object()
        if self.object is None:
            raise Http404("No such object.")
        return super().dispatch(request, *args, **kwargs)


class EventObjectMixin(ObjectMixin):
    def get_object(self):
        return selectors.event_for_programme(user=self.request.user, pk=self.kwargs["pk"])


class CourseObjectMixin(ObjectMixin):
    def get_object(self):
        return selectors.course_for_programme(user=self.request.user, pk=self.kwargs["pk"])


# Events --------------------------------------------------------------------------------------

class EventListView(PermissionMixin, ListView):
    """The programme: every event from a date (today unless the officer says otherwise)."""

    permission_required = "courses.view_event"
    template_name = "courses/manage/event_list.html"
    paginate_by = 25

    def get_queryset(self):
        data = self.request.GET.copy()
        if "start_from" not in data:
            data["start_from"] = timezone.localdate().isoformat()
        self.filter_form = ProgrammeFilterForm(data)
        return selectors.events_for_programme(user=self.request.user,
                                              **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter_form"] = self.filter_form
        ctx["form"] = self.filter_form  # for the error summary
        ctx["now"] = timezone.now()
        return ctx


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value):
    """'2027-03' -> date(2027, 3, 1); None when it is not a month."""
    match = MONTH_PATTERN.match(value.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    return date(year, month, 1)


class EventCalendarView(PermissionMixin, TemplateView):
    """A month of the programme as a table: a week a row, events as links in their day."""

    permission_required = "courses.view_event"
    template_name = "courses/manage/event_calendar.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        asked = self.request.GET.get("month", "")
        first = parse_month(asked) if asked else None
        if asked and first is None:
            ctx["month_error"] = (
                f"“{asked[:20]}” is not a month. Give the year and the month as numbers, for "
                f"example {today:%Y-%m}. This is {month_year(today)}.")
        first = first or today.replace(day=1)
        by_day = {}
        for event in selectors.events_in_month(user=self.request.user, first_day=first):
            by_day.setdefault(event.start.astimezone(LONDON).date(), []).append(event)
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
            weeks.append([
                {"day": d, "in_month": d.month == first.month, "today": d == today,
                 "events": by_day.get(d, [])}
                for d in week])
        previous_month = (first.replace(day=1) - date.resolution).replace(day=1)
        next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        ctx.update(
            month=first, weeks=weeks, previous_month=previous_month, next_month=next_month,
            weekdays=[(calendar.day_name[i], calendar.day_abbr[i]) for i in range(7)],
            event_count=sum(len(v) for v in by_day.values()),
            this_month=today.replace(day=1),
        )
        return ctx


class EventCreateView(PermissionMixin, View):
    """Add an event: first the course (its Training Pool and format shape the form), then
    the date, times, place, places and people."""

    permission_required = "courses.add_event"

    def course_from_query(self, request):
        """(course, chooser form): a course that can have events, or the chooser explaining
        why not."""
        if "course" not in request.GET:
            return None, EventCourseChoiceForm()
        chooser = EventCourseChoiceForm(request.GET)
        raw = request.GET.get("course", "")
        # isdecimal, not isdigit: "²" is a digit that int() cannot read (a 500).
        course = (selectors.course_for_programme(user=request.user, pk=raw)
                  if raw.isdecimal() else None)
        if course is not None and course.is_e_learning:
            chooser.is_valid()
            chooser.errors.pop("course", None)
            chooser.add_error("course", f"{course.title} is e-learning: delegates take it "
                                        "online, so it cannot have events.")
            return None, chooser
        if not chooser.is_valid():
            return None, chooser
        return chooser.cleaned_data["course"], chooser

    def render_form(self, request, course, form, status=200):
        return render(request, "courses/manage/event_form.html", {
            "form": form, "course": course, "event": None,
            "action": f"{reverse('courses:manage-event-create')}?course={course.pk}",
        }, status=status)

    def get(self, request):
        course, chooser = self.course_from_query(request)
        if course is None:
            return render(request, "courses/manage/event_choose_course.html", {"form": chooser})
        form = EventForm(course=course, initial={"officer": request.user.pk}
                         if request.user.has_perm("courses.change_event") else {})
        return self.render_form(request, course, form)

    def post(self, request):
        course, chooser = self.course_from_query(request)
        if course is None:
            return render(request, "courses/manage/event_choose_course.html", {"form": chooser})
        form = EventForm(request.POST, course=course)
        if form.is_valid():
            try:
                event = services.event_create(by=request.user, course=course,
                                              **form.service_kwargs())
            except DomainError as exc:
                form_refused(form, exc)
            else:
                messages.success(request, f"The event is added: {event_words(event)}.")
                return redirect(f"{reverse('courses:manage-event-list')}?course={course.pk}"
                                f"&start_from={event.start.astimezone(LONDON).date():%Y-%m-%d}")
        return self.render_form(request, course, form)


class EventUpdateView(PermissionMixin, EventObjectMixin, View):
    permission_required = "courses.change_event"

    def render_form(self, request, form):
        event = self.object
        return render(request, "courses/manage/event_form.html", {
            "form": form, "course": event.course, "event": event,
            "action": reverse("courses:manage-event-update", kwargs={"pk": event.pk}),
        })

    def get(self, request, pk):
        return self.render_form(request, EventForm(course=self.object.course, event=self.object))

    def post(self, request, pk):
        event = self.object
        form = EventForm(request.POST, course=event.course, event=event)
        if form.is_valid():
            try:
                services.event_update(event=event, by=request.user, **form.service_kwargs())
            except DomainError as exc:
                form_refused(form, exc)
            else:
                told = (f" We are emailing {form.audience_words} about the change."
                        if form.pending_changes else "")
                messages.success(request, f"The event is saved: {event_words(event)}.{told}")
                return redirect("courses:manage-event-list")
        return self.render_form(request, form)


class EventDuplicateView(PermissionMixin, EventObjectMixin, View):
    """Run an event again on another date."""

    permission_required = "courses.add_event"

    def render_form(self, request, form):
        return render(request, "courses/manage/event_duplicate.html",
                      {"form": form, "event": self.object})

    def get(self, request, pk):
        return self.render_form(request, EventDuplicateForm(today=timezone.localdate()))

    def post(self, request, pk):
        form = EventDuplicateForm(request.POST, today=timezone.localdate())
        if form.is_valid():
            try:
                new, left_out = services.event_duplicate(event=self.object, by=request.user,
                                                         on=form.cleaned_data["date"])
            except DomainError as exc:
                form_refused(form, exc)  # e.g. the partnership's maximum places changed since
            else:
                # Issue 12: only an online event has a joining link to check.
                check = ("Check the joining link and set the prep meeting." if new.is_online
                         else "Set the prep meeting.")
                messages.success(request, f"The event is copied: {event_words(new)}. {check}")
                if left_out:
                    names = ", ".join(services.person_name(p) for p in left_out)
                    messages.warning(request, f"Not copied, because they are no longer in the "
                                              f"Training Pool for {new.course.title}: {names}.")
                return redirect("courses:manage-event-update", pk=new.pk)
        return self.render_form(request, form)


class EventCancelView(PermissionMixin, EventObjectMixin, View):
    """Cancel an event, with a reason the delegates and facilitators are told."""

    permission_required = "courses.change_event"

    def render_form(self, request, form):
        return render(request, "courses/manage/event_cancel.html", {
            "form": form, "event": self.object,
            "delegates": selectors.event_active_bookings_count(event=self.object),
            "refusal": (services.event_cancel_refusal(event=self.object, now=timezone.now())
                        if self.object.status == "scheduled" else None),
        })

    def get(self, request, pk):
        return self.render_form(request, EventCancelForm())

    def post(self, request, pk):
        form = EventCancelForm(request.POST)
        if form.is_valid():
            delegates = selectors.event_active_bookings_count(event=self.object)
            try:
                services.event_cancel(event=self.object, by=request.user,
                                      reason=form.cleaned_data["reason"], now=timezone.now())
            except DomainError as exc:
                form_refused(form, exc)
            else:
                told = ("No delegate had a place." if not delegates else
                        f"{delegates} delegate{'s are' if delegates != 1 else ' is'} emailed "
                        "and their places cancelled.")
                messages.success(request, f"{event_words(self.object)} is cancelled. {told}")
                return redirect("courses:manage-event-list")
        return self.render_form(request, form)


# Courses -------------------------------------------------------------------------------------

class CourseListView(PermissionMixin, ListView):
    permission_required = "courses.view_course"
    template_name = "courses/manage/course_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.courses_for_programme(user=self.request.user,
                                               q=self.request.GET.get("q", "")[:100]
                                               .replace("\x00", ""))


class CourseFormMixin:
    template_name = "courses/manage/course_form.html"

    def render_form(self, request, form, course=None):
        return render(request, self.template_name, {"form": form, "course": course})


class CourseCreateView(PermissionMixin, CourseFormMixin, View):
    permission_required = "courses.add_course"

    def get(self, request):
        return self.render_form(request, CourseForm())

    def post(self, request):
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                course = services.course_create(by=request.user, **form.service_kwargs())
            except DomainError as exc:
                form_refused(form, exc)
            else:
                messages.success(request, f"{course.title} is added. Add the facilitators who "
                                          "can deliver it to its Training Pool.")
                return redirect("courses:manage-pool", pk=course.pk)
        return self.render_form(request, form)


class CourseUpdateView(PermissionMixin, CourseObjectMixin, CourseFormMixin, View):
    permission_required = "courses.change_course"

    def get(self, request, pk):
        return self.render_form(request, CourseForm(instance=self.object), self.object)

    def post(self, request, pk):
        # A copy: a failed validation must not leave the typed values on the course shown.
        original = selectors.course_for_programme(user=request.user, pk=pk)
        form = CourseForm(request.POST, instance=self.object)
        if form.is_valid():
            try:
                course = services.course_update(course=original, by=request.user,
                                                **form.service_kwargs())
            except DomainError as exc:
                form_refused(form, exc)
            else:
                messages.success(request, f"{course.title} is saved.")
                return redirect("courses:manage-course-list")
        return self.render_form(request, form, original)


class TrainingPoolManageView(PermissionMixin, CourseObjectMixin, ListView):
    """A course's Training Pool: the facilitators who may deliver it."""

    permission_required = ("courses.view_trainingpoolmembership",
                           "courses.add_trainingpoolmembership",
                           "courses.delete_trainingpoolmembership")
    template_name = "courses/manage/trainingpool_manage.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.training_pool_memberships(course=self.object)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["course"] = self.object
        ctx.setdefault("form", TrainingPoolAddForm(course=self.object))
        return ctx

    def post(self, request, pk):
        course = self.object
        if request.POST.get("action") == "remove":
            form = TrainingPoolRemoveForm(request.POST, course=course)
            if not form.is_valid():
                messages.error(request, "That person is not in this Training Pool any more.")
                return redirect("courses:manage-pool", pk=course.pk)
            person = form.cleaned_data["facilitator"]
            try:
                services.training_pool_remove(course=course, facilitator=person,
                                              by=request.user, now=timezone.now())
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{services.person_name(person)} is removed from the "
                                          f"Training Pool for {course.title}.")
            return redirect("courses:manage-pool", pk=course.pk)
        form = TrainingPoolAddForm(request.POST, course=course)
        if form.is_valid():
            person = form.cleaned_data["facilitator"]
            try:
                services.training_pool_add(course=course, facilitator=person, by=request.user)
            except DomainError as exc:
                form_refused(form, exc)
            else:
                messages.success(request, f"{services.person_name(person)} is added to the "
                                          f"Training Pool for {course.title}.")
                return redirect("courses:manage-pool", pk=course.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


# Venues --------------------------------------------------------------------------------------

class VenueListView(PermissionMixin, ListView):
    permission_required = "courses.view_venue"
    template_name = "courses/manage/venue_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.venues_for_programme()


class VenueCreateView(PermissionMixin, View):
    permission_required = "courses.add_venue"

    def get(self, request):
        return render(request, "courses/manage/venue_form.html", {"form": VenueForm()})

    def post(self, request):
        form = VenueForm(request.POST)
        if form.is_valid():
            venue = services.venue_create(by=request.user, **form.cleaned_data)
            messages.success(request, f"{venue.name} is added.")
            return redirect("courses:manage-venue-list")
        return render(request, "courses/manage/venue_form.html", {"form": form})


class VenueUpdateView(PermissionMixin, ObjectMixin, View):
    permission_required = "courses.change_venue"

    def get_object(self):
        return selectors.venue_for_programme(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, pk):
        return render(request, "courses/manage/venue_form.html",
                      {"form": VenueForm(instance=self.object), "venue": self.object})

    def post(self, request, pk):
        original = selectors.venue_for_programme(user=request.user, pk=pk)
        form = VenueForm(request.POST, instance=self.object)
        if form.is_valid():
            try:
                venue = services.venue_update(venue=original, by=request.user, now=timezone.now(),
                                              **form.cleaned_data)
            except DomainError as exc:
                form_refused(form, exc)
            else:
                messages.success(request, f"{venue.name} is saved.")
                return redirect("courses:manage-venue-list")
        return render(request, "courses/manage/venue_form.html",
                      {"form": form, "venue": original})
