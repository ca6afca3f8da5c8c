"""Places on an event: the locks every service takes (event row first, then bookings), the
place count, the refusal rules, and confirming or holding a place just taken."""

import time as _time

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.exceptions import DomainError
from courses.models import Event

from .. import policies
from ..checks import booking_refusals
from ..emails import booking_email_queue, site_url
from ..models import (
    ACTIVE,
    Booking,
    BookingStatus,
)
from ..signals import (
    booking_confirmed,
)

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


def _place_take_if_unchanged(event):
    """Take a place on `event` as it was read (not locked): one UPDATE that locks the row
    and succeeds only while a place is left and every other column is as read, so whatever
    was decided on the read still holds. False when the row changed (the caller decides
    again under the lock) or no place is left."""
    same = {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields
            if not f.primary_key and f.attname != "places_taken"}
    taken = (Event.objects.filter(pk=event.pk, places_taken__lt=F("capacity"), **same)
             .update(places_taken=F("places_taken") + 1))
    if taken:
        event.places_taken += 1  # at least: other places may have been taken since the read
    return bool(taken)


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


def _confirmation_queue(booking, *, was="", signal=True):
    """A confirmed place: the delegate gets the confirmation with the calendar invitation;
    their line manager (who agrees to staff attending) a notice, unless they just approved.
    `signal=False`: the caller sends booking_confirmed itself (once the place is taken)."""
    booking_email_queue(booking=booking, template="booking_confirmed", ics="REQUEST")
    if signal:
        transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking=booking))
    delegate = booking.delegate
    if delegate.line_manager_email and was != BookingStatus.PENDING_APPROVAL:
        booking_email_queue(booking=booking, template="line_manager_booked",
                            to=[delegate.line_manager_email],
                            extra={"line_manager_name": delegate.line_manager_name})


def _approval_queue(booking):
    """The approval request goes to booking.approval_sent_to (recorded when the place was
    held), so the booking says which address was asked, whatever the profile says later."""
    from core.models import Partnership

    delegate = booking.delegate
    partnership = Partnership.load()
    # "If you have not agreed by ...": the earlier of the link's expiry and the working-day
    # limit before the event (bookings.services.sweeps.approvals_expire releases it then).
    release = policies.approval_release(
        requested_at=booking.approval_requested_at or timezone.now(),
        event_start=booking.event.start, link_days=partnership.line_manager_link_days,
        release_working_days=partnership.approval_release_working_days)
    booking_email_queue(booking=booking, template="approval_requested",
                        to=[booking.approval_sent_to or delegate.line_manager_email],
                        extra={"line_manager_name": delegate.line_manager_name,
                               "approval_url": _line_manager_url(booking),
                               "agree_by": release.agree_by})
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


def _may_act_for(*, by, booking):
    """The delegate acts on their own booking; an officer who manages bookings on anyone's.
    Views fetch bookings through bookings_visible_to already: this keeps the services safe
    when called from elsewhere."""
    if by is None or by.pk == booking.delegate_id or by.has_perm("bookings.manage_bookings"):
        return
    raise DomainError("This is not your booking.", code="forbidden")
