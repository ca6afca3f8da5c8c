"""Events and places, and reasons for non-attendance, for a seeded quarter whose every
figure is worked out by hand below (reports.figures.activity)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.models import Sector
from bookings.models import LateCancellationReason
from courses.models import Audience, EventStatus, Format, Level
from reports.figures import activity
from reports.periods import quarter_containing
from reports.tables import is_suppressed
from tests.factories import (
    BookingFactory,
    CategoryFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

JULY_TO_SEPTEMBER = quarter_containing(date(2026, 8, 1))


def _event(course, start, capacity, **kwargs):
    return EventFactory(course=course, start=start, end=start + timedelta(hours=7),
                        capacity=capacity, **kwargs)


def _bookings(event, organisation, status, n, **kwargs):
    return [BookingFactory(event=event, delegate=UserFactory(organisation=organisation),
                           status=status, **kwargs) for _ in range(n)]


def seed_quarter():
    """July to September 2026 (financial-year quarter 2), with the quarter before and the
    same quarter a year earlier:

    E1 course A, 1 July 2026 00:30 BST (30 June 23:30 UTC: inside the quarter), 10 places:
       council 5 attended, 1 no-show (no contact), 1 late cancellation (illness),
               1 cancelled in time; police 2 attended, 1 not admitted.
    E2 course B, 15 September 2026, 8 places: charity 3 attended, 1 no-show (contacted);
       council 1 attended, 1 late cancellation (service users); police 1 booked (register
       not marked). Waiting list: 2 waitlisted and 1 offer expired (charity), 1 left the
       waiting list but attended (charity: one of the 3), 1 not approved by a line manager.
    E3 course A, 10 August 2026, cancelled: 1 cancelled booking (not counted).
    E4 course A, 1 October 2026 00:30 BST (30 September 23:30 UTC): the next quarter.
    E5 course A, 12 May 2026 (previous quarter), 10 places: council 4 attended, police 1
       no-show.
    E6 course B, 10 July 2025 (a year before), 12 places: charity 6 attended.
    """
    council = OrganisationFactory(name="Dudley Council", sector=Sector.STATUTORY, kind="Council")
    police = OrganisationFactory(name="West Midlands Police", sector=Sector.STATUTORY,
                                 kind="Police")
    charity = OrganisationFactory(name="Dudley Carers", sector=Sector.VOLUNTARY, kind="")
    course_a = CourseFactory(title="Working Together", level=Level.LEVEL_2,
                             audience=Audience.JOINT, format=Format.VIRTUAL,
                             category=CategoryFactory(name="Working Together to Safeguard"))
    course_b = CourseFactory(title="Child exploitation", level=Level.LEVEL_3,
                             audience=Audience.CHILDREN, format=Format.CLASSROOM,
                             category=CategoryFactory(name="Contextual Safeguarding"))
    e1 = _event(course_a, datetime(2026, 6, 30, 23, 30, tzinfo=UTC), 10)
    _bookings(e1, council, "attended", 5)
    _bookings(e1, council, "no_show", 1, contacted_team=False)
    _bookings(e1, council, "late_cancelled", 1,
              late_cancellation_reason=LateCancellationReason.ILLNESS)
    _bookings(e1, council, "cancelled", 1)
    _bookings(e1, police, "attended", 2)
    _bookings(e1, police, "not_admitted", 1)
    e2 = _event(course_b, datetime(2026, 9, 15, 8, 30, tzinfo=UTC), 8)
    attended = _bookings(e2, charity, "attended", 3)
    BookingFactory(event=e2, delegate=attended[0].delegate, organisation=charity,
                   status="left_waiting_list")
    _bookings(e2, charity, "no_show", 1, contacted_team=True)
    _bookings(e2, council, "attended", 1)
    _bookings(e2, council, "late_cancelled", 1,
              late_cancellation_reason=LateCancellationReason.SERVICE_USERS)
    _bookings(e2, police, "booked", 1)
    _bookings(e2, charity, "waitlisted", 2)
    _bookings(e2, charity, "offer_expired", 1)
    _bookings(e2, charity, "not_approved", 1)
    e3 = _event(course_a, datetime(2026, 8, 10, 8, 30, tzinfo=UTC), 10,
                status=EventStatus.CANCELLED)
    _bookings(e3, council, "cancelled", 1)
    _bookings(e3, council, "waitlisted", 1)
    e4 = _event(course_a, datetime(2026, 9, 30, 23, 30, tzinfo=UTC), 20)
    _bookings(e4, council, "attended", 2)
    e5 = _event(course_a, datetime(2026, 5, 12, 8, 30, tzinfo=UTC), 10)
    _bookings(e5, council, "attended", 4)
    _bookings(e5, police, "no_show", 1)
    e6 = _event(course_b, datetime(2025, 7, 10, 8, 30, tzinfo=UTC), 12)
    _bookings(e6, charity, "attended", 6)
    return {"council": council, "police": police, "charity": charity,
            "course_a": course_a, "course_b": course_b}


def cells(tbl, column="number"):
    return {r["label"]: r["cells"][column] for r in tbl["rows"]}


@pytest.mark.django_db
def test_events_and_places_for_the_seeded_quarter():
    seed_quarter()
    headline, reasons = activity.tables(JULY_TO_SEPTEMBER, partnership=None)
    assert cells(headline) == {
        "Events delivered": 2,             # E1 (1 July BST), E2; not E3 (cancelled), E4
        "Events cancelled": 1,             # E3
        "Places offered": 18,              # 10 + 8
        "Places booked": 17,               # E1: 5+1+1+2+1 = 10; E2: 3+1+1+1+1 = 7
        "Attended (fill rate)": 11,        # 5 + 2 + 3 + 1
        "No-shows": 2,
        "Not admitted (late arrival)": 1,
        "Late cancellations": 2,
        "Cancellations in time": 1,        # E1's (E3 was cancelled: not delivered)
    }
    rates = cells(headline, "rate")
    assert rates["Attended (fill rate)"] == pytest.approx(11 / 18)
    assert rates["Places booked"] == pytest.approx(17 / 18)
    assert rates["No-shows"] == pytest.approx(2 / 17)
    assert rates["Not admitted (late arrival)"] == pytest.approx(1 / 17)
    assert rates["Late cancellations"] == pytest.approx(2 / 17)
    assert rates["Events cancelled"] == pytest.approx(1 / 3)
    assert rates["Events delivered"] is None
    assert cells(headline, "rate_of")["No-shows"] == "of places booked"
    assert cells(reasons, "bookings") == {
        "Late cancellation: reasons relating to service users": 1,
        "Late cancellation: illness": 1,
        "Late cancellation: other reason": 0,
        "No-show: contacted the training team": 1,
        "No-show: did not contact the training team": 1,
        "Not admitted (late arrival)": 1,
    }
    assert reasons["total"]["cells"]["bookings"] == 5
    assert reasons["small_groups"] is True


@pytest.mark.django_db
def test_the_previous_quarter_and_a_year_before():
    seed_quarter()
    april = quarter_containing(date(2026, 5, 1))
    headline = activity.tables(april, partnership=None)[0]
    assert cells(headline)["Places offered"] == 10
    assert cells(headline)["Attended (fill rate)"] == 4
    assert cells(headline, "rate")["No-shows"] == pytest.approx(1 / 5)
    october = quarter_containing(date(2026, 11, 1))
    assert cells(activity.tables(october, partnership=None)[0])["Attended (fill rate)"] == 2
    year_before = quarter_containing(date(2025, 8, 1))
    assert cells(activity.tables(year_before, partnership=None)[0])["Attended (fill rate)"] == 6


@pytest.mark.django_db
def test_a_quarter_from_a_different_financial_year_start():
    seed_quarter()
    # Year from January: July to September is still a quarter; from May, June to August is.
    june = quarter_containing(date(2026, 7, 1), 6)
    assert june.label == "June to August 2026"
    headline = activity.tables(june, partnership=None)[0]
    assert cells(headline)["Events delivered"] == 1     # E1 only (E2 is in September)
    assert cells(headline)["Events cancelled"] == 1     # E3


@pytest.mark.django_db
def test_an_audience_part_counts_only_its_courses():
    seed_quarter()
    children = activity.tables(JULY_TO_SEPTEMBER, audience=Audience.CHILDREN,
                               partnership=None)[0]
    assert cells(children)["Events delivered"] == 1
    assert cells(children)["Places booked"] == 7
    assert not any(is_suppressed(c) for c in cells(children).values())


@pytest.mark.django_db
def test_a_no_show_whose_contact_was_not_recorded_has_its_own_row():
    seed_quarter()
    event = _event(CourseFactory(), datetime(2026, 8, 5, 8, 30, tzinfo=UTC), 5)
    _bookings(event, OrganisationFactory(), "no_show", 1)  # contacted_team left empty
    reasons = activity.tables(JULY_TO_SEPTEMBER, partnership=None)[1]
    rows = cells(reasons, "bookings")
    assert rows["No-show: contact not recorded"] == 1
    assert rows["No-show: did not contact the training team"] == 1
    assert reasons["total"]["cells"]["bookings"] == 6
