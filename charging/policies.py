"""The DSPP charging policy (DOMAIN.md, "Charges"), pure: no ORM, no clock. Each rule takes the
booking's final state, the course's length, the organisation's sector at the time and the
partnership's numbers (ChargeSettings, read from core.models.Partnership by the caller), and
answers with a frozen dataclass that says the amount AND the reason in words, or None.

| what | full day | half day | who pays |
| attendance | 75 | 25 | private / profit-making only, applies |
| late cancellation (notice < 5 working days) | 100 | 50 | any, waits for the officer |
| no-show without contact | 100 | 50 | any, applies unless waived |
| no-show having contacted the team | 100 | 50 | any, waits for the officer |
| not admitted: > 30 (full) / 15 (half) minutes late, no contact | 100 | 50 | any, applies |
| in-time cancellation, substitution | 0 | 0 | nobody |

A booking has one final state, so it has one charge at most: a private delegate who cancels
late pays the late-cancellation fee, never the attendance fee too."""

from dataclasses import dataclass
from decimal import Decimal

from core.words import plural

FULL_DAY = "full_day"
HALF_DAY = "half_day"
PRIVATE = "private"

# Outcomes: the booking's final state (bookings.models.BookingStatus values), spelled out so
# the rule stays pure. "substituted" is a place handed to a colleague (never charged).
ATTENDED = "attended"
LATE_CANCELLED = "late_cancelled"
NO_SHOW = "no_show"
NOT_ADMITTED = "not_admitted"
CANCELLED = "cancelled"
SUBSTITUTED = "substituted"

# Charge kinds (charging.models.ChargeKind values).
KIND_ATTENDANCE = "attendance"
KIND_LATE_CANCELLATION = "late_cancellation"
KIND_NO_SHOW = "no_show"
KIND_NOT_ADMITTED = "not_admitted"


@dataclass(frozen=True)
class ChargeSettings:
    """The partnership's numbers the policy uses (core.models.Partnership fields)."""

    notice_working_days: int
    late_minutes_full_day: int
    late_minutes_half_day: int
    fee_attendance_full_day: Decimal
    fee_attendance_half_day: Decimal
    fee_late_cancellation_full_day: Decimal
    fee_late_cancellation_half_day: Decimal
    fee_no_show_full_day: Decimal
    fee_no_show_half_day: Decimal
    fee_not_admitted_full_day: Decimal
    fee_not_admitted_half_day: Decimal

    @classmethod
    def of(cls, partnership):
        """The numbers from a Partnership (or anything with the same attributes)."""
        return cls(**{name: getattr(partnership, name) for name in cls.__dataclass_fields__})

    def fee(self, kind, length):
        half = length == HALF_DAY
        return Decimal(getattr(self, f"fee_{kind}_{'half_day' if half else 'full_day'}"))

    def late_limit(self, length):
        return self.late_minutes_half_day if length == HALF_DAY else self.late_minutes_full_day


@dataclass(frozen=True)
class ChargeDecision:
    """What a booking's final state costs its organisation: `kind` and `amount`, the reason
    in words (copied onto the charge and the invoice line), whether it waits for an L&D
    officer's decision, and whether it applies unless an officer waives it."""

    kind: str
    amount: Decimal
    reason: str
    needs_decision: bool
    applies_by_default: bool


def money(amount):
    """£100, £25.50: whole pounds without pence."""
    amount = Decimal(amount)
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


def length_words(length):
    return "half day or less" if length == HALF_DAY else "full day"


def _days(n):
    return f"{n} working day's" if n == 1 else f"{n} working days'"


def _minutes(n):
    return f"{n} minute{'s' if n != 1 else ''}"


def charge_for(*, outcome, sector, length, settings, minutes_late=None, contacted_team=None,
               notice_working_days=None, free_cancellation_reason=""):
    """The charge for a booking whose final state is `outcome`, or None.

    - attended (late but admitted too): the attendance fee, private / profit-making
      organisations only; it applies (the booking page told them).
    - late cancellation (notice below settings.notice_working_days): the late-cancellation
      fee, any sector; the L&D officer decides whether it applies.
    - no-show: the no-show fee, any sector; without contacting the team it applies unless
      waived; having contacted the team it waits for the officer, like a late cancellation.
    - not admitted after arriving more than 30 (full day) / 15 (half day) minutes late
      without contacting the team: the not-admitted fee, any sector, unless waived. Exactly
      30 (15) minutes late is admitted, and contacting the team admits them: a delegate turned
      away against that rule is not charged. Not admitted with no minutes recorded: charged,
      unless waived.
    - substituted (a colleague attended in the delegate's place, recorded on the register on
      the day): no charge for the substitution (DSPP: substitution 0). The colleague's own
      booking is "attended" and is charged as any attendance (a private organisation pays
      the attendance fee the delegate would have paid).
    - in-time cancellation, anything else: no charge.
    - a cancellation after the partnership moved the event (`free_cancellation_reason`, more
      than the set minutes or onto another day): free whatever the notice (DOMAIN.md, "Event
      changes": the delegate did not choose the new date)."""
    if outcome == SUBSTITUTED:
        return None
    day = length_words(length)
    if outcome == ATTENDED:
        if sector != PRIVATE:
            return None
        amount = settings.fee(KIND_ATTENDANCE, length)
        if amount <= 0:
            return None
        return ChargeDecision(
            KIND_ATTENDANCE, amount,
            f"Attendance ({day}): private or profit-making organisation",
            needs_decision=False, applies_by_default=True)

    if outcome == LATE_CANCELLED:
        if free_cancellation_reason:
            return None  # the event moved: cancelling is free whatever the notice
        required = settings.notice_working_days
        if notice_working_days is not None and notice_working_days >= required:
            return None  # in time after all: cancelling was free
        amount = settings.fee(KIND_LATE_CANCELLATION, length)
        if amount <= 0:
            return None
        notice = ("less notice than required" if notice_working_days is None else
                  f"{_days(notice_working_days)} notice")
        return ChargeDecision(
            KIND_LATE_CANCELLATION, amount,
            f"Late cancellation: {notice}, fewer than {required} ({day})",
            needs_decision=True, applies_by_default=False)

    if outcome == NO_SHOW:
        amount = settings.fee(KIND_NO_SHOW, length)
        if amount <= 0:
            return None
        if contacted_team:
            return ChargeDecision(
                KIND_NO_SHOW, amount,
                f"Did not attend, having contacted the training team before the session ({day})",
                needs_decision=True, applies_by_default=False)
        return ChargeDecision(
            KIND_NO_SHOW, amount,
            f"Did not attend without contacting the training team ({day})",
            needs_decision=False, applies_by_default=True)

    if outcome == NOT_ADMITTED:
        limit = settings.late_limit(length)
        if minutes_late is not None and (minutes_late <= limit or contacted_team):
            return None  # the late-arrival rule admits them: no charge for being turned away
        amount = settings.fee(KIND_NOT_ADMITTED, length)
        if amount <= 0:
            return None
        if minutes_late is None:
            reason = f"Not admitted on the day ({day})"
        else:
            reason = (f"Not admitted: arrived {_minutes(minutes_late)} late without contacting "
                      f"the training team, more than {limit} on a {day}")
        return ChargeDecision(KIND_NOT_ADMITTED, amount, reason,
                              needs_decision=False, applies_by_default=True)

    return None  # cancelled in time, substituted, still booked, waiting list...


@dataclass(frozen=True)
class CancellationCost:
    """What cancelling now would cost the organisation, for the cancellation page."""

    in_time: bool
    amount: Decimal
    text: str


def cancellation_cost_preview(*, notice_working_days, length, settings, organisation_name="",
                              confirmed=True, free_cancellation_reason=""):
    """DOMAIN.md "Working days and notice": with notice_working_days (5) or more working
    days' notice cancelling is free; with fewer it is a late cancellation that may cost the
    organisation the late-cancellation fee, decided by the training team. A place not
    confirmed yet (waiting for the line manager) is free to withdraw."""
    required = settings.notice_working_days
    who = organisation_name or "your organisation"
    if not confirmed:
        return CancellationCost(True, Decimal("0.00"),
                                "The place is not confirmed yet, so withdrawing it is free.")
    if free_cancellation_reason and notice_working_days < required:
        return CancellationCost(
            True, Decimal("0.00"),
            f"You can cancel free because the event moved. {free_cancellation_reason}")
    if notice_working_days >= required:
        return CancellationCost(
            True, Decimal("0.00"),
            f"{plural(required, 'working day')} or more before the event: cancelling now is free "
            f"({_days(notice_working_days)} notice).")
    amount = settings.fee(KIND_LATE_CANCELLATION, length)
    if amount <= 0:
        return CancellationCost(
            False, Decimal("0.00"),
            f"Less than {plural(required, 'working day')} before the event: this is a late "
            "cancellation, but there is no charge for it.")
    return CancellationCost(
        False, amount,
        f"Less than {plural(required, 'working day')} before the event: {who} may be "
        f"charged "
        f"{money(amount)}, decided by the training team. Giving the place to a colleague "
        "instead is free.")


@dataclass(frozen=True)
class AttendanceFee:
    amount: Decimal
    text: str


def attendance_fee_preview(*, sector, length, settings, organisation_name=""):
    """The attendance fee a private / profit-making organisation pays for a place, or None
    (statutory, voluntary and registered childminder organisations train free)."""
    if sector != PRIVATE:
        return None
    amount = settings.fee(KIND_ATTENDANCE, length)
    if amount <= 0:
        return None
    who = organisation_name or "Your organisation"
    return AttendanceFee(
        amount,
        f"{who} is a private or profit-making organisation, so it is charged {money(amount)} "
        f"for this {length_words(length)} course when you attend. The invoice goes to "
        "the organisation after the event.")
