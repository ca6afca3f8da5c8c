"""The demo partnership's programme: three Dudley venues and a year of events, from a month
before today to eleven months after, so the catalogue, the course pages and the calendar feed
have dates to show.

Deterministic: every date follows a rule ("the second Tuesday of the month", moved to the next
working day when it falls on a bank holiday), so the same day always gives the same events.
Idempotent: an event is found by its course and start, so running load_demo again creates
nothing; an officer's changes to a demo event (a cancellation, new places) are kept, and the
only update is marking an event completed once its date has passed."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from accounts.models import User
from core.calendar import LONDON, is_working_day
from core.models import Partnership
from courses.models import Course, Event, EventStatus, Format, TrainingPoolMembership, Venue
from courses.policies import event_capacity_rule

OFFICER_EMAIL = "officer@demo.example"

COUNCIL_HOUSE = "Dudley Council House, Committee Room 2"
SALTWELLS = "The Saltwells Education Development Centre"
HIMLEY_HALL = "Himley Hall"

# name: (address, postcode, room capacity, access information). Postcodes are fictional.
VENUES = {
    COUNCIL_HOUSE: (
        "Council House\nPriory Road\nDudley", "DY1 1XX", 30,
        "Step-free entrance on Priory Road and a lift to the first floor. Hearing loop. "
        "Pay and display parking nearby; Dudley bus station is a five-minute walk.",
    ),
    SALTWELLS: (
        "Bowling Green Road\nNetherton\nDudley", "DY2 9XX", 60,
        "Step-free access throughout, accessible toilets on every floor. Free parking on site.",
    ),
    HIMLEY_HALL: (
        "Himley Park\nHimley\nDudley", "DY3 4XX", 120,
        "Step-free access to the ground-floor rooms. Free parking in the park's car park.",
    ),
}

MON, TUE, WED, THU, FRI = range(5)


@dataclass(frozen=True)
class Run:
    """How often a course runs: on the `nth` `weekday` of the month, in `months` (every month
    when empty), at `venues` taken in turn month by month (none: online). `places` caps the
    number the format and the room allow; `from_today` publishes only dates still to come (a
    course coming soon has no past events)."""

    title: str
    nth: int
    weekday: int
    start: time
    end: time
    venues: tuple = ()
    places: int | None = None
    months: tuple = ()
    from_today: bool = False


# Only courses with a Training Pool (demo.data.TRAINING_POOL) run: each event needs its
# facilitators from the pool.
RUNS = [
    # Classroom, full day, every month: alternately in the Council House and at Saltwells.
    Run("Child Exploitation: Multi-Agency Response", 2, TUE, time(9, 30), time(16, 30),
        venues=(COUNCIL_HOUSE, SALTWELLS), places=24),
    # Conferences, half a day each quarter: as many places as the room holds (up to 250).
    Run("Adult/Child Case Review Event(s)", 3, THU, time(9, 30), time(12, 30),
        venues=(HIMLEY_HALL,), months=(3, 6, 9, 12)),
    Run("Domestic Homicide Reviews", 1, WED, time(13, 30), time(16, 30),
        venues=(SALTWELLS,), months=(1, 4, 7, 10)),
    # Virtual live events on Teams ("ETA Imminent" in the DSPP table: dates are published).
    Run("Safer Recruitment", 4, WED, time(9, 30), time(16, 0), from_today=True),
]


def _nth_weekday(year, month, nth, weekday):
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    while not is_working_day(day):  # a bank holiday: the next working day
        day += timedelta(days=1)
    return day


def _months(first: date, last: date):
    month = first.replace(day=1)
    while month <= last:
        yield month.year, month.month
        month += relativedelta(months=1)


def run_dates(run: Run, *, today: date):
    """The dates of a run from a month before `today` to eleven months after."""
    first, last = today - relativedelta(months=1), today + relativedelta(months=11)
    if run.from_today:
        first = today + timedelta(days=1)
    for year, month in _months(first, last):
        if run.months and month not in run.months:
            continue
        day = _nth_weekday(year, month, run.nth, run.weekday)
        if first <= day <= last:
            yield day


def _prep_meeting(day: date):
    """A week before the event, moved earlier to a working day, at 2pm."""
    prep = day - timedelta(days=7)
    while not is_working_day(prep):
        prep -= timedelta(days=1)
    return datetime.combine(prep, time(14, 0), tzinfo=LONDON)


@dataclass
class _Counts:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)


def _venues(result):
    venues = {}
    for name, (address, postcode, capacity, access) in VENUES.items():
        values = {"address": address, "postcode": postcode, "capacity": capacity,
                  "access_information": access, "active": True}
        venue = Venue.objects.filter(name=name).first()
        if venue is None:
            venue = Venue.objects.create(name=name, **values)
            result.created["venues"] += 1
        elif any(getattr(venue, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(venue, k, v)
            venue.save()
            result.updated["venues"] += 1
        venues[name] = venue
    return venues


def demo_events_load(*, now, result=None):
    """Venues and a year of events for the demo courses (see the module docstring). Writes
    its counts into `result` (demo.services.DemoLoadResult) and returns it."""
    result = result if result is not None else _Counts()
    partnership = Partnership.load()
    venues = _venues(result)
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    today = timezone.localdate(now)
    courses = {c.title: c for c in Course.objects.filter(title__in=[r.title for r in RUNS])}
    existing = {
        (e.course_id, e.start): e
        for e in Event.objects.filter(course__in=courses.values())
    }
    for event in existing.values():
        if event.status == EventStatus.SCHEDULED and timezone.localdate(event.start) < today:
            event.status = EventStatus.COMPLETED
            event.save(update_fields=["status"])
            result.updated["events (now completed)"] += 1
    for run in RUNS:
        course = courses.get(run.title)
        if course is None:
            continue
        pool = [m.facilitator for m in TrainingPoolMembership.objects.filter(
            course=course).select_related("facilitator").order_by("facilitator__email")]
        for n, day in enumerate(run_dates(run, today=today)):
            start = datetime.combine(day, run.start, tzinfo=LONDON)
            past = day < today
            if (course.pk, start) in existing:
                continue
            venue = venues[run.venues[n % len(run.venues)]] if run.venues else None
            rule = event_capacity_rule(course_format=course.format, partnership=partnership,
                                       venue=venue)
            capacity = min(c for c in (run.places, rule.maximum) if c is not None)
            online = course.format == Format.VIRTUAL
            event = Event.objects.create(
                course=course, start=start, end=datetime.combine(day, run.end, tzinfo=LONDON),
                venue=venue, capacity=capacity,
                joining_link=(f"https://teams.example/meet/{course.slug}-{day:%Y%m%d}"
                              if online else ""),
                officer=officer, prep_meeting_at=_prep_meeting(day),
                status=EventStatus.COMPLETED if past else EventStatus.SCHEDULED,
                created_at=now,
            )
            event.facilitators.set(pool)
            result.created["events"] += 1
    return result


def demo_events_summary(*, now):
    """One line for load_demo's summary."""
    events = Event.objects.all()
    upcoming = events.filter(status=EventStatus.SCHEDULED, start__gt=now).count()
    return (f"{Venue.objects.count()} venues, {events.count()} events "
            f"({upcoming} upcoming and open to book)")
