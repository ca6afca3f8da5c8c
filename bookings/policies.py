"""Pure rules of the bookings app (no ORM): each takes its numbers and dates as arguments and
returns an answer that explains itself."""

from dataclasses import dataclass
from datetime import date

from core.dates import long_date
from core.words import plural
from courses.models import Length

# Attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrivalOutcome:
    admitted: bool
    reason: str


def arrival_outcome(*, minutes_late, contacted_team, length, partnership):
    """DSPP charging policy: a delegate more than 30 minutes late for a full day (15 for a
    half day or less) who did not contact the training team is not admitted. Exactly 30 (or
    15) minutes late is admitted; so is anyone who contacted the team. The numbers are
    Partnership.late_minutes_full_day / late_minutes_half_day."""
    minutes = minutes_late or 0
    limit = (partnership.late_minutes_half_day if length == Length.HALF_DAY
             else partnership.late_minutes_full_day)
    day = "a half day or less" if length == Length.HALF_DAY else "a full day"
    late = f"{minutes} minute{'s' if minutes != 1 else ''} late"
    if minutes <= limit:
        return ArrivalOutcome(
            True, f"{late}: admitted (up to {plural(limit, "minute")} is allowed on {day}).")
    if contacted_team:
        return ArrivalOutcome(
            True, f"{late}, but contacted the training team: admitted.")
    return ArrivalOutcome(
        False, f"{late} without contacting the training team: more than "
        f"{plural(limit, 'minute')} on {day}, so not admitted.")


def attendance_marking_problem(*, status, event_status, event_starts_on: date, today: date):
    """Why the register cannot be marked for this booking now, or None. Attendance is marked
    from the event's start day onwards, for delegates with a place (or already marked)."""
    if event_status == "cancelled":
        return "This event was cancelled: there is no register to mark."
    if today < event_starts_on:
        return (f"The register opens on the day of the event "
                f"({long_date(event_starts_on)}).")
    if status not in ("booked", "attended", "not_admitted", "no_show"):
        return "Only delegates with a place on the event can be marked on the register."
    return None


# Booking, waiting list and cancellation (booking-core) -----------------------------------------
# The states are BookingStatus values; they are spelled out here so that a rule stays pure.

HOLDING = ("booked", "pending_approval", "offered")


@dataclass(frozen=True)
class BookingRefusal:
    """Why a delegate cannot book (or join the waiting list) now. `code` lets a page choose
    what to offer instead: "full" -> the waiting list, "profile" -> the profile page."""

    code: str
    reason: str


def booking_refusal(*, event_status, event_start, now, places_left, active_status="",
                    profile_missing=(), prerequisite_reason="", check_refusals=(),
                    waiting_list=False):
    """The first rule that refuses a booking (or, with `waiting_list`, a place on the waiting
    list), or None. The order is what a delegate should hear first: an event they cannot
    attend at all, then a place they already hold, then what they can put right themselves,
    then the places left. DOMAIN.md: a full event offers the waiting list."""
    if event_status == "cancelled":
        return BookingRefusal("cancelled", "This event has been cancelled: choose another date.")
    if event_status == "completed" or event_start <= now:
        return BookingRefusal(
            "closed", "This event has already started, so booking is closed: choose another date.")
    if active_status == "booked":
        return BookingRefusal("has_place", "You already have a place on this event.")
    if active_status == "pending_approval":
        return BookingRefusal(
            "has_place", "You already have a place on this event: it is waiting for your line "
            "manager to agree.")
    if active_status == "offered":
        return BookingRefusal(
            "offered", "You have been offered a place on this event: accept or decline it.")
    if active_status == "waitlisted":
        return BookingRefusal("waitlisted", "You are already on the waiting list for this event.")
    if profile_missing:
        missing = list(profile_missing)
        words = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
        return BookingRefusal(
            "profile", f"Complete your profile before you book: we still need {words}.")
    if prerequisite_reason:
        return BookingRefusal("prerequisite", prerequisite_reason)
    if check_refusals:
        return BookingRefusal("refused", " ".join(check_refusals))
    if waiting_list and places_left > 0:
        return BookingRefusal(
            "places_left", "There are places left on this event: book one instead of joining "
            "the waiting list.")
    if not waiting_list and places_left <= 0:
        return BookingRefusal(
            "full", "This event is full. Join the waiting list and we will email you if a "
            "place comes up.")
    return None


def booking_notice(*, cancelled_on, event_start, required):
    """DOMAIN.md "Working days and notice": the working days d with cancellation date <= d <
    event date (Europe/London, England and Wales bank holidays). `required` is
    Partnership.notice_working_days (5): fewer is a late cancellation."""
    from core.calendar import cancellation_notice

    return cancellation_notice(cancelled_on=cancelled_on, event_starts=event_start,
                               required=required)


def cancel_problem(*, status, event_start, now):
    """Why this booking cannot be cancelled now, or None. An event that has started cannot be
    cancelled: a delegate who could not come tells the training team."""
    if status not in ("booked", "pending_approval"):
        return "This booking is not a place you hold, so there is nothing to cancel."
    if event_start <= now:
        return ("This event has already started, so the place can no longer be cancelled. "
                "If you could not attend, tell the training team.")
    return None


def late_cancellation_problem(*, reason, detail, reasons):
    """DSPP: late cancellations are for reasons relating to service users or illness; "other"
    must be explained for the L&D officer to decide. `reasons` are the allowed values."""
    if reason not in reasons:
        return "Choose the reason you need to cancel."
    if reason == "other" and not (detail or "").strip():
        return "Explain why you need to cancel: the training team decides whether a charge applies."
    return None


def offer_expires(*, now, hours, event_start):
    """A freed place is offered for `hours` (Partnership.waiting_list_offer_hours, 48), but
    never beyond the start of the event."""
    from datetime import timedelta

    return min(now + timedelta(hours=hours), event_start)


def substitution_problem(*, status, event_start, now, from_email, to_email,
                         organisation_name, to_organisation_id, organisation_id,
                         to_active_status=""):
    """DOMAIN.md: a place can be handed to another delegate of the same organisation at any
    point before the event, free. `to_organisation_id` is None for someone without an
    account yet (they are invited) – pass False when the account has no organisation."""
    if status != "booked":
        return "Only a confirmed place can be handed to a colleague."
    if event_start <= now:
        return "This event has started, so the place can no longer be handed to a colleague."
    if (to_email or "").strip().lower() == (from_email or "").strip().lower():
        return "Enter the email address of the colleague who will take your place, not your own."
    if to_organisation_id is not None and to_organisation_id != organisation_id:
        return (f"{to_email} is not registered with {organisation_name}: a place can only be "
                "handed to a colleague from the same organisation.")
    if to_active_status in HOLDING:
        return f"{to_email} already has a place on this event."
    if to_active_status == "waitlisted":
        return (f"{to_email} is on the waiting list for this event: they must leave it before "
                "they can take your place.")
    return None


# Signed links: a line manager's approval (no account needed) and a colleague's invitation to
# take over a place. Each carries the booking's uid (or the substitution's id) and when it was
# made, signed with the site's secret so nobody can forge one for another booking.

LINE_MANAGER_SALT = "line-manager-approval"
SUBSTITUTION_SALT = "booking-substitution"


@dataclass(frozen=True)
class SignedLink:
    value: str | None
    problem: str  # "" when good, else "expired" or "invalid"


def _signer(salt):
    from django.core import signing

    # "." rather than ":" between the parts: nothing in the link needs escaping, so it
    # survives being copied, wrapped by an email client or carried in ?next=.
    return signing.TimestampSigner(salt=salt, sep=".")


def signed_link_make(*, value, salt):
    return _signer(salt).sign_object(value, compress=False)


def signed_link_check(*, token, salt, max_age):
    from django.core import signing

    if not token:
        return SignedLink(None, "invalid")
    try:
        value = _signer(salt).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        return SignedLink(None, "expired")
    except signing.BadSignature:
        return SignedLink(None, "invalid")
    if not isinstance(value, (str, int)):
        return SignedLink(None, "invalid")
    return SignedLink(value, "")


# Line manager approval: a place waiting for it does not wait for ever ---------------------------


@dataclass(frozen=True)
class ApprovalRelease:
    """When a place waiting for the line manager is released, and why (the earlier of the
    link's expiry and the working-day limit before the event)."""

    at: object  # an aware datetime
    reason: str

    @property
    def agree_by(self):
        """When the line manager must agree by, in words: "the end of Tuesday 23 March 2027"
        for a release at midnight, else the day and time of the release."""
        from datetime import timedelta

        from core.calendar import LONDON
        from core.dates import day, day_and_time

        local = self.at.astimezone(LONDON)
        if (local.hour, local.minute) == (0, 0):
            return f"the end of {day(local - timedelta(minutes=1))}"
        return day_and_time(local)


def approval_release(*, requested_at, event_start, link_days, release_working_days):
    """DOMAIN.md "Line manager approval": a place waiting for the line manager is released
    when the approval link expires (Partnership.line_manager_link_days after it was sent) or
    Partnership.approval_release_working_days working days before the event, whichever comes
    first. "2 working days before" an event on Tuesday 30 March 2027 (after Good Friday and
    Easter Monday) is Wednesday 24 March: the place is released at the start of that day
    (Europe/London), when the notice left is that many working days or fewer."""
    from datetime import datetime, time, timedelta

    from core.calendar import LONDON, is_working_day, london_date

    link_expires = requested_at + timedelta(days=link_days)
    day, counted = london_date(event_start), 0
    while counted < release_working_days:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    too_close = datetime.combine(day, time(0), tzinfo=LONDON)
    if link_expires < too_close:
        return ApprovalRelease(link_expires, f"the link to agree expired after {link_days} "
                               f"day{'s' if link_days != 1 else ''}")
    days = (f"{release_working_days} working day"
            f"{'s' if release_working_days != 1 else ''}")
    return ApprovalRelease(too_close, f"nobody agreed by {days} before the event")


def approval_released(*, requested_at, event_start, link_days, release_working_days, now):
    """True once the place waiting for the line manager is due to be released."""
    if requested_at is None:
        return now >= event_start
    release = approval_release(requested_at=requested_at, event_start=event_start,
                               link_days=link_days, release_working_days=release_working_days)
    return now >= min(release.at, event_start)


# Event changes ---------------------------------------------------------------------------------


def event_move_free_cancellation(*, old_start, old_end, new_start, new_end, minutes):
    """Why booked delegates may now cancel free whatever the notice, or "" (DOMAIN.md, "Event
    changes": they did not choose the new date). The event moved when its start or its end
    shifted by MORE than `minutes` (Partnership.event_change_free_cancellation_minutes, 60),
    or when it starts on another day (Europe/London). Exactly `minutes` is not a move."""
    from core.calendar import london_date
    from core.dates import span

    shifted = max(abs((new_start - old_start).total_seconds()),
                  abs((new_end - old_end).total_seconds()))
    if london_date(new_start) != london_date(old_start) or shifted > abs(minutes) * 60:
        return f"The event moved from {span(old_start, old_end)} to {span(new_start, new_end)}."
    return ""


@dataclass(frozen=True)
class MovedEventNotice:
    """The notice a cancellation gives when the partnership moved the event: free whatever
    the working days (the same shape as core.calendar.Notice, so pages read it alike)."""

    working_days: int
    required: int
    moved: str  # Booking.free_cancellation_reason
    in_time: bool = True

    @property
    def reason(self):
        return f"You can cancel free because the event moved. {self.moved}"


def cancellation_notice_moved(*, notice, free_cancellation_reason):
    """`notice`, or free whatever the notice when the event moved (free_cancellation_reason)."""
    if not free_cancellation_reason or notice.in_time:
        return notice
    return MovedEventNotice(notice.working_days, notice.required, free_cancellation_reason)


# What the booking panel says about cancelling --------------------------------------------------


def free_cancellation_until(*, event_start, required):
    """The last day (Europe/London) a booked place can be cancelled free: the `required`-th
    working day before the event (Partnership.notice_working_days, 5). DOMAIN.md: for an
    event on Tuesday 29 December 2026 it is Friday 18 December."""
    from datetime import timedelta

    from core.calendar import is_working_day, london_date

    day, counted = london_date(event_start), 0
    while counted < required:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def cancellation_words(*, event_start, now, required):
    """One sentence for the booking panel: until when cancelling is free, or that cancelling
    now is late (never a promise that has already lapsed)."""
    from core.calendar import london_date
    from core.dates import day

    until = free_cancellation_until(event_start=event_start, required=required)
    days = f"{required} working day{'s' if required != 1 else ''}"
    if london_date(now) <= until:
        return f"Cancel free until {day(until)} ({days} before the event)."
    return (f"Cancelling now is late (the event is fewer than {days} away): the training "
            "team decides whether a charge applies.")


def access_needs_kept(*, event_end, days, now):
    """Access needs shared for an event are for the session only (issue 15): they are kept
    until `days` days have passed since the event's last day, London time, so they are there
    on day `days` and gone on day `days + 1` (privacy.retention deletes them then)."""
    from datetime import timedelta

    from core.calendar import london_date

    return london_date(now) <= london_date(event_end) + timedelta(days=days)
