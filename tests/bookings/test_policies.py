"""The pure booking rules at their boundaries (no database)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings import policies
from bookings.models import LateCancellationReason

LONDON = ZoneInfo("Europe/London")


def london(*args):
    return datetime(*args, tzinfo=LONDON)


# Notice: working days d with cancellation date <= d < event date ----------------------------

CHRISTMAS_EVENT = london(2026, 12, 29, 9, 30)  # Tuesday; 25 and 28 December are bank holidays
EASTER_EVENT = london(2027, 4, 1, 9, 30)  # Thursday after Easter: Good Friday 26 March,
# Easter Monday 29 March 2027

NOTICE_CASES = [
    (london(2026, 12, 17, 10, 0), CHRISTMAS_EVENT, 6, True),
    (london(2026, 12, 18, 9, 0), CHRISTMAS_EVENT, 5, True),
    (london(2026, 12, 18, 23, 59), CHRISTMAS_EVENT, 5, True),
    (london(2026, 12, 19, 12, 0), CHRISTMAS_EVENT, 4, False),  # Saturday: counts from Monday
    (london(2026, 12, 21, 8, 0), CHRISTMAS_EVENT, 4, False),
    (london(2026, 12, 24, 16, 0), CHRISTMAS_EVENT, 1, False),
    (london(2026, 12, 28, 12, 0), CHRISTMAS_EVENT, 0, False),  # Boxing Day (substitute day)
    (london(2026, 12, 29, 7, 0), CHRISTMAS_EVENT, 0, False),  # the morning of the event
    (london(2027, 3, 23, 9, 0), EASTER_EVENT, 5, True),
    (london(2027, 3, 24, 9, 0), EASTER_EVENT, 4, False),
    (london(2027, 3, 26, 9, 0), EASTER_EVENT, 2, False),  # Good Friday itself does not count
    # 23:30 UTC on 30 March is already 31 March in London (British Summer Time from 28 March).
    (datetime(2027, 3, 30, 23, 30, tzinfo=UTC), EASTER_EVENT, 1, False),
]
NOTICE_IDS = [
    "christmas-thu-17-dec-6-days", "christmas-fri-18-dec-5-days-in-time",
    "christmas-fri-18-dec-late-evening-still-in-time", "christmas-sat-19-dec-4-days-late",
    "christmas-mon-21-dec-4-days-late", "christmas-eve-1-day", "christmas-boxing-day-observed-0",
    "christmas-event-morning-0", "easter-tue-23-mar-5-days-in-time",
    "easter-wed-24-mar-4-days-late", "easter-good-friday-2-days", "easter-utc-vs-london-date",
]


@pytest.mark.parametrize("cancelled_on, event_start, days, in_time", NOTICE_CASES, ids=NOTICE_IDS)
def test_notice_counts_working_days_in_london(cancelled_on, event_start, days, in_time):
    notice = policies.booking_notice(cancelled_on=cancelled_on, event_start=event_start,
                                     required=5)
    assert (notice.working_days, notice.in_time) == (days, in_time)


def test_notice_explains_itself_and_follows_the_partnership_setting():
    late = policies.booking_notice(cancelled_on=london(2026, 12, 21, 9, 0),
                                   event_start=CHRISTMAS_EVENT, required=5)
    assert "4 working days' notice" in late.reason and "late cancellation" in late.reason
    # An officer who asks for 3 days' notice makes the same day in time.
    relaxed = policies.booking_notice(cancelled_on=london(2026, 12, 21, 9, 0),
                                      event_start=CHRISTMAS_EVENT, required=3)
    assert relaxed.in_time and "free" in relaxed.reason


# Booking refusals ------------------------------------------------------------------------------

NOW = london(2026, 11, 2, 10, 0)
START = NOW + timedelta(days=30)


def refusal(**overrides):
    kwargs = dict(event_status="scheduled", event_start=START, now=NOW, places_left=3)
    kwargs.update(overrides)
    return policies.booking_refusal(**kwargs)


def test_a_delegate_with_everything_in_order_may_book():
    assert refusal() is None


REFUSAL_CASES = [
    (dict(event_status="cancelled"), "cancelled", "cancelled"),
    (dict(event_start=NOW), "closed", "already started"),
    (dict(event_start=NOW - timedelta(hours=1), places_left=0), "closed", "already started"),
    (dict(event_status="completed", event_start=NOW + timedelta(days=1)), "closed", "started"),
    (dict(active_status="booked"), "has_place", "already have a place"),
    (dict(active_status="pending_approval"), "has_place", "line manager"),
    (dict(active_status="offered"), "offered", "offered a place"),
    (dict(active_status="waitlisted", places_left=0), "waitlisted", "already on the waiting"),
    (dict(profile_missing=["your job title", "your line manager"]), "profile",
     "we still need your job title and your line manager"),
    (dict(prerequisite_reason="Complete “Child exploitation” before you book this course."),
     "prerequisite", "Child exploitation"),
    (dict(check_refusals=["Your organisation has an unpaid invoice."]), "refused",
     "unpaid invoice"),
    (dict(places_left=0), "full", "Join the waiting list"),
]
REFUSAL_IDS = ["cancelled", "starting-now", "started-and-full-says-started", "completed",
               "already-booked", "pending-approval", "offered", "waitlisted", "profile",
               "prerequisite", "registered-check", "full"]


@pytest.mark.parametrize("overrides, code, words", REFUSAL_CASES, ids=REFUSAL_IDS)
def test_booking_refusal_says_why(overrides, code, words):
    answer = refusal(**overrides)
    assert answer.code == code
    assert words in answer.reason


def test_what_the_delegate_can_put_right_comes_before_full():
    """A full event with an incomplete profile: the profile first (the waiting list would
    refuse them too)."""
    assert refusal(places_left=0, profile_missing=["your name"]).code == "profile"


@pytest.mark.parametrize("places_left, expected", [(0, None), (1, "places_left")],
                         ids=["full-event-may-be-joined", "places-left-book-instead"])
def test_waiting_list_only_for_a_full_event(places_left, expected):
    answer = refusal(places_left=places_left, waiting_list=True)
    assert (answer.code if answer else None) == expected


# Cancellation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status, start, problem", [
    ("booked", START, None),
    ("pending_approval", START, None),
    ("booked", NOW, "already started"),
    ("waitlisted", START, "nothing to cancel"),
    ("cancelled", START, "nothing to cancel"),
], ids=["booked", "pending", "started", "waitlisted", "already-cancelled"])
def test_cancel_problem(status, start, problem):
    answer = policies.cancel_problem(status=status, event_start=start, now=NOW)
    assert (answer is None) if problem is None else (problem in answer)


@pytest.mark.parametrize("reason, detail, problem", [
    ("illness", "", None),
    ("service_users", "", None),
    ("other", "My car broke down on the way", None),
    ("other", "   ", "Explain why"),
    ("other", "", "Explain why"),
    ("", "", "Choose the reason"),
    ("holiday", "", "Choose the reason"),
], ids=["illness", "service-users", "other-explained", "other-blank", "other-empty",
        "no-reason", "unknown-reason"])
def test_late_cancellation_reason(reason, detail, problem):
    answer = policies.late_cancellation_problem(reason=reason, detail=detail,
                                                reasons=LateCancellationReason.values)
    assert (answer is None) if problem is None else (problem in answer)


# Waiting list offers ---------------------------------------------------------------------------

def test_offer_lasts_the_partnership_hours():
    assert policies.offer_expires(now=NOW, hours=48, event_start=START) == NOW + timedelta(hours=48)


def test_offer_never_outlasts_the_start_of_the_event():
    soon = NOW + timedelta(hours=20)
    assert policies.offer_expires(now=NOW, hours=48, event_start=soon) == soon


# Substitution ----------------------------------------------------------------------------------

def substitution(**overrides):
    kwargs = dict(status="booked", event_start=START, now=NOW, from_email="ann@council.example",
                  to_email="bob@council.example", organisation_name="Dudley Council",
                  to_organisation_id=7, organisation_id=7)
    kwargs.update(overrides)
    return policies.substitution_problem(**kwargs)


@pytest.mark.parametrize("overrides, problem", [
    ({}, None),
    (dict(to_organisation_id=None), None),
    (dict(to_organisation_id=8), "not registered with Dudley Council"),
    (dict(to_organisation_id=False), "not registered with Dudley Council"),
    (dict(to_email="ANN@council.example "), "not your own"),
    (dict(to_active_status="booked"), "already has a place"),
    (dict(to_active_status="offered"), "already has a place"),
    (dict(to_active_status="waitlisted"), "waiting list"),
    (dict(to_active_status="cancelled"), None),
    (dict(status="pending_approval"), "confirmed place"),
    (dict(event_start=NOW), "started"),
], ids=["colleague", "no-account-yet", "other-organisation", "no-organisation", "themselves",
        "colleague-booked", "colleague-offered", "colleague-waitlisted",
        "colleague-cancelled-before", "not-confirmed", "started"])
def test_substitution_problem(overrides, problem):
    answer = substitution(**overrides)
    assert (answer is None) if problem is None else (problem in answer)


# Signed links ----------------------------------------------------------------------------------

def test_signed_link_round_trip_and_refusals():
    token = policies.signed_link_make(value="8d0c7a1e", salt=policies.LINE_MANAGER_SALT)
    assert ":" not in token and "%" not in token
    good = policies.signed_link_check(token=token, salt=policies.LINE_MANAGER_SALT, max_age=60)
    assert good == policies.SignedLink("8d0c7a1e", "")
    # The same token cannot serve as another kind of link, nor be altered, nor outlive max_age.
    assert policies.signed_link_check(token=token, salt=policies.SUBSTITUTION_SALT,
                                      max_age=60).problem == "invalid"
    assert policies.signed_link_check(token=token[:-2] + "xx", salt=policies.LINE_MANAGER_SALT,
                                      max_age=60).problem == "invalid"
    assert policies.signed_link_check(token=token, salt=policies.LINE_MANAGER_SALT,
                                      max_age=-1).problem == "expired"
    assert policies.signed_link_check(token="", salt=policies.LINE_MANAGER_SALT,
                                      max_age=60).problem == "invalid"
