"""Decision 2 (issue 12): a place waiting for the line manager does not wait for ever. It is
released when the approval link expires (Partnership.line_manager_link_days) or
Partnership.approval_release_working_days working days before the event, whichever comes
first; the delegate and the line manager are told, and the place goes to the waiting list."""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from bookings import policies, services
from bookings.models import Booking, BookingStatus
from core.calendar import LONDON
from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from courses.models import Event
from tests.factories import EventFactory, UserFactory

# Tuesday 30 March 2027 comes after Good Friday (26 March) and Easter Monday (29 March): the
# two working days before it are Thursday 25 and Wednesday 24 March.
EVENT_START = datetime(2027, 3, 30, 9, 30, tzinfo=LONDON)
RELEASED_AT = datetime(2027, 3, 24, 0, 0, tzinfo=LONDON)
ASKED_AT = datetime(2027, 3, 22, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize("asked, expected, why", [
    (ASKED_AT, RELEASED_AT, "nobody agreed by 2 working days before the event"),
    (datetime(2027, 3, 1, 10, 0, tzinfo=LONDON), datetime(2027, 3, 15, 10, 0, tzinfo=LONDON),
     "the link to agree expired after 14 days"),
    (datetime(2027, 3, 10, 0, 0, tzinfo=LONDON), RELEASED_AT, "nobody agreed by 2 working days "
     "before the event"),  # the link would last to 24 March 00:00 too: the event rule says why
], ids=["event-rule-across-easter", "link-expires-first", "both-at-once"])
def test_the_place_is_released_at_the_earlier_of_the_two(asked, expected, why):
    release = policies.approval_release(requested_at=asked, event_start=EVENT_START,
                                        link_days=14, release_working_days=2)
    assert release.at == expected
    assert release.reason == why


@pytest.mark.parametrize("now, released", [
    (datetime(2027, 3, 23, 23, 59, tzinfo=LONDON), False),
    (RELEASED_AT, True),
], ids=["last-minute-of-tuesday-23", "start-of-wednesday-24"])
def test_two_working_days_before_an_event_after_easter_is_the_wednesday(now, released):
    assert policies.approval_released(requested_at=ASKED_AT, event_start=EVENT_START,
                                      link_days=14, release_working_days=2,
                                      now=now) is released


def _words(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def setting(db):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.line_manager_link_days = 14
    partnership.approval_release_working_days = 2
    partnership.save()
    return partnership


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)
    return call


@pytest.mark.django_db
def test_the_sweep_releases_the_place_across_easter_tells_both_and_offers_it_once(
        setting, run, client):
    event = EventFactory(start=EVENT_START, end=EVENT_START + timedelta(hours=7), capacity=1)
    delegate = UserFactory(line_manager_email="morgan.manager@council.example")
    pending = run(services.booking_create, event=event, delegate=delegate, now=ASKED_AT)
    assert pending.status == BookingStatus.PENDING_APPROVAL
    waiting = run(services.waitlist_join, event=event, delegate=UserFactory(), now=ASKED_AT)
    mail.outbox.clear()

    assert run(services.approvals_expire, now=RELEASED_AT - timedelta(minutes=1)) == 0
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.PENDING_APPROVAL
    assert len(mail.outbox) == 0

    assert run(services.approvals_expire, now=RELEASED_AT) == 1
    pending.refresh_from_db()
    waiting.refresh_from_db()
    assert pending.status == BookingStatus.APPROVAL_EXPIRED
    assert waiting.status == BookingStatus.OFFERED  # the place went to the waiting list
    assert Event.objects.get(pk=event.pk).places_taken == 1
    told = {tuple(m.to): m for m in mail.outbox}
    assert "not agreed in time" in told[(delegate.email,)].subject
    assert "2 working days before the event" in told[(delegate.email,)].body
    assert "released" in told[("morgan.manager@council.example",)].body
    for message in (told[(delegate.email,)], told[("morgan.manager@council.example",)]):
        assert "<html" in message.alternatives[0][0].lower()  # a text and an HTML part
        assert "a.m." not in message.body and "p.m." not in message.body
    assert (waiting.delegate.email,) in told  # the offer
    assert AuditEntry.objects.filter(action="booking.approval_expire").count() == 1

    sent = len(mail.outbox)
    assert run(services.approvals_expire, now=RELEASED_AT + timedelta(hours=1)) == 0
    assert len(mail.outbox) == sent  # running the sweep twice sends nothing twice
    assert AuditEntry.objects.filter(action="booking.approval_expire").count() == 1

    # The approval link now says it expired, and agreeing is no longer offered.
    token = policies.signed_link_make(value=str(pending.uid), salt=policies.LINE_MANAGER_SALT)
    url = reverse("bookings:line-manager-approval", kwargs={"token": token})
    page = _words(client.get(url))
    assert "This link has expired" in page and "released" in page
    assert "Agree to this booking" not in page


@pytest.mark.django_db
def test_the_link_expiring_first_releases_the_place(setting, run):
    start = datetime(2027, 6, 15, 9, 30, tzinfo=LONDON)
    event = EventFactory(start=start, end=start + timedelta(hours=7))
    asked = datetime(2027, 5, 3, 12, 0, tzinfo=LONDON)
    pending = run(services.booking_create, event=event, delegate=UserFactory(), now=asked)
    assert run(services.approvals_expire, now=asked + timedelta(days=14, seconds=-1)) == 0
    assert run(services.approvals_expire, now=asked + timedelta(days=14)) == 1
    pending.refresh_from_db()
    assert pending.status == BookingStatus.APPROVAL_EXPIRED
    assert Event.objects.get(pk=event.pk).places_taken == 0
    assert any("the link to agree expired after 14 days" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_a_line_manager_cannot_agree_once_the_release_point_has_passed(setting, run):
    """Before the sweep has run, the link still opens, but agreeing is refused."""
    event = EventFactory(start=EVENT_START, end=EVENT_START + timedelta(hours=7))
    pending = run(services.booking_create, event=event, delegate=UserFactory(), now=ASKED_AT)
    with pytest.raises(DomainError, match="can no longer be agreed"):
        run(services.line_manager_decide, booking=pending, approve=True, now=RELEASED_AT)
    agreed = run(services.line_manager_decide, booking=pending, approve=True,
                 now=RELEASED_AT - timedelta(minutes=1))
    assert agreed.status == BookingStatus.BOOKED
    assert run(services.approvals_expire, now=RELEASED_AT) == 0  # an agreed place stays


def test_the_sweep_runs_from_celery_beat():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "bookings.tasks.approvals_expire" in tasks


@pytest.mark.django_db
def test_the_booking_page_says_by_when_the_line_manager_must_agree(setting, run, client):
    event = EventFactory(start=EVENT_START, end=EVENT_START + timedelta(hours=7))
    pending = run(services.booking_create, event=event, delegate=UserFactory(), now=ASKED_AT)
    client.force_login(pending.delegate)
    page = _words(client.get(reverse("bookings:booking-detail", kwargs={"uid": pending.uid})))
    assert ("If they have not agreed by the end of Tuesday 23 March 2027, the place is released "
            "for someone else.") in page


@pytest.mark.django_db
def test_the_line_manager_is_told_by_when_to_agree(setting, run):
    event = EventFactory(start=EVENT_START, end=EVENT_START + timedelta(hours=7))
    delegate = UserFactory(line_manager_email="morgan.manager@council.example")
    run(services.booking_create, event=event, delegate=delegate, now=ASKED_AT)
    asked = next(m for m in mail.outbox if m.to == ["morgan.manager@council.example"])
    assert "have not agreed by the end of Tuesday 23 March 2027" in asked.body


@pytest.mark.django_db
def test_a_place_left_waiting_on_an_event_that_took_place_is_released_quietly(setting, run):
    """Pending places older than the sweep: released (the count is right again), nobody is
    emailed about an event that has happened."""
    event = EventFactory(start=EVENT_START, end=EVENT_START + timedelta(hours=7))
    pending = run(services.booking_create, event=event, delegate=UserFactory(), now=ASKED_AT)
    mail.outbox.clear()
    assert run(services.approvals_expire, now=EVENT_START + timedelta(days=30)) == 1
    pending.refresh_from_db()
    assert pending.status == BookingStatus.APPROVAL_EXPIRED
    assert Event.objects.get(pk=event.pk).places_taken == 0
    assert len(mail.outbox) == 0
