"""What each email of a booking's life says, and the calendar files they carry: parsed with
icalendar, with the METHOD, UID and SEQUENCE a calendar needs to add, update or remove the
invitation it already holds."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from bookings import services
from bookings.models import Booking
from core.models import Partnership
from tests.factories import EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

HOST = urlsplit(settings.SITE_URL).hostname
DSPP_WARNING = ("Removing this invite from your calendar does not cancel your place: "
                "cancel on the site")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def event():
    start = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    return EventFactory(start=start, capacity=1,
                        venue=VenueFactory(name="Council House"),
                        course__format="classroom", course__title="Neglect: level 2")


def only(to):
    messages = [m for m in mail.outbox if to in m.to]
    assert len(messages) == 1, [m.subject for m in mail.outbox]
    return messages[0]


def invitation(message):
    [(filename, content, mimetype)] = message.attachments
    calendar = icalendar.Calendar.from_ical(content)
    [vevent] = calendar.walk("VEVENT")
    return filename, mimetype, calendar, vevent


def html(message):
    return message.alternatives[0][0]


def well_formed(message):
    """Subject, text and HTML all rendered (no template syntax left, nothing empty)."""
    assert message.subject and "{" not in message.subject
    for body in (message.body, html(message)):
        assert body.strip() and "{{" not in body and "{%" not in body
    assert Partnership.load().contact_email in message.body  # who to ask


def test_confirmation_carries_the_invitation(event, send):
    delegate = UserFactory(first_name="Priya", last_name="Shah")
    booking = send(services.booking_create, event=event, delegate=delegate, now=timezone.now())
    message = only(delegate.email)
    well_formed(message)
    assert message.subject.startswith("Booking confirmed: Neglect: level 2")
    assert "Dear Priya" in message.body and "Council House" in message.body
    assert DSPP_WARNING in message.body
    assert DSPP_WARNING in html(message)
    assert f"/bookings/{booking.uid}/" in message.body

    filename, mimetype, calendar, vevent = invitation(message)
    assert filename == "invite.ics" and "method=REQUEST" in mimetype
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == f"booking-{booking.uid}@{HOST}"
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent.decoded("DTSTART") == event.start
    partnership = Partnership.load()
    assert str(vevent["ORGANIZER"]) == f"mailto:{partnership.contact_email}"
    assert str(vevent["ORGANIZER"].params["CN"]) == partnership.name
    assert str(vevent["ATTENDEE"]) == f"mailto:{delegate.email}"
    assert str(vevent["ATTENDEE"].params["CN"]) == "Priya Shah"

    notice = only(delegate.line_manager_email)
    well_formed(notice)
    assert "Priya Shah" in notice.subject and not notice.attachments


def test_cancellation_removes_the_same_invitation(event, send):
    delegate = UserFactory()
    booking = services.booking_create(event=event, delegate=delegate, now=timezone.now())
    mail.outbox.clear()  # the confirmation: this test reads the emails that follow
    send(services.booking_cancel, booking=booking, by=delegate, now=timezone.now())

    message = only(delegate.email)
    well_formed(message)
    assert "no charge" in message.body
    filename, mimetype, calendar, vevent = invitation(message)
    assert filename == "cancellation.ics" and "method=CANCEL" in mimetype
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(vevent["UID"]) == f"booking-{booking.uid}@{HOST}"
    assert int(vevent["SEQUENCE"]) == 1  # higher than the invitation's, so calendars apply it
    assert str(vevent["STATUS"]) == "CANCELLED"

    manager = only(delegate.line_manager_email)
    well_formed(manager)
    assert "cancelled in time" in manager.body


def test_late_cancellation_emails_say_the_team_decides(send):
    event = EventFactory(start=timezone.now() + timedelta(days=1))
    delegate = UserFactory()
    booking = services.booking_create(event=event, delegate=delegate, now=timezone.now())
    mail.outbox.clear()  # the confirmation: this test reads the emails that follow
    send(services.late_cancellation_request, booking=booking, by=delegate, reason="illness",
         detail="", now=timezone.now())
    message = only(delegate.email)
    well_formed(message)
    assert "late cancellation" in message.body and "Illness" in message.body
    assert str(invitation(message)[2]["METHOD"]) == "CANCEL"
    manager = only(delegate.line_manager_email)
    assert "decide whether a charge applies" in manager.body


def test_substitution_moves_the_invitation_between_calendars(event, send):
    delegate = UserFactory()
    booking = services.booking_create(event=event, delegate=delegate, now=timezone.now())
    mail.outbox.clear()  # the confirmation: this test reads the emails that follow
    colleague = UserFactory(organisation=delegate.organisation, first_name="Sam")
    offer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=colleague.email, now=timezone.now())
    mail.outbox.clear()  # the offer: this test reads the emails of the acceptance
    send(services.substitution_accept, substitution=offer, user=colleague, now=timezone.now())

    given = only(delegate.email)
    well_formed(given)
    _, _, calendar, vevent = invitation(given)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(vevent["ATTENDEE"]) == f"mailto:{delegate.email}"
    assert int(vevent["SEQUENCE"]) == 1

    taken = only(colleague.email)
    well_formed(taken)
    assert DSPP_WARNING in taken.body and "Dear Sam" in taken.body
    _, _, calendar, vevent = invitation(taken)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == f"booking-{booking.uid}@{HOST}"
    assert str(vevent["ATTENDEE"]) == f"mailto:{colleague.email}"
    assert int(vevent["SEQUENCE"]) == 1
    assert "taken over a colleague" in only(colleague.line_manager_email).body


def test_waiting_list_offer_and_expiry_emails(event, send, client):
    services.booking_create(event=event, delegate=UserFactory(), now=timezone.now())
    waiting = UserFactory()
    now = timezone.now()
    booking = send(services.waitlist_join, event=event, delegate=waiting, now=now)
    joined = only(waiting.email)
    well_formed(joined)
    assert "48 hours" in joined.body
    mail.outbox.clear()

    holder = Booking.objects.get(event=event, status="booked")
    send(services.booking_cancel, booking=holder, by=holder.delegate, now=now)
    offer = only(waiting.email)
    well_formed(offer)
    assert not offer.attachments  # no invitation until the place is accepted
    booking.refresh_from_db()
    expires = timezone.localtime(booking.offer_expires_at)
    assert f"{expires:%A} {expires.day} {expires:%B %Y}" in offer.body
    path = re.search(r"https?://[^/\s]+(/bookings/[^\s]+/offer/)", offer.body).group(1)
    client.force_login(waiting)
    assert client.get(path).status_code == 200
    mail.outbox.clear()

    send(services.offers_expire, now=booking.offer_expires_at + timedelta(minutes=1))
    expired = only(waiting.email)
    well_formed(expired)
    assert "not accepted in time" in expired.body


def test_line_manager_approval_emails(event, send, client):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    delegate = UserFactory(line_manager_name="Morgan Lee")
    booking = send(services.booking_create, event=event, delegate=delegate, now=timezone.now())

    request = only(delegate.line_manager_email)
    well_formed(request)
    assert "Dear Morgan Lee" in request.body
    path = re.search(r"https?://[^/\s]+(/bookings/approval/[^\s]+/)", request.body).group(1)
    assert path in html(request)
    assert client.get(path).status_code == 200  # no account needed
    pending = only(delegate.email)
    well_formed(pending)
    assert "Morgan Lee" in pending.body and not pending.attachments
    mail.outbox.clear()

    send(services.line_manager_decide, booking=booking, approve=False, now=timezone.now())
    declined = only(delegate.email)
    well_formed(declined)
    assert "did not agree" in declined.body


def test_invitation_to_a_colleague_without_an_account(event, send):
    delegate = UserFactory(first_name="Jo", last_name="Bloggs")
    booking = services.booking_create(event=event, delegate=delegate, now=timezone.now())
    mail.outbox.clear()  # the confirmation: this test reads the emails that follow
    send(services.booking_substitute, booking=booking, by=delegate,
         to_email="new.colleague@example.org", now=timezone.now())
    invite = only("new.colleague@example.org")
    well_formed(invite)
    assert "Jo Bloggs" in invite.subject
    assert "/accounts/signup/" in invite.body and "/bookings/substitution/" in invite.body
    told = only(delegate.email)
    well_formed(told)
    assert "new.colleague@example.org" in told.body and "stays yours" in told.body
