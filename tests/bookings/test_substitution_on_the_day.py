"""Issue 12, decision 1, on the day (DSPP: substitution "at whatever point they are made"): the
register records that a colleague of the same organisation attended instead. The original
booking is "substituted" (no charge), the colleague attended on a booking of their own (and
gets the evaluations), and the event's place count does not move."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector, User
from accounts.roles import Role
from bookings import selectors, services
from bookings.models import Booking, BookingStatus, Substitution
from charging.models import Charge
from core.exceptions import DomainError
from courses.models import Completion, Event
from evaluations.models import EvaluationRequest, RequestKind
from tests.factories import EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def day():
    """An event that started an hour ago, full (capacity 1), booked a month before."""
    now = timezone.now()
    event = EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=5),
                         capacity=1)
    return event, now


@pytest.fixture
def facilitator(make_user, day):
    user = make_user(Role.FACILITATOR)
    day[0].facilitators.add(user)
    return user


def book(event, delegate, send):
    """A place booked before the event (so the pre-course questionnaire was asked)."""
    return send(services.booking_create, event=event, delegate=delegate,
                now=event.start - timedelta(days=30))


def taken(event):
    return Event.objects.get(pk=event.pk).places_taken


def test_a_facilitator_records_a_colleague_who_attended_instead(day, facilitator, send):
    event, now = day
    delegate = UserFactory()
    booking = book(event, delegate, send)
    colleague = UserFactory(organisation=delegate.organisation, first_name="Cal")
    assert taken(event) == 1 == event.capacity
    mail.outbox.clear()

    sub = send(services.substitution_record_on_the_day, booking=booking, by=facilitator,
               name="Cal Colleague", email=colleague.email.upper(), now=now)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.SUBSTITUTED and booking.delegate == delegate
    replacement = sub.replacement
    assert (replacement.delegate, replacement.event, replacement.organisation) == (
        colleague, event, booking.organisation)
    assert replacement.status == BookingStatus.ATTENDED
    assert (replacement.attendance_marked_at, replacement.attendance_marked_by) == (
        now, facilitator)
    assert sub.on_the_day and sub.accepted_at == now and sub.to_delegate == colleague
    # The original's place passed to the replacement: still one place of one taken.
    assert taken(event) == 1
    assert selectors.register_counts(event=event)["attended"] == 1
    assert [b.delegate for b in selectors.register_bookings(event=event, now=timezone.now())] == [colleague]
    # The training record follows who attended.
    assert Completion.objects.filter(user=colleague, event=event).exists()
    assert not Completion.objects.filter(user=delegate, event=event).exists()
    # Both are emailed.
    [theirs] = [m for m in mail.outbox if m.to == [colleague.email]]
    assert "in " in theirs.body and "place" in theirs.body and "evaluations" in theirs.body
    [mine] = [m for m in mail.outbox if m.to == [delegate.email]]
    assert "no charge for a substitution" in mine.body


def test_on_the_day_the_original_is_not_charged_and_a_private_colleague_pays_the_attendance_fee_as_the_original_would(  # noqa: E501
        day, facilitator, send):
    """DSPP: substitutes are not charged for the substitution. The colleague attended, so
    their private organisation pays the attendance fee it would have paid for the delegate.
    A no-show mark made before the colleague was noticed loses its charge."""
    event, now = day
    delegate = UserFactory(organisation=OrganisationFactory(sector=Sector.PRIVATE))
    booking = book(event, delegate, send)
    send(services.attendance_mark, booking=booking, by=facilitator, outcome="no_show",
         contacted_team=False, now=now)
    assert Charge.objects.get(booking=booking).kind == "no_show"
    colleague = UserFactory(organisation=delegate.organisation)

    sub = send(services.substitution_record_on_the_day, booking=booking, by=facilitator,
               name="Cal Colleague", email=colleague.email, now=now)

    assert not Charge.objects.filter(booking=booking).exists()
    charge = Charge.objects.get(booking=sub.replacement)
    assert charge.kind == "attendance" and charge.organisation == delegate.organisation
    assert taken(event) == 1


def test_a_statutory_colleague_attending_instead_costs_nothing(day, facilitator, send):
    event, now = day
    booking = book(event, UserFactory(), send)
    colleague = UserFactory(organisation=booking.organisation)
    send(services.substitution_record_on_the_day, booking=booking, by=facilitator,
         name="Cal Colleague", email=colleague.email, now=now)
    assert not Charge.objects.exists()


def test_the_colleague_gets_the_evaluations_and_the_originals_requests_are_withdrawn(
        day, facilitator, send):
    event, now = day
    delegate = UserFactory()
    booking = book(event, delegate, send)
    pre = EvaluationRequest.objects.get(booking=booking, kind=RequestKind.PRE)
    colleague = UserFactory(organisation=delegate.organisation)

    sub = send(services.substitution_record_on_the_day, booking=booking, by=facilitator,
               name="Cal Colleague", email=colleague.email, now=now)

    pre.refresh_from_db()
    assert pre.withdrawn_at is not None
    assert not EvaluationRequest.objects.filter(booking=booking, withdrawn_at__isnull=True
                                                ).exists()
    stage_1 = EvaluationRequest.objects.get(booking=sub.replacement, kind=RequestKind.STAGE_1)
    assert stage_1.user == colleague and stage_1.withdrawn_at is None


def test_a_colleague_without_an_account_gets_one_and_a_link_to_set_a_password(
        day, facilitator, send, client):
    event, now = day
    delegate = UserFactory()
    booking = book(event, delegate, send)
    mail.outbox.clear()

    sub = send(services.substitution_record_on_the_day, booking=booking, by=facilitator,
               name="  Robin   New Starter ", email="Robin.New@Example.org", now=now)

    robin = User.objects.get(email="robin.new@example.org")
    assert (robin.first_name, robin.last_name) == ("Robin", "New Starter")
    assert robin.organisation == delegate.organisation and not robin.has_usable_password()
    assert sub.to_delegate == robin and sub.replacement.delegate == robin
    [invite] = [m for m in mail.outbox if m.to == ["robin.new@example.org"]]
    path = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", invite.body).group(1)
    page = client.get(path, follow=True)
    assert page.status_code == 200 and 'name="password1"' in page.content.decode()


@pytest.mark.parametrize("where", ["account", "domain"])
def test_a_colleague_of_another_organisation_is_refused(day, facilitator, send, where):
    event, now = day
    booking = book(event, UserFactory(), send)
    if where == "account":
        email = UserFactory().email  # another organisation
    else:
        OrganisationFactory(name="Elsewhere", domains=["elsewhere.example"])
        email = "someone@elsewhere.example"
    with pytest.raises(DomainError, match="same organisation|another organisation") as refused:
        services.substitution_record_on_the_day(booking=booking, by=facilitator, name="Al Bee",
                                                email=email, now=now)
    assert refused.value.field == "email"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert not Substitution.objects.exists() and taken(event) == 1


def test_a_facilitator_of_another_event_is_refused(day, make_user, send, client):
    event, now = day
    booking = book(event, UserFactory(), send)
    other = make_user(Role.FACILITATOR)
    EventFactory().facilitators.add(other)
    colleague = UserFactory(organisation=booking.organisation)
    with pytest.raises(DomainError, match="events you deliver"):
        services.substitution_record_on_the_day(booking=booking, by=other, name="Cal C",
                                                email=colleague.email, now=now)
    client.force_login(other)
    url = reverse("bookings:register-substitute", kwargs={"event_pk": event.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"booking": booking.pk, "name": "Cal C",
                             "email": colleague.email}).status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_before_the_day_it_cannot_be_recorded(make_user, send):
    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=3))
    officer = make_user(Role.OFFICER)
    booking = book(event, UserFactory(), send)
    with pytest.raises(DomainError, match="opens on the day"):
        services.substitution_record_on_the_day(
            booking=booking, by=officer, name="Cal C",
            email=UserFactory(organisation=booking.organisation).email, now=now)


def test_a_colleague_already_on_the_register_is_refused(day, facilitator, send):
    event, now = day
    event.capacity = 2
    event.save()
    booking = book(event, UserFactory(), send)
    colleague = UserFactory(organisation=booking.organisation)
    book(event, colleague, send)
    with pytest.raises(DomainError, match="already has a place"):
        services.substitution_record_on_the_day(booking=booking, by=facilitator, name="Cal C",
                                                email=colleague.email, now=now)


# The page ----------------------------------------------------------------------------------------

def test_the_register_page_records_a_substitute(day, facilitator, send, client,
                                                django_assert_max_num_queries):
    event, now = day
    booking = book(event, UserFactory(first_name="Dana", last_name="Delegate"), send)
    colleague = UserFactory(organisation=booking.organisation)
    client.force_login(facilitator)
    register = client.get(reverse("bookings:event-register", kwargs={"event_pk": event.pk}))
    url = reverse("bookings:register-substitute", kwargs={"event_pk": event.pk})
    assert url in register.content.decode()
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert "Dana Delegate" in page.content.decode()

    missing = client.post(url, {"booking": booking.pk, "name": "", "email": "nope"})
    body = missing.content.decode()
    assert missing.status_code == 200
    assert "Enter the name of the colleague who attended" in body
    assert "Enter an email address in the right format" in body

    stranger = client.post(url, {"booking": booking.pk, "name": "Al Bee",
                                 "email": UserFactory().email})
    assert stranger.status_code == 200 and "same organisation" in stranger.content.decode()

    done = client.post(url, {"booking": booking.pk, "name": "Cal Colleague",
                             "email": colleague.email}, follow=True)
    assert "attended in place of Dana Delegate" in done.content.decode()
    assert "Instead of Dana Delegate" in done.content.decode()  # the register says whose place
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SUBSTITUTED


def test_the_delegate_sees_that_a_colleague_attended_and_there_is_no_charge(
        day, facilitator, send, client):
    event, now = day
    delegate = UserFactory()
    booking = book(event, delegate, send)
    send(services.substitution_record_on_the_day, booking=booking, by=facilitator,
         name="Cal Colleague", email=UserFactory(organisation=delegate.organisation).email,
         now=now)
    client.force_login(delegate)
    body = client.get(reverse("bookings:booking-detail",
                              kwargs={"uid": booking.uid})).content.decode()
    assert "a colleague attended in your place" in body.lower()
    assert "no charge" in body
