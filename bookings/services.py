"""Writes of the bookings app (STYLE.md: one function per user-visible action, keyword-only,
atomic, locking what it decides on, audited; side effects queued with transaction.on_commit).

Each part of the bookings issue adds its services below its own heading."""

import time as _time
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse

from core.audit import audit_record
from core.calendar import LONDON, london_date
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Completion, Event, EventStatus

from . import policies
from .checks import booking_refusals
from .emails import booking_email_queue, site_url
from .models import (
    ACTIVE,
    Booking,
    BookingStatus,
    LateCancellationReason,
    Substitution,
)
from .signals import (
    attendance_marked,
    attendance_recorded,
    booking_cancelled,
    booking_confirmed,
    booking_late_cancelled,
)

# Register and attendance ---------------------------------------------------------------------

ATTENDANCE_OUTCOMES = ("attended", "late", "not_admitted", "no_show")


def _may_mark_register(*, user, event):
    """Officers mark any register; a facilitator only that of an event they deliver (as a
    facilitator from the Training Pool, or as its L&D officer)."""
    if user.has_perm("bookings.manage_bookings"):
        return True
    if not user.has_perm("bookings.mark_attendance"):
        return False
    return event.officer_id == user.pk or event.facilitators.filter(pk=user.pk).exists()


def _attendance_input_problem(*, outcome, minutes_late, contacted_team):
    if outcome not in ATTENDANCE_OUTCOMES:
        return "outcome", "Choose attended, late, not admitted or did not attend."
    if minutes_late is not None and minutes_late < 0:
        return "minutes_late", "Minutes late cannot be negative: enter 1 or more."
    if outcome == "late":
        if not minutes_late:
            return "minutes_late", "Enter how many minutes late the delegate arrived (1 or more)."
        if contacted_team is None:
            return ("contacted_team",
                    "Say whether the delegate contacted the training team before arriving late.")
    return None


def attendance_mark(*, booking, by, outcome, minutes_late=None, contacted_team=None, now):
    """Mark one delegate on the register: attended, late by N minutes (having contacted the
    training team or not), not admitted, or did not attend (no-show).

    DSPP charging policy: more than 30 minutes late on a full day (15 on a half day or less)
    without contacting the team is "not admitted" (bookings.policies.arrival_outcome decides,
    with the partnership's numbers); exactly 30 or 15 minutes is admitted. Attending adds the
    course to the delegate's training record (a Completion from attendance, dated the day of
    the event), once; correcting an "attended" mark takes it away again. Marking is open from
    the event's start day, for delegates with a place or already marked."""
    problem = _attendance_input_problem(outcome=outcome, minutes_late=minutes_late,
                                        contacted_team=contacted_team)
    if problem:
        raise DomainError(problem[1], code="invalid", field=problem[0])
    partnership = Partnership.load()
    with transaction.atomic():
        # The event first, then the booking: the same order as every booking service, so two
        # of them never wait for each other.
        event = (Event.objects.select_for_update().select_related("course")
                 .get(pk=Booking.objects.values_list("event_id", flat=True).get(pk=booking.pk)))
        locked = Booking.objects.select_for_update().select_related("delegate").get(pk=booking.pk)
        if not _may_mark_register(user=by, event=event):
            raise DomainError("You can mark the register only for events you deliver.",
                              code="forbidden")
        starts_on = london_date(event.start)
        if (refusal := policies.attendance_marking_problem(
                status=locked.status, event_status=event.status, event_starts_on=starts_on,
                today=london_date(now))):
            raise DomainError(refusal, code="not_open")

        reason = ""
        if outcome == "attended":
            status, minutes_late, contacted_team = BookingStatus.ATTENDED, None, None
        elif outcome == "late":
            arrival = policies.arrival_outcome(minutes_late=minutes_late,
                                               contacted_team=contacted_team,
                                               length=event.course.length,
                                               partnership=partnership)
            status = BookingStatus.ATTENDED if arrival.admitted else BookingStatus.NOT_ADMITTED
            reason = arrival.reason
        elif outcome == "not_admitted":
            status = BookingStatus.NOT_ADMITTED
        else:  # no_show: whether they contacted the team decides a charge later
            status, minutes_late = BookingStatus.NO_SHOW, None

        was = (locked.status, locked.minutes_late, locked.contacted_team)
        if was == (status, minutes_late, contacted_team):
            return locked  # the same mark again: nothing to record
        # Marking the register moves a booking from HOLDS_PLACE to ATTENDANCE: both are
        # COUNTED in Event.places_taken, so the count does not change.
        locked.status, locked.minutes_late, locked.contacted_team = (
            status, minutes_late, contacted_team)
        locked.attendance_marked_at, locked.attendance_marked_by = now, by
        locked.save(update_fields=["status", "minutes_late", "contacted_team",
                                   "attendance_marked_at", "attendance_marked_by"])

        record = Completion.objects.filter(user_id=locked.delegate_id, event=event,
                                           source=Completion.Source.ATTENDANCE)
        if status == BookingStatus.ATTENDED:
            if not record.exists():
                Completion.objects.create(
                    user_id=locked.delegate_id, course=event.course, event=event,
                    completed_on=starts_on, source=Completion.Source.ATTENDANCE, created_at=now)
        else:
            record.delete()

        audit_record(actor=by, action="booking.attendance_mark", target=locked, details={
            "outcome": outcome, "status": status, "minutes_late": minutes_late,
            "contacted_team": contacted_team, "was": was[0], "reason": reason})
        attendance_recorded.send(sender=Booking, booking=locked, event=event,
                                 previous_status=was[0], by=by, now=now)
        transaction.on_commit(lambda: attendance_marked.send(
            sender=Booking, booking=locked, previous_status=was[0]))
    locked.arrival_reason = reason
    return locked


# Scheduled sweeps ------------------------------------------------------------------------------
# Each is run by Celery beat (bookings.tasks) and is safe to run twice: a message goes once
# because its *_sent_at field is checked and set under the row's lock. Each message is sent
# inside the short transaction that records it (as the newsletter does): a failed send rolls
# its own mark back, so the task's retry sends it, and nothing recorded is ever sent again.


def _day_after(day, days):
    """The first moment (Europe/London) after the day `days` days from `day`: an event
    starting before it starts within `days` days."""
    return datetime.combine(day + timedelta(days=days + 1), time(0), tzinfo=LONDON)


def _reminder_candidates(*, now, days, sent_field, extra=None):
    query = Q(status=BookingStatus.BOOKED, event__status=EventStatus.SCHEDULED,
              event__start__gt=now, event__start__lt=_day_after(london_date(now), days),
              **{f"{sent_field}__isnull": True})
    if extra is not None:
        query &= extra
    return list(Booking.objects.filter(query).order_by("event__start", "pk")
                .values_list("pk", flat=True))


def _booking_reminder_send(*, pk, now, partnership, want):
    """Claim one booking under its lock and send what is due: the event reminder, the joining
    link, or both in one email when both are due (the joining link "goes out with the
    reminder"). Returns 1 if an email went, else 0."""
    from core.outbox import email_queue

    with transaction.atomic():
        booking = (Booking.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("event", "event__course", "event__venue", "delegate")
                   .filter(pk=pk).first())
        if booking is None or booking.status != BookingStatus.BOOKED:
            return 0
        event = booking.event
        if event.status != EventStatus.SCHEDULED or event.start <= now:
            return 0
        today = london_date(now)
        reminder_due = (booking.reminder_sent_at is None
                        and event.start < _day_after(today, partnership.event_reminder_days))
        link_due = (bool(event.joining_link) and booking.joining_link_sent_at is None
                    and event.start < _day_after(today, partnership.joining_link_reminder_days))
        if not (reminder_due if want == "reminder" else link_due):
            return 0
        template = "bookings/reminder" if reminder_due else "bookings/joining_link"
        kind = "reminder" if reminder_due else "joining_link"
        email_queue(to=[booking.delegate.email], template=template, context={
            "booking": booking, "event": event, "course": event.course,
            "delegate": booking.delegate, "joining_link": event.joining_link if link_due else "",
        }, purpose=f"booking:{booking.uid}:{kind}:{event.start.isoformat()}")
        fields = []
        if reminder_due:
            booking.reminder_sent_at = now
            fields.append("reminder_sent_at")
        if link_due:
            booking.joining_link_sent_at = now
            fields.append("joining_link_sent_at")
        booking.save(update_fields=fields)
        audit_record(actor=None, action="booking.reminder_sent" if reminder_due
                     else "booking.joining_link_sent", target=booking,
                     details={"reminder": reminder_due, "joining_link": link_due})
    return 1


def event_reminders_send(*, now):
    """Remind each booked delegate of their event Partnership.event_reminder_days (3) days
    before it, once. For an online event whose joining link is due too, the link goes in the
    same email. Returns the number of emails sent."""
    partnership = Partnership.load()
    pks = _reminder_candidates(now=now, days=partnership.event_reminder_days,
                               sent_field="reminder_sent_at")
    return sum(_booking_reminder_send(pk=pk, now=now, partnership=partnership, want="reminder")
               for pk in pks)


def joining_links_send(*, now):
    """Send the online joining link to each booked delegate of a virtual event
    Partnership.joining_link_reminder_days (3) days before it, once; a delegate who books
    later gets it at the next run. The link is released to booked delegates only. Returns the
    number of emails sent."""
    partnership = Partnership.load()
    pks = _reminder_candidates(now=now, days=partnership.joining_link_reminder_days,
                               sent_field="joining_link_sent_at", extra=~Q(event__joining_link=""))
    return sum(_booking_reminder_send(pk=pk, now=now, partnership=partnership, want="link")
               for pk in pks)


def refresher_reminders_send(*, now):
    """DSPP: safeguarding training is refreshed every three years (a course may say
    otherwise). Partnership.refresher_reminder_days (30) before a completed course falls due
    again, the delegate is reminded, once per completion. A completion already followed by a
    later one of the same course is refreshed and gets no reminder; one already past its due
    date when first seen (training recorded long ago) is not chased either. Returns the
    number of emails sent."""
    from dateutil.relativedelta import relativedelta

    from core.outbox import email_queue
    from courses.models import Course
    from courses.policies import refresher_due_on

    partnership = Partnership.load()
    today = london_date(now)
    horizon = today + timedelta(days=partnership.refresher_reminder_days)
    later = Completion.objects.filter(user=OuterRef("user"), course=OuterRef("course"),
                                      completed_on__gt=OuterRef("completed_on"))
    # One query per refresher period in use (the partnership's, and any course's own): the
    # database narrows to the window, a day wider each side for 29 February, and
    # refresher_due_on decides exactly.
    periods = set(Course.objects.exclude(refresher_years=None)
                  .values_list("refresher_years", flat=True).distinct())
    periods.add(partnership.refresher_years)
    pks = []
    for years in sorted(periods):
        by_course = (Q(course__refresher_years=years) if years != partnership.refresher_years
                     else Q(course__refresher_years=years) | Q(course__refresher_years=None))
        pks += list(
            Completion.objects.filter(
                by_course, refresher_reminder_sent_at__isnull=True, course__active=True,
                user__is_active=True,
                completed_on__gt=today - relativedelta(years=years) - timedelta(days=1),
                completed_on__lte=horizon - relativedelta(years=years) + timedelta(days=1))
            .exclude(Exists(later)).values_list("pk", flat=True))
    sent = 0
    for pk in sorted(pks):
        with transaction.atomic():
            completion = (Completion.objects.select_for_update(skip_locked=True, of=("self",))
                          .select_related("course", "user")
                          .filter(pk=pk, refresher_reminder_sent_at__isnull=True).first())
            if completion is None:
                continue
            years = completion.course.refresher_years or partnership.refresher_years
            due_on = refresher_due_on(completed_on=completion.completed_on, years=years)
            if not (today <= due_on <= horizon):
                continue
            email_queue(to=[completion.user.email], template="bookings/refresher_reminder",
                        context={"completion": completion, "course": completion.course,
                                 "delegate": completion.user, "due_on": due_on,
                                 "years": years},
                        purpose=f"completion:{completion.pk}:refresher_reminder:{due_on}")
            completion.refresher_reminder_sent_at = now
            completion.save(update_fields=["refresher_reminder_sent_at"])
            audit_record(actor=None, action="completion.refresher_reminder_sent",
                         target=completion, details={"due_on": due_on.isoformat()})
            sent += 1
    return sent


def events_complete(*, now):
    """A scheduled event whose end has passed has taken place: it becomes completed (its
    register can still be marked). Returns the number of events completed."""
    pks = list(Event.objects.filter(status=EventStatus.SCHEDULED, end__lte=now)
               .order_by("end", "pk").values_list("pk", flat=True))
    done = 0
    for pk in pks:
        with transaction.atomic():
            event = (Event.objects.select_for_update(skip_locked=True)
                     .filter(pk=pk, status=EventStatus.SCHEDULED, end__lte=now).first())
            if event is None:
                continue
            event.status = EventStatus.COMPLETED
            event.save(update_fields=["status"])
            audit_record(actor=None, action="event.complete", target=event)
            done += 1
    return done


# Booking, waiting list, cancellation, substitution, line manager approval (booking-core) -------
#
# Lock order: the event row first, then the booking rows, in every service (attendance_mark
# too), so two services never wait for each other. Event.places_taken counts the bookings in
# HOLDS_PLACE states and is only ever changed under the event's lock; the CHECK constraint
# event_never_overbooked (places_taken <= capacity) is the backstop.


class EventFull(DomainError):
    """No place is left: the page offers the waiting list instead."""

    def __init__(self, message=None):
        super().__init__(message or (
            "This event is full. Join the waiting list and we will email you if a place "
            "comes up."), code="full")


class LateCancellationRequired(DomainError):
    """Fewer working days' notice than the partnership requires: the delegate gives a reason
    on the late cancellation form instead (`notice` says how many days there are)."""

    def __init__(self, notice):
        super().__init__(notice.reason, code="late")
        self.notice = notice


# The control test (tests/bookings/test_concurrency.py) switches this off to show the race the
# lock prevents; nothing else may. Unlocked, booking_create reads places_taken, pauses and
# writes back what it read plus one, as naive code would.
_LOCK_EVENT = True
_UNLOCKED_PAUSE = 0.05


def _event_locked(pk, *, lock=True):
    events = Event.objects.select_related("course", "venue")
    if lock:
        events = events.select_for_update(of=("self",))
    return events.get(pk=pk)


def _booking_locked(pk):
    return (Booking.objects.select_for_update(of=("self",))
            .select_related("delegate", "organisation").get(pk=pk))


def _event_and_booking_locked(booking):
    event_id = Booking.objects.values_list("event_id", flat=True).get(pk=booking.pk)
    event = _event_locked(event_id)
    locked = _booking_locked(booking.pk)
    locked.event = event
    return event, locked


def _place_take(event, *, lock=True):
    if lock:
        Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") + 1)
    else:
        _time.sleep(_UNLOCKED_PAUSE)
        Event.objects.filter(pk=event.pk).update(places_taken=event.places_taken + 1)
    event.places_taken += 1


def _place_free(event):
    Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") - 1)
    event.places_taken -= 1


def _person(user):
    return user.get_full_name() or user.email


def _profile_missing(delegate):
    """What the delegate's profile still lacks for booking: the profile's own list, and an
    organisation the training team has approved (a request still waiting does not count)."""
    missing = list(delegate.profile_missing)
    if "your organisation" not in missing and (
            delegate.organisation_id is None or not delegate.organisation.active):
        missing.append("your organisation, approved by the training team")
    return missing


def booking_refusal_for(*, event, delegate, now, waiting_list=False, active_status=None):
    """The first rule refusing `delegate` a place (or a place on the waiting list) on
    `event` now, or None: bookings.policies.booking_refusal with the delegate's booking,
    profile, prerequisites and the registered checks (bookings.checks)."""
    from courses.selectors import prerequisites_check_for

    if active_status is None:
        active_status = (Booking.objects.filter(event=event, delegate=delegate, status__in=ACTIVE)
                         .values_list("status", flat=True).first() or "")
    early = policies.booking_refusal(event_status=event.status, event_start=event.start, now=now,
                                     places_left=1 if not waiting_list else 0,
                                     active_status=active_status, waiting_list=waiting_list)
    if early is not None:
        return early
    return policies.booking_refusal(
        event_status=event.status, event_start=event.start, now=now,
        places_left=event.capacity - event.places_taken, active_status=active_status,
        profile_missing=_profile_missing(delegate),
        prerequisite_reason=prerequisites_check_for(user=delegate, course=event.course).reason,
        check_refusals=booking_refusals(delegate=delegate, event=event, now=now),
        waiting_list=waiting_list,
    )


def _raise(refusal):
    if refusal.code == "full":
        raise EventFull(refusal.reason)
    raise DomainError(refusal.reason, code=refusal.code)


def _integrity_refusal(exc):
    text = str(exc)
    if "event_never_overbooked" in text:
        return EventFull()
    if "one_active_booking_per_delegate_and_event" in text:
        return DomainError("You already have a place on this event, or are on its waiting list.",
                           code="has_place")
    return None


def _line_manager_url(booking):
    token = policies.signed_link_make(value=str(booking.uid), salt=policies.LINE_MANAGER_SALT)
    return site_url() + reverse("bookings:line-manager-approval", kwargs={"token": token})


def _confirmation_queue(booking, *, was=""):
    """A confirmed place: the delegate gets the confirmation with the calendar invitation;
    their line manager (who agrees to staff attending) a notice, unless they just approved."""
    booking_email_queue(booking=booking, template="booking_confirmed", ics="REQUEST")
    transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking=booking))
    delegate = booking.delegate
    if delegate.line_manager_email and was != BookingStatus.PENDING_APPROVAL:
        booking_email_queue(booking=booking, template="line_manager_booked",
                            to=[delegate.line_manager_email],
                            extra={"line_manager_name": delegate.line_manager_name})


def _approval_queue(booking):
    """The approval request goes to booking.approval_sent_to (recorded when the place was
    held), so the booking says which address was asked, whatever the profile says later."""
    delegate = booking.delegate
    booking_email_queue(booking=booking, template="approval_requested",
                        to=[booking.approval_sent_to or delegate.line_manager_email],
                        extra={"line_manager_name": delegate.line_manager_name,
                               "approval_url": _line_manager_url(booking)})
    booking_email_queue(booking=booking, template="booking_pending")


def _place_confirm_or_hold(booking, *, partnership, now):
    """A place that has just been taken (booked, or an offer accepted): confirmed at once,
    or held for the line manager's agreement when the partnership requires it."""
    if partnership.line_manager_approval_required:
        from accounts.services import user_own_addresses

        manager = booking.delegate.line_manager_email
        if manager.strip().lower() in user_own_addresses(user=booking.delegate):
            # A delegate must not agree to their own training (a profile saved before the
            # profile refused this).
            raise DomainError("Your line manager's email address is one of your own. Change it "
                              "in your profile, then book again.", code="profile")
        booking.status = BookingStatus.PENDING_APPROVAL
        booking.approval_requested_at = now
        booking.approval_sent_to = manager
    else:
        booking.status = BookingStatus.BOOKED
        booking.booked_at = now


def booking_create(*, event, delegate, access_needs="", now):
    """Book a place in one step (DOMAIN.md, Booking states). Refused, with the reason, when the
    event is cancelled or has started, the delegate already holds a place or is on the waiting
    list, their profile is incomplete, a prerequisite is missing or a registered check refuses
    (bookings.checks: the charging app's overdue invoice); EventFull when no place is left.
    "Capacity is never exceeded, whatever the concurrency": the event row is locked while
    places_taken is checked and increased. With Partnership.line_manager_approval_required
    the place is held until the line manager agrees (a signed link, no account needed)."""
    from accounts.models import User

    partnership = Partnership.load()
    with transaction.atomic():
        locked = _event_locked(event.pk, lock=_LOCK_EVENT)
        delegate = User.objects.select_related("organisation").get(pk=delegate.pk)
        if refusal := booking_refusal_for(event=locked, delegate=delegate, now=now):
            _raise(refusal)
        booking = Booking(event=locked, delegate=delegate, organisation=delegate.organisation,
                          access_needs=(access_needs or "").strip(), created_at=now)
        _place_confirm_or_hold(booking, partnership=partnership, now=now)
        try:
            with transaction.atomic():
                booking.save()
                _place_take(locked, lock=_LOCK_EVENT)
        except IntegrityError as exc:
            if (refused := _integrity_refusal(exc)) is None:
                raise
            raise refused from exc
        audit_record(actor=delegate, action="booking.create", target=booking,
                     details={"status": booking.status, "event": locked.pk})
        if booking.status == BookingStatus.PENDING_APPROVAL:
            _approval_queue(booking)
        else:
            _confirmation_queue(booking)
    return booking


def waitlist_join(*, event, delegate, now):
    """Join a full event's waiting list: first come, first served (waitlisted_at, then id).
    The same rules as booking apply, except that the event must be full."""
    from accounts.models import User

    with transaction.atomic():
        locked = _event_locked(event.pk)
        delegate = User.objects.select_related("organisation").get(pk=delegate.pk)
        if refusal := booking_refusal_for(event=locked, delegate=delegate, now=now,
                                          waiting_list=True):
            _raise(refusal)
        booking = Booking(event=locked, delegate=delegate, organisation=delegate.organisation,
                          status=BookingStatus.WAITLISTED, waitlisted_at=now, created_at=now,
                          access_needs=(delegate.access_needs or "").strip())
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as exc:
            if (refused := _integrity_refusal(exc)) is None:
                raise
            raise refused from exc
        audit_record(actor=delegate, action="booking.waitlist_join", target=booking,
                     details={"event": locked.pk})
        booking_email_queue(booking=booking, template="waitlist_joined")
    return booking


def waitlist_leave(*, booking, by, now):
    """Leave the waiting list (the delegate, or an officer for them)."""
    with transaction.atomic():
        _, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if locked.status != BookingStatus.WAITLISTED:
            raise DomainError("You are not on the waiting list for this event any more.",
                              code="state")
        locked.status = BookingStatus.LEFT_WAITING_LIST
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        audit_record(actor=by, action="booking.waitlist_leave", target=locked)
    return locked


def _may_act_for(*, by, booking):
    """The delegate acts on their own booking; an officer who manages bookings on anyone's.
    Views fetch bookings through bookings_visible_to already: this keeps the services safe
    when called from elsewhere."""
    if by is None or by.pk == booking.delegate_id or by.has_perm("bookings.manage_bookings"):
        return
    raise DomainError("This is not your booking.", code="forbidden")


def offer_next(*, event, now):
    """A freed place is offered to the head of the waiting list, by email, for
    Partnership.waiting_list_offer_hours (48) – never beyond the start of the event – before
    it passes to the next (DOMAIN.md). An offer holds the place. Offers every free place, first
    come first served (waitlisted_at, then id); returns the bookings offered."""
    partnership = Partnership.load()
    offered = []
    with transaction.atomic():
        locked = _event_locked(event.pk)
        if locked.status != EventStatus.SCHEDULED or locked.start <= now:
            return offered
        passed_over = []
        while locked.places_taken < locked.capacity:
            head = (Booking.objects.select_for_update(of=("self",)).select_related("delegate")
                    .filter(event=locked, status=BookingStatus.WAITLISTED)
                    .exclude(pk__in=passed_over)
                    .order_by("waitlisted_at", "pk").first())
            if head is None:
                break
            # A delegate who could not accept (a registered check refuses them a new place,
            # e.g. their organisation's overdue invoice) keeps their place in the queue but is
            # passed over, rather than holding the place for hours on an offer they cannot take.
            refusals = booking_refusals(delegate=head.delegate, event=locked, now=now)
            if refusals:
                passed_over.append(head.pk)
                audit_record(actor=None, action="booking.offer_passed_over", target=head,
                             details={"reasons": refusals})
                continue
            head.status = BookingStatus.OFFERED
            head.offered_at = now
            head.offer_expires_at = policies.offer_expires(
                now=now, hours=partnership.waiting_list_offer_hours, event_start=locked.start)
            head.save(update_fields=["status", "offered_at", "offer_expires_at"])
            _place_take(locked)
            audit_record(actor=None, action="booking.offer", target=head,
                         details={"expires": head.offer_expires_at.isoformat()})
            booking_email_queue(booking=head, template="offer_made")
            offered.append(head)
    return offered


def offer_accept(*, booking, by, now):
    """Accept a place offered from the waiting list before the offer expires: it is booked
    (or held for the line manager's agreement when the partnership requires it)."""
    partnership = Partnership.load()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        _offer_still_open(locked, event=event, now=now)
        refusals = booking_refusals(delegate=locked.delegate, event=event, now=now)
        if refusals:
            raise DomainError(" ".join(refusals), code="refused")
        _place_confirm_or_hold(locked, partnership=partnership, now=now)
        locked.save(update_fields=["status", "booked_at", "approval_requested_at",
                                   "approval_sent_to"])
        audit_record(actor=by, action="booking.offer_accept", target=locked,
                     details={"status": locked.status})
        if locked.status == BookingStatus.PENDING_APPROVAL:
            _approval_queue(locked)
        else:
            _confirmation_queue(locked)
    return locked


def _offer_still_open(booking, *, event, now):
    if booking.status != BookingStatus.OFFERED:
        raise DomainError(f"There is no open offer on this booking: it is "
                          f"{booking.get_status_display().lower()}.", code="state")
    if event.start <= now:
        raise DomainError("This event has started, so the offer has closed.", code="closed")
    if booking.offer_expires_at <= now:
        raise DomainError("This offer has expired, so the place has passed to the next person "
                          "on the waiting list.", code="expired")


def offer_decline(*, booking, by, now):
    """Decline an offered place: it passes to the next person on the waiting list."""
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if locked.status != BookingStatus.OFFERED:
            raise DomainError(f"There is no open offer on this booking: it is "
                              f"{locked.get_status_display().lower()}.", code="state")
        locked.status = BookingStatus.OFFER_DECLINED
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _place_free(event)
        audit_record(actor=by, action="booking.offer_decline", target=locked)
        offer_next(event=event, now=now)
    return locked


def offers_expire(*, now):
    """The sweep (Celery beat): an offer not taken up in time passes to the next person on
    the waiting list, and the delegate is told. Safe to run twice: each offer's state is
    checked under its lock. Also offers places freed without an offer (an officer added
    places). Returns the number of offers expired."""
    from .selectors import events_with_places_and_waiting_list, offers_due_to_expire

    expired = 0
    for event_id, pk in offers_due_to_expire(now=now):
        with transaction.atomic():
            event = _event_locked(event_id)
            locked = (Booking.objects.select_for_update(of=("self",))
                      .filter(pk=pk, status=BookingStatus.OFFERED, offer_expires_at__lte=now)
                      .first())
            if locked is None:
                continue
            locked.status = BookingStatus.OFFER_EXPIRED
            locked.save(update_fields=["status"])
            _place_free(event)
            audit_record(actor=None, action="booking.offer_expire", target=locked)
            booking_email_queue(booking=locked, template="offer_expired")
            offer_next(event=event, now=now)
            expired += 1
    for event_id in events_with_places_and_waiting_list(now=now):
        offer_next(event=Event(pk=event_id), now=now)
    return expired


def cancellation_notice_for(*, booking, now):
    """The notice a cancellation now would give (bookings.policies.booking_notice)."""
    return policies.booking_notice(cancelled_on=now, event_start=booking.event.start,
                                   required=Partnership.load().notice_working_days)


def booking_cancel(*, booking, by, now):
    """Cancel a place in time (DOMAIN.md, "Working days and notice"): with at least
    Partnership.notice_working_days (5) working days' notice the delegate cancels online,
    free; the delegate and the line manager are emailed (the delegate with a calendar
    cancellation) and the place is offered to the waiting list. With less notice,
    LateCancellationRequired: the delegate gives a reason instead. A place still waiting for
    the line manager's agreement is not confirmed yet, so withdrawing it is always free."""
    partnership = Partnership.load()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if problem := policies.cancel_problem(status=locked.status, event_start=event.start,
                                              now=now):
            raise DomainError(problem, code="state")
        notice = policies.booking_notice(cancelled_on=now, event_start=event.start,
                                         required=partnership.notice_working_days)
        was = locked.status
        if was == BookingStatus.BOOKED and not notice.in_time:
            raise LateCancellationRequired(notice)
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.notice_working_days = notice.working_days
        fields = ["status", "cancelled_at", "cancelled_by", "notice_working_days"]
        if was == BookingStatus.BOOKED:
            locked.ics_sequence += 1
            fields.append("ics_sequence")
        locked.save(update_fields=fields)
        _place_free(event)
        audit_record(actor=by, action="booking.cancel", target=locked,
                     details={"was": was, "notice_working_days": notice.working_days})
        _cancellation_queue(locked, was=was, late=False)
        offer_next(event=event, now=now)
    return locked


def _cancellation_queue(booking, *, was, late):
    transaction.on_commit(lambda: booking_cancelled.send(sender=Booking, booking=booking,
                                                         previous_status=was))
    extra = {"late": late}
    booking_email_queue(booking=booking, template="booking_cancelled",
                        ics="CANCEL" if was == BookingStatus.BOOKED else None, extra=extra)
    delegate = booking.delegate
    if delegate.line_manager_email:
        booking_email_queue(booking=booking, template="line_manager_cancelled",
                            to=[delegate.line_manager_email],
                            extra={**extra, "line_manager_name": delegate.line_manager_name})


def late_cancellation_request(*, booking, by, reason, detail, now):
    """A late cancellation (notice below Partnership.notice_working_days): the delegate gives
    a reason (DSPP: service users or illness; "other" explained) and the L&D officer decides
    whether the charge applies. The place is freed at once and offered on (DSPP: "the DSPP may
    be able to offer the place to other candidates"). The charging app raises the charge from
    the booking_late_cancelled signal, sent inside this transaction (a charge is never lost),
    and its queue is the officer's review."""
    partnership = Partnership.load()
    if problem := policies.late_cancellation_problem(reason=reason, detail=detail,
                                                     reasons=LateCancellationReason.values):
        raise DomainError(problem, code="invalid",
                          field="detail" if reason == LateCancellationReason.OTHER else "reason")
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if problem := policies.cancel_problem(status=locked.status, event_start=event.start,
                                              now=now):
            raise DomainError(problem, code="state")
        notice = policies.booking_notice(cancelled_on=now, event_start=event.start,
                                         required=partnership.notice_working_days)
        if locked.status != BookingStatus.BOOKED or notice.in_time:
            raise DomainError(f"{notice.reason} Cancel the place instead: no reason is needed.",
                              code="in_time")
        locked.status = BookingStatus.LATE_CANCELLED
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.notice_working_days = notice.working_days
        locked.late_cancellation_reason = reason
        locked.late_cancellation_detail = (detail or "").strip()
        locked.ics_sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by",
                                   "notice_working_days", "late_cancellation_reason",
                                   "late_cancellation_detail", "ics_sequence"])
        _place_free(event)
        audit_record(actor=by, action="booking.late_cancel", target=locked, details={
            "notice_working_days": notice.working_days, "reason": reason})
        booking_late_cancelled.send(sender=Booking, booking=locked, by=by, now=now)
        _cancellation_queue(locked, was=BookingStatus.BOOKED, late=True)
        offer_next(event=event, now=now)
    return locked


def _substitution_refusal(*, booking, event, to_email, to_user, now):
    """Why the place cannot pass to `to_email` (an account, or None for an invitation)."""
    to_active = ""
    if to_user is not None:
        to_active = (Booking.objects.filter(event=event, delegate=to_user, status__in=ACTIVE)
                     .values_list("status", flat=True).first() or "")
    organisation = booking.organisation
    if problem := policies.substitution_problem(
            status=booking.status, event_start=event.start, now=now,
            from_email=booking.delegate.email, to_email=to_email,
            organisation_name=organisation.name if organisation else "your organisation",
            to_organisation_id=(to_user.organisation_id or False) if to_user else None,
            organisation_id=booking.organisation_id, to_active_status=to_active):
        return problem
    if to_user is None:
        return None
    if not to_user.is_active:
        return f"The account for {to_email} is closed, so it cannot take the place."
    if missing := _profile_missing(to_user):
        return (f"{_person(to_user)} must complete their profile before they can take the "
                f"place: it still needs {', '.join(missing)}.")
    from courses.selectors import prerequisites_check_for

    check = prerequisites_check_for(user=to_user, course=event.course)
    if not check.met:
        return f"{_person(to_user)} cannot take the place yet. {check.reason}"
    # The place is already held: checks that only refuse new places (an overdue invoice)
    # do not stop it changing hands.
    refusals = booking_refusals(delegate=to_user, event=event, now=now, place_held=True)
    if refusals:
        return f"{_person(to_user)} cannot take the place: {' '.join(refusals)}"
    return None


def _place_transfer(*, event, booking, substitution, to_user, by, now):
    """The place passes to `to_user`: same booking (no charge, place count unchanged), new
    delegate; both are emailed, each with their calendar invitation or its cancellation."""
    from_user = booking.delegate
    booking.delegate = to_user
    booking.access_needs = (to_user.access_needs or "").strip()
    booking.ics_sequence += 1
    # Reminders and the joining link go again, to the new delegate.
    booking.reminder_sent_at = booking.joining_link_sent_at = None
    try:
        with transaction.atomic():
            booking.save(update_fields=["delegate", "access_needs", "ics_sequence",
                                        "reminder_sent_at", "joining_link_sent_at"])
    except IntegrityError as exc:
        raise DomainError(f"{to_user.email} already has a place on this event, or is on its "
                          "waiting list.", code="has_place") from exc
    substitution.to_delegate, substitution.accepted_at = to_user, now
    substitution.save(update_fields=["to_delegate", "accepted_at"])
    audit_record(actor=by, action="booking.substitute", target=booking, details={
        "from": from_user.email, "to": to_user.email, "event": event.pk})
    booking_email_queue(booking=booking, template="substitution_from", recipient=from_user,
                        ics="CANCEL")
    booking_email_queue(booking=booking, template="substitution_to", ics="REQUEST")
    transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking=booking))
    if to_user.line_manager_email:
        booking_email_queue(booking=booking, template="line_manager_booked",
                            to=[to_user.line_manager_email],
                            extra={"line_manager_name": to_user.line_manager_name,
                                   "substitution": True})


def booking_substitute(*, booking, by, to_email, now):
    """Hand a place to a colleague of the SAME organisation at any point before the event,
    with no charge (DOMAIN.md; DSPP: substitution 0). A colleague with an account takes it at
    once; one without an account is invited by email and takes it when they have registered
    and accept. The place count does not change. Returns the Substitution."""
    from accounts.models import User

    to_email = (to_email or "").strip().lower()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        to_user = (User.objects.select_related("organisation")
                   .filter(email__iexact=to_email).first())
        if problem := _substitution_refusal(booking=locked, event=event, to_email=to_email,
                                            to_user=to_user, now=now):
            raise DomainError(problem, code="refused", field="to_email")
        substitution = Substitution.objects.create(
            booking=locked, from_delegate=locked.delegate, to_email=to_email, by=by, at=now)
        if to_user is not None:
            _place_transfer(event=event, booking=locked, substitution=substitution,
                            to_user=to_user, by=by, now=now)
        else:
            token = policies.signed_link_make(value=substitution.pk,
                                              salt=policies.SUBSTITUTION_SALT)
            audit_record(actor=by, action="booking.substitute_invite", target=locked,
                         details={"to": to_email})
            booking_email_queue(
                booking=locked, template="substitution_invitation", to=[to_email],
                key=str(substitution.pk),
                extra={"accept_url": site_url() + reverse(
                    "bookings:substitution-accept", kwargs={"token": token}),
                       "signup_url": site_url() + reverse("account_signup"),
                       "from_name": _person(locked.delegate), "to_email": to_email})
            booking_email_queue(booking=locked, template="substitution_invited",
                                extra={"to_email": to_email}, key=str(substitution.pk))
    return substitution


def substitution_accept(*, substitution, user, now):
    """A colleague invited to take over a place (booking_substitute, no account at the time)
    accepts it, signed in with the invited address. The invitation lapses when the place is
    cancelled, handed to someone else, or a newer invitation is sent."""
    with transaction.atomic():
        booking = Booking.objects.get(pk=substitution.booking_id)
        event, locked = _event_and_booking_locked(booking)
        sub = Substitution.objects.select_for_update().get(pk=substitution.pk)
        if sub.accepted_at is not None:
            raise DomainError("This invitation has already been accepted.", code="decided")
        latest = locked.substitutions.order_by("-at", "-pk").first()
        if (latest is None or latest.pk != sub.pk or locked.delegate_id != sub.from_delegate_id
                or locked.status != BookingStatus.BOOKED):
            raise DomainError("This invitation has lapsed: the place is no longer on offer to "
                              "you. Ask your colleague or the training team.", code="lapsed")
        if user.email.lower() != sub.to_email.lower():
            raise DomainError(f"This invitation was sent to {sub.to_email}: sign in with that "
                              "address to accept it.", code="wrong_person")
        if problem := _substitution_refusal(booking=locked, event=event, to_email=user.email,
                                            to_user=user, now=now):
            raise DomainError(problem, code="refused")
        _place_transfer(event=event, booking=locked, substitution=sub, to_user=user, by=user,
                        now=now)
    return locked


def line_manager_decide(*, booking, approve, now):
    """With Partnership.line_manager_approval_required, the line manager agrees (the place is
    confirmed and the confirmation goes to the delegate) or declines (the place is freed and
    offered to the waiting list) from a signed link, without an account."""
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        if locked.status != BookingStatus.PENDING_APPROVAL:
            raise DomainError(f"This booking has already been decided: it is "
                              f"{locked.get_status_display().lower()}.", code="decided")
        # The address the approval link was sent to (the profile may have changed since).
        manager = locked.approval_sent_to or locked.delegate.line_manager_email
        if approve:
            if event.status != EventStatus.SCHEDULED or event.start <= now:
                raise DomainError("This event has started or is cancelled, so the booking can "
                                  "no longer be agreed.", code="closed")
            locked.status = BookingStatus.BOOKED
            locked.approved_at = locked.booked_at = now
            locked.save(update_fields=["status", "approved_at", "booked_at"])
            audit_record(actor=None, action="booking.line_manager_approve", target=locked,
                         details={"line_manager": manager})
            _confirmation_queue(locked, was=BookingStatus.PENDING_APPROVAL)
        else:
            locked.status = BookingStatus.NOT_APPROVED
            locked.cancelled_at = now
            locked.save(update_fields=["status", "cancelled_at"])
            _place_free(event)
            audit_record(actor=None, action="booking.line_manager_decline", target=locked,
                         details={"line_manager": manager})
            booking_email_queue(booking=locked, template="booking_not_approved")
            offer_next(event=event, now=now)
    return locked
