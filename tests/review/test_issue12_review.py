"""Review of issue 12 (the four decisions and what a newcomer found) as a user and as an
attacker: edges the builders' own tests do not walk."""

import html
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector, User
from accounts.roles import Role
from bookings import policies, services
from bookings.models import Booking, BookingStatus, Substitution
from charging.models import Charge, Invoice, InvoiceLine
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Event
from tests.factories import EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _words(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def taken(event):
    return Event.objects.get(pk=event.pk).places_taken


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


# Decision 1: consent ---------------------------------------------------------------------------

@pytest.fixture
def offered(send):
    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=30), capacity=1)
    delegate = UserFactory()
    booking = send(services.booking_create, event=event, delegate=delegate, now=now)
    colleague = UserFactory(organisation=delegate.organisation)
    offer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=colleague.email, now=now)
    return booking, delegate, colleague, offer, now


def _accept_url(offer):
    token = policies.signed_link_make(value=offer.pk, salt=policies.SUBSTITUTION_SALT)
    return reverse("bookings:substitution-accept", kwargs={"token": token})


def test_another_signed_in_account_opening_the_link_cannot_take_the_place(client, offered):
    booking, delegate, colleague, offer, now = offered
    intruder = UserFactory(organisation=delegate.organisation)
    client.force_login(intruder)
    response = client.post(_accept_url(offer), {"decision": "accept"})
    assert response.status_code in (200, 302)
    assert Booking.objects.get(pk=booking.pk).delegate == delegate
    with pytest.raises(DomainError, match="sign in with that address"):
        services.substitution_accept(substitution=offer, user=intruder, now=now)
    # Nor can the delegate themself "accept" their own offer.
    client.force_login(delegate)
    client.post(_accept_url(offer), {"decision": "accept"})
    assert Substitution.objects.get(pk=offer.pk).accepted_at is None


def test_a_colleague_who_joins_the_waiting_list_after_the_offer_cannot_accept_twice(offered):
    booking, delegate, colleague, offer, now = offered
    services.waitlist_join(event=booking.event, delegate=colleague, now=now)
    with pytest.raises(DomainError, match="waiting list"):
        services.substitution_accept(substitution=offer, user=colleague, now=now)
    assert Booking.objects.get(pk=booking.pk).delegate == delegate
    assert taken(booking.event) == 1


def test_two_offers_at_once_only_the_newer_can_be_accepted(offered, send):
    booking, delegate, first, offer, now = offered
    second = UserFactory(organisation=delegate.organisation)
    newer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email=second.email, now=now + timedelta(minutes=1))
    with pytest.raises(DomainError):
        services.substitution_accept(substitution=offer, user=first,
                                     now=now + timedelta(minutes=2))
    send(services.substitution_accept, substitution=newer, user=second,
         now=now + timedelta(minutes=2))
    assert Booking.objects.get(pk=booking.pk).delegate == second
    assert taken(booking.event) == 1
    # The accepted offer cannot be withdrawn nor accepted again.
    with pytest.raises(DomainError, match="already accepted|not your booking"):
        services.substitution_withdraw(substitution=newer, by=delegate, now=now)
    with pytest.raises(DomainError):
        services.substitution_accept(substitution=newer, user=second, now=now)


def test_a_colleague_who_moved_organisation_after_the_offer_cannot_accept(offered):
    booking, delegate, colleague, offer, now = offered
    colleague.organisation = OrganisationFactory()
    colleague.save()
    with pytest.raises(DomainError, match="same organisation"):
        services.substitution_accept(substitution=offer, user=colleague, now=now)
    assert Booking.objects.get(pk=booking.pk).delegate == delegate


def test_a_delegate_of_another_organisation_cannot_withdraw_the_offer(offered):
    booking, delegate, colleague, offer, now = offered
    with pytest.raises(DomainError, match="not your booking"):
        services.substitution_withdraw(substitution=offer, by=colleague, now=now)
    assert Substitution.objects.get(pk=offer.pk).withdrawn_at is None


# Decision 1: on the day ------------------------------------------------------------------------

@pytest.fixture
def day(make_user, send):
    now = timezone.now()
    event = EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=5),
                         capacity=1)
    officer = make_user(Role.OFFICER)
    organisation = OrganisationFactory(sector=Sector.PRIVATE)
    delegate = UserFactory(organisation=organisation)
    booking = send(services.booking_create, event=event, delegate=delegate,
                   now=event.start - timedelta(days=30))
    return event, booking, officer, now


def test_an_invoiced_no_show_refuses_the_substitute_and_creates_no_account(day, send, client):
    event, booking, officer, now = day
    send(services.attendance_mark, booking=booking, by=officer, outcome="no_show",
         contacted_team=False, now=now)
    charge = Charge.objects.get(booking=booking)
    invoice = Invoice.objects.create(
        number="SP-2026-09999", organisation=charge.organisation,
        issued_on=timezone.localdate(), due_on=timezone.localdate() + timedelta(days=30),
        organisation_name=charge.organisation.name, partnership_name="Partnership",
        total=charge.amount)
    InvoiceLine.objects.create(invoice=invoice, charge=charge, delegate_name="Someone",
                               course_title="Course", event_date=timezone.localdate(),
                               reason=charge.reason, amount=charge.amount)

    with pytest.raises(DomainError, match="SP-2026-09999"):
        services.substitution_record_on_the_day(booking=booking, by=officer, name="New Person",
                                                email="new.person@nowhere.example", now=now)
    assert not User.objects.filter(email="new.person@nowhere.example").exists()

    client.force_login(officer)
    response = client.post(reverse("bookings:register-substitute",
                                   kwargs={"event_pk": event.pk}),
                           {"booking": booking.pk, "name": "New Person",
                            "email": "new.person@nowhere.example"})
    assert response.status_code == 200
    assert "SP-2026-09999" in _words(response)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.NO_SHOW
    assert not User.objects.filter(email="new.person@nowhere.example").exists()
    assert taken(event) == 1


def test_a_colleague_who_cancelled_their_own_place_earlier_can_be_recorded(day, send):
    event, booking, officer, now = day
    colleague = UserFactory(organisation=booking.organisation)
    Booking.objects.create(event=event, delegate=colleague, organisation=booking.organisation,
                           status=BookingStatus.CANCELLED, created_at=now - timedelta(days=9))
    sub = send(services.substitution_record_on_the_day, booking=booking, by=officer,
               name="Col League", email=colleague.email, now=now)
    assert sub.replacement.status == BookingStatus.ATTENDED
    assert taken(event) == 1 == Booking.objects.filter(
        event=event, status__in=("booked", "attended", "no_show", "not_admitted")).count()


def test_the_same_place_cannot_be_substituted_twice_on_the_day(day, send):
    event, booking, officer, now = day
    one, two = (UserFactory(organisation=booking.organisation) for _ in range(2))
    sub = send(services.substitution_record_on_the_day, booking=booking, by=officer,
               name="One", email=one.email, now=now)
    with pytest.raises(DomainError):
        services.substitution_record_on_the_day(booking=booking, by=officer, name="Two",
                                                email=two.email, now=now)
    # The replacement's own place is on the register already: correct it, not substitute it.
    with pytest.raises(DomainError):
        services.substitution_record_on_the_day(booking=sub.replacement, by=officer,
                                                name="Two", email=two.email, now=now)
    assert taken(event) == 1


def test_a_domain_of_another_organisation_is_refused_whatever_its_case(day):
    event, booking, officer, now = day
    OrganisationFactory(domains=["other.example"])
    with pytest.raises(DomainError, match="another organisation"):
        services.substitution_record_on_the_day(booking=booking, by=officer, name="Ann Other",
                                                email="Ann@OTHER.example", now=now)
    assert not User.objects.filter(email__iexact="ann@other.example").exists()


# Decision 2: release --------------------------------------------------------------------------

@pytest.fixture
def approval(send):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=1, hours=2), capacity=1)
    delegate = UserFactory(line_manager_email="boss@council.example")
    booked = now - timedelta(days=14)  # in time for the line manager then
    booking = send(services.booking_create, event=event, delegate=delegate, now=booked)
    waiting = UserFactory()
    send(services.waitlist_join, event=event, delegate=waiting, now=booked)
    return booking, waiting, now


def test_the_approval_link_opened_after_the_sweep_says_so_and_changes_nothing(
        client, approval, send):
    booking, waiting, now = approval
    assert booking.status == BookingStatus.PENDING_APPROVAL
    assert send(services.approvals_expire, now=now) == 1
    assert send(services.approvals_expire, now=now) == 0
    offered = Booking.objects.get(event=booking.event, delegate=waiting)
    assert offered.status == BookingStatus.OFFERED
    token = policies.signed_link_make(value=str(booking.uid), salt=policies.LINE_MANAGER_SALT)
    url = reverse("bookings:line-manager-approval", kwargs={"token": token})
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "approve"})
    assert response.status_code in (200, 302)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.APPROVAL_EXPIRED
    assert Booking.objects.get(pk=offered.pk).status == BookingStatus.OFFERED
    assert taken(booking.event) == 1


# Decision 4: self-approval --------------------------------------------------------------------

def test_a_line_manager_address_that_is_a_secondary_address_is_refused_on_the_profile(client):
    person = UserFactory()
    EmailAddress.objects.create(user=person, email="me.too@council.example", verified=False,
                                primary=False)
    client.force_login(person)
    response = client.post(reverse("accounts:profile"), {
        "organisation_name": person.organisation.name, "first_name": "Priya",
        "last_name": "Shah", "job_title": "Worker", "staff_group": person.staff_group,
        "line_manager_name": "Me", "line_manager_email": "ME.TOO@council.example",
        "access_needs": ""})
    assert response.status_code == 200
    assert "not one of your own" in _words(response)
    person.refresh_from_db()
    assert person.line_manager_email.lower() != "me.too@council.example"


# Profile `next` --------------------------------------------------------------------------------

@pytest.mark.parametrize("next_url", [
    "/\\evil.example/", "\\\\evil.example", "http:///evil.example", "https:evil.example",
    " //evil.example", "JAVASCRIPT:alert(1)", "http://testserver@evil.example/"])
def test_more_unsafe_next_values_go_to_the_dashboard(client, next_url):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("accounts:profile") + "?next=x", {
        "organisation_name": person.organisation.name, "first_name": "Priya",
        "last_name": "Shah", "job_title": "Worker", "staff_group": person.staff_group,
        "line_manager_name": "Morgan", "line_manager_email": "morgan@council.example",
        "access_needs": "", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_the_profile_next_is_escaped_in_the_hidden_field(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("accounts:profile"),
                      {"next": '/x"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in page


# Coming soon: a passed expected date written another way ---------------------------------------

@pytest.mark.parametrize("expected", [
    "26 June 2020", "Sept 2020", "Summer 2020", "2020", "06/2020", "1st June 2020"])
def test_a_passed_expected_date_in_other_words_is_not_shown_to_the_public(client, expected):
    from courses.models import CourseStatus
    from tests.factories import CourseFactory

    course = CourseFactory(status=CourseStatus.COMING_SOON, expected=expected)
    page = _words(client.get(reverse("courses:course-list")))
    assert "Coming soon" in page and f"Coming soon: {expected}" not in page
    assert course.title in page


@pytest.mark.parametrize("expected", ["Imminent", "TBC", "Spring 2099", "26 June 2099"])
def test_words_naming_no_passed_date_are_still_shown(client, expected):
    from courses.models import CourseStatus
    from tests.factories import CourseFactory

    CourseFactory(status=CourseStatus.COMING_SOON, expected=expected)
    assert f"Coming soon: {expected}" in _words(client.get(reverse("courses:course-list")))


# Decision 2: a booking made too close to the event to be agreed --------------------------------

def test_a_booking_too_close_to_the_event_for_the_line_manager_is_not_held_to_be_released(
        send):
    """Booking the day before the event with approval required: the line manager can no
    longer agree (the release point has passed), so holding the place only for the sweep to
    release it ("not agreed in time") minutes later is a trap. The booking is refused with
    the reason, and the training team can still book it with the agreement by phone."""
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    now = timezone.now()
    event = EventFactory(start=now + timedelta(hours=20), capacity=3)
    delegate = UserFactory(line_manager_email="boss@council.example")
    with pytest.raises(DomainError, match="training team") as refused:
        send(services.booking_create, event=event, delegate=delegate, now=now)
    assert "working day" in refused.value.message
    assert not Booking.objects.filter(event=event).exists() and taken(event) == 0


def test_the_training_team_can_still_book_late_with_the_agreement_by_phone(send, make_user):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    now = timezone.now()
    event = EventFactory(start=now + timedelta(hours=20), capacity=3)
    delegate = UserFactory(line_manager_email="boss@council.example")
    officer = make_user(Role.OFFICER)
    booking = send(services.booking_create, event=event, delegate=delegate, now=now, by=officer,
                   agreed_by_phone=True)
    assert booking.status == BookingStatus.BOOKED
    assert send(services.approvals_expire, now=now) == 0


def test_an_address_that_is_another_accounts_secondary_address_finds_that_account(day, client):
    """The colleague's address may be a secondary address of an account (allauth keeps one
    verified owner per address): the register must not make a second account for it, nor
    fail with an error page."""
    event, booking, officer, now = day
    elsewhere = UserFactory(organisation=OrganisationFactory())
    EmailAddress.objects.create(user=elsewhere, email="second@anywhere.example", verified=True,
                                primary=False)
    client.force_login(officer)
    response = client.post(reverse("bookings:register-substitute",
                                   kwargs={"event_pk": event.pk}),
                           {"booking": booking.pk, "name": "Sec Ond",
                            "email": "Second@anywhere.example"})
    assert response.status_code == 200
    assert "same organisation" in _words(response)
    assert User.objects.filter(email__iexact="second@anywhere.example").count() == 0
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED


def test_the_delegates_own_secondary_address_is_not_a_colleague(day):
    event, booking, officer, now = day
    EmailAddress.objects.create(user=booking.delegate, email="me.too@anywhere.example",
                                verified=True, primary=False)
    with pytest.raises(DomainError, match="not the delegate"):
        services.substitution_record_on_the_day(booking=booking, by=officer, name="Me Too",
                                                email="me.too@anywhere.example", now=now)


def test_offering_the_place_to_ones_own_secondary_address_is_refused(offered, send):
    booking, delegate, colleague, offer, now = offered
    EmailAddress.objects.create(user=delegate, email="me.too@anywhere.example", verified=True,
                                primary=False)
    with pytest.raises(DomainError, match="not your own"):
        services.booking_substitute(booking=booking, by=delegate,
                                    to_email="me.too@anywhere.example", now=now)


def test_an_offer_to_a_colleagues_secondary_address_reaches_their_account(offered, send):
    booking, delegate, colleague, offer, now = offered
    other = UserFactory(organisation=delegate.organisation)
    EmailAddress.objects.create(user=other, email="other.work@anywhere.example", verified=True,
                                primary=False)
    newer = send(services.booking_substitute, booking=booking, by=delegate,
                 to_email="Other.Work@anywhere.example", now=now)
    assert newer.to_delegate == other and newer.to_email == other.email.lower()
    send(services.substitution_accept, substitution=newer, user=other, now=now)
    assert Booking.objects.get(pk=booking.pk).delegate == other


# Plurals ---------------------------------------------------------------------------------------

def test_shrinking_an_event_below_one_place_taken_says_place_not_places():
    from courses.policies import capacity_reduction_problem

    problem = capacity_reduction_problem(capacity=0, places_taken=1)
    assert problem.startswith("1 place is already taken, so the event needs at least 1 place.")
    assert "at least 2 places." in capacity_reduction_problem(capacity=1, places_taken=2)
