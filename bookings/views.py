"""A delegate's booking (booking-core): book a place, the waiting list and its offers, cancel
in time or late, hand the place to a colleague, and the line manager's agreement.

Thin views: a form parses, one service decides, a DomainError becomes a message on the form.
Every booking is fetched through bookings.selectors.booking_visible_to, so a uuid changed in
the address finds nothing (404) unless it is the person's own booking (or they are an officer
who manages bookings)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from core.exceptions import DomainError
from core.models import Partnership
from core.permissions import SignedInMixin
from courses.selectors import event_in_catalogue

from . import policies, selectors, services
from .emails import site_url
from .forms import (
    DECISIONS,
    BookingForm,
    ConfirmForm,
    DecisionForm,
    LateCancellationForm,
    SubstituteForm,
    WaitlistJoinForm,
)
from .ics import CANCEL, REQUEST, booking_ics
from .models import BookingStatus
from .notices import booking_notices

APPROVAL_CHOICES = {"approve": "Agree to this booking", "decline": "Do not agree"}


def _my_training_url():
    try:
        return reverse("bookings:my-training")
    except NoReverseMatch:
        return reverse("accounts:dashboard")


def _event_url(event):
    return reverse("courses:event-detail", kwargs={"pk": event.pk})


def _detail(booking):
    return redirect("bookings:booking-detail", uid=booking.uid)


# Booking and the waiting list -------------------------------------------------------------------

class EventActionMixin(SignedInMixin):
    """A page about one event of the catalogue (booking it, joining its waiting list)."""

    def dispatch(self, request, *args, **kwargs):
        self.event = event_in_catalogue(pk=kwargs["event_pk"])
        if self.event is None:
            raise Http404("No event here")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        booking = selectors.booking_active_for(event=self.event, user=user)
        context.update(
            event=self.event, course=self.event.course, booking=booking,
            refusal=services.booking_refusal_for(
                event=self.event, delegate=user, now=timezone.now(),
                waiting_list=self.waiting_list,
                active_status=booking.status if booking else ""),
            # What a place costs the organisation (the charging app's notice), with the policy.
            booking_notices=booking_notices(page="book", event=self.event, delegate=user,
                                            now=timezone.now()),
        )
        return context


class BookingCreateView(EventActionMixin, FormView):
    """Book a place (the event page's panel posts here; this page shows the same form, and
    says why when the delegate cannot book)."""

    template_name = "bookings/booking_create.html"
    form_class = BookingForm
    waiting_list = False

    def get_initial(self):
        return {"access_needs": self.request.user.access_needs}

    def form_valid(self, form):
        try:
            booking = services.booking_create(
                event=self.event, delegate=self.request.user,
                access_needs=form.cleaned_data["access_needs"], now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        # The booking page opens with a confirmation panel (GOV.UK), once.
        self.request.session[CONFIRMATION_PANEL] = str(booking.uid)
        return _detail(booking)


class WaitlistJoinView(EventActionMixin, FormView):
    template_name = "bookings/waitlist_join.html"
    form_class = WaitlistJoinForm
    waiting_list = True

    def form_valid(self, form):
        try:
            booking = services.waitlist_join(
                event=self.event, delegate=self.request.user, now=timezone.now(),
                wants_change_emails=form.cleaned_data["wants_change_emails"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        position = selectors.waiting_list_position(booking=booking)
        messages.success(self.request, f"You are on the waiting list (number {position}). We "
                                       "will email you if a place comes up.")
        return _detail(booking)


# One booking ------------------------------------------------------------------------------------

class BookingMixin(SignedInMixin):
    """The booking named by the uuid in the address, if the person may see it; else 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.booking = selectors.booking_visible_to(user=request.user, uid=kwargs["uid"])
            if self.booking is None:
                raise Http404("No booking here")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.booking
        context.update(booking=booking, event=booking.event, course=booking.event.course,
                       is_own=booking.delegate_id == self.request.user.pk)
        return context


def booking_actions(*, booking, user, now):
    """What the booking page offers, by state: the same rules the services apply."""
    event = booking.event
    open_event = event.status == "scheduled" and event.start > now
    status = booking.status
    actions = {
        "cancel": open_event and status in (BookingStatus.BOOKED, BookingStatus.PENDING_APPROVAL),
        "substitute": open_event and status == BookingStatus.BOOKED,
        "leave": status == BookingStatus.WAITLISTED,
        "offer": (open_event and status == BookingStatus.OFFERED
                  and booking.offer_expires_at > now),
        "ics": status in (BookingStatus.BOOKED, BookingStatus.ATTENDED),
    }
    return actions


CONFIRMATION_PANEL = "bookings.confirmation_panel"


class BookingDetailView(BookingMixin, TemplateView):
    template_name = "bookings/booking_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking, now = self.booking, timezone.now()
        if self.request.session.get(CONFIRMATION_PANEL) == str(booking.uid):
            del self.request.session[CONFIRMATION_PANEL]
            context["confirmation_panel"] = True
        actions = booking_actions(booking=booking, user=self.request.user, now=now)
        notice = None
        if actions["cancel"] and booking.status == BookingStatus.BOOKED:
            notice = services.cancellation_notice_for(booking=booking, now=now)
        if booking.status == BookingStatus.PENDING_APPROVAL and booking.approval_requested_at:
            partnership = Partnership.load()
            context["approval_release"] = policies.approval_release(
                requested_at=booking.approval_requested_at, event_start=booking.event.start,
                link_days=partnership.line_manager_link_days,
                release_working_days=partnership.approval_release_working_days)
        context.update(
            actions=actions, notice=notice,
            position=selectors.waiting_list_position(booking=booking),
            pending_substitution=selectors.booking_substitution_pending(booking=booking, now=now),
            my_training_url=_my_training_url(),
            booking_notices=booking_notices(page="booking", event=booking.event,
                                            delegate=booking.delegate, booking=booking, now=now),
        )
        return context


class BookingCancelView(BookingMixin, FormView):
    """A confirmation page, then the place is cancelled. With too little notice the delegate
    is sent to the late cancellation form instead."""

    template_name = "bookings/booking_cancel.html"
    form_class = ConfirmForm

    def get(self, request, *args, **kwargs):
        booking, now = self.booking, timezone.now()
        if problem := policies.cancel_problem(status=booking.status,
                                              event_start=booking.event.start, now=now):
            messages.info(request, problem)
            return _detail(booking)
        notice = services.cancellation_notice_for(booking=booking, now=now)
        if booking.status == BookingStatus.BOOKED and not notice.in_time:
            return redirect("bookings:booking-late-cancel", uid=booking.uid)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["notice"] = services.cancellation_notice_for(booking=self.booking, now=now)
        # What cancelling now costs the organisation (the charging app's notice).
        context["booking_notices"] = booking_notices(
            page="cancel", event=self.booking.event, delegate=self.booking.delegate,
            booking=self.booking, now=now)
        return context

    def form_valid(self, form):
        try:
            booking = services.booking_cancel(booking=self.booking, by=self.request.user,
                                              now=timezone.now())
        except services.LateCancellationRequired as exc:
            messages.warning(self.request, exc.message)
            return redirect("bookings:booking-late-cancel", uid=self.booking.uid)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"The place on {booking.event.course.title} is cancelled. "
                                       "We have emailed a confirmation.")
        return _detail(booking)


class LateCancellationView(BookingMixin, FormView):
    template_name = "bookings/booking_late_cancel.html"
    form_class = LateCancellationForm

    def get(self, request, *args, **kwargs):
        booking, now = self.booking, timezone.now()
        if problem := policies.cancel_problem(status=booking.status,
                                              event_start=booking.event.start, now=now):
            messages.info(request, problem)
            return _detail(booking)
        notice = services.cancellation_notice_for(booking=booking, now=now)
        if booking.status != BookingStatus.BOOKED or notice.in_time:
            return redirect("bookings:booking-cancel", uid=booking.uid)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context["notice"] = services.cancellation_notice_for(booking=self.booking, now=now)
        # What cancelling now costs the organisation (the charging app's notice).
        context["booking_notices"] = booking_notices(
            page="cancel", event=self.booking.event, delegate=self.booking.delegate,
            booking=self.booking, now=now)
        return context

    def form_valid(self, form):
        try:
            booking = services.late_cancellation_request(
                booking=self.booking, by=self.request.user, now=timezone.now(),
                reason=form.cleaned_data["reason"], detail=form.cleaned_data["detail"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, "Your place is cancelled. The training team will review "
                                       "your reason and decide whether a charge applies.")
        return _detail(booking)


class WaitlistLeaveView(BookingMixin, FormView):
    template_name = "bookings/waitlist_leave.html"
    form_class = ConfirmForm

    def get(self, request, *args, **kwargs):
        if self.booking.status != BookingStatus.WAITLISTED:
            messages.info(request, "You are not on the waiting list for this event.")
            return _detail(self.booking)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["position"] = selectors.waiting_list_position(booking=self.booking)
        return context

    def form_valid(self, form):
        try:
            booking = services.waitlist_leave(booking=self.booking, by=self.request.user,
                                              now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, "You have left the waiting list.")
        return _detail(booking)


class OfferRespondView(BookingMixin, FormView):
    """Accept or decline a place offered from the waiting list: two buttons."""

    template_name = "bookings/offer_respond.html"
    form_class = DecisionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "choices": DECISIONS}

    def get(self, request, *args, **kwargs):
        if self.booking.status != BookingStatus.OFFERED:
            messages.info(request, "There is no open offer on this booking.")
            return _detail(self.booking)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = (self.booking.offer_expires_at is not None
                              and self.booking.offer_expires_at <= timezone.now())
        return context

    def form_valid(self, form):
        accept = form.cleaned_data["decision"] == "accept"
        service = services.offer_accept if accept else services.offer_decline
        try:
            booking = service(booking=self.booking, by=self.request.user, now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        if not accept:
            messages.success(self.request, "You have declined the place: it goes to the next "
                                           "person on the waiting list.")
        elif booking.status == BookingStatus.PENDING_APPROVAL:
            messages.success(self.request, "The place is yours once your line manager agrees: we "
                                           "have asked them.")
        else:
            messages.success(self.request, "The place is yours. We have emailed you the details "
                                           "and a calendar invitation.")
        return _detail(booking)


class BookingSubstituteView(BookingMixin, FormView):
    """Offer the place to a colleague of the same organisation (no charge): it moves when
    they accept."""

    template_name = "bookings/booking_substitute.html"
    form_class = SubstituteForm

    def get(self, request, *args, **kwargs):
        booking = self.booking
        if not booking_actions(booking=booking, user=request.user,
                               now=timezone.now())["substitute"]:
            messages.info(request, "Only a confirmed place on an event that has not started can "
                                   "be handed to a colleague.")
            return _detail(booking)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_substitution"] = selectors.booking_substitution_pending(
            booking=self.booking, now=timezone.now())
        return context

    def form_valid(self, form):
        user = self.request.user
        try:
            substitution = services.booking_substitute(
                booking=self.booking, by=user, to_email=form.cleaned_data["to_email"],
                now=timezone.now())
        except DomainError as exc:
            form.add_error("to_email", exc.message)
            return self.form_invalid(form)
        whose = "yours" if self.booking.delegate_id == user.pk else "the delegate’s"
        if substitution.to_delegate_id is None:
            messages.success(self.request, f"We have emailed {substitution.to_email} an "
                                           "invitation to register and take the place. It stays "
                                           f"{whose} until they accept.")
        else:
            messages.success(self.request, f"We have emailed {substitution.to_email} to ask them "
                                           f"to accept the place. It stays {whose} until they "
                                           "do.")
        return _detail(self.booking)


class SubstitutionWithdrawView(BookingMixin, FormView):
    """Take back the offer of the place to a colleague who has not answered yet: the place
    stays the delegate's."""

    template_name = "bookings/substitution_withdraw.html"
    form_class = ConfirmForm

    def dispatch(self, request, *args, **kwargs):
        self.pending = None
        return super().dispatch(request, *args, **kwargs)

    def _pending(self):
        return selectors.booking_substitution_pending(booking=self.booking, now=timezone.now())

    def get(self, request, *args, **kwargs):
        self.pending = self._pending()
        if self.pending is None:
            messages.info(request, "There is no offer of this place waiting for an answer.")
            return _detail(self.booking)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.pending = self._pending()
        if self.pending is None:
            messages.info(request, "There is no offer of this place waiting for an answer: "
                                   "it was accepted, declined or has lapsed.")
            return _detail(self.booking)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_substitution"] = self.pending
        return context

    def form_valid(self, form):
        try:
            sub = services.substitution_withdraw(substitution=self.pending,
                                                 by=self.request.user, now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        whose = "yours" if self.booking.delegate_id == self.request.user.pk else "the delegate’s"
        messages.success(self.request, f"You have withdrawn the offer to {sub.to_email}: the "
                                       f"place stays {whose}. We have told them.")
        return _detail(self.booking)


class BookingIcsView(BookingMixin, View):
    """The booking's calendar invitation, to add by hand (the same UID as the email's)."""

    def get(self, request, uid):
        booking = self.booking
        if booking.status in (BookingStatus.BOOKED, BookingStatus.ATTENDED):
            method = REQUEST
        elif booking.status in (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED,
                                BookingStatus.MOVED):
            method = CANCEL
        else:
            raise Http404("No confirmed place, so no invitation yet")
        content = booking_ics(booking, partnership=Partnership.load(), site_url=site_url(),
                              method=method, sequence=booking.ics_sequence,
                              stamp=timezone.now(), attendee=booking.delegate)
        response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
        day = timezone.localtime(booking.event.start)
        response["Content-Disposition"] = (
            f'attachment; filename="{booking.event.course.slug[:60]}-{day:%Y-%m-%d}.ics"')
        return response


# Signed links -----------------------------------------------------------------------------------

class LineManagerApprovalView(FormView):
    """No account needed: the signed link is the permission (salt "line-manager-approval",
    valid for Partnership.line_manager_link_days). Two buttons: agree, or do not agree."""

    template_name = "bookings/line_manager_approval.html"
    form_class = DecisionForm

    def dispatch(self, request, *args, **kwargs):
        link = policies.signed_link_check(
            token=kwargs["token"], salt=policies.LINE_MANAGER_SALT,
            max_age=Partnership.load().line_manager_link_days * 24 * 3600)
        self.problem = link.problem
        self.booking = None
        if link.problem == "invalid":
            raise Http404("This link is not valid")
        if not link.problem:
            self.booking = selectors.booking_for_line_manager(uid=link.value)
            if self.booking is None:
                raise Http404("This link is not valid")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "choices": APPROVAL_CHOICES}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.booking
        problem = self.problem
        if booking is not None and booking.status == BookingStatus.APPROVAL_EXPIRED:
            problem = "expired"  # released by bookings.services.approvals_expire
        pending = booking is not None and booking.status == BookingStatus.PENDING_APPROVAL
        context.update(
            problem=problem, booking=booking,
            link_days=Partnership.load().line_manager_link_days,
            event=booking.event if booking else None,
            course=booking.event.course if booking else None,
            pending=pending,
            self_approval=(services.self_approval_problem(booking=booking, by=self.request.user)
                           if pending else None),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.booking is None:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        approve = form.cleaned_data["decision"] == "approve"
        try:
            booking = services.line_manager_decide(booking=self.booking, approve=approve,
                                                   now=timezone.now(), by=self.request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        name = booking.delegate.get_full_name() or booking.delegate.email
        if approve:
            messages.success(self.request, f"Thank you: {name}’s place is confirmed and we have "
                                           "told them.")
        else:
            messages.success(self.request, f"Thank you: {name}’s booking is withdrawn and we have "
                                           "told them. The place goes to someone else.")
        return redirect(self.request.path)


SUBSTITUTION_CHOICES = {"accept": "Take the place", "decline": "Decline the offer"}


class SubstitutionAcceptView(SignedInMixin, FormView):
    """A colleague offered a place accepts or declines it, signed in with the address it
    was offered to (they register first if they have no account)."""

    template_name = "bookings/substitution_accept.html"
    form_class = DecisionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "choices": SUBSTITUTION_CHOICES}

    def dispatch(self, request, *args, **kwargs):
        link = policies.signed_link_check(
            token=kwargs["token"], salt=policies.SUBSTITUTION_SALT,
            max_age=Partnership.load().substitution_link_days * 24 * 3600)
        if link.problem == "invalid":
            raise Http404("This link is not valid")
        self.problem = link.problem
        self.substitution = None
        if not link.problem:
            self.substitution = selectors.substitution_for_invitation(pk=link.value)
            if self.substitution is None:
                raise Http404("This link is not valid")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sub, user = self.substitution, self.request.user
        lapsed = ""
        if sub is not None and sub.accepted_at is None:
            lapsed = services.substitution_lapse_reason(
                substitution=sub, booking=sub.booking, event=sub.booking.event,
                now=timezone.now())
        context.update(
            problem=self.problem, substitution=sub, lapsed=lapsed,
            booking=sub.booking if sub else None,
            event=sub.booking.event if sub else None,
            course=sub.booking.event.course if sub else None,
            wrong_person=bool(sub) and user.email.lower() != sub.to_email.lower(),
            profile_missing=list(user.profile_missing),
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.substitution is None:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        accept = form.cleaned_data["decision"] == "accept"
        service = services.substitution_accept if accept else services.substitution_decline
        try:
            result = service(substitution=self.substitution, user=self.request.user,
                             now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        if not accept:
            name = (self.substitution.from_delegate.get_full_name()
                    or self.substitution.from_delegate.email)
            messages.success(self.request, f"You have declined the place: it stays {name}’s. "
                                           "We have told them.")
            return redirect(_my_training_url())
        messages.success(self.request, "The place is yours. We have emailed you the details and "
                                       "a calendar invitation.")
        return _detail(result)
