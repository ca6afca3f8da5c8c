"""Writes of the programme (STYLE.md: one function per user-visible action, keyword-only,
atomic, audited; side effects queued with transaction.on_commit).

Other features of the courses app append their own services below their own heading."""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role, group_name
from core.audit import audit_record
from core.calendar import LONDON
from core.dates import day_and_time
from core.exceptions import DomainError
from core.models import Partnership

from . import policies
from .event_changes import TOLD_FIELDS, event_changes
from .models import Course, CourseStatus, Event, EventStatus, Format, TrainingPoolMembership, Venue
from .signals import (
    elearning_passed,
    event_cancelled,
    event_changed,
    event_places_added,
    event_register_marked,
)


class ProgrammeRefused(DomainError):
    """One or more rules refused a change; `problems` is a list of (field, message) so a form
    can show every problem next to its field at once."""

    def __init__(self, problems):
        super().__init__(" ".join(message for _, message in problems), field=problems[0][0])
        self.problems = problems


def person_name(user):
    return user.get_full_name() or user.email


def _when(moment):
    return day_and_time(moment)


# Courses -------------------------------------------------------------------------------------

COURSE_FIELDS = (
    "title", "summary", "description", "learning_outcomes", "level", "audience", "category",
    "format", "length", "status", "expected", "refresher_years", "last_reviewed", "active",
)


def _course_problems(*, course, fields, prerequisites):
    problems = []
    if fields.get("status") == CourseStatus.COMING_SOON and not fields.get("expected", "").strip():
        problems.append(("expected", 'Say when a course coming soon is expected, for example '
                                     '"August 2027" or "TBC".'))
    if course.pk is not None:
        if fields.get("format") == Format.E_LEARNING and course.events.exists():
            problems.append(("format", f"{course.title} has events, and an e-learning course "
                                       "cannot have events: keep its format, or create a "
                                       "separate e-learning course."))
        if any(p.pk == course.pk for p in prerequisites or ()):
            problems.append(("prerequisites", "A course cannot be its own prerequisite."))
    return problems


def _course_write(*, course, by, action, prerequisites, fields):
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {', '.join(sorted(unknown))}")
    problems = _course_problems(course=course, fields=fields, prerequisites=prerequisites)
    if problems:
        raise ProgrammeRefused(problems)
    fields = {**fields}
    if "learning_outcomes" in fields:
        fields["learning_outcomes"] = [o.strip() for o in fields["learning_outcomes"] if o.strip()]
    changes = {}
    for name, value in fields.items():
        old = getattr(course, name, None)
        if course.pk is None or old != value:
            changes[name] = [str(old) if course.pk else "", str(value)]
        setattr(course, name, value)
    course.save()
    if prerequisites is not None:
        course.prerequisites.set(prerequisites)
    audit_record(actor=by, action=action, target=course,
                 details={k: v for k, v in changes.items() if k != "description"})
    return course


@transaction.atomic
def course_create(*, by, prerequisites=(), **fields):
    """An officer adds a course to the programme (title, summary, learning outcomes, level,
    audience, category, format, length, status live or coming soon with its expected date)."""
    return _course_write(course=Course(), by=by, action="course.create",
                         prerequisites=list(prerequisites), fields=fields)


@transaction.atomic
def course_update(*, course, by, prerequisites=None, **fields):
    """An officer changes a course. An e-learning course cannot have events, so a course with
    events cannot become e-learning."""
    locked = Course.objects.select_for_update().get(pk=course.pk)
    return _course_write(course=locked, by=by, action="course.update",
                         prerequisites=None if prerequisites is None else list(prerequisites),
                         fields=fields)


# Venues --------------------------------------------------------------------------------------

VENUE_FIELDS = ("name", "address", "postcode", "capacity", "access_information", "active")


@transaction.atomic
def venue_create(*, by, **fields):
    venue = Venue(**fields)
    venue.save()
    audit_record(actor=by, action="venue.create", target=venue)
    return venue


@transaction.atomic
def venue_update(*, venue, by, now, **fields):
    """A classroom holds no more than its room: a room cannot shrink below the places of an
    event still to come there."""
    locked = Venue.objects.select_for_update().get(pk=venue.pk)
    capacity = fields.get("capacity", locked.capacity)
    too_big = (Event.objects.filter(venue=locked, status=EventStatus.SCHEDULED, start__gte=now,
                                    capacity__gt=capacity)
               .select_related("course").order_by("start").first())
    if too_big is not None:
        raise ProgrammeRefused([("capacity", (
            f"{too_big} has {too_big.capacity} places at {locked.name}: reduce that event's "
            f"places first, or keep the room's capacity at {too_big.capacity} or more."))])
    changes = {}
    for name, value in fields.items():
        if name not in VENUE_FIELDS:
            raise TypeError(f"unknown venue field: {name}")
        if getattr(locked, name) != value:
            changes[name] = [str(getattr(locked, name)), str(value)]
        setattr(locked, name, value)
    locked.save()
    audit_record(actor=by, action="venue.update", target=locked, details=changes)
    return locked


# Training Pool -------------------------------------------------------------------------------

@transaction.atomic
def training_pool_add(*, course, facilitator, by):
    """Facilitators come from the Training Pool: only a person with the facilitator role can
    join a course's pool."""
    if not facilitator.groups.filter(name=group_name(Role.FACILITATOR)).exists():
        raise DomainError(f"{person_name(facilitator)} does not have the facilitator role: an "
                          "officer gives it in the administration first.", field="facilitator")
    membership, created = TrainingPoolMembership.objects.get_or_create(
        course=course, facilitator=facilitator)
    if not created:
        raise DomainError(f"{person_name(facilitator)} is already in the Training Pool for "
                          f"{course.title}.", field="facilitator")
    audit_record(actor=by, action="training_pool.add", target=course,
                 details={"facilitator": facilitator.email})
    return membership


@transaction.atomic
def training_pool_remove(*, course, facilitator, by, now):
    """Take a facilitator out of a course's pool, unless they still deliver one of its events
    to come (change those events first, so no event keeps someone outside the pool)."""
    membership = (TrainingPoolMembership.objects.select_for_update()
                  .filter(course=course, facilitator=facilitator).first())
    if membership is None:
        raise DomainError(f"{person_name(facilitator)} is not in the Training Pool for "
                          f"{course.title}.")
    upcoming = Event.objects.filter(course=course, facilitators=facilitator,
                                    status=EventStatus.SCHEDULED, end__gte=now).count()
    if upcoming:
        events = "an event" if upcoming == 1 else f"{upcoming} events"
        raise DomainError(f"{person_name(facilitator)} facilitates {events} of {course.title} "
                          "still to come: choose other facilitators for them first.")
    membership.delete()
    audit_record(actor=by, action="training_pool.remove", target=course,
                 details={"facilitator": facilitator.email})


# Events --------------------------------------------------------------------------------------

def _event_problems(*, event, course, start, end, venue, joining_link, capacity, facilitators,
                    prep_meeting_at, partnership):
    """Every rule an event must meet, as (field, message) pairs; `capacity` already has its
    default filled in when the officer left it empty."""
    problems = []
    if course.format == Format.E_LEARNING:
        return [("course", f"{course.title} is e-learning: delegates take it online, so it "
                           "cannot have events.")]
    if (p := policies.event_times_problem(start=start, end=end)):
        problems.append(("end_time", p))
    if prep_meeting_at is not None and start is not None and prep_meeting_at >= start:
        problems.append(("prep_meeting_date", "The prep meeting must be before the event starts."))
    if course.format == Format.VIRTUAL:
        if not joining_link:
            problems.append(("joining_link", "A virtual event needs its online joining link: "
                                             "add the link before you save the event."))
        if venue is not None:
            problems.append(("venue", "A virtual event takes place online: leave the venue "
                                      "empty."))
    if course.format == Format.CLASSROOM and venue is None:
        problems.append(("venue", "A classroom event needs a venue: choose one."))
    rule = policies.event_capacity_rule(course_format=course.format, partnership=partnership,
                                        venue=venue)
    if capacity is None:
        problems.append(("capacity", "Enter the number of places."))
    elif (p := policies.capacity_problem(capacity=capacity, rule=rule)):
        problems.append(("capacity", p))
    elif (p := policies.capacity_reduction_problem(capacity=capacity,
                                                   places_taken=event.places_taken)):
        problems.append(("capacity", p))
    in_pool = set(TrainingPoolMembership.objects.filter(
        course=course, facilitator__in=facilitators).values_list("facilitator_id", flat=True))
    for person in facilitators:
        if person.pk not in in_pool:
            problems.append(("facilitators", f"{person_name(person)} is not in the Training Pool "
                                             f"for {course.title}: add them to the pool first."))
    return problems


def _event_write(*, event, by, action, course, start, end, venue, joining_link, capacity,
                 facilitators, officer, prep_meeting_at, notes_for_delegates, details=None):
    partnership = Partnership.load()
    facilitators = list(facilitators)
    if capacity is None:
        capacity = policies.event_capacity_rule(
            course_format=course.format, partnership=partnership, venue=venue).default
    problems = _event_problems(
        event=event, course=course, start=start, end=end, venue=venue,
        joining_link=joining_link, capacity=capacity, facilitators=facilitators,
        prep_meeting_at=prep_meeting_at, partnership=partnership)
    if problems:
        raise ProgrammeRefused(problems)
    new = {"course": course, "start": start, "end": end, "venue": venue,
           "joining_link": joining_link, "capacity": capacity, "officer": officer,
           "prep_meeting_at": prep_meeting_at, "notes_for_delegates": notes_for_delegates}
    changes = {}
    for name, value in new.items():
        old = getattr(event, name) if event.pk else None
        if event.pk is None or old != value:
            changes[name] = [str(old) if event.pk else "", str(value)]
        setattr(event, name, value)
    event.save()
    before = set(event.facilitators.values_list("pk", flat=True))
    event.facilitators.set(facilitators)
    after = {p.pk for p in facilitators}
    if before != after:
        changes["facilitators"] = sorted(p.email for p in facilitators)
    audit_record(actor=by, action=action, target=event, details={**changes, **(details or {})})
    return event


@transaction.atomic
def event_create(*, by, course, start, end, venue=None, joining_link="", capacity=None,
                 facilitators=(), officer=None, prep_meeting_at=None, notes_for_delegates=""):
    """An officer schedules one dated delivery of a course: facilitators from the Training
    Pool plus the L&D officer; virtual events default to (and hold at most) 30 places,
    conferences 250, a classroom no more than its room."""
    return _event_write(
        event=Event(status=EventStatus.SCHEDULED, places_taken=0), by=by, action="event.create",
        course=course, start=start, end=end, venue=venue, joining_link=joining_link,
        capacity=capacity, facilitators=facilitators, officer=officer,
        prep_meeting_at=prep_meeting_at, notes_for_delegates=notes_for_delegates)


@transaction.atomic
def event_update(*, event, by, start, end, venue=None, joining_link="", capacity=None,
                 facilitators=(), officer=None, prep_meeting_at=None, notes_for_delegates="",
                 course=None, now=None):
    """An officer changes an event. Places already taken stay taken (the bookings app counts
    them under the same row lock), so capacity cannot drop below them. A change of start, end,
    venue or joining link reaches people (DOMAIN.md, "Event changes"): `event_changed`."""
    locked = (Event.objects.select_for_update(of=("self",)).select_related("course")
              .get(pk=event.pk))
    if locked.status != EventStatus.SCHEDULED:
        raise DomainError(f"This event is {locked.get_status_display().lower()}: it cannot be "
                          "changed.")
    if course is not None and course.pk != locked.course_id and locked.places_taken:
        raise DomainError("Delegates have places on this event, so its course cannot change: "
                          "cancel it and create an event for the other course.", field="course")
    places_before = locked.capacity
    before = {name: getattr(locked, name) for name in TOLD_FIELDS}
    saved = _event_write(
        event=locked, by=by, action="event.update", course=course or locked.course,
        start=start, end=end, venue=venue, joining_link=joining_link, capacity=capacity,
        facilitators=facilitators, officer=officer, prep_meeting_at=prep_meeting_at,
        notes_for_delegates=notes_for_delegates)
    changes = event_changes(before=before, after={name: getattr(saved, name)
                                                   for name in TOLD_FIELDS})
    if changes:
        # In this transaction (core.outbox: a commit means an email): the bookings app
        # emails everyone on the event and records free cancellations with the change.
        event_changed.send(sender=Event, event=saved, changes=changes, by=by,
                           now=now or timezone.now())
    if saved.capacity > places_before:
        # New places go to the waiting list straight away (the bookings app offers them).
        transaction.on_commit(lambda: event_places_added.send(sender=Event, event=saved, by=by))
    return saved


@transaction.atomic
def event_duplicate(*, event, by, on):
    """Run an event again on another date: the same times of day and length, course, venue,
    capacity, joining link and facilitators; a new scheduled event with no places taken.
    Facilitators who have left the course's Training Pool since are left out.
    Returns (new event, facilitators left out)."""
    source = Event.objects.select_related("course", "venue", "officer").get(pk=event.pk)
    start, end = policies.duplicate_times(start=source.start, end=source.end, on=on, tz=LONDON)
    in_pool = set(TrainingPoolMembership.objects.filter(course=source.course_id)
                  .values_list("facilitator_id", flat=True))
    everyone = list(source.facilitators.all())
    kept = [p for p in everyone if p.pk in in_pool]
    left_out = [p for p in everyone if p.pk not in in_pool]
    new = _event_write(
        event=Event(status=EventStatus.SCHEDULED, places_taken=0), by=by,
        action="event.duplicate", course=source.course, start=start, end=end,
        venue=source.venue, joining_link=source.joining_link, capacity=source.capacity,
        facilitators=kept, officer=source.officer, prep_meeting_at=None,
        notes_for_delegates=source.notes_for_delegates,
        details={"copied_from": source.pk})
    return new, left_out


def _facilitators_email(*, event, reason, by):
    from core.outbox import email_queue

    context = {
        "course_title": event.course.title,
        "when": _when(event.start),
        "where": event.venue.name if event.venue_id else "Online",
        "reason": reason,
        "cancelled_by": person_name(by) if by is not None else "the training team",
        "programme_path": reverse("courses:manage-event-list"),
    }
    for person in event.facilitators.all():
        email_queue(to=[person.email], template="courses/event_cancelled",
                    context={**context, "name": person.first_name or person_name(person)},
                    purpose=f"event:{event.pk}:cancelled:facilitator")


def event_cancel_refusal(*, event, now):
    """Why `event` cannot be cancelled now, or None (courses.policies.event_cancel_problem):
    the bookings app answers whether its register has a mark (event_register_marked)."""
    marked = any(answer for _, answer in event_register_marked.send(sender=Event, event=event))
    return policies.event_cancel_problem(status=event.status, start=event.start, now=now,
                                         register_marked=marked)


@transaction.atomic
def event_cancel(*, event, by, reason, now):
    """An officer cancels an event with a reason. The facilitators are emailed; the bookings
    app hears `event_cancelled` (in this transaction) and tells every booked delegate."""
    locked = (Event.objects.select_for_update(of=("self",)).select_related("course", "venue")
              .get(pk=event.pk))
    if (problem := event_cancel_refusal(event=locked, now=now)):
        raise DomainError(problem)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give the reason: delegates and facilitators are told it.",
                          field="reason")
    locked.status = EventStatus.CANCELLED
    locked.cancelled_at = now
    locked.cancellation_reason = reason
    locked.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
    audit_record(actor=by, action="event.cancel", target=locked,
                 details={"reason": reason, "places_taken": locked.places_taken})
    # In this transaction, not after the commit (core.outbox: a commit means an email): the
    # bookings app cancels the places and queues the delegates' emails, and the facilitators'
    # emails are queued, with the cancellation or not at all. After the commit, a process that
    # stopped would leave the event cancelled, its places booked and nobody told.
    event_cancelled.send(sender=Event, event=locked, by=by, reason=reason, now=now)
    _facilitators_email(event=locked, reason=reason, by=by)
    return locked


# E-learning knowledge checks and content review -----------------------------------------------

@dataclass(frozen=True)
class KnowledgeCheckOutcome:
    attempt: object
    completion: object  # the completion the record shows for this pass, or None on a fail
    completion_added: bool


def knowledge_check_submit(*, user, course, answers, now):
    """Score a delegate's answers to an e-learning module's knowledge check against its pass
    mark ("e-learning modules, designed for delegates to complete before attending level 3
    courses", DDSCP). Every attempt is kept; a pass adds the module to the delegate's
    training record, once: a second pass adds nothing until the training falls due again
    (courses.policies.completion_renews). `answers` maps question id -> chosen choice id."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from . import selectors
    from .models import Completion, KnowledgeCheckAttempt

    questions = list(selectors.knowledge_check_questions(course=course))
    correct, chosen = {}, {}
    for number, question in enumerate(questions, start=1):
        choice_ids = {c.pk for c in question.choices.all()}
        answer = answers.get(question.pk)
        if answer not in choice_ids:
            raise DomainError(f"Choose an answer to question {number}.", code="unanswered",
                              field=f"question_{question.pk}")
        correct[question.pk] = next(c.pk for c in question.choices.all() if c.correct)
        chosen[question.pk] = answer
    score = policies.knowledge_check_score(answers=chosen, correct=correct)
    passed = score >= course.pass_mark
    today = timezone.localdate(now)

    with transaction.atomic():
        # One delegate at a time: two passes sent together must not add two completions.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
        attempt = KnowledgeCheckAttempt.objects.create(
            user=user, course=course, score=score, passed=passed, at=now,
            answers={str(qid): {"choice": cid, "correct": cid == correct[qid]}
                     for qid, cid in chosen.items()},
        )
        if not passed:
            return KnowledgeCheckOutcome(attempt=attempt, completion=None, completion_added=False)
        latest = selectors.completion_latest(user=user, course=course)
        partnership = Partnership.load()
        years = selectors.refresher_years_for(course=course, partnership=partnership)
        if latest is not None and not policies.completion_renews(
            last_completed_on=latest.completed_on, today=today, years=years,
            reminder_days=partnership.refresher_reminder_days,
        ):
            return KnowledgeCheckOutcome(attempt=attempt, completion=latest, completion_added=False)
        completion = Completion.objects.create(
            user=user, course=course, completed_on=today, source=Completion.Source.E_LEARNING,
            score=score, created_at=now,
        )
        audit_record(actor=user, action="completion.e_learning", target=completion,
                     details={"course": course.title, "score": score,
                              "pass_mark": course.pass_mark})
        transaction.on_commit(lambda: elearning_passed.send(sender=Completion,
                                                            completion=completion))
    return KnowledgeCheckOutcome(attempt=attempt, completion=completion, completion_added=True)


def course_mark_reviewed(*, course, by, today):
    """Record that a course's content was reviewed today ("The content of all safeguarding
    courses is reviewed at least annually", DSPP)."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        previous = locked.last_reviewed
        locked.last_reviewed = today
        locked.save(update_fields=["last_reviewed"])
        audit_record(actor=by, action="course.reviewed", target=locked,
                     details={"last_reviewed": [str(previous or ""), str(today)]})
    return locked
