"""Scheduled sweeps run by Celery beat (bookings.tasks): reminders, joining links,
refresher reminders, events completed. Each is safe to run twice."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from core.audit import audit_record
from core.calendar import LONDON, london_date
from core.models import Partnership
from courses.models import Completion, Event, EventStatus

from .. import policies
from ..models import (
    Booking,
    BookingStatus,
)

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


def approvals_expire(*, now):
    """DOMAIN.md "Line manager approval": a place waiting for the line manager does not wait
    for ever. It is released when the approval link expires (Partnership.line_manager_link_
    days) or Partnership.approval_release_working_days working days before the event,
    whichever comes first (bookings.policies.approval_release): the booking is "not agreed in
    time", the place goes to the waiting list, and the delegate and the line manager asked
    are told. Safe to run twice: each booking's state is checked under the event's and its
    own lock. Returns the number of places released."""
    from ..emails import booking_email_queue
    from .places import _booking_locked, _event_locked, _place_free
    from .waiting_list import offer_next

    partnership = Partnership.load()
    link_days = partnership.line_manager_link_days
    working_days = partnership.approval_release_working_days
    # The database narrows (a link sent long enough ago, or an event soon enough: the working
    # days before it are never more than twice the number plus a fortnight of holidays);
    # the policy decides exactly.
    soon = now + timedelta(days=2 * working_days + 14)
    candidates = (Booking.objects.filter(status=BookingStatus.PENDING_APPROVAL)
                  .filter(Q(approval_requested_at__lte=now - timedelta(days=link_days))
                          | Q(approval_requested_at__isnull=True) | Q(event__start__lt=soon))
                  .order_by("event__start", "pk").values_list("event_id", "pk"))
    released = 0
    for event_id, pk in list(candidates):
        with transaction.atomic():
            event = _event_locked(event_id)
            booking = _booking_locked(pk)
            if booking.status != BookingStatus.PENDING_APPROVAL:
                continue
            if not policies.approval_released(
                    requested_at=booking.approval_requested_at, event_start=event.start,
                    link_days=link_days, release_working_days=working_days, now=now):
                continue
            booking.event = event
            booking.status = BookingStatus.APPROVAL_EXPIRED
            booking.cancelled_at = now
            booking.save(update_fields=["status", "cancelled_at"])
            _place_free(event)
            why = (policies.approval_release(
                requested_at=booking.approval_requested_at, event_start=event.start,
                link_days=link_days, release_working_days=working_days).reason
                if booking.approval_requested_at else "the event started")
            audit_record(actor=None, action="booking.approval_expire", target=booking,
                         details={"line_manager": booking.approval_sent_to, "why": why},
                         changes={"status": [BookingStatus.PENDING_APPROVAL,
                                             booking.status]})
            if event.status == EventStatus.SCHEDULED and event.start > now:
                # Told only while it matters: a place left waiting on an event that has
                # already happened (before this sweep existed) is released quietly.
                booking_email_queue(booking=booking, template="approval_expired",
                                    extra={"why": why})
                manager = booking.approval_sent_to or booking.delegate.line_manager_email
                if manager:
                    booking_email_queue(
                        booking=booking, template="approval_expired_line_manager", to=[manager],
                        extra={"why": why,
                               "line_manager_name": booking.delegate.line_manager_name})
                offer_next(event=event, now=now)
            released += 1
    return released
