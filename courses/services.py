"""Writes of the programme (STYLE.md: one function per user-visible action, keyword-only,
atomic, audited; side effects queued with transaction.on_commit).

Other features of the courses app append their own services below their own heading."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from accounts.roles import Role, group_name
from core.audit import audit_record
from core.calendar import LONDON
from core.exceptions import DomainError
from core.models import Partnership

from . import policies
from .models import Course, CourseStatus, Event, EventStatus, Format, TrainingPoolMembership, Venue
from .signals import elearning_passed, event_cancelled, event_places_added


class ProgrammeRefused(DomainError):
    """One or more rules refused a change; `problems` is a list of (field, message) so a form
    can show every problem next to its field at once."""

    def __init__(self, problems):
        super().__init__(" ".join(message for _, message in problems), field=problems[0][0])
        self.problems = problems


def person_name(user):
    return user.get_full_name() or user.email


def _when(moment):
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


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
                 course=None):
    """An officer changes an event. Places already taken stay taken (the bookings app counts
    them under the same row lock), so capacity cannot drop below them."""
    locked = (Event.objects.select_for_update(of=("self",)).select_related("course")
              .get(pk=event.pk))
    if locked.status != EventStatus.SCHEDULED:
        raise DomainError(f"This event is {locked.get_status_display().lower()}: it cannot be "
                          "changed.")
    if course is not None and course.pk != locked.course_id and locked.places_taken:
        raise DomainError("Delegates have places on this event, so its course cannot change: "
                          "cancel it and create an event for the other course.", field="course")
    places_before = locked.capacity
    saved = _event_write(
        event=locked, by=by, action="event.update", course=course or locked.course,
        start=start, end=end, venue=venue, joining_link=joining_link, capacity=capacity,
        facilitators=facilitators, officer=officer, prep_meeting_at=prep_meeting_at,
        notes_for_delegates=notes_for_delegates)
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


@transaction.atomic
def event_cancel(*, event, by, reason, now):
    """An officer cancels an event with a reason. The facilitators are emailed; the bookings
    app hears `event_cancelled` (in this transaction) and tells every booked delegate."""
    locked = (Event.objects.select_for_update(of=("self",)).select_related("course", "venue")
              .get(pk=event.pk))
    if (problem := policies.event_cancel_problem(status=locked.status)):
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


# Newsletter ----------------------------------------------------------------------------------
# DDSCP: "The Business Support Officer sends out regular emails promoting all new events and
# courses". Sending creates one NewsletterDelivery per recipient, then a Celery task works
# through them in batches (courses.tasks.newsletter_send_batch).

NEWSLETTER_TEMPLATE = "courses/newsletter"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewsletterBatch:
    processed: int  # deliveries dealt with by this batch (sent, or dropped: opted out since)
    sent: int
    remaining: int  # deliveries still unsent, including those another worker holds

    @property
    def more(self):
        """Queue another batch? Only when this one found work: a batch that found every
        unsent delivery locked leaves them to the worker holding them, which queues the next
        batch itself (and the sweep resumes the newsletter if that worker dies)."""
        return self.processed > 0 and self.remaining > 0


def _newsletter_unsubscribe_url(*, user):
    from urllib.parse import urlencode

    from django.conf import settings

    token = policies.newsletter_unsubscribe_token(user_id=user.pk)
    return (f"{settings.SITE_URL.rstrip('/')}{reverse('courses:newsletter-unsubscribe')}"
            f"?{urlencode({'token': token})}")


def _newsletter_event_rows(events):
    from django.conf import settings

    site = settings.SITE_URL.rstrip("/")
    rows = []
    for event in events:
        start, end = event.start.astimezone(LONDON), event.end.astimezone(LONDON)
        times = f"{start:%-I:%M%p} to {end:%-I:%M%p}".lower()
        when = f"{start:%A %-d %B %Y}, {times}"
        if event.venue_id:
            where = event.venue.name + (f", {event.venue.postcode}" if event.venue.postcode else "")
        else:
            where = "Online"
        rows.append({
            "event": event,
            "title": event.course.title,
            "when": when,
            "format": event.course.get_format_display(),
            "where": where,
            "level": event.course.get_level_display(),
            "length": event.course.get_length_display(),
            "places": policies.places_left_words(places_left=event.places_left),
            "full": event.places_left <= 0,
            "url": f"{site}{reverse('courses:event-detail', kwargs={'pk': event.pk})}",
        })
    return rows


def newsletter_email_context(*, newsletter, events, user):
    """What one recipient's email shows: the introduction, each chosen event (date, format
    and venue, level, places left, a link to its page) and their own opt-out link. The
    preview uses the same context, so it shows the email exactly as it will look."""
    return {
        "newsletter": newsletter,
        "events": _newsletter_event_rows(events),
        "user": user,
        "unsubscribe_url": _newsletter_unsubscribe_url(user=user),
    }


def newsletter_preview(*, newsletter, user):
    """(subject, text, html) of the newsletter as `user` would receive it."""
    from core.email import email_render

    from .selectors import newsletter_events

    context = newsletter_email_context(
        newsletter=newsletter, events=list(newsletter_events(newsletter=newsletter)), user=user)
    return email_render(template=NEWSLETTER_TEMPLATE, context=context)


def _newsletter_draft(newsletter):
    """Lock the newsletter and check it can still change: only drafts are edited or sent."""
    from .models import Newsletter

    locked = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if locked.status == Newsletter.Status.SENDING:
        raise DomainError(f"“{locked.subject}” is already being sent: it cannot be changed or "
                          "sent again.", code="newsletter_sending")
    if locked.status == Newsletter.Status.SENT:
        raise DomainError(f"“{locked.subject}” was already sent on "
                          f"{_when(locked.sent_at or locked.send_requested_at)}: it cannot be "
                          "changed or sent again.", code="newsletter_sent")
    return locked


@transaction.atomic
def newsletter_create(*, by, subject, introduction, events, now):
    """Business support composes a newsletter: a subject, an introduction and the upcoming
    events it promotes. It stays a draft until it is sent."""
    from .models import Newsletter

    newsletter = Newsletter.objects.create(
        subject=subject.strip(), introduction=introduction.strip(), created_by=by, created_at=now)
    newsletter.events.set(events)
    audit_record(actor=by, action="newsletter.create", target=newsletter,
                 details={"events": sorted(e.pk for e in events)})
    return newsletter


@transaction.atomic
def newsletter_update(*, newsletter, by, subject, introduction, events):
    """Change a draft newsletter (a sent one is never changed)."""
    locked = _newsletter_draft(newsletter)
    changes = {}
    for name, value in (("subject", subject.strip()), ("introduction", introduction.strip())):
        if getattr(locked, name) != value:
            changes[name] = [getattr(locked, name), value]
            setattr(locked, name, value)
    locked.save(update_fields=["subject", "introduction"])
    before = set(locked.events.values_list("pk", flat=True))
    after = {e.pk for e in events}
    if before != after:
        locked.events.set(events)
        changes["events"] = [sorted(before), sorted(after)]
    audit_record(actor=by, action="newsletter.update", target=locked, details=changes)
    return locked


@transaction.atomic
def newsletter_send(*, newsletter, by, now):
    """Send a draft newsletter to everyone who asked for it (active, opted in, verified email):
    one delivery each, sent in batches by a Celery task. Sending twice is refused (a second
    click, a double POST), and a re-run adds no second delivery for anyone."""
    from . import tasks
    from .models import Newsletter, NewsletterDelivery
    from .selectors import newsletter_event_choices, newsletter_recipients

    locked = _newsletter_draft(newsletter)
    chosen = list(locked.events.select_related("course").order_by("start", "pk"))
    if not chosen:
        raise DomainError("Choose at least one event before you send the newsletter.",
                          field="events")
    bookable = set(newsletter_event_choices(now=now).filter(pk__in=[e.pk for e in chosen])
                   .values_list("pk", flat=True))
    gone = [e for e in chosen if e.pk not in bookable]
    if gone:
        names = "; ".join(f"{e.course.title}, {_when(e.start)}" for e in gone)
        raise DomainError(f"These events are cancelled or have started (or their course was "
                          f"withdrawn), so the newsletter cannot promote them: {names}. Change "
                          "the newsletter to take them out, then send it.", field="events")
    recipients = newsletter_recipients().values_list("pk", "email")
    NewsletterDelivery.objects.bulk_create(
        [NewsletterDelivery(newsletter=locked, user_id=pk, email=email)
         for pk, email in recipients.iterator(chunk_size=2000)],
        batch_size=1000, ignore_conflicts=True,
    )
    count = locked.deliveries.count()
    if count == 0:
        raise DomainError("Nobody has asked for the newsletter yet (people tick “send me the "
                          "training newsletter” in their profile), so there is no one to send "
                          "it to. It is still a draft.")
    locked.status, locked.send_requested_at = Newsletter.Status.SENDING, now
    locked.save(update_fields=["status", "send_requested_at"])
    audit_record(actor=by, action="newsletter.send", target=locked,
                 details={"recipients": count, "events": [e.pk for e in chosen]})
    # A nudge: with the broker down the newsletter stays "sending" and the resume sweep
    # (every 10 minutes) sends it; business support's page never fails.
    from core.outbox import task_nudge

    transaction.on_commit(lambda: task_nudge(tasks.newsletter_send_batch, args=[locked.pk]))
    return locked


def newsletter_send_batch(*, newsletter, batch_size, now):
    """Hand up to `batch_size` of a newsletter's unsent emails to the outbox (core.outbox);
    mark the newsletter sent when none remain.

    The batch's deliveries are claimed under select_for_update(skip_locked=True), so two
    workers never claim the same one, and each gets its outbox row (purpose
    ``newsletter:<id>``, unique per address) in the same transaction that marks it sent: a
    worker that dies mid-batch rolls both back, and a batch run twice queues nobody twice.
    The outbox then delivers, retries and records failures. Someone who opted out or left
    since the newsletter was sent is dropped, not emailed."""
    from core.outbox import email_queue, outbox_nudge

    from .models import NewsletterDelivery
    from .selectors import newsletter_events

    events = list(newsletter_events(newsletter=newsletter))
    unsent = NewsletterDelivery.objects.filter(newsletter=newsletter, sent_at__isnull=True)
    processed = sent = 0
    queued = []
    with transaction.atomic():
        batch = list(unsent.select_for_update(skip_locked=True, of=("self",))
                     .select_related("user").order_by("pk")[:batch_size])
        for delivery in batch:
            processed += 1
            person = delivery.user
            if not (person.is_active and person.newsletter_opt_in):
                delivery.delete()
                continue
            queued += email_queue(
                to=[delivery.email], template=NEWSLETTER_TEMPLATE,
                context=newsletter_email_context(newsletter=newsletter, events=events,
                                                 user=person),
                headers=_newsletter_headers(user=person),
                purpose=f"newsletter:{newsletter.pk}", nudge=False,
            )
            delivery.sent_at = now
            delivery.save(update_fields=["sent_at"])
            sent += 1
        ids = [row.pk for row in queued]
        if ids:
            transaction.on_commit(lambda: outbox_nudge(ids=ids))
    remaining = unsent.count()
    if remaining == 0:
        _newsletter_finish(newsletter=newsletter, now=now)
    return NewsletterBatch(processed=processed, sent=sent, remaining=remaining)


def _newsletter_headers(*, user):
    # RFC 2369 and RFC 8058: mail programs show their own "unsubscribe" button, which POSTs
    # "List-Unsubscribe=One-Click" to the link.
    return {
        "List-Unsubscribe": f"<{_newsletter_unsubscribe_url(user=user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@transaction.atomic
def _newsletter_finish(*, newsletter, now):
    from .models import Newsletter

    locked = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if locked.status != Newsletter.Status.SENDING or locked.deliveries.filter(
            sent_at__isnull=True).exists():
        return locked
    locked.status, locked.sent_at = Newsletter.Status.SENT, now
    locked.save(update_fields=["status", "sent_at"])
    audit_record(actor=None, action="newsletter.sent", target=locked,
                 details={"sent_to": locked.deliveries.count()})
    return locked


@transaction.atomic
def newsletter_unsubscribe(*, user, now):
    """Stop the newsletter for this person (the opt-out link in every newsletter). Returns
    False if they had already stopped it."""
    from accounts.models import User

    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.newsletter_opt_in:
        return False
    locked.newsletter_opt_in = False
    locked.save(update_fields=["newsletter_opt_in"])
    audit_record(actor=locked, action="newsletter.unsubscribe", target=locked,
                 details={"at": now.isoformat()})
    return True


# E-learning knowledge checks, content review and the resources library -------------------------

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


RESOURCE_FIELDS = ("title", "description", "kind", "category", "url", "public")


def _file_delete_on_commit(file):
    """Remove a replaced or deleted resource's file once the change is saved for good."""
    if file:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))


def resource_publish(*, by, now, title, kind, description="", category=None, file=None, url="",
                     public=True):
    """Publish one of the DSPP's "additional training resources" (a leaflet, a professional
    briefing, a case review executive summary) as a file or a link."""
    from .models import Resource

    with transaction.atomic():
        resource = Resource(
            title=title, kind=kind, description=description, category=category, url=url,
            public=public, published_at=now, published_by=by,
        )
        if file:
            resource.file = file
        resource.save()
        audit_record(actor=by, action="resource.publish", target=resource,
                     details={"public": public, "file": resource.file.name, "link": url})
    return resource


def resource_update(*, resource, by, data):
    """Change a resource. `data["file"]`: a new upload replaces the file, False removes it,
    None keeps it; the old file is deleted after the change is saved."""
    from .models import Resource

    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        changes = {}
        for name in RESOURCE_FIELDS:
            if name in data and getattr(locked, name) != data[name]:
                changes[name] = [str(getattr(locked, name) or ""), str(data[name] or "")]
                setattr(locked, name, data[name])
        new_file, old_file = data.get("file"), locked.file
        if new_file is False or new_file:
            changes["file"] = [old_file.name, getattr(new_file, "name", "") or ""]
            locked.file = new_file or ""
        if not locked.file and not locked.url:
            raise DomainError("Upload a file or give a link: a resource needs one of them.")
        locked.save()
        if (new_file is False or new_file) and old_file:
            _file_delete_on_commit(old_file)
        audit_record(actor=by, action="resource.update", target=locked, details=changes)
    return locked


def resource_delete(*, resource, by):
    from .models import Resource

    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        audit_record(actor=by, action="resource.delete", target=locked,
                     details={"title": locked.title, "file": locked.file.name, "link": locked.url})
        old_file = locked.file
        locked.delete()
        _file_delete_on_commit(old_file)
