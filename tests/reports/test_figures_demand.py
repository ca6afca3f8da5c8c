"""Waiting-list demand that found no place (reports.figures.demand), for the seeded quarter
of test_figures_activity and a few more people worked out by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from reports.figures import demand
from tests.factories import BookingFactory, EventFactory, UserFactory
from tests.reports.test_figures_activity import JULY_TO_SEPTEMBER, seed_quarter


@pytest.mark.django_db
def test_people_who_never_got_a_place_by_course():
    seed = seed_quarter()
    # Course B, a second date in the quarter: one of E2's waiting list gets a place there
    # (so found one), another waits on both dates (counted once).
    start = datetime(2026, 9, 22, 8, 30, tzinfo=UTC)
    e7 = EventFactory(course=seed["course_b"], start=start, end=start + timedelta(hours=7))
    from bookings.models import Booking

    waiting = list(Booking.objects.filter(event__course=seed["course_b"], status="waitlisted",
                                          event__start__year=2026))
    BookingFactory(event=e7, delegate=waiting[0].delegate, status="attended")
    BookingFactory(event=e7, delegate=waiting[1].delegate, status="offer_declined")
    BookingFactory(event=e7, delegate=UserFactory(), status="left_waiting_list")
    rows = demand.unmet_demand_by_course(date(2026, 7, 1), date(2026, 9, 30))
    # Course B: E2's 2 waitlisted (one got a place on E7: not counted; the other also
    # declined an offer on E7: once) + 1 offer expired + 1 who left E7's list = 3; not the
    # one who left E2's list but attended E2, nor the one the line manager refused.
    # Course A: 1 on the cancelled E3's waiting list.
    assert [(r["course"], r["people"]) for r in rows] == [
        ("Child exploitation", 3), ("Working Together", 1)]
    [tbl] = demand.tables(JULY_TO_SEPTEMBER, partnership=None)
    assert tbl["key"] == "waiting-list-demand"
    assert {r["label"]: r["cells"]["people"] for r in tbl["rows"]} == {
        "Child exploitation": 3, "Working Together": 1}
    assert tbl["total"]["cells"]["people"] == 4
    assert tbl["chart"] == {"column": "people"} and tbl["small_groups"]


@pytest.mark.django_db
def test_other_periods_and_audiences():
    seed_quarter()
    assert demand.unmet_demand_by_course(date(2026, 4, 1), date(2026, 6, 30)) == []
    children = demand.unmet_demand_by_course(date(2026, 7, 1), date(2026, 9, 30),
                                             audience="children")
    assert [(r["course"], r["people"]) for r in children] == [("Child exploitation", 3)]
