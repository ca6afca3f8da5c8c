"""My training: a delegate's places coming up (with what they can do), waiting lists, past
bookings, and the training record with refresher dates; only their own, a page at a time."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import BookingStatus
from core.models import Partnership
from courses.models import Completion, Format
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("bookings:my-training")


def text(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace(
        "&amp;", "&").split())


def section(response, anchor):
    """The text of one section of the page (from its heading to the next section)."""
    html = response.content.decode()
    start = html.index(f'id="{anchor}"')
    end = html.find("<section", start)
    return text(type("R", (), {"content": html[start:end if end > 0 else None].encode()}))


def event(title, days, **kwargs):
    return EventFactory(course=CourseFactory(title=title, **kwargs.pop("course", {})),
                        start=timezone.now() + timedelta(days=days), **kwargs)


@pytest.fixture
def delegate(client):
    user = UserFactory(first_name="Ann", last_name="Archer")
    client.force_login(user)
    return user


def test_bookings_are_grouped_with_their_actions(client, delegate):
    booked = BookingFactory(delegate=delegate, event=event("Neglect", 10))
    offered = BookingFactory(delegate=delegate, event=event("Self-Neglect", 20),
                             status=BookingStatus.OFFERED,
                             offer_expires_at=timezone.now() + timedelta(hours=40))
    waiting_event = event("Hate Crime", 30)
    BookingFactory(event=waiting_event, status=BookingStatus.WAITLISTED,
                   waitlisted_at=timezone.now() - timedelta(days=2))  # ahead of Ann
    waiting = BookingFactory(delegate=delegate, event=waiting_event,
                             status=BookingStatus.WAITLISTED, waitlisted_at=timezone.now())
    BookingFactory(delegate=delegate, event=event("Modern Slavery", -30),
                   status=BookingStatus.ATTENDED)
    late = BookingFactory(delegate=delegate, event=event("Thresholds", 5),
                          status=BookingStatus.LATE_CANCELLED)
    # Its charge waits for the officer (the charging app raises it; its label shows here).
    from charging.models import Charge

    Charge.objects.create(booking=late, organisation=late.organisation, sector="statutory",
                          kind="late_cancellation", amount="100.00", status="pending",
                          reason="Late cancellation: 2 working days' notice, fewer than 5")
    BookingFactory(event=event("Someone else's", 3))  # not Ann's

    response = client.get(URL)

    assert response.status_code == 200
    coming = section(response, "upcoming")
    assert "Neglect" in coming and "Self-Neglect" in coming
    assert "Hate Crime" not in coming and "Modern Slavery" not in coming
    html = response.content.decode()
    for name in ("booking-cancel", "booking-substitute", "booking-ics", "booking-detail"):
        assert reverse(f"bookings:{name}", kwargs={"uid": booked.uid}) in html
    assert reverse("bookings:offer-respond", kwargs={"uid": offered.uid}) in html
    assert reverse("bookings:booking-cancel", kwargs={"uid": offered.uid}) not in html
    assert "Reply by" in coming

    waiting_text = section(response, "waiting")
    assert "Hate Crime" in waiting_text and "2" in waiting_text.split("Hate Crime")[1][:40]
    assert reverse("bookings:waitlist-leave", kwargs={"uid": waiting.uid}) in html

    past = section(response, "past")
    assert "Modern Slavery" in past and "Attended" in past
    # Issue 12: a cancelled place on an event still to come is not a past booking.
    assert "Thresholds" not in past
    cancelled = section(response, "cancelled")
    assert "Thresholds" in cancelled and "Waiting for the training team's decision" in cancelled
    assert "Someone else's" not in text(response)


def test_training_record_shows_when_each_course_falls_due_again(client, delegate):
    Completion.objects.create(user=delegate, course=CourseFactory(title="Working Together"),
                              completed_on=date(2025, 5, 14), source=Completion.Source.ATTENDANCE)
    Completion.objects.create(
        user=delegate, course=CourseFactory(title="Domestic Abuse e-learning",
                                            format=Format.E_LEARNING, refresher_years=1),
        completed_on=date(2020, 1, 10), source=Completion.Source.E_LEARNING)
    Completion.objects.create(user=UserFactory(), course=CourseFactory(title="Not Ann's"),
                              completed_on=date(2025, 1, 1), source=Completion.Source.ATTENDANCE)

    # Issue 12: one training record page (courses:training-record), linked from My training.
    page = client.get(URL)
    record = section(page, "record")
    assert "See your training record : 2 completed courses" in record
    assert reverse("courses:training-record") in page.content.decode()
    assert "Certificates appear here after your Stage 2 evaluation." in record
    full = text(client.get(reverse("courses:training-record")))
    assert "Working Together" in full and "Wed 14 May 2025" in full and "Sun 14 May 2028" in full
    assert "Domestic Abuse e-learning" in full and "Sun 10 Jan 2021 Due now" in full
    assert "Not Ann's" not in full


def test_certificates_wording_follows_the_partnerships_trigger(client, delegate):
    Partnership.objects.filter(pk=Partnership.load().pk).update(certificate_trigger="stage_1")
    assert "Certificates appear here after your Stage 1 evaluation." in text(client.get(URL))


def test_nothing_yet_says_so(client, delegate):
    page = text(client.get(URL))
    assert "You have no places on events coming up." in page
    assert "You are not on any waiting list." in page
    assert "Nothing in your training record yet" in page


def test_each_section_pages_on_its_own_and_costs_the_same_for_one_or_many(client, delegate):
    def add(first, last):
        for i in range(first, last):
            BookingFactory(delegate=delegate, event=event(f"Upcoming {i:02}", 5 + i))
            BookingFactory(delegate=delegate, event=event(f"Past {i:02}", -5 - i),
                           status=BookingStatus.ATTENDED)
            BookingFactory(delegate=delegate, event=event(f"Waiting {i:02}", 5 + i),
                           status=BookingStatus.WAITLISTED, waitlisted_at=timezone.now())
            Completion.objects.create(user=delegate, course=CourseFactory(title=f"Done {i:02}"),
                                      completed_on=date(2025, 1, 1) - timedelta(days=i),
                                      source=Completion.Source.ATTENDANCE)

    add(0, 1)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    add(1, 25)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(many) == len(one), [q["sql"] for q in many]

    page = text(response)
    assert "Upcoming 09" in page and "Upcoming 10" not in page  # 10 a page
    second = client.get(URL, {"upcoming": 2})
    coming = section(second, "upcoming")
    assert "Upcoming 10" in coming and "Upcoming 09" not in coming
    # The other sections stay on their first page.
    assert "Past 00" in section(second, "past")
    assert 'href="?upcoming=3#upcoming"' in second.content.decode()
    assert "Showing 11 to 20 of 25" in coming


def test_the_four_lists_are_counted_in_one_query_that_matches_each_list(client, delegate):
    """selectors.my_bookings_counts counts upcoming, waiting, past and cancelled together
    (issue 14): each number is the length of its list, for a booking in every state."""
    from bookings import selectors

    now = timezone.now()
    for i, status in enumerate(BookingStatus.values):
        for days in (-10, 10):
            BookingFactory(delegate=delegate, status=status,
                           event=event(f"{status} {days}", days + (i if days > 0 else -i)))
    counts = selectors.my_bookings_counts(user=delegate, now=now)
    assert counts == {
        "upcoming": selectors.my_bookings_upcoming(user=delegate, now=now).count(),
        "waiting": selectors.my_bookings_waiting(user=delegate, now=now).count(),
        "past": selectors.my_bookings_past(user=delegate, now=now).count(),
        "cancelled": selectors.my_bookings_cancelled(user=delegate).count()}
    assert sum(counts.values()) == 2 * len(BookingStatus.values)
    assert all(counts.values()), counts

    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    booking_counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(
        "SELECT COUNT(") and 'FROM "bookings_booking"' in q["sql"]]
    assert len(booking_counts) == 1, booking_counts
    for key in ("upcoming", "waiting", "past", "cancelled"):
        assert len(response.context[key].page.object_list) == min(counts[key], 10)
        assert response.context[key].page.paginator.count == counts[key]


def test_signing_in_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
