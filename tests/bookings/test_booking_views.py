"""The booking pages as a delegate (and a line manager, and an officer) meets them: the
booking panel on the event page, booking in one step, the waiting list and offers, cancelling
in time and late, handing the place to a colleague, the line manager's two buttons. Every
booking page reaches only the person's own booking: another uuid is a 404."""

import html
import re
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import policies, services
from bookings.models import Booking, BookingStatus
from core.models import Partnership
from courses.models import Event, EventStatus
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(start=timezone.now() + timedelta(days=30), capacity=2)


@pytest.fixture
def delegate():
    return UserFactory(access_needs="I use a wheelchair")


@pytest.fixture
def signed_in(client, delegate):
    client.force_login(delegate)
    return client


def event_page(client, event):
    return client.get(reverse("courses:event-detail", kwargs={"pk": event.pk}))


def book(event, delegate, days=0):
    return services.booking_create(event=event, delegate=delegate,
                                   now=timezone.now() + timedelta(days=days))


def fill(event):
    for _ in range(event.capacity - Event.objects.get(pk=event.pk).places_taken):
        book(event, UserFactory())


def text(response):
    """The page as a person reads it: entities unescaped (names like O'Sullivan), spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


# The panel on the event page ----------------------------------------------------------------

def test_an_anonymous_visitor_is_asked_to_sign_in(client, event):
    page = text(event_page(client, event))
    login = reverse("account_login")
    assert f'href="{login}?next=/courses/events/{event.pk}/"' in page
    assert "Sign in to book" in page
    assert 'action="/bookings/' not in page


def test_a_delegate_books_from_the_event_page_in_one_step(signed_in, event, delegate,
                                                         django_capture_on_commit_callbacks):
    page = event_page(signed_in, event)
    form = re.search(r'<form method="post" action="(/bookings/[^"]+)"', page.content.decode())
    assert form.group(1) == reverse("bookings:booking-create", kwargs={"event_pk": event.pk})
    assert "I use a wheelchair" in page.content.decode()  # prefilled from the profile

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(form.group(1), {"access_needs": "Wheelchair space"})

    booking = Booking.objects.get(event=event, delegate=delegate)
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:booking-detail", kwargs={"uid": booking.uid})
    assert booking.status == BookingStatus.BOOKED and booking.access_needs == "Wheelchair space"
    assert [m.subject for m in mail.outbox if delegate.email in m.to][0].startswith(
        "Booking confirmed")
    detail = text(signed_in.get(response["Location"]))
    assert "Your place is booked" in detail and "Booked" in detail
    # Back on the event page the panel shows the booking instead of the form.
    assert "Your booking" in text(event_page(signed_in, event))


def test_a_full_event_offers_the_waiting_list(signed_in, event, delegate):
    fill(event)
    page = text(event_page(signed_in, event))
    assert "Join the waiting list" in page
    assert reverse("bookings:waitlist-join", kwargs={"event_pk": event.pk}) in page

    response = signed_in.post(reverse("bookings:waitlist-join", kwargs={"event_pk": event.pk}))
    booking = Booking.objects.get(event=event, delegate=delegate)
    assert booking.status == BookingStatus.WAITLISTED
    assert "number 1 on the waiting list" in text(signed_in.get(response["Location"]))


def test_booking_a_place_that_has_just_gone_says_so_and_offers_the_waiting_list(
        signed_in, event, delegate):
    """The panel showed a place; someone else took it before the delegate pressed the button."""
    fill(event)
    response = signed_in.post(reverse("bookings:booking-create", kwargs={"event_pk": event.pk}),
                              {"access_needs": "Hearing loop"})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and "This event is full" in page
    assert reverse("bookings:waitlist-join", kwargs={"event_pk": event.pk}) in page
    assert not Booking.objects.filter(delegate=delegate).exists()


def test_an_incomplete_profile_links_to_it(client, event):
    delegate = UserFactory(job_title="")
    client.force_login(delegate)
    page = text(event_page(client, event))
    assert "Complete your profile" in page and reverse("accounts:profile") in page
    response = client.post(reverse("bookings:booking-create", kwargs={"event_pk": event.pk}))
    assert response.status_code == 200
    assert "we still need your job title" in text(response)
    assert not Booking.objects.filter(delegate=delegate).exists()


def test_a_cancelled_event_offers_no_booking(signed_in, event):
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    page = text(event_page(signed_in, event))
    assert "Book a place" not in page
    response = signed_in.post(reverse("bookings:booking-create", kwargs={"event_pk": event.pk}))
    assert response.status_code == 200 and "cancelled" in text(response)
    assert not Booking.objects.exists()


def test_bad_input_is_explained_and_nothing_is_lost(signed_in, event, delegate):
    response = signed_in.post(reverse("bookings:booking-create", kwargs={"event_pk": event.pk}),
                              {"access_needs": "x" * 2001})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "x" * 2001 in response.content.decode()  # what they typed is still there
    assert not Booking.objects.exists()
    assert signed_in.post(reverse("bookings:booking-create",
                                  kwargs={"event_pk": 999999})).status_code == 404


def test_the_panel_costs_the_same_whatever_the_bookings_on_the_event(signed_in, delegate):
    def queries(others):
        event = EventFactory(capacity=40)
        for _ in range(others):
            book(event, UserFactory())
        book(event, delegate)
        event_page(signed_in, event)  # warm caches (partnership, session)
        with CaptureQueriesContext(connection) as captured:
            assert event_page(signed_in, event).status_code == 200
        return len(captured)

    assert queries(1) == queries(15)


# Someone else's booking -------------------------------------------------------------------------

@pytest.fixture
def theirs(event):
    return book(event, UserFactory())


@pytest.mark.parametrize("name", ["booking-detail", "booking-cancel", "booking-late-cancel",
                                  "waitlist-leave", "offer-respond", "booking-substitute",
                                  "booking-ics"])
def test_another_delegates_booking_is_not_found(signed_in, theirs, name):
    url = reverse(f"bookings:{name}", kwargs={"uid": theirs.uid})
    assert signed_in.get(url).status_code == 404


@pytest.mark.parametrize("name, data", [
    ("booking-cancel", {}),
    ("booking-late-cancel", {"reason": "illness"}),
    ("booking-substitute", {"to_email": "me@example.org"}),
    ("offer-respond", {"decision": "decline"}),
    ("waitlist-leave", {}),
], ids=["cancel", "late-cancel", "substitute", "offer", "leave"])
def test_posts_to_another_delegates_booking_change_nothing(signed_in, theirs, name, data):
    response = signed_in.post(reverse(f"bookings:{name}", kwargs={"uid": theirs.uid}), data)
    assert response.status_code == 404
    after = Booking.objects.get(pk=theirs.pk)
    assert (after.status, after.delegate_id) == (BookingStatus.BOOKED, theirs.delegate_id)


@pytest.mark.parametrize("role, found", [(Role.OFFICER, 200), (Role.FACILITATOR, 404),
                                         (Role.BUSINESS_SUPPORT, 404)],
                         ids=["officer-sees-it", "facilitator-does-not", "business-support-not"])
def test_only_officers_see_other_peoples_bookings(client, make_user, theirs, role, found):
    client.force_login(make_user(role))
    url = reverse("bookings:booking-detail", kwargs={"uid": theirs.uid})
    assert client.get(url).status_code == found


# Cancelling ------------------------------------------------------------------------------------

def test_cancel_in_time_confirms_first(signed_in, event, delegate):
    booking = book(event, delegate)
    url = reverse("bookings:booking-cancel", kwargs={"uid": booking.uid})
    page = signed_in.get(url)
    assert page.status_code == 200
    assert "so cancelling is free" in text(page)
    # A GET cancels nothing.
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED

    response = signed_in.post(url)
    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert "is cancelled" in text(signed_in.get(response["Location"]))


def test_cancelling_late_goes_to_the_reason_form(signed_in, delegate):
    event = EventFactory(start=timezone.now() + timedelta(days=2), capacity=3)
    booking = book(event, delegate)
    cancel = reverse("bookings:booking-cancel", kwargs={"uid": booking.uid})
    late = reverse("bookings:booking-late-cancel", kwargs={"uid": booking.uid})
    assert signed_in.get(cancel)["Location"] == late
    assert signed_in.post(cancel)["Location"] == late  # a stale confirmation page too

    empty = signed_in.post(late, {})
    assert empty.status_code == 200 and "Choose why you need to cancel" in text(empty)
    other = signed_in.post(late, {"reason": "other", "detail": "  "})
    assert "Explain why you need to cancel" in text(other)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED

    done = signed_in.post(late, {"reason": "service_users", "detail": "Child protection visit"})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE_CANCELLED
    assert booking.late_cancellation_detail == "Child protection visit"
    # Its charge waits for the training team's decision (the charging app's notice).
    assert "The training team has not decided yet" in text(signed_in.get(done["Location"]))


def test_an_event_that_has_started_cannot_be_cancelled(signed_in, delegate):
    event = EventFactory(start=timezone.now() + timedelta(days=3))
    booking = book(event, delegate)
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - timedelta(hours=1))
    response = signed_in.get(reverse("bookings:booking-cancel", kwargs={"uid": booking.uid}),
                             follow=True)
    assert "already started" in text(response)
    response = signed_in.post(reverse("bookings:booking-cancel", kwargs={"uid": booking.uid}))
    assert response.status_code == 200 and "already started" in text(response)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


# Offers ----------------------------------------------------------------------------------------

def test_an_offer_is_accepted_with_one_button(signed_in, event, delegate):
    fill(event)
    booking = services.waitlist_join(event=event, delegate=delegate, now=timezone.now())
    holder = Booking.objects.filter(event=event, status=BookingStatus.BOOKED).first()
    services.booking_cancel(booking=holder, by=holder.delegate, now=timezone.now())
    url = reverse("bookings:offer-respond", kwargs={"uid": booking.uid})

    page = text(signed_in.get(url))
    assert "Accept the place" in page and "Decline the place" in page
    nonsense = signed_in.post(url, {"decision": "maybe"})
    assert nonsense.status_code == 200 and "Choose one of the two buttons" in text(nonsense)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.OFFERED

    signed_in.post(url, {"decision": "accept"})
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_leaving_the_waiting_list(signed_in, event, delegate):
    fill(event)
    booking = services.waitlist_join(event=event, delegate=delegate, now=timezone.now())
    url = reverse("bookings:waitlist-leave", kwargs={"uid": booking.uid})
    assert "number 1 on the waiting list" in text(signed_in.get(url))
    signed_in.post(url)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.LEFT_WAITING_LIST


# Substitution ----------------------------------------------------------------------------------

def test_giving_the_place_to_a_colleague(signed_in, event, delegate):
    booking = book(event, delegate)
    url = reverse("bookings:booking-substitute", kwargs={"uid": booking.uid})
    bad = signed_in.post(url, {"to_email": "not an email"})
    assert bad.status_code == 200 and "Enter an email address in the right format" in text(bad)

    stranger = UserFactory()
    other = signed_in.post(url, {"to_email": stranger.email})
    assert other.status_code == 200
    assert "same organisation" in text(other)
    assert stranger.email in other.content.decode()  # what they typed is kept

    colleague = UserFactory(organisation=delegate.organisation)
    done = signed_in.post(url, {"to_email": colleague.email})
    assert done.status_code == 302
    assert Booking.objects.get(pk=booking.pk).delegate == delegate  # until they accept
    services.substitution_accept(substitution=booking.substitutions.get(), user=colleague,
                                 now=timezone.now())
    assert Booking.objects.get(pk=booking.pk).delegate == colleague
    # The place is no longer theirs to see.
    assert signed_in.get(reverse("bookings:booking-detail",
                                 kwargs={"uid": booking.uid})).status_code == 404


def test_an_invited_colleague_registers_and_takes_the_place(client, event, delegate,
                                                             django_capture_on_commit_callbacks):
    booking = book(event, delegate)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_substitute(booking=booking, by=delegate,
                                    to_email="starter@example.org", now=timezone.now())
    [invite] = [m for m in mail.outbox if m.to == ["starter@example.org"]]
    path = re.search(r"https?://[^/]+(/bookings/substitution/[^\s]+/)", invite.body).group(1)

    assert client.get(path)["Location"].startswith(reverse("account_login"))
    newcomer = UserFactory(email="starter@example.org", organisation=delegate.organisation)
    client.force_login(newcomer)
    assert "Take the place" in text(client.get(path))
    response = client.post(path, {"decision": "accept"})
    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).delegate == newcomer

    assert client.get(path.replace("/bookings/substitution/", "/bookings/substitution/x")
                      ).status_code == 404


# The line manager's page -----------------------------------------------------------------------

@pytest.fixture
def pending(event, delegate):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    return book(event, delegate)


def approval_url(booking):
    token = policies.signed_link_make(value=str(booking.uid), salt=policies.LINE_MANAGER_SALT)
    return reverse("bookings:line-manager-approval", kwargs={"token": token})


def test_the_line_manager_agrees_without_an_account(client, pending, delegate):
    url = approval_url(pending)
    page = text(client.get(url))
    assert delegate.get_full_name() in page
    assert "Agree to this booking" in page and "Do not agree" in page
    assert "wheelchair" not in page.lower()  # access needs are not theirs to see

    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.BOOKED
    again = text(client.get(url))
    assert "Agreed" in again and "Agree to this booking" not in again
    # A second press (another tab) is explained, not an error page.
    late = client.post(url, {"decision": "decline"})
    assert late.status_code == 200 and "already been decided" in text(late)


def test_the_line_manager_declines(client, pending):
    client.post(approval_url(pending), {"decision": "decline"})
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.NOT_APPROVED
    assert Event.objects.get(pk=pending.event_id).places_taken == 0


def test_a_forged_or_expired_link_does_nothing(client, pending, monkeypatch):
    url = approval_url(pending)
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.post(url[:-3] + "xx/", {"decision": "approve"}).status_code == 404
    import time

    from core.models import Partnership

    days = Partnership.load().line_manager_link_days  # a partnership setting (14)
    later = time.time() + (days + 1) * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    expired = client.post(url, {"decision": "approve"})
    assert expired.status_code == 200 and "This link has expired" in text(expired)
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.PENDING_APPROVAL


# The calendar invitation -----------------------------------------------------------------------

def test_the_booking_invitation_downloads(signed_in, event, delegate):
    booking = book(event, delegate)
    response = signed_in.get(reverse("bookings:booking-ics", kwargs={"uid": booking.uid}))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [vevent] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]).startswith(f"booking-{booking.uid}@")
