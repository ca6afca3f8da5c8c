"""Acting for a delegate (issue 11): an L&D officer books a place for someone who phoned or
emailed, puts them on a waiting list, cancels, records a late cancellation they reported,
moves their place to another date of the same course, or hands it to a colleague.

Officers only (bookings.manage_bookings: anyone else 403, checked before anything is looked
up). The person comes from the address; their booking through selectors.acting_booking, so a
booking that is not theirs is a 404. Each view calls the delegate's own service with
by=officer: the service audits it "by the officer for the delegate" and emails the delegate as
if they had done it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from core.exceptions import DomainError
from core.models import Partnership
from core.permissions import PermissionMixin
from courses.selectors import event_in_catalogue
from courses.services import person_name

from . import policies, selectors, services
from .forms import ConfirmForm, SubstituteForm
from .forms_acting import ActingBookingForm, ActingLateCancellationForm, EventSearchForm, MoveForm
from .models import BookingStatus
from .notices import booking_notices


def person_url(person):
    """The person's page on People (accounts), where the actions are; this app's own page of
    them when People is not there."""
    try:
        return reverse("accounts:person-detail", kwargs={"pk": person.pk}) + "#actions"
    except NoReverseMatch:
        return reverse("bookings:acting-person", kwargs={"person_pk": person.pk})


class ActingMixin(PermissionMixin):
    """An officer who manages bookings, acting for the person named in the address."""

    permission_required = "bookings.manage_bookings"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.person = selectors.acting_person(user=request.user, pk=kwargs["person_pk"])
        if self.person is None:
            raise Http404("No such person")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, person_name=person_name(self.person),
                                        person_url=person_url(self.person), **kwargs)

    def done(self, text):
        messages.success(self.request, text)
        return redirect(person_url(self.person))


class ActingPersonView(ActingMixin, TemplateView):
    """The person's bookings with the actions (People's person page shows the same part)."""

    template_name = "bookings/acting/person.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.acting_bookings_of(person=self.person, now=timezone.now()),
                         selectors.ACTING_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, is_paginated=page.has_other_pages(),
                                         **kwargs)


class ActingEventListView(ActingMixin, TemplateView):
    """Choose an event of the programme to book the person on, or whose waiting list to put
    them on: search by course or venue, 20 a page."""

    template_name = "bookings/acting/event_list.html"

    def get_context_data(self, **kwargs):
        form = EventSearchForm(self.request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        page = Paginator(selectors.acting_events(q=q, now=timezone.now()),
                         selectors.ACTING_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, q=q, page_obj=page,
                                        is_paginated=page.has_other_pages(), **kwargs)


class ActingEventMixin(ActingMixin):
    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.event = event_in_catalogue(pk=kwargs["event_pk"])
        if self.event is None:
            raise Http404("No event here")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        now = timezone.now()
        active = selectors.booking_active_for(event=self.event, user=self.person)
        return super().get_context_data(
            event=self.event, course=self.event.course, active=active,
            refusal=services.booking_refusal_for(
                event=self.event, delegate=self.person, now=now, waiting_list=self.waiting_list,
                active_status=active.status if active else ""),
            booking_notices=booking_notices(page="book", event=self.event,
                                            delegate=self.person, now=now),
            **kwargs)


class ActingBookingCreateView(ActingEventMixin, FormView):
    template_name = "bookings/acting/booking_create.html"
    form_class = ActingBookingForm
    waiting_list = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "approval_required": Partnership.load().line_manager_approval_required}

    def get_initial(self):
        return {"access_needs": self.person.access_needs}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            approval_required=Partnership.load().line_manager_approval_required, **kwargs)

    def form_valid(self, form):
        try:
            booking = services.booking_create(
                event=self.event, delegate=self.person, by=self.request.user,
                access_needs=form.cleaned_data["access_needs"], now=timezone.now(),
                agreed_by_phone=form.cleaned_data.get("agreed_by_phone", False))
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        if booking.status == BookingStatus.PENDING_APPROVAL:
            return self.done(f"{person_name(self.person)}’s place is held. We have asked "
                             "their line manager to agree to it.")
        return self.done(f"{person_name(self.person)} is booked on {self.event.course.title}. "
                         "We have emailed them the details and a calendar invitation.")


class ActingWaitlistJoinView(ActingEventMixin, FormView):
    template_name = "bookings/acting/waitlist_join.html"
    form_class = ConfirmForm
    waiting_list = True

    def form_valid(self, form):
        try:
            booking = services.waitlist_join(event=self.event, delegate=self.person,
                                             by=self.request.user, now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        position = selectors.waiting_list_position(booking=booking)
        return self.done(f"{person_name(self.person)} is on the waiting list for "
                         f"{self.event.course.title} (number {position}). We have emailed them.")


class ActingBookingMixin(ActingMixin):
    """One of the person's bookings (another person's booking: 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        person = selectors.acting_person(user=request.user, pk=kwargs["person_pk"])
        self.booking = person and selectors.acting_booking(user=request.user, person=person,
                                                           uid=kwargs["uid"])
        if self.booking is None:
            raise Http404("No booking of this person here")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        booking = self.booking
        return super().get_context_data(booking=booking, event=booking.event,
                                         course=booking.event.course, **kwargs)

    def refuse(self, text):
        messages.info(self.request, text)
        return redirect(person_url(self.person))


class ActingCancelMixin(ActingBookingMixin):
    """The cancel pages (in time and late): the notice the place would be cancelled with now,
    and what other apps say beside it."""

    def get_context_data(self, **kwargs):
        now = timezone.now()
        return super().get_context_data(
            notice=services.cancellation_notice_for(booking=self.booking, now=now),
            booking_notices=booking_notices(page="cancel", event=self.booking.event,
                                            delegate=self.person, booking=self.booking, now=now),
            **kwargs)


class ActingCancelView(ActingCancelMixin, FormView):
    """Cancel in time (or withdraw a place waiting for the line manager); with too little
    notice, the late cancellation form instead."""

    template_name = "bookings/acting/booking_cancel.html"
    form_class = ConfirmForm

    def get(self, request, *args, **kwargs):
        booking, now = self.booking, timezone.now()
        if problem := policies.cancel_problem(status=booking.status,
                                              event_start=booking.event.start, now=now):
            return self.refuse(problem)
        notice = services.cancellation_notice_for(booking=booking, now=now)
        if booking.status == BookingStatus.BOOKED and not notice.in_time:
            return redirect("bookings:acting-booking-late-cancel", person_pk=self.person.pk,
                            uid=booking.uid)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.booking_cancel(booking=self.booking, by=self.request.user,
                                    now=timezone.now())
        except services.LateCancellationRequired as exc:
            messages.warning(self.request, exc.message)
            return redirect("bookings:acting-booking-late-cancel", person_pk=self.person.pk,
                            uid=self.booking.uid)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return self.done(f"{person_name(self.person)}’s place on "
                         f"{self.booking.event.course.title} is cancelled. We have emailed them "
                         "and their line manager.")


class ActingLateCancelView(ActingCancelMixin, FormView):
    """A late cancellation the delegate reported by telephone or email, with their reason: it
    waits in the charges queue for the officer's decision, as if they had cancelled online."""

    template_name = "bookings/acting/booking_late_cancel.html"
    form_class = ActingLateCancellationForm

    def get(self, request, *args, **kwargs):
        booking, now = self.booking, timezone.now()
        if problem := policies.cancel_problem(status=booking.status,
                                              event_start=booking.event.start, now=now):
            return self.refuse(problem)
        notice = services.cancellation_notice_for(booking=booking, now=now)
        if booking.status != BookingStatus.BOOKED or notice.in_time:
            return redirect("bookings:acting-booking-cancel", person_pk=self.person.pk,
                            uid=booking.uid)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.late_cancellation_request(
                booking=self.booking, by=self.request.user, now=timezone.now(),
                reason=data["reason"], detail=data["detail"], reported_by=data["reported_by"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        return self.done(f"{person_name(self.person)}’s place is cancelled late. The charge "
                         "waits for a decision in the charges queue; we have emailed them.")


class ActingMoveView(ActingBookingMixin, FormView):
    """Move a confirmed place to another date of the same course, in one step."""

    template_name = "bookings/acting/booking_move.html"
    form_class = MoveForm

    def get(self, request, *args, **kwargs):
        booking = self.booking
        if booking.status != BookingStatus.BOOKED or booking.event.start <= timezone.now():
            return self.refuse("Only a confirmed place on an event still to come can be moved.")
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        events = selectors.acting_events(q="", now=timezone.now(),
                                         course=self.booking.event.course,
                                         exclude=self.booking.event)
        # Bounded: a course has a handful of dates; the form offers the next 50.
        events = events.filter(pk__in=list(events.values_list("pk", flat=True)[:50]))
        return {**super().get_form_kwargs(), "events": events}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_dates"] = context["form"].fields["event"].queryset.exists()
        return context

    def form_valid(self, form):
        to_event = form.cleaned_data["event"]
        try:
            services.booking_move(booking=self.booking, to_event=to_event,
                                  by=self.request.user, now=timezone.now())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        from core.dates import long_date

        return self.done(f"{person_name(self.person)}’s place has moved to "
                         f"{long_date(to_event.start)}. We have emailed them the new calendar "
                         "invitation and withdrawn the old one.")


class ActingSubstituteView(ActingBookingMixin, FormView):
    """Hand the person's place to a colleague of the same organisation (no charge)."""

    template_name = "bookings/acting/booking_substitute.html"
    form_class = SubstituteForm

    def get(self, request, *args, **kwargs):
        booking = self.booking
        if booking.status != BookingStatus.BOOKED or booking.event.start <= timezone.now():
            return self.refuse("Only a confirmed place on an event that has not started can be "
                               "handed to a colleague.")
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["to_email"].label = "The colleague’s email address"
        return form

    def form_valid(self, form):
        try:
            substitution = services.booking_substitute(
                booking=self.booking, by=self.request.user,
                to_email=form.cleaned_data["to_email"], now=timezone.now())
        except DomainError as exc:
            form.add_error("to_email", exc.message)
            return self.form_invalid(form)
        if substitution.accepted_at is None:
            return self.done(f"We have emailed {substitution.to_email} to take over "
                             f"{person_name(self.person)}’s place. It stays "
                             f"{person_name(self.person)}’s until they accept.")
        return self.done(f"The place is now {person_name(substitution.to_delegate)}’s. We have "
                         "emailed them both.")
