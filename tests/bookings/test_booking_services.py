"""The booking services against the database: booking and its refusals, the waiting list and
its offers, cancelling in time and late, handing a place to a colleague, the line manager's
agreement. Emails are checked here for who gets what; their content and calendar files in
test_booking_emails.py."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import OrganisationRequest, Sector
from bookings import checks, services
from bookings.models import Booking, BookingStatus, Substitution
from core.audit import AuditEntry
from core.calendar import LONDON
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Completion, Event, EventStatus
from tests.factories import CourseFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def event(now):
    return EventFactory(start=now + timedelta(days=30), capacity=3)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and deliver what it queued after commit (the emails)."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def taken(event):
    return Event.objects.get(pk=event.pk).places_taken


def full_event(now, capacity=1):
    event = EventFactory(start=now + timedelta(days=30), capacity=capacity)
    for _ in range(capacity):
        services.booking_create(event=event, delegate=UserFactory(), now=now)
    return event


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


# Booking ---------------------------------------------------------------------------------------

def test_booking_takes_a_place_and_tells_the_delegate_and_line_manager(event, now, send):
    delegate = UserFactory(access_needs="Hearing loop, please")
    booking = send(services.booking_create, event=event, delegate=delegate,
                   access_needs="  Hearing loop  ", now=now)

    assert booking.status == BookingStatus.BOOKED and booking.booked_at == now
    assert booking.organisation == delegate.organisation  # who pays, at the time of booking
    assert booking.access_needs == "Hearing loop"
    assert taken(event) == 1
    assert AuditEntry.objects.filter(action="booking.create", target_id=str(booking.pk),
                                     actor=delegate).exists()
    [confirmation] = mails_to(delegate.email)
    assert confirmation.subject.startswith("Booking confirmed: ")
    assert confirmation.attachments[0][0] == "invite.ics"
    [notice] = mails_to(delegate.line_manager_email)
    assert delegate.get_full_name() in notice.subject


def test_a_full_event_refuses_with_event_full_and_saves_nothing(now):
    event = full_event(now, capacity=2)
    latecomer = UserFactory()
    with pytest.raises(services.EventFull) as refused:
        services.booking_create(event=event, delegate=latecomer, now=now)
    assert isinstance(refused.value, DomainError)
    assert "waiting list" in refused.value.message
    assert not Booking.objects.filter(delegate=latecomer).exists()
    assert taken(event) == 2


def test_the_database_constraint_is_the_backstop(now, monkeypatch):
    """Were the rules ever to let a booking through on a full event, the CHECK constraint
    refuses the count and the booking is rolled back with it."""
    event = full_event(now, capacity=1)
    monkeypatch.setattr(services.booking, "booking_refusal_for", lambda **kwargs: None)
    latecomer = UserFactory()
    with pytest.raises(services.EventFull):
        services.booking_create(event=event, delegate=latecomer, now=now)
    assert not Booking.objects.filter(delegate=latecomer).exists()
    assert taken(event) == 1


@pytest.mark.parametrize("change, words", [
    (dict(status=EventStatus.CANCELLED), "cancelled"),
    (dict(start_days=-1), "already started"),
], ids=["cancelled-event", "past-event"])
def test_closed_events_cannot_be_booked(now, change, words):
    days = change.get("start_days", 10)
    event = EventFactory(start=now + timedelta(days=days),
                         status=change.get("status", EventStatus.SCHEDULED))
    with pytest.raises(DomainError, match=words):
        services.booking_create(event=event, delegate=UserFactory(), now=now)
    assert not Booking.objects.filter(event=event).exists()


def test_one_place_per_delegate(event, now):
    delegate = UserFactory()
    services.booking_create(event=event, delegate=delegate, now=now)
    with pytest.raises(DomainError, match="already have a place"):
        services.booking_create(event=event, delegate=delegate, now=now)
    assert taken(event) == 1


def test_an_incomplete_profile_is_refused_with_what_is_missing(event, now):
    delegate = UserFactory(job_title="", line_manager_email="")
    with pytest.raises(DomainError, match="your job title and your line manager") as refused:
        services.booking_create(event=event, delegate=delegate, now=now)
    assert refused.value.code == "profile"


def test_an_organisation_waiting_for_approval_is_not_enough(event, now):
    delegate = UserFactory(organisation=None)
    OrganisationRequest.objects.create(name="Little Acorns", sector=Sector.PRIVATE,
                                       requested_by=delegate)
    with pytest.raises(DomainError, match="approved by the training team"):
        services.booking_create(event=event, delegate=delegate, now=now)


def test_a_missing_prerequisite_is_refused(now):
    module = CourseFactory(title="Child exploitation e-learning", format="e_learning")
    course = CourseFactory(title="Level 3 exploitation")
    course.prerequisites.add(module)
    event = EventFactory(course=course, start=now + timedelta(days=20))
    delegate = UserFactory()
    with pytest.raises(DomainError, match="Child exploitation e-learning"):
        services.booking_create(event=event, delegate=delegate, now=now)
    Completion.objects.create(user=delegate, course=module, completed_on=now.date(),
                              source=Completion.Source.E_LEARNING)
    assert services.booking_create(event=event, delegate=delegate, now=now).status == "booked"


@pytest.fixture
def overdue_invoice_check():
    """A stand-in for the charging app's check: refuses delegates of one organisation."""
    blocked = OrganisationFactory(name="Unpaid Care Ltd", sector=Sector.PRIVATE)
    calls = []

    def check(*, delegate, event, now):
        calls.append((delegate.pk, event.pk, now))
        if delegate.organisation_id == blocked.pk:
            return "Unpaid Care Ltd has an invoice unpaid for over a month: contact the team."
        return None

    checks.register_booking_check(check)
    yield blocked, calls
    checks.unregister_booking_check(check)


def test_a_registered_booking_check_refuses_with_its_reason(event, now, overdue_invoice_check):
    blocked, calls = overdue_invoice_check
    refused_delegate, other = UserFactory(organisation=blocked), UserFactory()
    with pytest.raises(DomainError, match="invoice unpaid") as refused:
        services.booking_create(event=event, delegate=refused_delegate, now=now)
    assert refused.value.code == "refused"
    assert (refused_delegate.pk, event.pk, now) in calls
    assert services.booking_create(event=event, delegate=other, now=now).status == "booked"
    assert checks.booking_refusals(delegate=refused_delegate, event=event, now=now) == [
        "Unpaid Care Ltd has an invoice unpaid for over a month: contact the team."]


# Line manager approval ------------------------------------------------------------------------

@pytest.fixture
def approval_required(db):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    return partnership


def test_with_approval_required_the_place_is_held_until_the_line_manager_agrees(
        event, now, send, approval_required):
    delegate = UserFactory()
    booking = send(services.booking_create, event=event, delegate=delegate, now=now)
    assert booking.status == BookingStatus.PENDING_APPROVAL
    assert taken(event) == 1  # the place is held
    [request] = mails_to(delegate.line_manager_email)
    assert "/bookings/approval/" in request.body
    [pending] = mails_to(delegate.email)
    assert not pending.attachments  # no invitation before the place is confirmed

    mail.outbox.clear()
    agreed = send(services.line_manager_decide, booking=booking, approve=True, now=now)
    assert agreed.status == BookingStatus.BOOKED and agreed.approved_at == now
    [confirmation] = mails_to(delegate.email)
    assert confirmation.subject.startswith("Booking confirmed")
    assert not mails_to(delegate.line_manager_email)  # they have just agreed
    with pytest.raises(DomainError, match="already been decided"):
        services.line_manager_decide(booking=booking, approve=False, now=now)


def test_a_line_manager_who_declines_frees_the_place_for_the_waiting_list(
        now, send, approval_required):
    event = EventFactory(start=now + timedelta(days=30), capacity=1)
    delegate, waiting = UserFactory(), UserFactory()
    booking = services.booking_create(event=event, delegate=delegate, now=now)
    queued = services.waitlist_join(event=event, delegate=waiting, now=now)

    declined = send(services.line_manager_decide, booking=booking, approve=False, now=now)

    assert declined.status == BookingStatus.NOT_APPROVED
    queued.refresh_from_db()
    assert queued.status == BookingStatus.OFFERED
    assert taken(event) == 1  # now held by the offer
    assert "did not agree" in mails_to(delegate.email)[0].subject


def test_withdrawing_a_place_still_waiting_for_approval_is_free_even_late(
        now, approval_required):
    event = EventFactory(start=now + timedelta(days=1), capacity=2)
    # Booked in time for the line manager to agree; withdrawn the day before the event.
    booking = services.booking_create(event=event, delegate=UserFactory(),
                                      now=now - timedelta(days=14))
    cancelled = services.booking_cancel(booking=booking, by=booking.delegate, now=now)
    assert cancelled.status == BookingStatus.CANCELLED and taken(event) == 0


# The waiting list and its offers ---------------------------------------------------------------

def test_the_waiting_list_is_for_full_events_only(event, now):
    with pytest.raises(DomainError, match="book one instead"):
        services.waitlist_join(event=event, delegate=UserFactory(), now=now)


def test_joining_and_leaving_the_waiting_list(now, send):
    event = full_event(now)
    delegate = UserFactory()
    booking = send(services.waitlist_join, event=event, delegate=delegate, now=now)
    assert booking.status == BookingStatus.WAITLISTED and booking.waitlisted_at == now
    assert taken(event) == 1  # a waiting-list entry holds no place
    assert "waiting list" in mails_to(delegate.email)[0].subject
    with pytest.raises(DomainError, match="already on the waiting list"):
        services.waitlist_join(event=event, delegate=delegate, now=now)

    left = services.waitlist_leave(booking=booking, by=delegate, now=now)
    assert left.status == BookingStatus.LEFT_WAITING_LIST
    # Leaving ends the entry: joining again goes to the end of the list.
    again = services.waitlist_join(event=event, delegate=delegate, now=now + timedelta(hours=1))
    assert again.pk != booking.pk


def test_a_freed_place_is_offered_first_come_first_served(now, send):
    event = full_event(now)
    holder = Booking.objects.get(event=event)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    at = now - timedelta(hours=3)
    # Joined in the order second, first (same moment, lower id wins), third.
    b_second = services.waitlist_join(event=event, delegate=second, now=at)
    b_first = services.waitlist_join(event=event, delegate=first, now=at)
    b_third = services.waitlist_join(event=event, delegate=third, now=at + timedelta(minutes=1))
    Booking.objects.filter(pk=b_first.pk).update(waitlisted_at=at - timedelta(minutes=1))
    mail.outbox.clear()

    send(services.booking_cancel, booking=holder, by=holder.delegate, now=now)

    statuses = dict(Booking.objects.filter(pk__in=[b_first.pk, b_second.pk, b_third.pk])
                    .values_list("delegate_id", "status"))
    assert statuses == {first.pk: "offered", second.pk: "waitlisted", third.pk: "waitlisted"}
    offered = Booking.objects.get(pk=b_first.pk)
    hours = Partnership.load().waiting_list_offer_hours
    assert offered.offer_expires_at == now + timedelta(hours=hours)
    assert taken(event) == 1  # the offer holds the place
    [offer] = mails_to(first.email)
    assert f"/bookings/{offered.uid}/offer/" in offer.body
    assert not mails_to(second.email) and not mails_to(third.email)


def test_accepting_an_offer_books_the_place(now, send):
    event = full_event(now)
    holder = Booking.objects.get(event=event)
    queued = services.waitlist_join(event=event, delegate=UserFactory(), now=now)
    services.booking_cancel(booking=holder, by=holder.delegate, now=now)
    mail.outbox.clear()

    accepted = send(services.offer_accept, booking=queued, by=queued.delegate,
                    now=now + timedelta(hours=47))
    assert accepted.status == BookingStatus.BOOKED
    assert taken(event) == 1
    assert mails_to(queued.delegate.email)[0].subject.startswith("Booking confirmed")


def test_an_expired_offer_cannot_be_accepted(now):
    event = full_event(now)
    holder = Booking.objects.get(event=event)
    queued = services.waitlist_join(event=event, delegate=UserFactory(), now=now)
    services.booking_cancel(booking=holder, by=holder.delegate, now=now)
    with pytest.raises(DomainError, match="expired"):
        services.offer_accept(booking=queued, by=queued.delegate, now=now + timedelta(hours=48))
    assert Booking.objects.get(pk=queued.pk).status == BookingStatus.OFFERED  # until the sweep


def test_declining_passes_the_place_to_the_next(now):
    event = full_event(now)
    holder = Booking.objects.get(event=event)
    first = services.waitlist_join(event=event, delegate=UserFactory(), now=now)
    second = services.waitlist_join(event=event, delegate=UserFactory(),
                                    now=now + timedelta(minutes=5))
    services.booking_cancel(booking=holder, by=holder.delegate, now=now)

    services.offer_decline(booking=first, by=first.delegate, now=now)

    assert Booking.objects.get(pk=first.pk).status == BookingStatus.OFFER_DECLINED
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.OFFERED
    assert taken(event) == 1


def test_the_sweep_expires_offers_once_and_offers_on(now, send):
    event = full_event(now)
    holder = Booking.objects.get(event=event)
    first = services.waitlist_join(event=event, delegate=UserFactory(), now=now)
    second = services.waitlist_join(event=event, delegate=UserFactory(),
                                    now=now + timedelta(minutes=5))
    services.booking_cancel(booking=holder, by=holder.delegate, now=now)
    mail.outbox.clear()

    assert send(services.offers_expire, now=now + timedelta(hours=47)) == 0  # not yet
    later = now + timedelta(hours=48, minutes=1)
    assert send(services.offers_expire, now=later) == 1
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.OFFER_EXPIRED
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.OFFERED
    assert taken(event) == 1
    assert "passed on" in mails_to(first.delegate.email)[0].subject
    assert len(mails_to(second.delegate.email)) == 1

    sent = len(mail.outbox)
    assert send(services.offers_expire, now=later) == 0  # running it again changes nothing
    assert len(mail.outbox) == sent


def test_the_sweep_offers_places_an_officer_added(now):
    event = full_event(now)
    queued = services.waitlist_join(event=event, delegate=UserFactory(), now=now)
    Event.objects.filter(pk=event.pk).update(capacity=2)
    services.offers_expire(now=now)
    assert Booking.objects.get(pk=queued.pk).status == BookingStatus.OFFERED


# Cancelling ------------------------------------------------------------------------------------

@pytest.fixture
def christmas_booking(db):
    """DOMAIN.md's example: an event on Tuesday 29 December 2026, booked in November."""
    event = EventFactory(start=london(2026, 12, 29, 9, 30), capacity=1)
    booking = services.booking_create(event=event, delegate=UserFactory(),
                                      now=london(2026, 11, 2, 10, 0))
    return booking


def test_cancelling_in_time_is_free_and_offers_the_place(christmas_booking, send):
    booking = christmas_booking
    queued = services.waitlist_join(event=booking.event, delegate=UserFactory(),
                                    now=london(2026, 11, 3, 10, 0))
    mail.outbox.clear()

    cancelled = send(services.booking_cancel, booking=booking, by=booking.delegate,
                     now=london(2026, 12, 18, 16, 0))

    assert cancelled.status == BookingStatus.CANCELLED
    assert cancelled.notice_working_days == 5
    assert cancelled.ics_sequence == 1
    assert Booking.objects.get(pk=queued.pk).status == BookingStatus.OFFERED
    assert taken(booking.event) == 1
    delegate = booking.delegate
    assert mails_to(delegate.email)[0].subject.startswith("Place cancelled")
    assert mails_to(delegate.line_manager_email)


def test_cancelling_late_needs_a_reason(christmas_booking):
    booking = christmas_booking
    with pytest.raises(services.LateCancellationRequired) as late:
        services.booking_cancel(booking=booking, by=booking.delegate,
                                now=london(2026, 12, 21, 9, 0))
    assert late.value.notice.working_days == 4
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    assert taken(booking.event) == 1


def test_a_late_cancellation_frees_the_place_and_records_the_notice(christmas_booking, send):
    booking = christmas_booking
    queued = services.waitlist_join(event=booking.event, delegate=UserFactory(),
                                    now=london(2026, 11, 3, 10, 0))
    with pytest.raises(DomainError, match="Explain why"):
        services.late_cancellation_request(booking=booking, by=booking.delegate, reason="other",
                                           detail=" ", now=london(2026, 12, 21, 9, 0))
    mail.outbox.clear()

    late = send(services.late_cancellation_request, booking=booking, by=booking.delegate,
                reason="illness", detail="", now=london(2026, 12, 21, 9, 0))

    assert late.status == BookingStatus.LATE_CANCELLED
    assert (late.notice_working_days, late.late_cancellation_reason) == (4, "illness")
    assert late.late_cancellation_reviewed_at is None  # waiting for the L&D officer
    assert Booking.objects.get(pk=queued.pk).status == BookingStatus.OFFERED
    assert mails_to(booking.delegate.email)[0].subject.startswith("Late cancellation received")
    assert "late cancellation" in mails_to(booking.delegate.line_manager_email)[0].body


def test_a_late_cancellation_is_refused_with_enough_notice(christmas_booking):
    with pytest.raises(DomainError, match="Cancel the place instead"):
        services.late_cancellation_request(
            booking=christmas_booking, by=christmas_booking.delegate, reason="illness",
            detail="", now=london(2026, 12, 18, 9, 0))


def test_a_past_event_cannot_be_cancelled(christmas_booking):
    for service, extra in ((services.booking_cancel, {}),
                           (services.late_cancellation_request,
                            {"reason": "illness", "detail": ""})):
        with pytest.raises(DomainError, match="already started"):
            service(booking=christmas_booking, by=christmas_booking.delegate,
                    now=london(2026, 12, 29, 10, 0), **extra)
    assert Booking.objects.get(pk=christmas_booking.pk).status == BookingStatus.BOOKED


def test_the_officer_reviews_a_late_cancellation_as_its_charge_decision(christmas_booking,
                                                                       make_user):
    """The review is the charge decision, in one place: the charging app's (charge_decide)."""
    from accounts.roles import Role
    from charging.models import Charge
    from charging.services.charges import charge_decide

    booking = christmas_booking
    services.late_cancellation_request(booking=booking, by=booking.delegate, reason="other",
                                       detail="Court hearing", now=london(2026, 12, 22, 9, 0))
    charge = Charge.objects.get(booking=booking)
    assert charge.status == "pending"
    with pytest.raises(DomainError, match="training team"):
        charge_decide(charge=charge, by=booking.delegate, apply=False,
                      waiver_reason="service_users", now=timezone.now())
    officer = make_user(Role.OFFICER)
    decided = charge_decide(charge=charge, by=officer, apply=False, waiver_reason="service_users",
                            note="Court attendance for a service user",
                            now=london(2026, 12, 23, 9, 0))
    assert (decided.status, decided.decided_by) == ("waived", officer)


def test_someone_else_cannot_cancel_a_booking(event, now):
    booking = services.booking_create(event=event, delegate=UserFactory(), now=now)
    with pytest.raises(DomainError, match="not your booking"):
        services.booking_cancel(booking=booking, by=UserFactory(), now=now)


# Substitution ----------------------------------------------------------------------------------

def test_a_colleague_with_an_account_takes_the_place_when_they_accept(now, send):
    event = full_event(now)
    booking = Booking.objects.get(event=event)
    original = booking.delegate
    queued = services.waitlist_join(event=event, delegate=UserFactory(), now=now)
    colleague = UserFactory(organisation=original.organisation, access_needs="Step-free")

    substitution = send(services.booking_substitute, booking=booking, by=original,
                        to_email=colleague.email.upper(), now=now)
    assert Booking.objects.get(pk=booking.pk).delegate == original  # until they accept
    mail.outbox.clear()
    send(services.substitution_accept, substitution=substitution, user=colleague, now=now)
    substitution.refresh_from_db()

    booking.refresh_from_db()
    assert booking.delegate == colleague and booking.access_needs == "Step-free"
    assert (substitution.from_delegate, substitution.to_delegate, substitution.by) == (
        original, colleague, original)
    assert substitution.accepted_at == now
    # A substitution does not free a place: the waiting list is not offered one.
    assert taken(event) == 1
    assert Booking.objects.get(pk=queued.pk).status == BookingStatus.WAITLISTED
    assert mails_to(original.email)[0].subject.startswith("Your place has passed to")
    assert mails_to(colleague.email)[0].subject.startswith("You have a place")


def test_a_colleague_from_another_organisation_is_refused(event, now):
    booking = services.booking_create(event=event, delegate=UserFactory(), now=now)
    stranger = UserFactory()  # another organisation
    with pytest.raises(DomainError, match="same organisation") as refused:
        services.booking_substitute(booking=booking, by=booking.delegate,
                                    to_email=stranger.email, now=now)
    assert refused.value.field == "to_email"
    assert Booking.objects.get(pk=booking.pk).delegate == booking.delegate
    assert not Substitution.objects.exists()


def test_a_colleague_already_booked_is_refused(event, now):
    booking = services.booking_create(event=event, delegate=UserFactory(), now=now)
    colleague = UserFactory(organisation=booking.delegate.organisation)
    services.booking_create(event=event, delegate=colleague, now=now)
    with pytest.raises(DomainError, match="already has a place"):
        services.booking_substitute(booking=booking, by=booking.delegate,
                                    to_email=colleague.email, now=now)


def test_a_colleague_without_an_account_is_invited_and_takes_it_after_registering(
        event, now, send):
    booking = services.booking_create(event=event, delegate=UserFactory(), now=now)
    original = booking.delegate
    mail.outbox.clear()

    invitation = send(services.booking_substitute, booking=booking, by=original,
                      to_email="new.starter@council.example", now=now)

    assert invitation.accepted_at is None and invitation.to_delegate is None
    assert Booking.objects.get(pk=booking.pk).delegate == original  # until they accept
    [invite] = mails_to("new.starter@council.example")
    assert "/bookings/substitution/" in invite.body and "/accounts/signup/" in invite.body
    assert mails_to(original.email)

    someone_else = UserFactory(organisation=original.organisation)
    with pytest.raises(DomainError, match="sign in with that address"):
        services.substitution_accept(substitution=invitation, user=someone_else, now=now)

    newcomer = UserFactory(email="new.starter@council.example",
                           organisation=original.organisation)
    send(services.substitution_accept, substitution=invitation, user=newcomer, now=now)
    booking.refresh_from_db()
    assert booking.delegate == newcomer and taken(event) == 1
    invitation.refresh_from_db()
    assert invitation.to_delegate == newcomer and invitation.accepted_at == now
    with pytest.raises(DomainError, match="already been accepted"):
        services.substitution_accept(substitution=invitation, user=newcomer, now=now)


def test_an_invitation_lapses_when_the_place_is_cancelled(event, now):
    booking = services.booking_create(event=event, delegate=UserFactory(), now=now)
    invitation = services.booking_substitute(booking=booking, by=booking.delegate,
                                             to_email="late@council.example", now=now)
    services.booking_cancel(booking=booking, by=booking.delegate, now=now)
    newcomer = UserFactory(email="late@council.example",
                           organisation=booking.delegate.organisation)
    with pytest.raises(DomainError, match="lapsed"):
        services.substitution_accept(substitution=invitation, user=newcomer, now=now)
    assert not Booking.objects.filter(delegate=newcomer).exists()


@pytest.mark.django_db
def test_places_an_officer_adds_are_offered_to_the_waiting_list_at_once(
        make_user, django_capture_on_commit_callbacks, mailoutbox):
    """Adding places is like freeing them: the head of the waiting list is offered one."""
    from accounts.roles import Role
    from courses import services as course_services

    officer = make_user(Role.OFFICER)
    event = EventFactory(capacity=1, joining_link="https://teams.example/meet/1")
    first = services.booking_create(event=event, delegate=UserFactory(), now=timezone.now())
    waiting = services.waitlist_join(event=event, delegate=UserFactory(), now=timezone.now())
    assert first.status == BookingStatus.BOOKED and waiting.status == BookingStatus.WAITLISTED
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        course_services.event_update(
            event=event, by=officer, start=event.start, end=event.end, venue=event.venue,
            joining_link=event.joining_link, capacity=2, facilitators=[])
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    assert [m.to for m in mailoutbox] == [[waiting.delegate.email]]
