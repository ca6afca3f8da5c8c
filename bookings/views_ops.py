"""Operations pages of the bookings issue: the register and its PDFs (facilitators of the
event and officers), the waiting list (officers), and My
training (every signed-in delegate). Views are thin: a selector scoped to the user fetches,
a form parses, one service writes."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from accounts.people import section_page
from core.calendar import london_date
from core.exceptions import DomainError
from core.permissions import PermissionMixin, SignedInMixin
from courses.selectors import training_record_of
from courses.services import person_name

from . import policies, selectors, services
from .forms_ops import RegisterRowForm, RegisterSubstituteForm
from .models import BookingStatus
from .notices import booking_labels
from .pdf import event_sheet_pdf

# Register and attendance ---------------------------------------------------------------------

REGISTER_PAGE_SIZE = 50


class RegisterEventMixin(PermissionMixin):
    """bookings.mark_attendance, and the event must be one the person may mark: any event
    for an officer, only the events they deliver for a facilitator (404 otherwise)."""

    permission_required = "bookings.mark_attendance"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.event = selectors.register_event(user=request.user, pk=kwargs["event_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_event(self):
        if self.event is None:
            raise Http404("Not an event whose register you keep.")
        return self.event


class EventRegisterView(RegisterEventMixin, TemplateView):
    """The register of one event: a line per delegate with a place (or already marked), each
    marked attended, late by N minutes (having contacted the team or not), not admitted or did
    not attend. One Save button saves the page; a line that cannot be read is explained next to
    it and the lines that could be are saved."""

    template_name = "bookings/register_mark.html"

    def _page(self):
        paginator = Paginator(selectors.register_bookings(event=self.event, now=timezone.now()),
                              REGISTER_PAGE_SIZE)
        return paginator.get_page(self.request.GET.get("page"))

    def _open_problem(self):
        event, now = self.event, timezone.now()
        return policies.attendance_marking_problem(
            status=BookingStatus.BOOKED, event_status=event.status,
            event_starts_on=london_date(event.start), today=london_date(now))

    def get(self, request, *args, **kwargs):
        self.get_event()
        page = self._page()
        forms = [RegisterRowForm(booking=b) for b in page.object_list]
        return self.render_to_response(self.get_context_data(page_obj=page, forms=forms))

    def post(self, request, *args, **kwargs):
        self.get_event()
        if (problem := self._open_problem()):
            messages.error(request, problem)
            return redirect(request.get_full_path())
        page = self._page()
        forms = [RegisterRowForm(request.POST, booking=b) for b in page.object_list]
        saved, now = 0, timezone.now()
        for form in forms:
            if not form.is_valid() or (mark := form.changed_mark) is None:
                continue
            try:
                services.attendance_mark(booking=form.booking, by=request.user, now=now, **mark)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                saved += 1
        problems = [f for f in forms if f.errors]
        if saved:
            messages.success(request, f"Saved: {saved} delegate{'s' if saved != 1 else ''} "
                             "marked on the register.")
        if not problems:
            if not saved:
                messages.info(request, "Nothing changed on the register.")
            return redirect(request.get_full_path())
        # Show the lines as typed, with their problems, and the statuses as saved now.
        page = self._page()
        fresh = {b.pk: b for b in page.object_list}
        for form in forms:
            form.booking = fresh.get(form.booking.pk, form.booking)
        return self.render_to_response(
            self.get_context_data(page_obj=page, forms=forms, problems=problems), status=200)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context.update(
            event=self.event, course=self.event.course,
            counts=selectors.register_counts(event=self.event),
            closed_reason=self._open_problem(),
            is_paginated=page.paginator.num_pages > 1, paginator=page.paginator,
        )
        return context


class RegisterSubstituteView(RegisterEventMixin, FormView):
    """On the day, record that a colleague of the same organisation attended in a delegate's
    place (DSPP: substitution "at whatever point they are made"): the delegate's booking is
    marked substituted, no charge; the colleague attended, with their own booking."""

    template_name = "bookings/register_substitute.html"
    form_class = RegisterSubstituteForm

    def get(self, request, *args, **kwargs):
        self.get_event()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_event()
        return super().post(request, *args, **kwargs)

    def _closed(self):
        event = self.event
        return policies.attendance_marking_problem(
            status=BookingStatus.BOOKED, event_status=event.status,
            event_starts_on=london_date(event.start), today=london_date(timezone.now()))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["bookings"] = list(selectors.register_substitutable(event=self.event))
        return kwargs

    def get_initial(self):
        chosen = self.request.GET.get("booking", "")
        return {"booking": int(chosen)} if chosen.isdigit() else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(event=self.event, course=self.event.course, closed_reason=self._closed())
        return context

    def form_valid(self, form):
        booking = form.bookings[form.cleaned_data["booking"]]
        try:
            substitution = services.substitution_record_on_the_day(
                booking=booking, by=self.request.user, name=form.cleaned_data["name"],
                email=form.cleaned_data["email"], now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        colleague, delegate = substitution.to_delegate, booking.delegate
        messages.success(self.request, f"Recorded: {person_name(colleague)} "
                         f"attended in place of {person_name(delegate)}. "
                         "We have emailed them both.")
        return redirect("bookings:event-register", event_pk=self.event.pk)


class EventSheetPdfView(RegisterEventMixin, TemplateView):
    kind = "register"
    filename = "register"

    def get(self, request, *args, **kwargs):
        event = self.get_event()
        now = timezone.now()
        pdf = event_sheet_pdf(kind=self.kind, event=event,
                              bookings=list(selectors.register_bookings(event=event, now=now)),
                              now=now)
        response = HttpResponse(pdf, content_type="application/pdf")
        day = timezone.localtime(event.start)
        name = f"{self.filename}-{event.course.slug[:50]}-{day:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class EventRegisterPdfView(EventSheetPdfView):
    """The printable register: each delegate with organisation, status and minutes late."""

    kind, filename = "register", "register"


class EventSigninPdfView(EventSheetPdfView):
    """The sign-in sheet: names and organisations with a blank column to sign."""

    kind, filename = "signin", "sign-in"


# Waiting list (officers; late cancellations are decided in the charging app) ------------------

class EventWaitingListView(PermissionMixin, ListView):
    """An event's waiting list in the order places are offered (first come, first served),
    with when each person joined and how long an offer stays open."""

    permission_required = "bookings.manage_bookings"
    template_name = "bookings/waitinglist_list.html"
    paginate_by = 25

    def get_queryset(self):
        self.event = selectors.events_for_waiting_list(user=self.request.user).filter(
            pk=self.kwargs["event_pk"]).first()
        if self.event is None:
            raise Http404("No event here.")
        return selectors.event_waiting_list(event=self.event)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(event=self.event, course=self.event.course, now=timezone.now())
        return context


# My training (every signed-in delegate) ------------------------------------------------------

MY_TRAINING_PAGE_SIZE = 10


class _Counted:
    """A list's rows (a queryset) with their number counted already (selectors.
    my_bookings_counts), so that its Paginator slices the rows without a COUNT query."""

    def __init__(self, rows, count):
        self.rows, self._count = rows, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self.rows[index]


class MyTrainingView(SignedInMixin, TemplateView):
    """A delegate's bookings (upcoming with what they can do, waiting lists, past) and their
    training record with the date each course falls due again."""

    template_name = "bookings/my_training.html"

    def _section(self, key, rows, count):
        return section_page(self.request, key, _Counted(rows, count), MY_TRAINING_PAGE_SIZE)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, now = self.request.user, timezone.now()
        counts = selectors.my_bookings_counts(user=user, now=now)
        past = self._section("past", selectors.my_bookings_past(user=user, now=now),
                             counts["past"])
        cancelled = self._section("cancelled", selectors.my_bookings_cancelled(user=user),
                                  counts["cancelled"])
        # Words other apps add beside a past or cancelled booking (the charging app:
        # "Charged £100", "Waiting for the training team's decision"), for both lists at once.
        for section in (past, cancelled):
            section.page.object_list = list(section.page.object_list)
        labels = booking_labels(bookings=past.page.object_list + cancelled.page.object_list)
        for section in (past, cancelled):
            for booking in section.page.object_list:
                booking.notes = labels.get(booking.pk, [])
        context.update(
            now=now, today=london_date(now),
            upcoming=self._section("upcoming", selectors.my_bookings_upcoming(user=user, now=now),
                                   counts["upcoming"]),
            waiting=self._section("waiting", selectors.my_bookings_waiting(user=user, now=now),
                                  counts["waiting"]),
            past=past, cancelled=cancelled,
            record_count=training_record_of(user=user).count(),
            cancel_states=(BookingStatus.BOOKED, BookingStatus.PENDING_APPROVAL),
            offers=selectors.substitutions_offered_to(user=user, now=now),
        )
        return context
