"""Rules of training needs analysis rounds. Pure: they take `today` and plain values."""

from core.dates import long_date

OPEN, UPCOMING, CLOSED = "open", "upcoming", "closed"
STATE_LABELS = {OPEN: "Open", UPCOMING: "Not open yet", CLOSED: "Closed"}

ALREADY_RETURNED = ("Your organisation has already sent its answers to this training needs "
                    "analysis. The first answers are kept.")
NO_ORGANISATION = ("Your account is not linked to an organisation, so there is nothing to "
                   "answer for. Ask the training team to add you to your organisation.")


def round_state(*, opens_on, closes_on, closed_at, today):
    """Open from `opens_on` to `closes_on` (both days included), unless an officer closed it
    early."""
    if closed_at is not None or today > closes_on:
        return CLOSED
    if today < opens_on:
        return UPCOMING
    return OPEN


def answer_problem(*, opens_on, closes_on, closed_at, today, has_organisation, returned):
    """Why a safeguarding lead cannot send their organisation's answers now, or None."""
    if not has_organisation:
        return NO_ORGANISATION
    if returned:
        return ALREADY_RETURNED
    state = round_state(opens_on=opens_on, closes_on=closes_on, closed_at=closed_at,
                        today=today)
    if state == UPCOMING:
        return f"This training needs analysis opens on {long_date(opens_on)}."
    if state == CLOSED:
        return "This training needs analysis has closed: answers can no longer be sent."
    return None


def round_dates_problem(*, opens_on, closes_on, today):
    """(field, message) when the dates of a new round cannot work, or None."""
    if closes_on < opens_on:
        return "closes_on", "The closing date must be the same as or after the opening date."
    if closes_on < today:
        return "closes_on", "Enter a closing date that is today or later."
    return None


def reminder_due(*, closes_on, today, reminder_days):
    """The reminder goes when `reminder_days` or fewer days are left before the round closes
    (and the round is open: the caller checks)."""
    return 0 <= (closes_on - today).days <= reminder_days


def share(count, total):
    """count / total as a fraction 0..1, or None when nobody answered."""
    return count / total if total else None
