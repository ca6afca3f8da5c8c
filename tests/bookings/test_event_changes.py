"""Issue 11, "event changes reach people": an officer changes an event's start, end, venue or
joining link; each booked delegate gets an email saying what changed with an updated calendar
invitation (same UID, higher SEQUENCE), those with an offer or waiting for approval are told,
the facilitators too, the waiting list only if they asked; a move of more than the set minutes
or onto another day lets booked delegates cancel free whatever the notice."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from accounts.roles import Role
from bookings import policies, services
from bookings.models import Booking, BookingStatus
from charging.models import Charge
from core.calendar import LONDON, add_working_days
from core.models import Partnership
from courses import services as course_services
from courses.event_changes import event_change_audience
from courses.models import Format, TrainingPoolMembership
from tests.factories import (
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def _ics(message):
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            cal = Calendar.from_ical(content)
            return cal, cal.walk("VEVENT")[0]
    return None, None


def _to(address, *, subject=""):
    return [m for m in mail.outbox if address in m.to and subject in m.subject]


def change(event, *, by, now=None, **overrides):
    """Save the event through the officer's service, as the form does, with some values
    changed."""
    values = {"start": event.start, "end": event.end, "venue": event.venue,
              "joining_link": event.joining_link, "capacity": event.capacity,
              "facilitators": list(event.facilitators.all()), "officer": event.officer,
              "prep_meeting_at": event.prep_meeting_at,
              "notes_for_delegates": event.notes_for_delegates}
    values.update(overrides)
    return course_services.event_update(event=event, by=by, now=now, **values)


@pytest.fixture
def world(make_user, django_capture_on_commit_callbacks):
    now = timezone.now()
    officer = make_user(Role.OFFICER)
    facilitator = UserFactory(email="changes.facilitator@example.org")
    organisation = OrganisationFactory(name="Dudley MBC")
    course = CourseFactory(format=Format.VIRTUAL, title="Working Together")
    TrainingPoolMembership.objects.create(course=course, facilitator=facilitator)
    start = (now + timedelta(days=40)).astimezone(LONDON).replace(hour=9, minute=30, second=0,
                                                                  microsecond=0)
    event = EventFactory(course=course, capacity=2, start=start, end=start + timedelta(hours=7),
                         joining_link="https://teams.example/meet/abc",
                         facilitators=[facilitator])
    people = [UserFactory(organisation=organisation, email=f"changes{i}@example.org")
              for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        booked = [services.booking_create(event=event, delegate=p, now=now) for p in people[:2]]
        asked = services.waitlist_join(event=event, delegate=people[2], now=now,
                                       wants_change_emails=True)
        silent = services.waitlist_join(event=event, delegate=people[3], now=now)
    event.refresh_from_db()
    mail.outbox.clear()
    return {"now": now, "officer": officer, "facilitator": facilitator, "event": event,
            "booked": booked, "asked": asked, "silent": silent, "people": people}


def test_a_new_start_time_emails_each_booked_delegate_the_same_uid_and_a_higher_sequence(world):
    event, officer = world["event"], world["officer"]
    before = {}
    for b in world["booked"]:
        confirmed = _to(b.delegate.email)  # nothing left after clear: re-read the booking
        assert confirmed == []
        before[b.pk] = b.ics_sequence
    change(event, by=officer, start=event.start + timedelta(minutes=30),
           end=event.end + timedelta(minutes=30))

    for b in world["booked"]:
        emails = _to(b.delegate.email, subject="Changed")
        assert len(emails) == 1
        message = emails[0]
        assert "10am" in message.body and "9:30am" in message.body  # old -> new, GOV.UK style
        cal, vevent = _ics(message)
        assert str(cal["METHOD"]) == "REQUEST"
        b.refresh_from_db()
        assert str(vevent["UID"]).startswith(f"booking-{b.uid}@")
        assert int(vevent["SEQUENCE"]) == before[b.pk] + 1 == b.ics_sequence
        assert vevent.decoded("DTSTART") == event.start + timedelta(minutes=30)
    # The facilitator is told; the waiting list only if they asked.
    assert len(_to(world["facilitator"].email, subject="Changed")) == 1
    assert len(_to(world["asked"].delegate.email, subject="Changed")) == 1
    assert _to(world["silent"].delegate.email) == []
    # 30 minutes is not a move: cancelling keeps its usual notice rule.
    assert not Booking.objects.filter(event=event).exclude(free_cancellation_reason="").exists()


def test_the_invitation_from_the_first_booking_email_and_the_change_share_the_uid(
        make_user, django_capture_on_commit_callbacks):
    now = timezone.now()
    officer = make_user(Role.OFFICER)
    event = EventFactory(course=CourseFactory(format=Format.VIRTUAL),
                         joining_link="https://teams.example/meet/abc")
    person = UserFactory(organisation=OrganisationFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(event=event, delegate=person, now=now)
    _, first = _ics(_to(person.email, subject="Booking confirmed")[0])
    event.refresh_from_db()
    change(event, by=officer, start=event.start + timedelta(days=1),
           end=event.end + timedelta(days=1))
    _, second = _ics(_to(person.email, subject="Changed")[0])
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])


def test_saving_again_without_a_change_sends_nothing_and_a_second_change_sends_again(world):
    event, officer = world["event"], world["officer"]
    person = world["booked"][0].delegate.email
    change(event, by=officer, start=event.start + timedelta(minutes=15))
    assert len(_to(person, subject="Changed")) == 1
    event.refresh_from_db()
    change(event, by=officer)  # the same values: nothing changed, nobody told
    change(event, by=officer, notes_for_delegates="Bring a pen")  # not a told field
    assert len(_to(person, subject="Changed")) == 1
    event.refresh_from_db()
    change(event, by=officer, joining_link="https://teams.example/meet/new")
    emails = _to(person, subject="Changed")
    assert len(emails) == 2
    assert "https://teams.example/meet/new" in emails[1].body
    _, vevent = _ics(emails[1])
    assert int(vevent["SEQUENCE"]) == 2
    # The waiting list is never sent the link itself.
    asked = _to(world["asked"].delegate.email, subject="Changed")
    assert len(asked) == 2 and "meet/new" not in asked[1].body


def test_a_new_venue_is_told_old_to_new(make_user, django_capture_on_commit_callbacks):
    now = timezone.now()
    officer = make_user(Role.OFFICER)
    old, new = VenueFactory(name="Council House"), VenueFactory(name="Saltwells Centre")
    event = EventFactory(course=CourseFactory(format=Format.CLASSROOM), venue=old)
    person = UserFactory(organisation=OrganisationFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_create(event=event, delegate=person, now=now)
    event.refresh_from_db()
    change(event, by=officer, venue=new)
    message = _to(person, subject="Changed") or _to(person.email, subject="Changed")
    assert len(message) == 1
    assert "Council House" in message[0].body and "Saltwells Centre" in message[0].body
    _, vevent = _ics(message[0])
    assert "Saltwells Centre" in str(vevent["LOCATION"])


def test_offers_and_places_waiting_for_approval_are_told_without_an_invitation(
        world, django_capture_on_commit_callbacks):
    event, now = world["event"], world["now"]
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=world["booked"][0], by=world["booked"][0].delegate,
                                now=now)
    offered = Booking.objects.get(pk=world["asked"].pk)
    assert offered.status == BookingStatus.OFFERED
    event.refresh_from_db()
    mail.outbox.clear()
    change(event, by=world["officer"], start=event.start + timedelta(minutes=10))
    emails = _to(offered.delegate.email, subject="Changed")
    assert len(emails) == 1
    assert _ics(emails[0]) == (None, None)


@pytest.mark.parametrize("minutes, moved", [(60, False), (61, True), (-61, True)],
                         ids=["exactly the threshold", "one minute more", "one minute earlier"])
def test_a_move_beyond_the_threshold_lets_booked_delegates_cancel_free(world, minutes, moved):
    event = world["event"]
    assert Partnership.load().event_change_free_cancellation_minutes == 60
    change(event, by=world["officer"], start=event.start + timedelta(minutes=minutes),
           end=event.end + timedelta(minutes=minutes))
    for b in world["booked"]:
        b.refresh_from_db()
        assert bool(b.free_cancellation_reason) is moved
    waiting = Booking.objects.get(pk=world["asked"].pk)
    assert waiting.free_cancellation_reason == ""  # nothing to cancel free on a waiting list


def test_the_policy_moves_onto_another_day_even_by_minutes():
    late = datetime(2026, 12, 8, 23, 30, tzinfo=LONDON)
    assert policies.event_move_free_cancellation(
        old_start=late, old_end=late + timedelta(minutes=20),
        new_start=late + timedelta(minutes=40), new_end=late + timedelta(minutes=60),
        minutes=60)
    assert policies.event_move_free_cancellation(
        old_start=late, old_end=late + timedelta(minutes=20),
        new_start=late + timedelta(minutes=20), new_end=late + timedelta(minutes=40),
        minutes=60) == ""


def _late_now(event):
    """A moment with fewer than 5 working days' notice before the event."""
    day = event.start.astimezone(LONDON).date() - timedelta(days=2)
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)


def test_after_a_move_onto_another_day_cancelling_late_is_free_and_never_charged(
        world, django_capture_on_commit_callbacks):
    event = world["event"]
    new_start = event.start + timedelta(days=1)
    change(event, by=world["officer"], start=new_start, end=new_start + timedelta(hours=7))
    event.refresh_from_db()
    booking = Booking.objects.get(pk=world["booked"][0].pk)
    assert "another" not in booking.free_cancellation_reason  # says from and to, in words
    assert event.start.astimezone(LONDON).strftime("%B") in booking.free_cancellation_reason
    now = _late_now(event)
    notice = services.cancellation_notice_for(booking=booking, now=now)
    assert notice.in_time and "because the event moved" in notice.reason
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.booking_cancel(booking=booking, by=booking.delegate, now=now)
    assert cancelled.status == BookingStatus.CANCELLED
    assert not Charge.objects.filter(booking_id=booking.pk).exists()


def test_without_a_move_a_late_cancellation_is_still_late(world):
    event = world["event"]
    change(event, by=world["officer"], start=event.start + timedelta(minutes=30))
    event.refresh_from_db()
    booking = Booking.objects.get(pk=world["booked"][0].pk)
    with pytest.raises(services.LateCancellationRequired):
        services.booking_cancel(booking=booking, by=booking.delegate, now=_late_now(event))


def test_the_booking_page_says_the_delegate_can_cancel_free(world, client):
    event = world["event"]
    change(event, by=world["officer"], start=event.start + timedelta(days=2),
           end=event.end + timedelta(days=2))
    booking = world["booked"][0]
    client.force_login(booking.delegate)
    page = client.get(f"/bookings/{booking.uid}/").content.decode()
    assert "You can cancel free because the event moved" in page
    page = client.get(f"/courses/events/{event.pk}/").content.decode()
    assert "You can cancel free because the event moved" in page


def test_the_charging_policy_does_not_charge_a_late_cancellation_after_a_move():
    from charging import policies as charging_policies
    from charging.services.charges import charge_settings

    settings = charge_settings()
    assert charging_policies.charge_for(
        outcome="late_cancelled", sector="private", length="full_day", settings=settings,
        notice_working_days=1) is not None
    assert charging_policies.charge_for(
        outcome="late_cancelled", sector="private", length="full_day", settings=settings,
        notice_working_days=1, free_cancellation_reason="The event moved.") is None
    preview = charging_policies.cancellation_cost_preview(
        notice_working_days=1, length="full_day", settings=settings,
        free_cancellation_reason="The event moved from A to B.")
    assert preview.in_time and preview.amount == 0


def test_a_new_day_sends_the_reminder_again_for_the_new_date(world):
    event = world["event"]
    booking = world["booked"][0]
    Booking.objects.filter(pk=booking.pk).update(reminder_sent_at=world["now"],
                                                 joining_link_sent_at=world["now"])
    change(event, by=world["officer"], start=event.start + timedelta(days=7),
           end=event.end + timedelta(days=7))
    booking.refresh_from_db()
    assert booking.reminder_sent_at is None and booking.joining_link_sent_at is None
    event.refresh_from_db()
    sweep_at = event.start - timedelta(days=2)
    mail.outbox.clear()
    services.event_reminders_send(now=sweep_at)
    assert _to(booking.delegate.email)
    assert len(_to(booking.delegate.email, subject="Reminder: ")) == 1  # for the new date


def test_the_form_audience_counts_who_will_be_told(world):
    rows = {a.key: a for a in event_change_audience(event=world["event"])}
    assert rows["delegates"].count == 2
    assert rows["delegates"].words == "2 delegates with a place or an offer"
    assert rows["waiting_list"].count == 1


def test_add_working_days_is_used_for_late_now():  # guard for the helper above
    assert add_working_days(datetime(2026, 12, 18).date(), 1).day == 21
