"""What one booking costs (issue 14): the POST runs a fixed number of queries and reads the
partnership's settings once; the settings an officer saves are seen by the next request; the
place is taken by one UPDATE after the booking is decided on the event as read, and whatever
changed in between (the event cancelled, the last place gone, a place of the delegate's own)
is decided again under the lock, with the rules' own words."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import services
from bookings.models import Booking, BookingStatus
from bookings.services import booking as booking_module
from core.exceptions import DomainError
from core.models import Partnership, partnership_per_request
from courses.models import Event, EventStatus
from tests.core.test_partnership_settings import URL as SETTINGS_URL
from tests.core.test_partnership_settings import form_data
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

# Session, user, roles and permissions (accounts.middleware), the event, the partnership,
# the delegate with their organisation, the event as read, their active booking, the
# prerequisites, the overdue invoice check, the line manager's account (by the email index,
# then in any case; the delegate's own account is known), the UPDATE taking the place, the
# booking (savepoint, insert, release), its audit entry, both emails (one insert, one read
# back) and the session (for the confirmation panel), with the request's savepoints (a test
# runs in a transaction, so the Stage 1 request made after commit is not counted here).
BOOKING_POST_QUERIES = 26


def book_url(event):
    return reverse("bookings:booking-create", kwargs={"event_pk": event.pk})


def partnership_reads(captured):
    return sum(q["sql"].startswith('SELECT "core_partnership"."id"')
               for q in captured.captured_queries)


def test_a_booking_post_runs_a_fixed_number_of_queries_and_reads_the_settings_once(client):
    event = EventFactory(start=timezone.now() + timedelta(days=30), capacity=5)
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    client.post(book_url(event), {"access_needs": ""})  # warm caches (content types)
    client.force_login(second)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(book_url(event), {"access_needs": ""})
    booking = Booking.objects.get(event=event, delegate=second)
    assert response.status_code == 302
    assert response["Location"] == reverse("bookings:booking-detail",
                                           kwargs={"uid": booking.uid})
    assert booking.status == BookingStatus.BOOKED
    assert partnership_reads(captured) == 1
    assert len(captured) == BOOKING_POST_QUERIES, "\n".join(
        q["sql"][:120] for q in captured.captured_queries)


def test_a_setting_an_officer_saves_is_seen_by_the_next_request(client, make_user):
    officer = make_user(Role.OFFICER)
    event = EventFactory(start=timezone.now() + timedelta(days=30), capacity=5)
    before, after = UserFactory(), UserFactory()
    client.force_login(before)
    client.post(book_url(event), {"access_needs": ""})
    assert Booking.objects.get(delegate=before).status == BookingStatus.BOOKED

    client.force_login(officer)
    response = client.post(SETTINGS_URL, form_data(Partnership.load(),
                                                   line_manager_approval_required="on"))
    assert response.status_code == 302

    client.force_login(after)
    client.post(book_url(event), {"access_needs": ""})
    assert Booking.objects.get(delegate=after).status == BookingStatus.PENDING_APPROVAL


def test_within_a_request_the_settings_are_read_once_and_a_save_is_seen_at_once():
    with partnership_per_request():
        with CaptureQueriesContext(connection) as captured:
            first = Partnership.load()
            first.notice_working_days = 9  # changed, not saved: nobody else sees it
            assert Partnership.load().notice_working_days == 5
        assert partnership_reads(captured) == 1
        first.save()
        assert Partnership.load().notice_working_days == 9
    # Outside a request every call reads the row.
    with CaptureQueriesContext(connection) as captured:
        Partnership.load()
        Partnership.load()
    assert partnership_reads(captured) == 2


@pytest.fixture
def between_read_and_take(monkeypatch):
    """Run `change` once, after the booking is decided on the event as read and before the
    place is taken (what a concurrent request could commit in that moment). It runs in the
    same transaction, so a refusal rolls it back too."""
    def install(change):
        original = booking_module._place_take_if_unchanged

        pending = [change]

        def take(event):
            if pending:
                pending.pop()(event)
            return original(event)

        monkeypatch.setattr(booking_module, "_place_take_if_unchanged", take)
    return install


def _book(event, delegate):
    return services.booking_create(event=event, delegate=delegate, now=timezone.now())


def test_an_event_cancelled_between_read_and_take_is_refused_as_cancelled(
        between_read_and_take):
    event = EventFactory(start=timezone.now() + timedelta(days=30), capacity=5)
    between_read_and_take(lambda e: Event.objects.filter(pk=e.pk).update(
        status=EventStatus.CANCELLED))
    with pytest.raises(DomainError) as refused:
        _book(event, UserFactory())
    assert refused.value.code == "cancelled"
    assert not Booking.objects.exists()
    assert Event.objects.get(pk=event.pk).places_taken == 0


def test_the_last_place_gone_between_read_and_take_is_refused_as_full(between_read_and_take):
    event = EventFactory(start=timezone.now() + timedelta(days=30), capacity=2)
    _book(event, UserFactory())
    between_read_and_take(lambda e: _book(e, UserFactory()))
    late = UserFactory()
    with pytest.raises(services.EventFull):
        _book(event, late)
    # (The place taken "concurrently" ran in this test's transaction, so the refusal rolled
    # it back with everything else: what is left is the first booking.)
    assert not Booking.objects.filter(delegate=late).exists()
    assert Event.objects.get(pk=event.pk).places_taken == 1


def test_a_place_of_their_own_taken_between_read_and_take_is_refused_in_the_rules_words(
        between_read_and_take):
    event = EventFactory(start=timezone.now() + timedelta(days=30), capacity=5)
    delegate = UserFactory()

    def second_click(e):
        Booking.objects.create(event=e, delegate=delegate, organisation=delegate.organisation,
                               status=BookingStatus.BOOKED, booked_at=timezone.now())
        Event.objects.filter(pk=e.pk).update(places_taken=1)

    between_read_and_take(second_click)
    with pytest.raises(DomainError) as refused:
        _book(event, delegate)
    assert refused.value.code == "has_place"
    assert refused.value.message == "You already have a place on this event."


def test_another_place_taken_between_read_and_take_still_books(between_read_and_take):
    event = EventFactory(start=timezone.now() + timedelta(days=30), capacity=5)
    between_read_and_take(lambda e: _book(e, UserFactory()))
    booking = _book(event, UserFactory())
    assert booking.status == BookingStatus.BOOKED
    assert Event.objects.get(pk=event.pk).places_taken == 2
