"""Acting for a delegate (issue 11): an officer books, puts on a waiting list, cancels, records
a late cancellation reported by phone, moves a place to another date and hands it to a
colleague, through the officer's pages. Each action is audited "by the officer for the
delegate", the delegate gets the email they would have had, and nobody else may act."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import services
from bookings.models import Booking, BookingStatus, ReportedBy
from charging import policies as charging_policies
from charging.models import Charge
from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from courses.models import Event
from tests.factories import CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, first_name="Olu", last_name="Officer")


@pytest.fixture
def person(make_user):
    return make_user(Role.DELEGATE, first_name="Priya", last_name="Shah",
                     access_needs="A hearing loop")


@pytest.fixture
def course():
    return CourseFactory(title="Neglect: level 2")


def _event(course, days, **kwargs):
    start = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    return EventFactory(course=course, start=start, **kwargs)


@pytest.fixture
def event(course):
    return _event(course, 30, capacity=10)


@pytest.fixture
def client_officer(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    def run(do):
        with django_capture_on_commit_callbacks(execute=True):
            return do()
    return run


def _audit(action, booking):
    entry = AuditEntry.objects.filter(action=action, target_id=str(booking.pk)).get()
    return entry


def _by_officer_for(entry, officer, person):
    assert entry.actor_id == officer.pk
    assert entry.on_behalf_of_id == person.pk


def _to(person):
    return [m for m in mail.outbox if person.email in m.to]


def _calendars(message):
    found = {}
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            calendar = icalendar.Calendar.from_ical(content)
            [vevent] = calendar.walk("VEVENT")
            found[str(calendar["METHOD"])] = (str(vevent["UID"]), int(vevent["SEQUENCE"]))
    return found


def _place(event, person, *, days_ago=10):
    booking = Booking.objects.create(
        event=event, delegate=person, organisation=person.organisation,
        status=BookingStatus.BOOKED, booked_at=timezone.now() - timedelta(days=days_ago),
        access_needs="A hearing loop")
    Event.objects.filter(pk=event.pk).update(places_taken=event.places_taken + 1)
    event.refresh_from_db()
    return booking


# Book, waiting list ---------------------------------------------------------------------------

def test_officer_books_a_place_for_the_delegate(client_officer, officer, person, event,
                                               run_commits):
    url = reverse("bookings:acting-booking-create", args=[person.pk, event.pk])
    page = client_officer.get(url)
    assert "Book a place for Priya Shah" in page.content.decode()

    response = run_commits(lambda: client_officer.post(url, {"access_needs": "A hearing loop"}))

    assert response.status_code == 302
    booking = Booking.objects.get(delegate=person, event=event)
    assert booking.status == BookingStatus.BOOKED
    _by_officer_for(_audit("booking.create", booking), officer, person)
    [confirmation] = [m for m in _to(person) if "Booking confirmed" in m.subject]
    assert _calendars(confirmation)["REQUEST"][0].startswith(f"booking-{booking.uid}@")
    assert not _to(officer)


def test_the_line_manager_agreed_by_phone_confirms_the_place_at_once(
        client_officer, officer, person, event, run_commits):
    Partnership.objects.update(line_manager_approval_required=True)
    url = reverse("bookings:acting-booking-create", args=[person.pk, event.pk])
    assert "agreed by telephone" in client_officer.get(url).content.decode()

    run_commits(lambda: client_officer.post(url, {"access_needs": "", "agreed_by_phone": "on"}))

    booking = Booking.objects.get(delegate=person, event=event)
    assert booking.status == BookingStatus.BOOKED
    assert booking.approved_at is not None and booking.approval_recorded_by == officer
    assert _audit("booking.create", booking).details["agreed_by_phone"] is True
    # No approval link: nobody is asked to agree.
    assert not [m for m in mail.outbox if person.line_manager_email in m.to
                and "agree" in m.subject.lower()]
    assert [m for m in _to(person) if "Booking confirmed" in m.subject]


def test_without_the_tick_the_place_waits_for_the_line_manager(client_officer, person, event,
                                                               run_commits):
    Partnership.objects.update(line_manager_approval_required=True)
    url = reverse("bookings:acting-booking-create", args=[person.pk, event.pk])
    run_commits(lambda: client_officer.post(url, {"access_needs": ""}))

    booking = Booking.objects.get(delegate=person, event=event)
    assert booking.status == BookingStatus.PENDING_APPROVAL
    assert booking.approval_recorded_by is None
    assert [m for m in mail.outbox if person.line_manager_email in m.to]


def test_only_an_officer_may_record_the_line_managers_agreement(person, event):
    with pytest.raises(DomainError, match="Only the training team"):
        services.booking_create(event=event, delegate=person, by=person, agreed_by_phone=True,
                                now=timezone.now())
    assert not Booking.objects.filter(delegate=person).exists()


def test_officer_puts_the_delegate_on_a_full_events_waiting_list(
        client_officer, officer, person, course, run_commits):
    full = _event(course, 30, capacity=1)
    _place(full, UserFactory())
    url = reverse("bookings:acting-waitlist-join", args=[person.pk, full.pk])
    assert "Put Priya Shah on the waiting list" in client_officer.get(url).content.decode()

    run_commits(lambda: client_officer.post(url, {}))

    booking = Booking.objects.get(delegate=person, event=full)
    assert booking.status == BookingStatus.WAITLISTED
    _by_officer_for(_audit("booking.waitlist_join", booking), officer, person)
    assert [m for m in _to(person) if "waiting list" in m.subject.lower()]


def test_a_refused_booking_says_why_and_changes_nothing(client_officer, person, course):
    full = _event(course, 30, capacity=1)
    _place(full, UserFactory())
    url = reverse("bookings:acting-booking-create", args=[person.pk, full.pk])
    page = client_officer.get(url).content.decode()
    assert "This event is full" in page and "Put Priya Shah on the waiting list" in page
    response = client_officer.post(url, {"access_needs": ""})
    assert response.status_code == 200 and "full" in response.content.decode()
    assert not Booking.objects.filter(delegate=person).exists()


# Cancel, late cancellation ---------------------------------------------------------------------

def test_officer_cancels_in_time(client_officer, officer, person, event, run_commits):
    booking = _place(event, person)
    url = reverse("bookings:acting-booking-cancel", args=[person.pk, booking.uid])
    assert "Cancel Priya Shah’s place?" in client_officer.get(url).content.decode()

    run_commits(lambda: client_officer.post(url, {}))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_by == officer
    _by_officer_for(_audit("booking.cancel", booking), officer, person)
    [message] = [m for m in _to(person) if "cancel" in m.subject.lower()]
    assert "CANCEL" in _calendars(message)


def test_officer_records_a_late_cancellation_reported_by_phone(
        client_officer, officer, person, course, run_commits):
    soon = _event(course, 2, capacity=10)
    booking = _place(soon, person)
    # Cancel sends the officer to the late cancellation form, which says what it may cost.
    cancel = reverse("bookings:acting-booking-cancel", args=[person.pk, booking.uid])
    url = reverse("bookings:acting-booking-late-cancel", args=[person.pk, booking.uid])
    assert client_officer.get(cancel)["Location"] == url
    page = client_officer.get(url).content.decode()
    assert "charges queue" in page and "£" in page  # the cost notice (charging)

    missing = client_officer.post(url, {"reason": "illness"})
    assert "Choose how the delegate told you" in missing.content.decode()
    run_commits(lambda: client_officer.post(
        url, {"reported_by": "phone", "reason": "illness", "detail": "Flu"}))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.LATE_CANCELLED
    assert booking.late_cancellation_reported_by == ReportedBy.PHONE
    entry = _audit("booking.late_cancel", booking)
    _by_officer_for(entry, officer, person)
    assert entry.details["reported_by"] == "phone"
    # In the charges queue, waiting for a decision, as a delegate's own late cancellation is.
    charge = Charge.objects.get(booking=booking)
    assert charge.status == "pending"
    assert "Priya" in client_officer.get(reverse("charging:charge-list")).content.decode()
    assert [m for m in _to(person) if "cancel" in m.subject.lower()]


# Move ------------------------------------------------------------------------------------------

def test_officer_moves_a_place_to_another_date(client_officer, officer, person, course, event,
                                               run_commits):
    booking = _place(event, person)
    waiting = UserFactory()
    later = _event(course, 44, capacity=5)
    other_course = _event(CourseFactory(), 40)
    Event.objects.filter(pk=event.pk).update(capacity=1)  # full: someone waits for a place
    Booking.objects.create(event=event, delegate=waiting, organisation=waiting.organisation,
                           status=BookingStatus.WAITLISTED, waitlisted_at=timezone.now())
    url = reverse("bookings:acting-booking-move", args=[person.pk, booking.uid])
    page = client_officer.get(url).content.decode()
    assert "new calendar invitation" in page and "no charge" in page
    assert f'value="{later.pk}"' in page and f'value="{other_course.pk}"' not in page

    response = run_commits(lambda: client_officer.post(url, {"event": later.pk}))

    assert response.status_code == 302
    booking.refresh_from_db()
    new = booking.moved_to
    assert booking.status == BookingStatus.MOVED
    assert new.event == later and new.status == BookingStatus.BOOKED
    assert new.access_needs == "A hearing loop" and new.delegate == person
    event.refresh_from_db()
    later.refresh_from_db()
    assert later.places_taken == 1
    # The freed place went to the waiting list.
    assert Booking.objects.get(delegate=waiting).status == BookingStatus.OFFERED
    assert event.places_taken == 1
    _by_officer_for(_audit("booking.move", new), officer, person)
    # One email: the new invitation, and the old one withdrawn with a higher SEQUENCE.
    [message] = _to(person)
    calendars = _calendars(message)
    assert calendars["REQUEST"][0].startswith(f"booking-{new.uid}@")
    assert calendars["CANCEL"][0].startswith(f"booking-{booking.uid}@")
    assert calendars["CANCEL"][1] > 0
    # A move is not a cancellation: no charge.
    assert not Charge.objects.filter(booking=booking).exists()


def test_a_move_to_a_full_date_is_refused_and_nothing_changes(client_officer, person, course,
                                                              event):
    booking = _place(event, person)
    full = _event(course, 44, capacity=1)
    _place(full, UserFactory())
    url = reverse("bookings:acting-booking-move", args=[person.pk, booking.uid])

    response = client_officer.post(url, {"event": full.pk})

    assert response.status_code == 200
    assert "This event is full" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED and booking.moved_to is None
    assert not Booking.objects.filter(delegate=person, event=full).exists()
    assert Event.objects.get(pk=full.pk).places_taken == 1
    assert not AuditEntry.objects.filter(action="booking.move").exists()


def test_a_delegate_cannot_move_their_own_place(person, course, event):
    booking = _place(event, person)
    later = _event(course, 44)
    with pytest.raises(DomainError, match="Only the training team"):
        services.booking_move(booking=booking, to_event=later, by=person, now=timezone.now())


@pytest.mark.parametrize("outcome", ["moved", "substituted", "cancelled"])
def test_no_charge_for_a_move(outcome):
    settings = charging_policies.ChargeSettings.of(Partnership())
    for length in (charging_policies.FULL_DAY, charging_policies.HALF_DAY):
        assert charging_policies.charge_for(outcome=outcome, sector="private", length=length,
                                            settings=settings, notice_working_days=0) is None
    # ...whereas a late cancellation with the same notice is charged: the rule can fail.
    assert charging_policies.charge_for(outcome="late_cancelled", sector="private",
                                        length=charging_policies.FULL_DAY, settings=settings,
                                        notice_working_days=0) is not None


# Substitute -------------------------------------------------------------------------------------

def test_officer_offers_the_place_to_a_colleague(client_officer, officer, person, event,
                                                 run_commits):
    booking = _place(event, person)
    colleague = UserFactory(organisation=person.organisation)
    url = reverse("bookings:acting-booking-substitute", args=[person.pk, booking.uid])
    assert "Give Priya Shah’s place to a colleague" in client_officer.get(url).content.decode()

    response = run_commits(lambda: client_officer.post(url, {"to_email": colleague.email}))

    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action__startswith="booking.substitute",
                                      target_id=str(booking.pk)).latest("pk")
    _by_officer_for(entry, officer, person)
    assert [m for m in mail.outbox if colleague.email in m.to]


# Who may act --------------------------------------------------------------------------------------

def _urls(person, booking, event):
    return [
        reverse("bookings:acting-person", args=[person.pk]),
        reverse("bookings:acting-event-list", args=[person.pk]),
        reverse("bookings:acting-booking-create", args=[person.pk, event.pk]),
        reverse("bookings:acting-waitlist-join", args=[person.pk, event.pk]),
        reverse("bookings:acting-booking-cancel", args=[person.pk, booking.uid]),
        reverse("bookings:acting-booking-late-cancel", args=[person.pk, booking.uid]),
        reverse("bookings:acting-booking-move", args=[person.pk, booking.uid]),
        reverse("bookings:acting-booking-substitute", args=[person.pk, booking.uid]),
    ]


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.LOD_MEMBER, Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT])
def test_other_roles_are_refused(client, make_user, person, event, role):
    booking = _place(event, person)
    roles = (role,) if role == Role.DELEGATE else (Role.DELEGATE, role)
    client.force_login(make_user(*roles, organisation=person.organisation))
    for url in _urls(person, booking, event):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"event": event.pk}).status_code == 403, url
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_the_delegate_cannot_act_for_themself_here(client, person, event):
    booking = _place(event, person)
    client.force_login(person)
    for url in _urls(person, booking, event):
        assert client.get(url).status_code == 403, url


def test_a_booking_that_is_not_the_persons_is_not_found(client_officer, person, event):
    someone_else = _place(event, UserFactory())
    for name in ("bookings:acting-booking-cancel", "bookings:acting-booking-late-cancel",
                 "bookings:acting-booking-move", "bookings:acting-booking-substitute"):
        url = reverse(name, args=[person.pk, someone_else.uid])
        assert client_officer.get(url).status_code == 404, name
        assert client_officer.post(url, {}).status_code == 404, name
    someone_else.refresh_from_db()
    assert someone_else.status == BookingStatus.BOOKED


# Pages ------------------------------------------------------------------------------------------

def test_the_persons_actions_list_their_bookings_with_what_may_be_done(
        client_officer, person, course, event, django_assert_max_num_queries):
    _place(event, person)
    _place(_event(course, 2), person)  # too close: a late cancellation
    for n in range(15):
        _event(course, 50 + n)
    url = reverse("bookings:acting-person", args=[person.pk])
    with django_assert_max_num_queries(25):
        page = client_officer.get(url).content.decode()
    assert page.count(">Move<") == 2
    assert page.count(">Late cancellation<") == 1 and page.count(">Cancel<") == 1
    with django_assert_max_num_queries(25):
        events = client_officer.get(reverse("bookings:acting-event-list", args=[person.pk]),
                                    {"q": "Neglect"}).content.decode()
    assert events.count(">Book a place<") == 17
