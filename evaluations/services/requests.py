"""The evaluation timeline (DOMAIN.md, "Evaluation timeline"; issue 9, "Requests"): who is
asked for which evaluation and when, the beat sweep that sends what is due and reminds what is
unanswered, and the officer's "send one more reminder".

- Requests are rows (EvaluationRequest) with their due date, written when something happens:
  a place booked (pre-course questionnaire), attendance marked or an e-learning knowledge check
  passed (post-course questionnaire and Stage 1), Stage 1 completed (Stage 2), an event ended
  (facilitator feedback, created by the sweep). evaluations.receivers calls these on the
  bookings and courses apps' signals.
- `evaluation_requests_send` (Celery beat, every 15 minutes) sends each due request once and
  each reminder once: the request row is locked (skip locked), its requested_at or
  reminders_sent checked and set in the same short transaction that queues the email in the
  outbox (purpose ``evaluation:<uid>:request`` / ``evaluation:<uid>:reminder:<n>``), so a
  second sweep, or two at once, queue nothing twice.
- Due dates come from the partnership's settings when the request is written; Stage 2's, the
  only one a setting decides, is refreshed from the current setting at every sweep while it is
  unsent ("changing a setting changes the dates"). Reminders are computed from the settings at
  the time of the sweep (evaluations.policies.reminder_due).
- `request_complete` is what the answering page (evaluations/views/answer.py) calls once a
  request's questionnaires are answered, inside its transaction: it completes the request,
  asks for Stage 2 after Stage 1 and issues the certificate the partnership's
  `certificate_trigger` says (evaluations.services.certificates)."""

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from core.audit import audit_entry, audit_record
from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from core.outbox import email_queue, emails_held
from courses.models import Completion, Event, EventStatus

from .. import policies
from ..models import EvaluationRequest, RequestKind

# Requests sent (and reminders) per sweep at most: the next sweep, 15 minutes later, carries on.
SWEEP_BATCH = 500

REQUEST_TEMPLATE = "evaluations/request"
REMINDER_TEMPLATE = "evaluations/reminder"
LINE_MANAGER_TEMPLATE = "evaluations/request_line_manager_copy"


def answer_url(request):
    """The link in every email: the answering page, which asks the delegate to sign in first."""
    return settings.SITE_URL.rstrip("/") + reverse("evaluations:request-answer",
                                                   kwargs={"uid": request.uid})


def _request_locked(pk):
    return (EvaluationRequest.objects.select_for_update(of=("self",))
            .select_related("user", "course", "event").get(pk=pk))


def _open(kind, **keys):
    return EvaluationRequest.objects.filter(kind=kind, completed_at__isnull=True,
                                            withdrawn_at__isnull=True, **keys)


def _withdraw(requests, *, now, reason):
    """Withdraw open requests (locked first): not sent, not reminded, not listed."""
    withdrawn = 0
    for request in requests.select_for_update(of=("self",)).order_by("pk"):
        request.withdrawn_at = now
        request.save(update_fields=["withdrawn_at"])
        audit_record(actor=None, action="evaluation.request_withdraw", target=request,
                     details={"kind": request.kind, "reason": reason})
        withdrawn += 1
    return withdrawn


def _create(*, kind, user, course, due, now, lookup_user=False, **keys):
    """The request for `keys` (a booking, an e-learning completion, or an event and its
    facilitator with lookup_user), created once: the model's unique constraints make a second
    one impossible, whoever calls twice."""
    if lookup_user:
        keys["user"] = user
    defaults = {"user": user, "course": course, "due_at": due.at, "created_at": now}
    if "event" not in keys:
        defaults["event"] = getattr(keys.get("booking"), "event", None)
    request, created = EvaluationRequest.objects.get_or_create(kind=kind, **keys,
                                                               defaults=defaults)
    if created:
        audit_record(actor=None, action="evaluation.request_create", target=request,
                     details={"kind": kind, "due_at": due.at.isoformat(), "reason": due.reason})
    return request, created


# Written when something happens (evaluations.receivers) --------------------------------------

def pre_course_request_for_booking(*, booking, now):
    """DOMAIN.md: the pre-course questionnaire is asked "on booking, before the event". A
    place handed to a colleague (substitution) moves an unanswered request to them. Returns
    the request, or None when the place is not booked or the event has begun."""
    with transaction.atomic():
        booking = (Booking.objects.select_related("event__course", "delegate")
                   .get(pk=booking.pk))
        event = booking.event
        if (booking.status != BookingStatus.BOOKED or event.status != EventStatus.SCHEDULED
                or policies.request_is_closed(kind=RequestKind.PRE, event_start=event.start,
                                              now=now)):
            return None
        request, created = _create(kind=RequestKind.PRE, user=booking.delegate,
                                   course=event.course, booking=booking,
                                   due=policies.pre_course_due(booked_at=now), now=now)
        if not created:
            request = _request_locked(request.pk)
            if request.completed_at is None and request.user_id != booking.delegate_id:
                was = request.user.email
                request.user = booking.delegate
                request.due_at, request.requested_at, request.withdrawn_at = now, None, None
                request.reminders_sent, request.last_reminded_at = 0, None
                request.save(update_fields=["user", "due_at", "requested_at", "withdrawn_at",
                                            "reminders_sent", "last_reminded_at"])
                audit_record(actor=None, action="evaluation.request_transfer", target=request,
                             details={"from": was, "to": booking.delegate.email})
    return request


def requests_withdraw_for_booking(*, booking, now, reason, kinds=(RequestKind.PRE,)):
    """A place cancelled, or the delegate not admitted or absent: the questionnaires asked
    for it and not answered are withdrawn (never sent, never reminded)."""
    with transaction.atomic():
        return _withdraw(EvaluationRequest.objects.filter(
            booking_id=booking.pk, kind__in=kinds, completed_at__isnull=True,
            withdrawn_at__isnull=True), now=now, reason=reason)


def requests_withdraw_for_event(*, event, now, reason):
    """The event cancelled: its unanswered pre-course questionnaires are withdrawn (called in
    the cancelling transaction)."""
    return _withdraw(EvaluationRequest.objects.filter(
        event_id=event.pk, kind=RequestKind.PRE, completed_at__isnull=True,
        withdrawn_at__isnull=True), now=now, reason=reason)


def attendance_requests_update(*, booking, now):
    """DOMAIN.md: the post-course questionnaire and Stage 1 evaluation go "right after
    attendance is marked". Attended: Stage 1 is asked (once; again if a wrong mark had
    withdrawn it); the pre-course questionnaire closes. Not admitted, did not attend, or
    substituted (a colleague attended instead, on their own booking): both are withdrawn.
    Returns the Stage 1 request, or None."""
    with transaction.atomic():
        booking = Booking.objects.select_related("event__course", "delegate").get(pk=booking.pk)
        closing = _open(RequestKind.PRE, booking_id=booking.pk)
        if booking.status != BookingStatus.ATTENDED:
            # Substituted on the day: the colleague who attended is asked on their own booking.
            reason = ("a colleague attended instead" if booking.status == BookingStatus.SUBSTITUTED
                      else f"marked {booking.get_status_display().lower()}")
            requests_withdraw_for_booking(booking=booking, now=now, reason=reason,
                                          kinds=(RequestKind.PRE, RequestKind.STAGE_1))
            return None
        _withdraw(closing, now=now, reason="the event has taken place")
        request, created = _create(kind=RequestKind.STAGE_1, user=booking.delegate,
                                   course=booking.event.course, booking=booking,
                                   due=policies.stage_1_due(marked_at=now), now=now)
        if not created and request.withdrawn_at is not None and request.completed_at is None:
            request = _request_locked(request.pk)
            request.withdrawn_at = None
            request.save(update_fields=["withdrawn_at"])
            audit_record(actor=None, action="evaluation.request_reopen", target=request,
                         details={"reason": "marked attended"})
    return request


def stage_1_request_for_completion(*, completion, now):
    """Issue 9: Stage 1 is asked when a delegate "passes an e-learning knowledge check"
    (a Completion from e-learning; attendance has its own path above)."""
    if completion.source != Completion.Source.E_LEARNING:
        return None
    with transaction.atomic():
        completion = Completion.objects.select_related("course", "user").get(pk=completion.pk)
        request, _ = _create(kind=RequestKind.STAGE_1, user=completion.user,
                             course=completion.course, completion=completion,
                             due=policies.stage_1_due(marked_at=now), now=now)
    return request


def facilitator_requests_create(*, now):
    """DOMAIN.md: facilitator feedback "at the end of the event", from each facilitator of
    it. Created by the sweep for events that have ended (not cancelled), due at their end.
    Only events ended within `summary_report_days_after_event` days: the feedback goes into
    the facilitator summary, so an event whose summary has gone is not asked about (and a
    first deployment does not ask about every past event). Returns the number created."""
    partnership = Partnership.load()
    since = now - timedelta(days=partnership.summary_report_days_after_event)
    through = Event.facilitators.through
    asked = EvaluationRequest.objects.filter(kind=RequestKind.FACILITATOR,
                                             event_id=OuterRef("event_id"),
                                             user_id=OuterRef("user_id"))
    owed = list(through.objects.filter(event__end__lte=now, event__end__gt=since)
                .exclude(event__status=EventStatus.CANCELLED)
                .exclude(Exists(asked))
                .select_related("event__course", "user").order_by("event__end", "pk"))
    created = 0
    for row in owed:
        with transaction.atomic():
            _, made = _create(kind=RequestKind.FACILITATOR, user=row.user,
                              course=row.event.course, event=row.event, lookup_user=True,
                              due=policies.facilitator_feedback_due(event_end=row.event.end),
                              now=now)
        created += made
    return created


def _stage_1_completed_at():
    """The moment the Stage 1 request of the same booking (or e-learning completion) was
    completed, for a Stage 2 row in an UPDATE."""
    stage_1 = EvaluationRequest.objects.filter(
        Q(booking_id=OuterRef("booking_id")) | Q(completion_id=OuterRef("completion_id")),
        kind=RequestKind.STAGE_1, completed_at__isnull=False)
    return Subquery(stage_1.order_by("pk").values("completed_at")[:1])


def stage_2_due_dates_refresh(*, now):
    """"Changing a setting changes the dates": Stage 2 requests not sent yet get the due date
    evaluations.policies.stage_2_due gives with the setting as it is now. Those already sent
    keep theirs. The rule is applied here in Python, not in SQL: PostgreSQL adds "days" in the
    session's time zone, the policy adds days x 24 hours, and there must be one rule. Returns
    the number of requests whose date moved."""
    days = Partnership.load().stage_2_days_after_stage_1
    pending = (_open(RequestKind.STAGE_2, requested_at__isnull=True)
               .annotate(stage_1_completed_at=_stage_1_completed_at())
               .filter(stage_1_completed_at__isnull=False)
               .order_by("pk").values_list("pk", "due_at", "stage_1_completed_at"))
    moved = 0
    for pk, due_at, completed_at in pending[:SWEEP_BATCH * 10]:
        should_be = policies.stage_2_due(stage_1_completed_at=completed_at, days=days).at
        if should_be != due_at:
            moved += EvaluationRequest.objects.filter(
                pk=pk, requested_at__isnull=True, due_at=due_at).update(due_at=should_be)
    return moved


def request_complete(*, request, now):
    """The answering page calls this (inside its transaction, after saving the answers) when
    every questionnaire of the request (policies.REQUEST_QUESTIONNAIRES) is answered.
    Completes it once; after Stage 1, asks for Stage 2 "stage_2_days_after_stage_1 days after
    the delegate completed Stage 1" (DOMAIN.md), not after the event; and issues the
    certificate when this is the evaluation the partnership's `certificate_trigger` names
    (evaluations.services.certificates decides). Returns the request."""
    with transaction.atomic():
        locked = _request_locked(request.pk)
        if locked.withdrawn_at is not None:
            raise DomainError("This evaluation is no longer open.", code="withdrawn")
        if locked.completed_at is not None:
            return locked  # already complete: nothing owed twice
        locked.completed_at = now
        locked.save(update_fields=["completed_at"])
        audit_record(actor=locked.user, action="evaluation.request_complete", target=locked,
                     details={"kind": locked.kind})
        if locked.kind == RequestKind.STAGE_1:
            partnership = Partnership.load()
            keys = ({"booking": locked.booking} if locked.booking_id
                    else {"completion": locked.completion})
            _create(kind=RequestKind.STAGE_2, user=locked.user, course=locked.course,
                    due=policies.stage_2_due(stage_1_completed_at=now,
                                             days=partnership.stage_2_days_after_stage_1),
                    now=now, **keys)
        _certificate_issue(request=locked, now=now)
    request.completed_at = locked.completed_at
    return locked


def _certificate_issue(*, request, now):
    try:
        from .certificates import certificate_issue
    except ModuleNotFoundError as exc:  # the certificates part is not installed
        if exc.name != "evaluations.services.certificates":
            raise
        return None
    return certificate_issue(request=request, now=now)


# The sweep (evaluations.tasks, Celery beat) -----------------------------------------------------

@dataclass(frozen=True)
class SweepResult:
    facilitator_requests: int = 0
    stage_2_dates_moved: int = 0
    requests_sent: int = 0
    reminders_sent: int = 0
    withdrawn: int = 0


def _context(request, *, partnership, number=None):
    return {"request": request, "kind": request.kind, "kind_label": request.get_kind_display(),
            "person": request.user, "course": request.course, "event": request.event,
            "answer_url": answer_url(request), "reminder_number": number,
            "stage_2_days": partnership.stage_2_days_after_stage_1,
            "my_evaluations_url": settings.SITE_URL.rstrip("/")
            + reverse("evaluations:request-list")}


def _closed_reason(request, *, now):
    """Why a due request is not sent after all (then withdrawn), or None."""
    if request.kind != RequestKind.PRE:
        return None
    booking = request.booking
    if booking.status != BookingStatus.BOOKED or booking.delegate_id != request.user_id:
        return f"the place is {booking.get_status_display().lower()}"
    if booking.event.status != EventStatus.SCHEDULED:
        return f"the event is {booking.event.get_status_display().lower()}"
    if policies.request_is_closed(kind=request.kind, event_start=booking.event.start, now=now):
        return "the event has started"
    return None


# Requests sent (or reminded) in one transaction: a batch is locked, its emails rendered and
# written with one INSERT, its rows updated and audited in a few statements. A crash mid-sweep
# rolls back the batch it was in (nothing recorded, nothing queued); the next sweep sends it.
SEND_CHUNK = 100


def _chunks(pks, size=SEND_CHUNK):
    for i in range(0, len(pks), size):
        yield pks[i:i + size]


def requests_send(*, pks, now, partnership):
    """Send these due requests, each once, in one transaction. Each request is locked (skip
    locked: one another sweep holds is left to it) and checked under the lock: sent (its
    email queued in the outbox with purpose ``evaluation:<uid>:request``, requested_at set in
    the same transaction), withdrawn (a pre-course questionnaire whose place or event has
    gone), or left (sent already). Returns (sent, withdrawn)."""
    with transaction.atomic():
        requests = list(
            EvaluationRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "course", "event", "booking__event")
            .filter(pk__in=pks).order_by("due_at", "pk"))
        sent, withdrawn, copied, audits = [], [], [], []
        with emails_held(partnership) as held:
            for request in requests:
                if (reason := _closed_reason(request, now=now)) is not None:
                    if request.is_open:
                        request.withdrawn_at = now
                        withdrawn.append(request.pk)
                        audits.append(audit_entry(
                            actor=None, action="evaluation.request_withdraw", target=request,
                            details={"kind": request.kind, "reason": reason}))
                    continue
                if not policies.request_send_due(
                        due_at=request.due_at, requested_at=request.requested_at,
                        withdrawn_at=request.withdrawn_at, completed_at=request.completed_at,
                        closed=False, now=now):
                    continue
                context = _context(request, partnership=partnership)
                purpose = f"evaluation:{request.uid}:request"
                email_queue(to=[request.user.email], template=REQUEST_TEMPLATE,
                            context=context, purpose=purpose, users=[request.user])
                manager = (request.user.line_manager_email or "").strip()
                if (request.kind == RequestKind.STAGE_2
                        and partnership.stage_2_copy_line_manager
                        and manager and manager.lower() != request.user.email.lower()):
                    email_queue(to=[manager], template=LINE_MANAGER_TEMPLATE, purpose=purpose,
                                context={**context,
                                         "line_manager_name": request.user.line_manager_name})
                    request.copied_to = manager
                    copied.append(request)
                request.requested_at = now
                sent.append(request.pk)
                audits.append(audit_entry(
                    actor=None, action="evaluation.request_send", target=request,
                    details={"kind": request.kind, "copied_to": request.copied_to}))
        held.write()
        if sent:
            EvaluationRequest.objects.filter(pk__in=sent).update(requested_at=now)
        if copied:
            EvaluationRequest.objects.bulk_update(copied, ["copied_to"])
        if withdrawn:
            EvaluationRequest.objects.filter(pk__in=withdrawn).update(withdrawn_at=now)
        AuditEntry.objects.bulk_create(audits)
    return len(sent), len(withdrawn)


def request_send(*, pk, now, partnership):
    """Send one due request, once: "sent" (1), "withdrawn" (a pre-course questionnaire whose
    place or event has gone), or nothing (0: sent already, or another sweep holds it)."""
    sent, withdrawn = requests_send(pks=[pk], now=now, partnership=partnership)
    return "withdrawn" if withdrawn else sent


def _reminder_queue(request, *, number, partnership):
    email_queue(to=[request.user.email], template=REMINDER_TEMPLATE,
                context=_context(request, partnership=partnership, number=number),
                purpose=f"evaluation:{request.uid}:reminder:{number}", users=[request.user])


def requests_remind(*, pks, now, partnership):
    """Remind these unanswered requests when evaluations.policies.reminder_due says so, once
    per reminder number (purpose ``evaluation:<uid>:reminder:<n>``), in one transaction, each
    locked and checked under its lock. Returns the number of reminders queued."""
    with transaction.atomic():
        requests = list(
            EvaluationRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "course", "event").filter(pk__in=pks).order_by("pk"))
        reminded, audits = [], []
        with emails_held(partnership) as held:
            for request in requests:
                if not request.is_open or request.requested_at is None:
                    continue
                event_start = request.event.start if request.event_id else None
                if request.kind == RequestKind.PRE and event_start is None:
                    continue
                reminder = policies.reminder_due(
                    kind=request.kind, requested_at=request.requested_at,
                    last_reminded_at=request.last_reminded_at,
                    reminders_sent=request.reminders_sent, now=now,
                    reminder_days=partnership.evaluation_reminder_days,
                    reminder_max=partnership.evaluation_reminder_max, event_start=event_start,
                    pre_course_reminder_days=partnership.pre_course_reminder_days)
                if not reminder.due:
                    continue
                _reminder_queue(request, number=reminder.number, partnership=partnership)
                request.reminders_sent, request.last_reminded_at = reminder.number, now
                reminded.append(request)
                audits.append(audit_entry(
                    actor=None, action="evaluation.request_remind", target=request,
                    details={"number": reminder.number, "reason": reminder.reason}))
        held.write()
        if reminded:
            EvaluationRequest.objects.bulk_update(reminded,
                                                  ["reminders_sent", "last_reminded_at"])
        AuditEntry.objects.bulk_create(audits)
    return len(reminded)


def request_remind(*, pk, now, partnership):
    """Remind one unanswered request when evaluations.policies.reminder_due says so, once
    per reminder number. Returns 1 if a reminder was queued, else 0."""
    return requests_remind(pks=[pk], now=now, partnership=partnership)


def _reminder_candidates(*, now, partnership):
    """Narrowed in the database; reminder_due decides exactly under the lock."""
    regular = (Q(reminders_sent__lt=partnership.evaluation_reminder_max)
               & ~Q(kind=RequestKind.PRE)
               & Q(reminded_or_asked__lte=now - timedelta(
                   days=partnership.evaluation_reminder_days)))
    pre = (Q(kind=RequestKind.PRE, reminders_sent=0, event__start__gt=now,
             event__start__lte=now + timedelta(days=partnership.pre_course_reminder_days)))
    return list(
        EvaluationRequest.objects.filter(requested_at__isnull=False, completed_at__isnull=True,
                                         withdrawn_at__isnull=True, user__is_active=True)
        .annotate(reminded_or_asked=Coalesce("last_reminded_at", "requested_at"))
        .filter(regular | pre).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])


def evaluation_requests_send(*, now):
    """The beat sweep (every 15 minutes): facilitator feedback owed for events that have
    ended, Stage 2 dates refreshed from the setting, every due request sent once, every due
    reminder sent once. Safe to run twice, or twice at once. Returns a SweepResult."""
    partnership = Partnership.load()
    facilitators = facilitator_requests_create(now=now)
    moved = stage_2_due_dates_refresh(now=now)
    due = list(EvaluationRequest.objects.filter(
        requested_at__isnull=True, completed_at__isnull=True, withdrawn_at__isnull=True,
        due_at__lte=now, user__is_active=True).order_by("due_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH])
    sent = withdrawn = 0
    for chunk in _chunks(due):
        chunk_sent, chunk_withdrawn = requests_send(pks=chunk, now=now, partnership=partnership)
        sent += chunk_sent
        withdrawn += chunk_withdrawn
    reminded = sum(requests_remind(pks=chunk, now=now, partnership=partnership)
                   for chunk in _chunks(_reminder_candidates(now=now, partnership=partnership)))
    return SweepResult(facilitator_requests=facilitators, stage_2_dates_moved=moved,
                       requests_sent=sent, reminders_sent=reminded, withdrawn=withdrawn)


def sweep_result_as_dict(result):
    return asdict(result)


# Officers: one more reminder ---------------------------------------------------------------------

def request_remind_by_officer(*, request, by, expected_sent, now):
    """Issue 9: officers "can send one more reminder" to someone who has not responded,
    whatever the automatic count. `expected_sent` is the number of reminders the officer saw
    on the page: the purpose key carries the reminder's number, so a double click, or two
    officers at once, send it once (the second is told it has gone)."""
    if not by.has_perm("evaluations.view_evaluation_results"):
        raise DomainError("Only the training team can send reminders.", code="forbidden")
    partnership = Partnership.load()
    with transaction.atomic():
        locked = _request_locked(request.pk)
        if locked.completed_at is not None:
            raise DomainError(f"{_name(locked.user)} has already answered this evaluation.",
                              code="state")
        if locked.withdrawn_at is not None:
            raise DomainError("This evaluation was withdrawn, so no reminder can be sent.",
                              code="state")
        if locked.requested_at is None:
            raise DomainError(f"This evaluation has not been sent to {_name(locked.user)} yet: "
                              "it goes when it is due.", code="state")
        if locked.kind == RequestKind.PRE and policies.request_is_closed(
                kind=locked.kind, event_start=locked.event.start, now=now):
            raise DomainError("The event has started, so the pre-course questionnaire has "
                              "closed.", code="state")
        if locked.reminders_sent != expected_sent:
            raise DomainError(f"Reminder {locked.reminders_sent} has already been sent to "
                              f"{_name(locked.user)}.", code="sent")
        number = locked.reminders_sent + 1
        _reminder_queue(locked, number=number, partnership=partnership)
        locked.reminders_sent, locked.last_reminded_at = number, now
        locked.save(update_fields=["reminders_sent", "last_reminded_at"])
        audit_record(actor=by, action="evaluation.request_remind_by_officer", target=locked,
                     details={"number": number, "kind": locked.kind})
    return locked


def _name(user):
    return user.get_full_name().strip() or user.email
