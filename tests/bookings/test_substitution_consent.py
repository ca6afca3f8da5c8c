"""Issue 12, decision 1: a substitution needs the colleague's consent. The place moves when
the colleague accepts; until then the delegate keeps it (and what it may cost), can withdraw
the offer, and the colleague can decline. The offer lapses when the event starts, when its
link expires, when the place is cancelled, or when a newer offer is made."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector
from bookings import selectors, services
from bookings.models import Booking, BookingStatus, Substitution
from core.audit import AuditEntry
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Event
from tests.factories import EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def place(now):
    """A booked place on a full event (capacity 1), and a colleague with an account."""
    event = EventFactory(start=now + timedelta(days=30), capacity=1)
    delegate = UserFactory(first_name="Dana", last_name="Delegate")
    booking = services.booking_create(event=event, delegate=delegate, now=now)
    colleague = UserFactory(organisation=delegate.organisation, first_name="Cal")
    mail.outbox.clear()
    return booking, delegate, colleague


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def taken(event):
    return Event.objects.get(pk=event.pk).places_taken


def test_offering_the_place_keeps_it_until_the_colleague_accepts(place, now, send):
    booking, delegate, colleague = place
    offer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=colleague.email, now=now)

    booking.refresh_from_db()
    assert booking.delegate == delegate and booking.status == BookingStatus.BOOKED
    assert offer.accepted_at is None and offer.to_delegate == colleague
    # The colleague is emailed an accept link and sees the offer in My training.
    [asked] = mails_to(colleague.email)
    assert "/bookings/substitution/" in asked.body and "Sign in with this email" in asked.body
    assert [o.pk for o in selectors.substitutions_offered_to(user=colleague, now=now)] == [
        offer.pk]
    # The delegate is told the place stays theirs until the colleague accepts.
    [told] = mails_to(delegate.email)
    assert told.subject.startswith(f"Waiting for {colleague.email} to accept")
    assert "stays yours" in told.body
    assert selectors.booking_substitution_pending(booking=booking, now=now) == offer

    send(services.substitution_accept, substitution=offer, user=colleague, now=now)
    booking.refresh_from_db()
    assert booking.delegate == colleague and taken(booking.event) == 1
    assert selectors.substitutions_offered_to(user=colleague, now=now) == []


def test_the_colleague_who_never_accepts_leaves_the_place_and_its_charge_with_the_delegate(
        now, send, make_user):
    from accounts.roles import Role
    from charging.models import Charge

    event = EventFactory(start=now + timedelta(days=10), capacity=1)
    delegate = UserFactory(organisation=OrganisationFactory(sector=Sector.PRIVATE))
    booking = services.booking_create(event=event, delegate=delegate, now=now)
    colleague = UserFactory(organisation=delegate.organisation)
    offer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=colleague.email, now=now)

    started = event.start + timedelta(minutes=1)
    # The offer lapsed when the event started: nobody is waiting, nothing is offered.
    assert selectors.booking_substitution_pending(booking=booking, now=started) is None
    assert selectors.substitutions_offered_to(user=colleague, now=started) == []
    with pytest.raises(DomainError, match="lapsed when the event started") as refused:
        services.substitution_accept(substitution=offer, user=colleague, now=started)
    assert refused.value.code == "lapsed"

    booking.refresh_from_db()
    assert booking.delegate == delegate and booking.status == BookingStatus.BOOKED
    assert taken(event) == 1
    # The delegate is on the register and is charged for not coming, not the colleague.
    officer = make_user(Role.OFFICER)
    services.attendance_mark(booking=booking, by=officer, outcome="no_show",
                             contacted_team=False, now=started)
    charge = Charge.objects.get(booking=booking)
    assert charge.kind == "no_show" and charge.organisation == delegate.organisation
    assert not Booking.objects.filter(delegate=colleague).exists()


def test_an_offer_withdrawn_cannot_then_be_accepted(place, now, send):
    booking, delegate, colleague = place
    offer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=colleague.email, now=now)
    mail.outbox.clear()

    send(services.substitution_withdraw, substitution=offer, by=delegate, now=now)

    offer.refresh_from_db()
    assert offer.withdrawn_at == now
    [withdrawn] = mails_to(colleague.email)
    assert "no longer on offer" in withdrawn.body
    [confirmed] = mails_to(delegate.email)
    assert "stays yours" in confirmed.subject.lower() or "still yours" in confirmed.body
    assert f"You have withdrawn your offer to {colleague.email}" in confirmed.subject
    assert "The place is still yours" in confirmed.body
    with pytest.raises(DomainError, match="withdrew this offer"):
        services.substitution_accept(substitution=offer, user=colleague, now=now)
    assert Booking.objects.get(pk=booking.pk).delegate == delegate
    assert AuditEntry.objects.filter(action="booking.substitute_withdraw").exists()


def test_only_the_delegate_or_an_officer_withdraws_an_offer(place, now):
    booking, delegate, colleague = place
    offer = services.booking_substitute(booking=booking, by=delegate,
                                        to_email=colleague.email, now=now)
    with pytest.raises(DomainError, match="not your booking"):
        services.substitution_withdraw(substitution=offer, by=colleague, now=now)
    assert Substitution.objects.get(pk=offer.pk).withdrawn_at is None


def test_the_colleague_declines_and_the_delegate_keeps_the_place(place, now, send):
    booking, delegate, colleague = place
    offer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=colleague.email, now=now)
    mail.outbox.clear()

    send(services.substitution_decline, substitution=offer, user=colleague, now=now)

    offer.refresh_from_db()
    assert offer.declined_at == now and offer.accepted_at is None
    [told] = mails_to(delegate.email)
    assert told.subject.startswith(f"{colleague.email} has declined your place")
    assert "still yours" in told.body
    [noted] = mails_to(colleague.email)
    assert "You have declined" in noted.body
    with pytest.raises(DomainError, match="You declined this offer"):
        services.substitution_accept(substitution=offer, user=colleague, now=now)
    assert Booking.objects.get(pk=booking.pk).delegate == delegate
    # Someone else cannot decline for the colleague.
    again = services.booking_substitute(booking=booking, by=delegate,
                                        to_email=colleague.email, now=now)
    with pytest.raises(DomainError, match="sign in with that address"):
        services.substitution_decline(substitution=again, user=delegate, now=now)


def test_the_offer_lapses_when_its_link_expires(place, now):
    booking, delegate, colleague = place
    partnership = Partnership.load()
    partnership.substitution_link_days = days = 7  # the event is 30 days away
    partnership.save()
    offer = services.booking_substitute(booking=booking, by=delegate,
                                        to_email=colleague.email, now=now)
    just_before = now + timedelta(days=days) - timedelta(minutes=1)
    assert selectors.booking_substitution_pending(booking=booking, now=just_before) == offer
    expired = now + timedelta(days=days)
    assert selectors.booking_substitution_pending(booking=booking, now=expired) is None
    with pytest.raises(DomainError, match="has expired"):
        services.substitution_accept(substitution=offer, user=colleague, now=expired)


def test_a_newer_offer_replaces_the_older_one(place, now, send):
    booking, delegate, colleague = place
    first = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=colleague.email, now=now)
    other = UserFactory(organisation=delegate.organisation)
    mail.outbox.clear()

    second = send(services.booking_substitute, booking=booking, by=delegate,
                  to_email=other.email, now=now + timedelta(minutes=1))

    [replaced] = mails_to(colleague.email)
    assert "offered their place to someone else" in replaced.body
    with pytest.raises(DomainError):
        services.substitution_accept(substitution=first, user=colleague,
                                     now=now + timedelta(minutes=2))
    assert selectors.booking_substitution_pending(
        booking=booking, now=now + timedelta(minutes=2)) == second
    services.substitution_accept(substitution=second, user=other, now=now + timedelta(minutes=2))
    assert Booking.objects.get(pk=booking.pk).delegate == other


def test_cancelling_the_place_lapses_the_offer_to_a_colleague_with_an_account(place, now):
    booking, delegate, colleague = place
    offer = services.booking_substitute(booking=booking, by=delegate,
                                        to_email=colleague.email, now=now)
    services.booking_cancel(booking=booking, by=delegate, now=now)
    with pytest.raises(DomainError, match="lapsed"):
        services.substitution_accept(substitution=offer, user=colleague, now=now)
    assert not Booking.objects.filter(delegate=colleague).exists()


# Pages ------------------------------------------------------------------------------------------

def test_the_booking_page_says_who_is_asked_and_withdraws_the_offer(client, place, now):
    booking, delegate, colleague = place
    services.booking_substitute(booking=booking, by=delegate, to_email=colleague.email,
                                now=now)
    client.force_login(delegate)
    page = client.get(reverse("bookings:booking-detail", kwargs={"uid": booking.uid}))
    body = page.content.decode()
    assert f"Waiting for {colleague.email} to accept" in body
    assert "Withdraw the offer" in body

    url = reverse("bookings:substitution-withdraw", kwargs={"uid": booking.uid})
    assert f"Withdraw the offer to {colleague.email}?" in client.get(url).content.decode()
    done = client.post(url, follow=True)
    assert "You have withdrawn the offer" in done.content.decode()
    assert "Waiting for" not in done.content.decode()
    assert Substitution.objects.get().withdrawn_at is not None
    # Nothing left to withdraw: back to the booking with a message, never a 500.
    again = client.post(url, follow=True)
    assert "no offer of this place waiting" in again.content.decode()


def test_the_colleague_sees_the_offer_in_my_training_and_declines_it(client, place, now):
    booking, delegate, colleague = place
    services.booking_substitute(booking=booking, by=delegate, to_email=colleague.email,
                                now=now)
    client.force_login(colleague)
    training = client.get(reverse("bookings:my-training")).content.decode()
    assert "Places colleagues offer you" in training
    path = re.search(r'href="(/bookings/substitution/[^"]+/)"', training).group(1)
    page = client.get(path).content.decode()
    assert "Take the place" in page and "Decline the offer" in page
    done = client.post(path, {"decision": "decline"}, follow=True)
    assert "You have declined the place" in done.content.decode()
    assert Booking.objects.get(pk=booking.pk).delegate == delegate
    assert "Places colleagues offer you" not in client.get(
        reverse("bookings:my-training")).content.decode()
    # The same link now says why it cannot be answered.
    assert "You declined this offer" in client.get(path).content.decode()


def test_a_lapsed_offer_page_explains_and_offers_no_button(client, place, now):
    booking, delegate, colleague = place
    offer = services.booking_substitute(booking=booking, by=delegate,
                                        to_email=colleague.email, now=now)
    services.substitution_withdraw(substitution=offer, by=delegate, now=now)
    from bookings.policies import SUBSTITUTION_SALT, signed_link_make

    client.force_login(colleague)
    path = reverse("bookings:substitution-accept", kwargs={
        "token": signed_link_make(value=offer.pk, salt=SUBSTITUTION_SALT)})
    body = client.get(path).content.decode()
    assert "withdrew this offer" in body and "Take the place</button>" not in body
    refused = client.post(path, {"decision": "accept"})
    assert refused.status_code == 200 and "withdrew this offer" in refused.content.decode()
    assert Booking.objects.get(pk=booking.pk).delegate == delegate
