"""Line manager approval (a partnership setting) records the address the approval link was
sent to, and that address is never one of the delegate's own (finding 5: a delegate naming
their own second address as line manager approved their own training)."""

import html
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import services
from bookings.models import Booking, BookingStatus
from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from courses.models import Event
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def approval_required(db):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    return partnership


@pytest.fixture
def event(now):
    return EventFactory(start=now + timedelta(days=30), capacity=1)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def text(response):
    """The page's words, as a person reads them (tags dropped, spaces folded)."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(words))


def test_the_approval_records_the_address_it_was_sent_to(event, now, send):
    delegate = UserFactory(line_manager_email="morgan.manager@council.example")

    booking = send(services.booking_create, event=event, delegate=delegate, now=now)

    assert booking.status == BookingStatus.PENDING_APPROVAL
    assert Booking.objects.get(pk=booking.pk).approval_sent_to == "morgan.manager@council.example"
    [request] = [m for m in mail.outbox if "/bookings/approval/" in m.body]
    assert request.to == ["morgan.manager@council.example"]

    # The profile changes afterwards: the booking still says who was asked, and so does the
    # audit entry of the decision.
    delegate.line_manager_email = "someone.else@council.example"
    delegate.save()
    send(services.line_manager_decide, booking=booking, approve=True, now=now)
    booking.refresh_from_db()
    assert booking.approval_sent_to == "morgan.manager@council.example"
    entry = AuditEntry.objects.get(action="booking.line_manager_approve")
    assert entry.details == {"line_manager": "morgan.manager@council.example",
                             "changes": {"status": ["pending_approval", "booked"]}}


def test_an_offer_accepted_records_the_address_too(now, send):
    event = EventFactory(start=now + timedelta(days=30), capacity=1)
    holder = UserFactory()
    services.booking_create(event=event, delegate=holder, now=now)
    waiting = UserFactory(line_manager_email="pat.manager@police.example")
    queued = services.waitlist_join(event=event, delegate=waiting, now=now)
    services.booking_cancel(booking=Booking.objects.get(delegate=holder), by=holder, now=now)
    queued.refresh_from_db()
    assert queued.status == BookingStatus.OFFERED

    accepted = send(services.offer_accept, booking=queued, by=waiting, now=now)

    assert accepted.status == BookingStatus.PENDING_APPROVAL
    assert Booking.objects.get(pk=queued.pk).approval_sent_to == "pat.manager@police.example"
    assert any(m.to == ["pat.manager@police.example"] and "/bookings/approval/" in m.body
               for m in mail.outbox)


def test_a_line_manager_address_that_is_the_delegates_own_is_refused_at_booking(event, now):
    """A profile saved before the profile form refused this: no approval link goes to it."""
    delegate = UserFactory(email="kim@school.example")
    EmailAddress.objects.create(user=delegate, email="kim.home@mailbox.example", verified=True)
    delegate.line_manager_email = "Kim.Home@mailbox.example"
    delegate.save()

    with pytest.raises(DomainError, match="one of your own") as refused:
        services.booking_create(event=event, delegate=delegate, now=now)

    assert refused.value.code == "profile"
    assert not Booking.objects.filter(delegate=delegate).exists()
    assert Event.objects.get(pk=event.pk).places_taken == 0


def test_officers_see_the_address_on_the_booking(client, make_user, event, now):
    delegate = UserFactory(line_manager_email="morgan.manager@council.example")
    booking = services.booking_create(event=event, delegate=delegate, now=now)
    url = reverse("bookings:booking-detail", kwargs={"uid": booking.uid})

    client.force_login(make_user(Role.OFFICER))
    page = text(client.get(url))
    assert "Line manager approval" in page
    assert re.search(r"Asked of morgan\.manager@council\.example on \w+day \d{1,2} \w+ \d{4}, "
                     r"(\d{1,2}(:\d\d)?(am|pm)|midday|midnight)", page)
