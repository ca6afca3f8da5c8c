"""The demo programme's evaluations (issue 9), so every evaluation page has something to show:

- the last Child Exploitation course that took place (demo/bookings.py marked its register):
  pre-course questionnaires answered by the delegates booked on it (one of them was then not
  admitted: a pre answer with no post, left out of learning gain); the post-course
  questionnaire and Stage 1 evaluation answered by the three who attended; the facilitator's
  feedback; its facilitator summary report (sent once its day has come); James Whitehouse's
  Stage 2 evaluation and his certificate of completion;
- the demo delegate (delegate@demo.example) has a Stage 2 evaluation to complete for that
  course (requested, open), and completing it issues their certificate;
- Michelle Dunn's Stage 2 is due `stage_2_days_after_stage_1` days after her Stage 1;
- the demo delegate's place on the next Child Exploitation course has its pre-course
  questionnaire to complete (as has everyone booked on it).

Deterministic (people by name, answers from the tables below) and idempotent: a request is
found by its kind and booking (a unique constraint), so running load_demo again creates
nothing, and what a delegate answered since is kept. Written straight to the database like
the rest of the demo: no email is queued (a certificate issued here is not emailed)."""

from datetime import timedelta

from django.db.models import Q

from bookings.models import BookingStatus
from core.calendar import london_date
from core.models import Partnership
from evaluations import defaults as keys
from evaluations.models import (
    Answer,
    Certificate,
    EvaluationRequest,
    QuestionnaireKind,
    QuestionType,
    RequestKind,
    Response,
    SummaryReport,
)

from .bookings import CE, DEMO_DELEGATE, FACILITATOR, _event, _people

# Confidence on each learning outcome (1-5) before and after; Stage 1 ratings and words;
# Stage 2: "done" (answered, certificate), "open" (requested), or "later" (not due yet).
PLAN = {
    DEMO_DELEGATE: {
        "pre": [2, 3, 2], "post": [4, 4, 5],
        "stage_1": (5, 5, 4, "Use the screening tool at the first sign of exploitation and "
                    "share information with the police early.", "Really useful group work."),
        "stage_2": "open",
    },
    "James Whitehouse": {
        "pre": [3, 2, 5], "post": [5, 4, 5],
        "stage_1": (4, 5, 4, "Plan disruption with partners rather than waiting for a "
                    "referral.", ""),
        "stage_2": "done",
    },
    "Michelle Dunn": {
        "pre": [1, 2, 3], "post": [3, 3, 4],
        "stage_1": (4, 4, 3, "Record what I see in the child's words, as a victim.",
                    "The case studies were hard but the right level."),
        "stage_2": "later",
    },
    # Booked, answered the pre-course questionnaire, then not admitted (45 minutes late): a
    # pre answer with no post, which learning gain leaves out.
    "Jade Robinson": {"pre": [2, 2, 2], "post": None, "stage_1": None, "stage_2": None},
}
STAGE_2_DONE = (4, 4, "Professional curiosity: I asked about a new older friend and "
                "escalated a concern about a girl in year 9 to the exploitation hub.")
FACILITATOR_FEEDBACK = (4, 5, 4, "More time for the disruption planning exercise.")


def _answers(version, values, *, outcomes=()):
    """Answer rows (unsaved) for a version's questions: `values` by question key; an OUTCOMES
    question takes a list, one rating per learning outcome."""
    rows = []
    for question in version.questions.all():
        value = values.get(question.key)
        if value is None or value == "":
            continue
        if question.type == QuestionType.OUTCOMES:
            rows += [Answer(question=question, outcome_index=i, outcome_text=text[:500],
                            value_int=min(max(int(v), 1), question.scale_max or 5))
                     for i, (text, v) in enumerate(zip(outcomes, value, strict=False))]
        elif question.type == QuestionType.RATING:
            rows.append(Answer(question=question, value_int=int(value)))
        else:
            rows.append(Answer(question=question, value_text=str(value)))
    return rows


def _respond(request, kind, values, *, at, outcomes, versions, result):
    if Response.objects.filter(request=request, kind=kind).exists():
        return
    version = versions[kind]
    response = Response.objects.create(request=request, version=version, kind=kind,
                                       course=request.course, event_id=request.event_id,
                                       submitted_at=at)
    rows = _answers(version, values, outcomes=outcomes)
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    result.created["evaluation answers"] += len(rows)


def _request(*, kind, booking, due, requested=True, completed=None, result, user=None,
             event=None):
    """Find the request (kind, booking) or, for facilitator feedback, (kind, event, user);
    create it if missing. An existing one is left as it is (someone may have answered it)."""
    user = user or booking.delegate
    event = event or booking.event
    lookup = ({"kind": kind, "event": event, "user": user} if booking is None
              else {"kind": kind, "booking": booking})
    request = EvaluationRequest.objects.filter(**lookup).first()
    if request is not None:
        return request, False
    request = EvaluationRequest.objects.create(
        kind=kind, user=user, course=event.course, event=event, booking=booking,
        created_at=min(due, completed or due), due_at=due,
        requested_at=due if requested else None, completed_at=completed)
    result.created["evaluation requests"] += 1
    return request, True


def _certificate(booking, *, now, result):
    from evaluations.services.certificates import _facts_for_booking

    if Certificate.objects.filter(booking=booking).exists():
        return
    Certificate.objects.create(**_facts_for_booking(booking), issued_at=now)
    result.created["certificates"] += 1


def demo_evaluations_load(*, now, result):
    """Evaluations of the demo events (see the module docstring); counts go into `result`."""
    from evaluations.selectors.questionnaires import questionnaire_version_for
    from evaluations.services.questionnaires import questionnaires_ensure_defaults
    from evaluations.services.summaries import summary_due_on

    questionnaires_ensure_defaults(now=now)
    partnership = Partnership.load()
    people = _people()
    past = _event(CE, upcoming=False, now=now)
    if past is not None and people:
        course = past.course
        versions = {kind: questionnaire_version_for(kind=kind, course=course)
                    for kind in QuestionnaireKind.values}
        outcomes = list(course.learning_outcomes or [])
        bookings = {b.delegate_id: b for b in past.bookings.select_related("delegate")}
        stage_1_at = min(now - timedelta(hours=2), past.end + timedelta(days=1))
        for who, plan in PLAN.items():
            person = people.get(who)
            booking = bookings.get(getattr(person, "pk", None))
            if booking is None:
                continue
            # Pre: asked when booked, answered two days before the course.
            asked = booking.booked_at or booking.created_at
            pre_at = max(asked, past.start - timedelta(days=2))
            request, created = _request(kind=RequestKind.PRE, booking=booking, due=asked,
                                        completed=pre_at, result=result)
            if created:
                _respond(request, QuestionnaireKind.PRE, {keys.OUTCOMES: plan["pre"]},
                         at=pre_at, outcomes=outcomes, versions=versions, result=result)
            if plan["stage_1"] is None or booking.status != BookingStatus.ATTENDED:
                continue
            # Post-course questionnaire and Stage 1: asked when the register was marked.
            request, created = _request(kind=RequestKind.STAGE_1, booking=booking,
                                        due=past.end, completed=stage_1_at, result=result)
            if created:
                sat, rel, know, differently, comments = plan["stage_1"]
                _respond(request, QuestionnaireKind.POST, {keys.OUTCOMES: plan["post"]},
                         at=stage_1_at, outcomes=outcomes, versions=versions, result=result)
                _respond(request, QuestionnaireKind.STAGE_1, {
                    keys.SATISFACTION: sat, keys.RELEVANCE: rel, keys.KNOWLEDGE_IMPROVED: know,
                    keys.DO_DIFFERENTLY: differently, keys.COMMENTS: comments},
                    at=stage_1_at, outcomes=outcomes, versions=versions, result=result)
            # Stage 2. The demo's past course is recent, so "done" and "open" stand in for the
            # weeks a real Stage 2 waits (stage_2_days_after_stage_1 after Stage 1).
            stage_2 = plan["stage_2"]
            if stage_2 == "later":
                _request(kind=RequestKind.STAGE_2, booking=booking, requested=False,
                         due=stage_1_at + timedelta(days=partnership.stage_2_days_after_stage_1),
                         result=result)
            elif stage_2 == "open":
                _request(kind=RequestKind.STAGE_2, booking=booking,
                         due=stage_1_at + timedelta(minutes=30), result=result)
            elif stage_2 == "done":
                done_at = stage_1_at + timedelta(hours=1)
                request, created = _request(kind=RequestKind.STAGE_2, booking=booking,
                                            due=stage_1_at + timedelta(minutes=30),
                                            completed=done_at, result=result)
                if created:
                    practice, outcomes_rating, example = STAGE_2_DONE
                    _respond(request, QuestionnaireKind.STAGE_2, {
                        keys.IMPACT_PRACTICE: practice, keys.IMPACT_OUTCOMES: outcomes_rating,
                        keys.EXAMPLES: example}, at=done_at, outcomes=outcomes,
                        versions=versions, result=result)
                _certificate(booking, now=done_at, result=result)

        # The facilitator's feedback on the session.
        facilitator = (past.facilitators.filter(email=FACILITATOR).first()
                       or past.facilitators.order_by("email").first())
        if facilitator is not None:
            request, created = _request(kind=RequestKind.FACILITATOR, booking=None,
                                        user=facilitator, event=past, due=past.end,
                                        completed=past.end + timedelta(hours=3), result=result)
            if created:
                went, engagement, content, change = FACILITATOR_FEEDBACK
                _respond(request, QuestionnaireKind.FACILITATOR, {
                    keys.SESSION_WENT: went, keys.ENGAGEMENT: engagement, keys.CONTENT: content,
                    keys.WHAT_TO_CHANGE: change}, at=request.completed_at, outcomes=outcomes,
                    versions=versions, result=result)

        # The facilitator summary: sent on its day (if that has come), never emailed here.
        due_on = summary_due_on(event_end=past.end,
                                days=partnership.summary_report_days_after_event)
        if not SummaryReport.objects.filter(event=past).exists():
            SummaryReport.objects.create(
                event=past, due_on=due_on,
                sent_at=now if due_on <= london_date(now) else None)
            result.created["facilitator summaries"] += 1

    # The next Child Exploitation course: its pre-course questionnaire, asked of everyone
    # booked on it (the demo delegate among them), still to answer.
    upcoming = _event(CE, upcoming=True, now=now)
    if upcoming is not None:
        for booking in upcoming.bookings.filter(status=BookingStatus.BOOKED).select_related(
                "delegate", "event__course"):
            asked = min(now, booking.booked_at or booking.created_at)
            _request(kind=RequestKind.PRE, booking=booking, due=asked, result=result)
    return result


def demo_evaluations_summary():
    """One line for load_demo's summary."""
    requests = EvaluationRequest.objects
    return (f"{requests.filter(completed_at__isnull=False).count()} evaluations answered, "
            f"{requests.filter(Q(completed_at__isnull=True), Q(withdrawn_at__isnull=True)).count()}"
            f" waiting, {Certificate.objects.filter(revoked_at__isnull=True).count()} "
            "certificate(s)")
