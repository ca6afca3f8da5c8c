"""The rules of the programme: pure policies at their boundaries (no database), then the
services that apply them (places, the Training Pool, duplicating and cancelling events)."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from bookings.models import Booking, BookingStatus
from core.calendar import LONDON
from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from courses import policies, services
from courses.models import Event, EventStatus, Format, TrainingPoolMembership
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    UserFactory,
    VenueFactory,
)

PARTNERSHIP = SimpleNamespace(capacity_virtual=30, capacity_conference=250)
T0 = datetime(2027, 3, 17, 9, 30, tzinfo=LONDON)


# Policies ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "end, refused",
    [(T0 - timedelta(minutes=1), True), (T0, True), (T0 + timedelta(minutes=1), False)],
    ids=["ends-before-it-starts", "ends-when-it-starts", "ends-a-minute-later"],
)
def test_an_event_must_end_after_it_starts(end, refused):
    problem = policies.event_times_problem(start=T0, end=end)
    assert bool(problem) is refused
    if refused:
        assert problem.startswith("The event must end after it starts")


@pytest.mark.parametrize(
    "course_format, venue_capacity, capacity, refused",
    [
        (Format.VIRTUAL, None, 30, False),
        (Format.VIRTUAL, None, 31, True),
        (Format.CONFERENCE, None, 250, False),
        (Format.CONFERENCE, None, 251, True),
        (Format.CONFERENCE, 120, 121, True),
        (Format.CLASSROOM, 24, 24, False),
        (Format.CLASSROOM, 24, 25, True),
        (Format.VIRTUAL, None, 0, True),
    ],
    ids=["virtual-30", "virtual-31", "conference-250", "conference-251",
         "conference-bigger-than-its-room", "classroom-fills-its-room",
         "classroom-one-more-than-its-room", "no-places"],
)
def test_places_on_an_event(course_format, venue_capacity, capacity, refused):
    venue = (SimpleNamespace(name="Dudley Council House", capacity=venue_capacity)
             if venue_capacity else None)
    rule = policies.event_capacity_rule(course_format=course_format, partnership=PARTNERSHIP,
                                        venue=venue)
    problem = policies.capacity_problem(capacity=capacity, rule=rule)
    assert bool(problem) is refused, problem


def test_the_format_maximum_is_explained():
    rule = policies.event_capacity_rule(course_format=Format.VIRTUAL, partnership=PARTNERSHIP)
    assert policies.capacity_problem(capacity=31, rule=rule) == (
        "A virtual event has at most 30 places. Enter 30 or fewer.")


@pytest.mark.parametrize("capacity, taken, refused", [(12, 12, False), (11, 12, True)],
                         ids=["down-to-places-taken", "below-places-taken"])
def test_capacity_cannot_drop_below_places_taken(capacity, taken, refused):
    problem = policies.capacity_reduction_problem(capacity=capacity, places_taken=taken)
    assert bool(problem) is refused
    if refused:
        assert "12 places are already taken" in problem


@pytest.mark.parametrize("status, refused", [("scheduled", False), ("cancelled", True),
                                             ("completed", True)])
def test_only_a_scheduled_event_can_be_cancelled(status, refused):
    assert bool(policies.event_cancel_problem(status=status)) is refused


def test_a_copy_keeps_the_times_of_day_across_the_clock_change():
    # 09:30-16:30 in winter (GMT) copied to July (BST): still 09:30-16:30 on the clock.
    start = datetime(2027, 1, 12, 9, 30, tzinfo=LONDON)
    end = datetime(2027, 1, 12, 16, 30, tzinfo=LONDON)
    new_start, new_end = policies.duplicate_times(start=start, end=end, on=date(2027, 7, 6),
                                                  tz=LONDON)
    assert (new_start.date(), new_start.hour, new_start.minute) == (date(2027, 7, 6), 9, 30)
    assert (new_end.date(), new_end.hour, new_end.minute) == (date(2027, 7, 6), 16, 30)
    assert new_start.utcoffset() == timedelta(hours=1)


def test_a_two_day_conference_copied_still_runs_over_two_days():
    start = datetime(2027, 5, 20, 9, 0, tzinfo=LONDON)
    end = datetime(2027, 5, 21, 13, 0, tzinfo=LONDON)
    new_start, new_end = policies.duplicate_times(start=start, end=end, on=date(2027, 11, 4),
                                                  tz=LONDON)
    assert new_end - new_start == timedelta(days=1, hours=4)
    assert new_end.date() == date(2027, 11, 5)


# Services ------------------------------------------------------------------------------------

def at(days, hour=9, minute=30):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, first_name="Olive", last_name="Officer")


@pytest.fixture
def pool_member(make_user):
    def make(course, **kwargs):
        person = make_user(Role.FACILITATOR, **kwargs)
        TrainingPoolMembership.objects.create(course=course, facilitator=person)
        return person

    return make


def event_kwargs(**overrides):
    return {"start": at(30), "end": at(30, 16, 30), "joining_link": "https://teams.example/j/1",
            **overrides}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "course_format, venue_capacity, expected",
    [(Format.VIRTUAL, None, 30), (Format.CONFERENCE, None, 250), (Format.CLASSROOM, 18, 18)],
    ids=["virtual", "conference", "classroom"],
)
def test_places_default_from_the_format(officer, course_format, venue_capacity, expected):
    course = CourseFactory(format=course_format)
    venue = VenueFactory(capacity=venue_capacity) if venue_capacity else None
    event = services.event_create(by=officer, course=course, venue=venue, **event_kwargs())
    assert event.capacity == expected
    assert event.status == EventStatus.SCHEDULED and event.places_taken == 0
    entry = AuditEntry.objects.get(action="event.create")
    assert entry.actor == officer and entry.target_id == str(event.pk)


@pytest.mark.django_db
def test_the_defaults_follow_the_partnership_settings(officer):
    partnership = Partnership.load()
    partnership.capacity_virtual = 24
    partnership.save()
    event = services.event_create(by=officer, course=CourseFactory(format=Format.VIRTUAL),
                                  **event_kwargs())
    assert event.capacity == 24
    with pytest.raises(DomainError, match="at most 24 places"):
        services.event_create(by=officer, course=CourseFactory(format=Format.VIRTUAL),
                              capacity=25, **event_kwargs())


@pytest.mark.django_db
def test_a_facilitator_outside_the_training_pool_is_refused(officer, pool_member, make_user):
    course = CourseFactory(title="Neglect: level 2")
    inside = pool_member(course)
    outsider = make_user(Role.FACILITATOR, first_name="Fern", last_name="Outside")
    with pytest.raises(DomainError) as refused:
        services.event_create(by=officer, course=course, facilitators=[inside, outsider],
                              **event_kwargs())
    assert refused.value.problems == [(
        "facilitators",
        "Fern Outside is not in the Training Pool for Neglect: level 2: add them to the pool "
        "first.")]
    assert not Event.objects.exists()

    event = services.event_create(by=officer, course=course, facilitators=[inside],
                                  **event_kwargs())
    assert list(event.facilitators.all()) == [inside]


@pytest.mark.django_db
def test_every_problem_is_reported_at_once_and_nothing_is_saved(officer, make_user):
    course = CourseFactory(format=Format.VIRTUAL)
    with pytest.raises(DomainError) as refused:
        services.event_create(by=officer, course=course, start=at(30, 12), end=at(30, 10),
                              joining_link="", capacity=31,
                              facilitators=[make_user(Role.FACILITATOR)])
    fields = [field for field, _ in refused.value.problems]
    assert fields == ["end_time", "joining_link", "capacity", "facilitators"]
    assert not Event.objects.exists()
    assert not AuditEntry.objects.filter(action="event.create").exists()


@pytest.mark.django_db
def test_an_e_learning_course_cannot_have_events(officer):
    course = CourseFactory(format=Format.E_LEARNING, title="Child exploitation e-learning")
    with pytest.raises(DomainError, match="is e-learning: delegates take it online"):
        services.event_create(by=officer, course=course, **event_kwargs())
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_classroom_event_needs_a_venue_and_fits_in_it(officer):
    course = CourseFactory(format=Format.CLASSROOM)
    with pytest.raises(DomainError, match="A classroom event needs a venue"):
        services.event_create(by=officer, course=course, capacity=10, **event_kwargs())
    room = VenueFactory(name="Brierley Hill Room 2", capacity=20)
    with pytest.raises(DomainError, match="Brierley Hill Room 2 holds at most 20 people"):
        services.event_create(by=officer, course=course, venue=room, capacity=21,
                              **event_kwargs())
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_capacity_cannot_be_reduced_below_places_taken(officer):
    event = EventFactory(course=CourseFactory(format=Format.VIRTUAL), capacity=30,
                         joining_link="https://teams.example/j/1")
    Event.objects.filter(pk=event.pk).update(places_taken=12)
    with pytest.raises(DomainError, match="12 places are already taken"):
        services.event_update(event=event, by=officer, start=event.start, end=event.end,
                              joining_link=event.joining_link, capacity=11)
    event.refresh_from_db()
    assert event.capacity == 30
    services.event_update(event=event, by=officer, start=event.start, end=event.end,
                          joining_link=event.joining_link, capacity=12)
    event.refresh_from_db()
    assert event.capacity == 12


@pytest.mark.django_db
def test_a_prep_meeting_comes_before_the_event(officer):
    with pytest.raises(DomainError, match="prep meeting must be before"):
        services.event_create(by=officer, course=CourseFactory(), prep_meeting_at=at(31),
                              **event_kwargs())


@pytest.mark.django_db
def test_duplicate_copies_the_event_to_a_new_date(officer, pool_member):
    course = CourseFactory(format=Format.CLASSROOM)
    room = VenueFactory(capacity=40)
    stays, left = pool_member(course), pool_member(course, first_name="Lee", last_name="Left")
    source = services.event_create(
        by=officer, course=course, venue=room, capacity=25, start=at(10, 9, 30),
        end=at(10, 12, 45), facilitators=[stays, left], officer=officer,
        prep_meeting_at=at(3, 14), joining_link="")
    Event.objects.filter(pk=source.pk).update(places_taken=20)
    TrainingPoolMembership.objects.filter(facilitator=left).delete()
    new_day = timezone.localdate() + timedelta(days=60)

    copy, left_out = services.event_duplicate(event=source, by=officer, on=new_day)

    start, end = copy.start.astimezone(LONDON), copy.end.astimezone(LONDON)
    assert (start.date(), start.hour, start.minute) == (new_day, 9, 30)
    assert (end.date(), end.hour, end.minute) == (new_day, 12, 45)
    assert (copy.course, copy.venue, copy.capacity, copy.officer) == (course, room, 25, officer)
    assert (copy.status, copy.places_taken, copy.prep_meeting_at) == ("scheduled", 0, None)
    assert list(copy.facilitators.all()) == [stays]
    assert left_out == [left]
    assert copy.pk != source.pk
    assert AuditEntry.objects.get(action="event.duplicate").details["copied_from"] == source.pk


@pytest.mark.django_db
def test_training_pool_takes_only_facilitators_once(officer, make_user):
    course = CourseFactory(title="Domestic abuse: level 3")
    delegate = make_user(Role.DELEGATE, first_name="Dee", last_name="Legate")
    with pytest.raises(DomainError, match="Dee Legate does not have the facilitator role"):
        services.training_pool_add(course=course, facilitator=delegate, by=officer)
    facilitator = make_user(Role.FACILITATOR, first_name="Fay", last_name="Cilitator")
    services.training_pool_add(course=course, facilitator=facilitator, by=officer)
    with pytest.raises(DomainError, match="already in the Training Pool"):
        services.training_pool_add(course=course, facilitator=facilitator, by=officer)
    assert TrainingPoolMembership.objects.filter(course=course).count() == 1
    assert AuditEntry.objects.filter(action="training_pool.add").count() == 1


@pytest.mark.django_db
def test_a_facilitator_of_an_event_to_come_stays_in_the_pool(officer, pool_member):
    course = CourseFactory(title="Neglect")
    person = pool_member(course, first_name="Pat", last_name="Pool")
    EventFactory(course=course, facilitators=[person])
    with pytest.raises(DomainError, match="Pat Pool facilitates an event of Neglect still to come"):
        services.training_pool_remove(course=course, facilitator=person, by=officer,
                                      now=timezone.now())
    assert TrainingPoolMembership.objects.filter(facilitator=person).exists()
    # Once the event is over they can leave.
    services.training_pool_remove(course=course, facilitator=person, by=officer,
                                  now=timezone.now() + timedelta(days=60))
    assert not TrainingPoolMembership.objects.filter(facilitator=person).exists()


@pytest.mark.django_db
def test_a_course_with_events_cannot_become_e_learning(officer):
    course = CourseFactory(format=Format.VIRTUAL, title="Neglect")
    EventFactory(course=course)
    with pytest.raises(DomainError, match="an e-learning course cannot have events"):
        services.course_update(course=course, by=officer, format=Format.E_LEARNING)
    course.refresh_from_db()
    assert course.format == Format.VIRTUAL


@pytest.mark.django_db
def test_a_course_coming_soon_says_when(officer):
    with pytest.raises(DomainError, match="Say when a course coming soon is expected"):
        services.course_create(by=officer, title="Harmful sexual behaviour", level="3",
                               audience="children", format=Format.CLASSROOM,
                               length="full_day", status="coming_soon", expected=" ")
    course = services.course_create(
        by=officer, title="Harmful sexual behaviour", level="3", audience="children",
        format=Format.CLASSROOM, length="full_day", status="coming_soon", expected="TBC",
        learning_outcomes=["Recognise harmful sexual behaviour", " ", "Respond to it"])
    assert course.learning_outcomes == ["Recognise harmful sexual behaviour", "Respond to it"]
    assert course.slug == "harmful-sexual-behaviour"


# Cancelling an event -------------------------------------------------------------------------

@pytest.mark.django_db
def test_cancelling_an_event_cancels_every_place_and_emails_each_delegate_once(
        officer, pool_member, django_capture_on_commit_callbacks):
    course = CourseFactory(title="Working Together: the essentials")
    facilitator = pool_member(course, email="fac@partnership.example")
    event = EventFactory(course=course, facilitators=[facilitator], capacity=30)
    active = {
        status: BookingFactory(event=event, status=status,
                               delegate=UserFactory(email=f"{status}@example.org"))
        for status in (BookingStatus.BOOKED, BookingStatus.PENDING_APPROVAL,
                       BookingStatus.OFFERED, BookingStatus.WAITLISTED)
    }
    earlier = BookingFactory(event=event, status=BookingStatus.CANCELLED,
                             delegate=UserFactory(email="left-before@example.org"))
    Event.objects.filter(pk=event.pk).update(places_taken=3)
    other_event_booking = BookingFactory(delegate=UserFactory(email="other@example.org"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=officer, reason="The trainer is ill.",
                              now=timezone.now())

    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.cancellation_reason == "The trainer is ill."
    assert event.cancelled_at is not None
    assert event.places_taken == 0
    for booking in active.values():
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
        assert booking.cancelled_by == officer and booking.cancelled_at is not None
    earlier.refresh_from_db()
    other_event_booking.refresh_from_db()
    assert other_event_booking.status == BookingStatus.BOOKED

    to = sorted(address for m in mail.outbox for address in m.to)
    assert to == sorted([*(f"{s}@example.org" for s in active), "fac@partnership.example"])
    delegate_mail = next(m for m in mail.outbox if m.to == ["booked@example.org"])
    assert "Cancelled: Working Together: the essentials" in delegate_mail.subject
    assert "The trainer is ill." in delegate_mail.body
    assert f"/courses/{course.slug}/" in delegate_mail.body
    assert "Choose another date" in delegate_mail.alternatives[0][0]
    # The booked delegate's calendar invite is withdrawn: METHOD:CANCEL, same UID, higher
    # SEQUENCE; nobody who had no invite gets a cancellation for one.
    from icalendar import Calendar

    (name, content, mimetype), = delegate_mail.attachments
    cal = Calendar.from_ical(content)
    vevent = cal.walk("VEVENT")[0]
    assert str(cal["METHOD"]) == "CANCEL" and str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["UID"]).startswith(f"booking-{active[BookingStatus.BOOKED].uid}@")
    assert int(vevent["SEQUENCE"]) == 1
    waitlisted_mail = next(m for m in mail.outbox if m.to == ["waitlisted@example.org"])
    assert "You were on its waiting list" in waitlisted_mail.body
    assert waitlisted_mail.attachments == []
    facilitator_mail = next(m for m in mail.outbox if m.to == ["fac@partnership.example"])
    assert "The trainer is ill." in facilitator_mail.body

    assert AuditEntry.objects.filter(action="event.cancel", actor=officer).count() == 1
    audited = set(AuditEntry.objects.filter(action="booking.cancel_event_cancelled")
                  .values_list("target_id", flat=True))
    assert audited == {str(b.pk) for b in active.values()}

    # The signal heard again (a retry) finds nothing left: nobody is emailed twice.
    from bookings.receivers import bookings_cancel_for_cancelled_event

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = bookings_cancel_for_cancelled_event(event=event, by=officer, reason="x",
                                                    now=timezone.now())
    assert again == [] and mail.outbox == []
    assert Booking.objects.filter(event=event, status=BookingStatus.CANCELLED).count() == 5


@pytest.mark.django_db
def test_an_event_is_cancelled_once(officer, django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=officer, reason="Venue flooded", now=timezone.now())
    with pytest.raises(DomainError, match="This event is already cancelled"):
        services.event_cancel(event=event, by=officer, reason="Again", now=timezone.now())
    event.refresh_from_db()
    assert event.cancellation_reason == "Venue flooded"
    Event.objects.filter(pk=event.pk).update(status=EventStatus.COMPLETED)
    with pytest.raises(DomainError, match="took place"):
        services.event_cancel(event=event, by=officer, reason="Late", now=timezone.now())


@pytest.mark.django_db
def test_a_cancellation_needs_a_reason(officer):
    event = EventFactory()
    with pytest.raises(DomainError, match="Give the reason"):
        services.event_cancel(event=event, by=officer, reason="  ", now=timezone.now())
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED
