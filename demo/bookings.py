"""The demo programme's bookings, so every bookings page has something to show:

- the next Child Exploitation course: six delegates booked (the demo delegate among them);
- the next Safer Recruitment session: a small online group (four places), full, with three
  people on its waiting list (the demo delegate first);
- the last Child Exploitation course that took place: its register marked (attended, late but
  admitted, not admitted, did not attend), the attendances in the training records, and a late
  cancellation waiting for the L&D officer's decision.

Deterministic: the events are chosen by rule (the next, the last) and the people by name.
Idempotent: a booking is found by its event and delegate, so running load_demo again creates
nothing, and what delegates or officers did to a demo booking since is kept. Written straight
to the database like the rest of the demo (no emails); Event.places_taken is kept equal to the
bookings that hold a place."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from accounts.models import User
from bookings.models import COUNTED, Booking, BookingStatus
from core.calendar import LONDON, london_date, working_days_between
from courses.models import Completion, Event, EventStatus

from . import data

CE = "Child Exploitation: Multi-Agency Response"
SAFER_RECRUITMENT = "Safer Recruitment"
DEMO_DELEGATE = "delegate@demo.example"
FACILITATOR = "facilitator@demo.example"
SMALL_GROUP = 4  # places on the demo's full online session

# (who, status, minutes late, contacted the team)
UPCOMING = [(DEMO_DELEGATE, BookingStatus.BOOKED, None, None),
            ("Amira Khan", BookingStatus.BOOKED, None, None),
            ("Daniel Okafor", BookingStatus.BOOKED, None, None),
            ("Hannah Price", BookingStatus.BOOKED, None, None),
            ("Ryan Cartwright", BookingStatus.BOOKED, None, None),
            ("Natalie Cooper", BookingStatus.BOOKED, None, None)]
FULL = [("Sophie Bennett", BookingStatus.BOOKED, None, None),
        ("Laura Fletcher", BookingStatus.BOOKED, None, None),
        ("Oliver Hart", BookingStatus.BOOKED, None, None),
        ("Grace Adeyemi", BookingStatus.BOOKED, None, None),
        (DEMO_DELEGATE, BookingStatus.WAITLISTED, None, None),
        ("Emily Parsons", BookingStatus.WAITLISTED, None, None),
        ("Zara Hussain", BookingStatus.WAITLISTED, None, None)]
PAST = [(DEMO_DELEGATE, BookingStatus.ATTENDED, None, None),
        ("James Whitehouse", BookingStatus.ATTENDED, None, None),
        ("Michelle Dunn", BookingStatus.ATTENDED, 20, False),  # late, within 30 minutes
        ("Jade Robinson", BookingStatus.NOT_ADMITTED, 45, False),
        ("Simon Baxter", BookingStatus.NO_SHOW, None, False),
        ("Kelly Morris", BookingStatus.LATE_CANCELLED, None, None)]


@dataclass(frozen=True)
class _Demo:
    people: dict
    marker: object


def _people():
    emails = {f"{first} {last}": f"{first}.{last}@{data.ORGANISATIONS[org][2]}.example".lower()
              for first, last, _job, org, _group in data.DELEGATES}
    emails[DEMO_DELEGATE] = DEMO_DELEGATE
    users = {u.email: u for u in User.objects.filter(email__in=emails.values())
             .select_related("organisation")}
    return {name: users[email] for name, email in emails.items() if email in users}


def _event(title, *, upcoming, now):
    events = Event.objects.filter(course__title=title).select_related("course")
    if upcoming:
        return events.filter(status=EventStatus.SCHEDULED, start__gt=now).order_by("start").first()
    return events.filter(status=EventStatus.COMPLETED, end__lte=now).order_by("-start").first()


def _book(event, rows, *, demo, now, result):
    taken = 0
    for n, (who, status, minutes, contacted) in enumerate(rows):
        person = demo.people.get(who)
        if person is None or Booking.objects.filter(event=event, delegate=person).exists():
            continue
        made = min(now, event.start) - timedelta(days=21 - n)
        booking = Booking(event=event, delegate=person, organisation=person.organisation,
                          status=status, created_at=made, minutes_late=minutes,
                          contacted_team=contacted)
        if status == BookingStatus.WAITLISTED:
            booking.waitlisted_at = made
        else:
            booking.booked_at = made
        if status in (BookingStatus.ATTENDED, BookingStatus.NOT_ADMITTED, BookingStatus.NO_SHOW):
            booking.attendance_marked_at, booking.attendance_marked_by = event.end, demo.marker
        if status == BookingStatus.LATE_CANCELLED:
            cancelled_on = london_date(event.start) - timedelta(days=3)
            booking.cancelled_at = datetime.combine(cancelled_on, time(8, 30), tzinfo=LONDON)
            booking.cancelled_by = person
            booking.notice_working_days = working_days_between(cancelled_on,
                                                               london_date(event.start))
            booking.late_cancellation_reason = "illness"
            booking.late_cancellation_detail = "Signed off sick by my GP for the week."
        booking.save()
        result.created["bookings"] += 1
        taken += status in COUNTED
        if status == BookingStatus.ATTENDED:
            _, created = Completion.objects.get_or_create(
                user=person, event=event, source=Completion.Source.ATTENDANCE,
                defaults={"course": event.course, "completed_on": london_date(event.start),
                          "created_at": event.end})
            result.created["training record lines (attended)"] += created
    if taken:
        Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") + taken)


def demo_bookings_load(*, now, result):
    """Bookings on the demo events (see the module docstring); counts go into `result`."""
    demo = _Demo(people=_people(), marker=User.objects.filter(email=FACILITATOR).first())
    if not demo.people:
        return result
    upcoming = _event(CE, upcoming=True, now=now)
    if upcoming is not None:
        _book(upcoming, UPCOMING, demo=demo, now=now, result=result)
    full = _event(SAFER_RECRUITMENT, upcoming=True, now=now)
    if full is not None:
        if not full.bookings.exists() and full.capacity != SMALL_GROUP:
            full.capacity = SMALL_GROUP  # a small online group, so the waiting list shows
            full.save(update_fields=["capacity"])
            result.updated["events (a small group)"] += 1
        _book(full, FULL, demo=demo, now=now, result=result)
    past = _event(CE, upcoming=False, now=now)
    if past is not None:
        _book(past, PAST, demo=demo, now=now, result=result)
    return result


def demo_prerequisites_complete(*, result):
    """Every demo delegate with a place (or a place on a waiting list) on a course that has
    prerequisites (the level 3 Child Exploitation course needs its e-learning module first)
    has completed them, a fortnight before they booked: the demo keeps the booking rule.
    Runs after the bookings and charging demos; idempotent (a completion on or before that
    day is enough), and it repairs a demo database loaded before the rule was kept."""
    from courses.models import Course

    needs = {course.pk: list(course.prerequisites.all())
             for course in Course.objects.filter(prerequisites__isnull=False).distinct()
             .prefetch_related("prerequisites")}
    if not needs:
        return result
    for booking in (Booking.objects.filter(event__course__in=needs)
                    .select_related("event", "delegate").order_by("created_at", "pk")):
        completed_on = london_date(booking.created_at) - timedelta(days=14)
        for prerequisite in needs[booking.event.course_id]:
            if Completion.objects.filter(user=booking.delegate, course=prerequisite,
                                         completed_on__lte=completed_on).exists():
                continue
            Completion.objects.create(
                user=booking.delegate, course=prerequisite, completed_on=completed_on,
                source=Completion.Source.E_LEARNING, score=100,
                created_at=datetime.combine(completed_on, time(12), tzinfo=LONDON))
            result.created["training record lines (prerequisites)"] += 1
    return result


def demo_bookings_summary():
    """One line for load_demo's summary."""
    from django.db.models import Count, Q

    from bookings.models import ATTENDANCE

    n = Booking.objects.aggregate(
        booked=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
        waiting=Count("pk", filter=Q(status=BookingStatus.WAITLISTED,
                                     event__start__gt=timezone.now())),
        marked=Count("pk", filter=Q(status__in=ATTENDANCE)),
        to_review=Count("pk", filter=Q(status=BookingStatus.LATE_CANCELLED,
                                       late_cancellation_reviewed_at__isnull=True)))
    return (f"{n['booked']} places booked, {n['waiting']} on waiting lists, {n['marked']} "
            f"marked on registers, {n['to_review']} late cancellation(s) to review")
