"""When a person's account may be deleted (anonymised), and when accounts and email bodies
have been kept long enough (access needs: bookings.policies.access_needs_kept). Pure rules:
they take the facts and `now`, never read the clock or the database (privacy.services
gathers the facts)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.dates import long_date

# Booking states in which the person still expects something of an event (bookings.models
# ACTIVE): a place, an offer, a line manager's answer, or a place in the queue.
EXPECTING = ("booked", "offered", "pending_approval", "waitlisted")


@dataclass(frozen=True)
class BookingFact:
    status: str
    course_title: str
    start: datetime
    end: datetime
    event_cancelled: bool = False


@dataclass(frozen=True)
class ChargeFact:
    status: str  # charging.models.ChargeStatus: pending, applied, waived
    course_title: str
    amount: object
    invoice_number: str = ""
    invoice_settled: bool = False


@dataclass(frozen=True)
class PersonFacts:
    anonymised_at: datetime | None = None
    roles: tuple = ()  # labels of the staff roles held (every role but Delegate)
    is_superuser: bool = False
    is_staff: bool = False
    bookings: tuple = field(default_factory=tuple)
    charges: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


def _charge_refusal(charge):
    what = f"£{charge.amount} for {charge.course_title}"
    if charge.status == "pending":
        return Refusal("charge_pending", f"A charge of {what} is waiting for the training "
                       "team's decision. It must be decided (and paid if it applies) first.")
    if charge.status != "applied":
        return None
    if not charge.invoice_number:
        return Refusal("charge_unpaid", f"A charge of {what} has not been invoiced and paid "
                       "yet.")
    if not charge.invoice_settled:
        return Refusal("charge_unpaid", f"A charge of {what} is on invoice "
                       f"{charge.invoice_number}, which is not paid yet.")
    return None


def deletion_refusals(*, facts, now):
    """Why the account cannot be deleted now (empty: it can). UK GDPR art. 17(3)(b) and (e):
    a charge still owed and a place still held are records the partnership needs; staff roles
    reach other people's data and must be removed by an officer first."""
    if facts.anonymised_at is not None:
        return [Refusal("already_anonymised",
                        f"This account was already deleted on {long_date(facts.anonymised_at)}.")]
    refusals = []
    if facts.is_superuser or facts.is_staff or facts.roles:
        held = ", ".join(facts.roles) or "site administration"
        refusals.append(Refusal(
            "staff_roles", f"The account holds staff roles ({held}). An officer must remove "
            "the roles first, on the person's page under People."))
    for booking in facts.bookings:
        if booking.status not in EXPECTING or booking.event_cancelled:
            continue
        what = f"{booking.course_title} on {long_date(booking.start)}: "
        if booking.end > now:
            refusals.append(Refusal(
                "future_booking", what + "the place (or the place on the waiting list) must "
                "be cancelled first."))
        elif booking.status == "booked":
            # The event is over but its register is not marked: an attendance or a no-show
            # charge is still to come, and must not be raised against an anonymised account.
            refusals.append(Refusal(
                "register_unmarked", what + "the register must be marked first."))
        else:
            refusals.append(Refusal(
                "booking_open", what + "the offer, the request or the place on the waiting "
                "list must be closed first."))
    for charge in facts.charges:
        refusal = _charge_refusal(charge)
        if refusal is not None:
            refusals.append(refusal)
    return refusals


def inactive_since(*, now, years):
    """Accounts with no activity since this moment (the same date `years` years ago; 29
    February becomes 28 February) have been inactive for `years` years."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def email_body_cutoff(*, now, days):
    """Sent emails older than this have their text and attachments deleted."""
    return now - timedelta(days=days)


def last_activity(*moments):
    """The latest of the moments given (None where there was nothing)."""
    found = [m for m in moments if m is not None]
    return max(found) if found else None


__all__ = [
    "BookingFact", "ChargeFact", "PersonFacts", "Refusal", "deletion_refusals",
    "email_body_cutoff", "inactive_since", "last_activity",
]
