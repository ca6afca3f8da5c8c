"""Issue 12, what a newcomer found on the booking pages: the booking panel never promises a
free cancellation that has lapsed; plurals right; "Complete your profile" comes back to the
event; a prerequisite refusal is not a dead end; a full event's panel; cancelled places in
their own group; a confirmation panel after booking; officers' own wording; no ".." after the
free text of the late-cancellation email."""

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.roles import Role
from bookings import policies, services
from bookings.models import BookingStatus
from core.calendar import LONDON
from core.models import Partnership
from courses.models import Completion, Event, Format
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

# DOMAIN.md's example: an event on Tuesday 29 December 2026 (25 and 28 December are bank
# holidays) can be cancelled free on Friday 18 December, not on Monday 21.
XMAS_EVENT = datetime(2026, 12, 29, 9, 30, tzinfo=LONDON)


def words(response_or_html):
    content = getattr(response_or_html, "content", None)
    page = content.decode() if content is not None else response_or_html
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def event_url(event):
    return reverse("courses:event-detail", kwargs={"pk": event.pk})


# Cancelling: the date, or that it is late ------------------------------------------------------

@pytest.mark.parametrize("today, expected", [
    (datetime(2026, 12, 18, 16, 0, tzinfo=LONDON),
     "Cancel free until Friday 18 December 2026 (5 working days before the event)."),
    (datetime(2026, 12, 19, 9, 0, tzinfo=LONDON), "Cancelling now is late"),
    (datetime(2026, 12, 21, 9, 0, tzinfo=LONDON), "Cancelling now is late"),
], ids=["last-free-day", "the-saturday-after", "monday-21-december"])
def test_the_panel_says_until_when_cancelling_is_free_or_that_it_is_late(today, expected):
    last_free_day = policies.free_cancellation_until(event_start=XMAS_EVENT, required=5)
    assert last_free_day == date(2026, 12, 18)
    said = policies.cancellation_words(event_start=XMAS_EVENT, now=today, required=5)
    assert said.startswith(expected)
    assert "up to 5 working days" not in said


def test_the_panel_of_an_event_too_close_to_cancel_free_says_so(client):
    client.force_login(UserFactory())
    page = words(client.get(event_url(EventFactory(start=timezone.now() + timedelta(days=2)))))
    assert "Book a place" in page
    assert "Cancelling now is late (the event is fewer than 5 working days away)" in page
    assert "You can cancel free up to" not in page and "Cancel free until" not in page


def test_the_panel_of_an_event_far_ahead_gives_the_last_free_day(client):
    event = EventFactory(start=timezone.now() + timedelta(days=60))
    client.force_login(UserFactory())
    until = policies.free_cancellation_until(event_start=event.start, required=5)
    page = words(client.get(event_url(event)))
    assert f"Cancel free until {until:%A} {until.day} {until:%B %Y}" in page


# Plurals and free text -------------------------------------------------------------------------

@pytest.mark.parametrize("days, expected", [
    (0, "0 working days’ notice"), (1, "1 working day’s notice"), (2, "2 working days’ notice"),
], ids=["none", "one", "two"])
def test_notice_words_have_the_plural_right(days, expected):
    rendered = Template("{% load bookings_tags %}{{ days|notice_words }}").render(
        Context({"days": days}))
    assert html.unescape(rendered) == expected


def test_a_late_cancellation_with_one_working_day_and_a_full_stop_reads_right(
        client, django_capture_on_commit_callbacks):
    delegate = UserFactory()
    start = timezone.now() + timedelta(days=1)
    while start.astimezone(LONDON).weekday() >= 5:
        start += timedelta(days=1)
    event = EventFactory(start=start)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=delegate,
                                          now=start - timedelta(days=20))
        mail.outbox.clear()
        services.late_cancellation_request(
            booking=booking, by=delegate, reason="other", detail="Off sick with flu.",
            now=start - timedelta(hours=1))
    booking.refresh_from_db()
    sent = next(m for m in mail.outbox if m.to == [delegate.email])
    assert "Off sick with flu.." not in sent.body
    assert "Off sick with flu." in sent.body
    html_part = html.unescape(sent.alternatives[0][0])
    assert "Off sick with flu.." not in html_part
    client.force_login(delegate)
    page = words(client.get(reverse("bookings:booking-detail", kwargs={"uid": booking.uid})))
    assert "working day’ notice" not in page
    assert f"{booking.notice_working_days}" in page


# Profile completion comes back to the event ----------------------------------------------------

def _profile_data(person):
    return {"organisation_name": person.organisation.name,
            "first_name": "Priya", "last_name": "Shah", "job_title": "Family support worker",
            "staff_group": StaffGroup.GROUP_2, "line_manager_name": "Morgan Manager",
            "line_manager_email": "morgan.manager@example.org", "access_needs": ""}


def test_complete_your_profile_returns_to_the_event(client):
    event = EventFactory()
    person = UserFactory(job_title="")
    client.force_login(person)
    page = client.get(event_url(event)).content.decode()
    link = re.search(r'href="([^"]*profile[^"]*)">Complete your profile', page).group(1)
    link = html.unescape(link)
    assert link == reverse("accounts:profile") + f"?next=%2Fcourses%2Fevents%2F{event.pk}%2F"
    form = client.get(link).content.decode()
    assert f'name="next" value="/courses/events/{event.pk}/"' in form
    response = client.post(link, {**_profile_data(person), "next": f"/courses/events/{event.pk}/"})
    assert response.status_code == 302 and response["Location"] == event_url(event)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x",
                                      "javascript:alert(1)"], ids=["other-host", "scheme-relative",
                                                                   "javascript"])
def test_an_unsafe_next_goes_to_the_dashboard(client, next_url):
    person = UserFactory(job_title="")
    client.force_login(person)
    response = client.post(reverse("accounts:profile") + "?next=x",
                           {**_profile_data(person), "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


# A prerequisite refusal leads somewhere --------------------------------------------------------

def test_a_prerequisite_refusal_links_the_module_then_says_when_it_was_completed(client):
    module = CourseFactory(title="Child exploitation e-learning", format=Format.E_LEARNING)
    level_3 = CourseFactory(title="Child Exploitation: Multi-Agency Response")
    level_3.prerequisites.add(module)
    event = EventFactory(course=level_3)
    person = UserFactory()
    client.force_login(person)
    page = client.get(event_url(event)).content.decode()
    module_url = reverse("courses:elearning-module", kwargs={"slug": module.slug})
    assert f'href="{module_url}"' in page
    assert "Take the e-learning: Child exploitation e-learning" in words(page)

    Completion.objects.create(user=person, course=module, completed_on=date(2026, 3, 3),
                              source=Completion.Source.E_LEARNING, score=90)
    page = words(client.get(event_url(event)))
    assert ("You completed Child exploitation e-learning , which this course needs first, on "
            "Tuesday 3 March 2026.") in page
    assert "Book a place" in page


def test_the_panel_lists_prerequisites_by_title_read_once_for_the_check_and_the_list(client):
    """The refusal's prerequisite check and the panel's list share one query (issue 14)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    level_3 = CourseFactory(title="Child Exploitation: Multi-Agency Response")
    level_3.prerequisites.add(CourseFactory(title="Neglect e-learning", format=Format.E_LEARNING),
                              CourseFactory(title="Child exploitation e-learning",
                                            format=Format.E_LEARNING))
    event = EventFactory(course=level_3)
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as ctx:
        page = words(client.get(event_url(event)))
    assert (page.index("Take the e-learning: Child exploitation e-learning")
            < page.index("Take the e-learning: Neglect e-learning"))
    assert ("Complete “Child exploitation e-learning”, “Neglect e-learning” before you book "
            "this course.") in page
    reads = [q["sql"] for q in ctx.captured_queries if "courses_course_prerequisites" in q["sql"]]
    assert len(reads) == 1, reads


# A full event ----------------------------------------------------------------------------------

def test_a_full_event_asks_visitors_to_sign_in_to_join_the_waiting_list(client):
    event = EventFactory(capacity=1)
    Event.objects.filter(pk=event.pk).update(places_taken=1)
    page = words(client.get(event_url(event)))
    assert "Sign in to join the waiting list" in page
    assert "Sign in to book" not in page
    assert "Full: join the waiting list" in words(client.get(reverse(
        "courses:course-detail", kwargs={"slug": event.course.slug}))).replace(" :", ":")


# My training: cancelled places in their own group ----------------------------------------------

def test_a_cancelled_place_on_a_future_event_is_not_a_past_booking(client):
    person = UserFactory()
    future = EventFactory(course=CourseFactory(title="Neglect: level 2"),
                          start=timezone.now() + timedelta(days=20))
    BookingFactory(event=future, delegate=person, status=BookingStatus.CANCELLED,
                   cancelled_at=timezone.now())
    expired = EventFactory(course=CourseFactory(title="Hate Crime"),
                           start=timezone.now() + timedelta(days=3))
    BookingFactory(event=expired, delegate=person, status=BookingStatus.APPROVAL_EXPIRED,
                   cancelled_at=timezone.now())
    client.force_login(person)
    page = client.get(reverse("bookings:my-training")).content.decode()
    past = words(page[page.index('id="past"'):page.index('id="cancelled"')])
    cancelled = words(page[page.index('id="cancelled"'):page.index('id="record"')])
    assert "Neglect" not in past and "Hate Crime" not in past
    assert "Neglect: level 2" in cancelled and "Cancelled" in cancelled
    assert "Hate Crime" in cancelled and "Not agreed in time" in cancelled
    assert "did not agree in time" in cancelled


# Booking: a confirmation panel -----------------------------------------------------------------

def test_booking_opens_the_booking_page_with_a_confirmation_panel_once(client):
    event = EventFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("bookings:booking-create", kwargs={"event_pk": event.pk}),
                           {"access_needs": ""})
    detail = client.get(response["Location"]).content.decode()
    assert 'class="panel-confirmation"' in detail
    assert "Booking confirmed" in words(detail) and "Your place is booked" in words(detail)
    again = client.get(response["Location"]).content.decode()
    assert 'class="panel-confirmation"' not in again


# Officers' own wording -------------------------------------------------------------------------

def test_an_officer_opening_delegates_from_the_programme_goes_back_to_the_programme(
        client, make_user):
    officer = make_user(Role.OFFICER)
    event = EventFactory()
    client.force_login(officer)
    page = client.get(reverse("bookings:facilitator-event-detail", kwargs={"pk": event.pk}))
    assert page.status_code == 200
    crumbs = words(re.search(r'<nav aria-label="Breadcrumb">.*?</nav>',
                             page.content.decode(), re.S).group(0))
    assert "Programme" in crumbs and "My events" not in crumbs


def test_an_officer_sees_a_delegates_booking_in_officer_words(client, make_user):
    officer = make_user(Role.OFFICER)
    booking = BookingFactory(delegate=UserFactory(first_name="Ann", last_name="Archer"),
                             booked_at=timezone.now())
    client.force_login(officer)
    page = words(client.get(reverse("bookings:booking-detail", kwargs={"uid": booking.uid})))
    assert "They have a place on this event" in page
    assert "Add this booking to your calendar" not in page
    assert "What you can do for Ann Archer" in page


def test_partnership_number_not_a_literal():
    """The panel's number is the partnership's (an officer edits it)."""
    partnership = Partnership.load()
    said = policies.cancellation_words(event_start=XMAS_EVENT,
                                       now=datetime(2026, 12, 1, tzinfo=LONDON), required=3)
    assert said == "Cancel free until Tuesday 22 December 2026 (3 working days before the event)."
    assert partnership.notice_working_days == 5


def test_a_booked_delegate_sees_until_when_cancelling_is_free_on_the_event_page(client):
    event = EventFactory(start=timezone.now() + timedelta(days=60))
    person = UserFactory()
    services.booking_create(event=event, delegate=person, now=timezone.now())
    client.force_login(person)
    until = policies.free_cancellation_until(event_start=event.start, required=5)
    page = words(client.get(event_url(event)))
    assert (f"You have a place on this event. Cancel free until {until:%A} {until.day} "
            f"{until:%B %Y}") in page
