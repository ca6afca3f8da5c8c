"""The register: marking who attended, arrived late, was not admitted or did not come."""

from django.db import transaction

from core.audit import audit_changes, audit_record
from core.calendar import london_date
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Completion, Event

from .. import policies
from ..models import (
    Booking,
    BookingStatus,
)
from ..signals import (
    attendance_marked,
    attendance_recorded,
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
            "contacted_team": contacted_team, "was": was[0], "reason": reason},
            changes=audit_changes(
                dict(zip(("status", "minutes_late", "contacted_team"), was, strict=True)),
                {"status": status, "minutes_late": minutes_late,
                 "contacted_team": contacted_team}))
        attendance_recorded.send(sender=Booking, booking=locked, event=event,
                                 previous_status=was[0], by=by, now=now)
        transaction.on_commit(lambda: attendance_marked.send(
            sender=Booking, booking=locked, previous_status=was[0]))
    locked.arrival_reason = reason
    return locked
