"""The demo programme's history: eighteen months of events before the demo's year of dates
(demo/events.py starts a month ago), so the quarterly and annual reports have every section
filled, with the previous quarter and the same quarter a year earlier beside them (issue 13).

Each month the demo courses ran (demo/events.py RUNS) has a completed event with the demo
delegates booked on it, in a mix of states chosen by a random generator seeded with the
event's date (the same day always gives the same story): attended, no-shows with and without
contact, not admitted (late), late cancellations with their reasons, cancellations in time
and, on a few small sessions, a waiting list that never found a place. Every second quarter a
session was cancelled. Those who attended have their training record line, pre-course and
post-course questionnaires, a Stage 1 evaluation and, once it fell due, most of them a Stage 2
evaluation whose examples an officer tagged with themes; the facilitators gave feedback and
the summary was sent. Private-sector places were charged through the charging services
(charges raised, a late cancellation waived for illness), invoiced on the partnership's
invoice run day and paid in full, so no organisation is left blocked by the history.

Left out so the other demo stories stay as they are: the demo logins, Deborah Wright (the
overdue invoice story) and the day of the overdue story's course (demo/charging.py).
Idempotent like the rest: an event is found by its course and start, a booking by its event
and delegate, a request by its kind and booking; what is there is kept."""

import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F

from accounts.models import User
from bookings.models import COUNTED, Booking, BookingStatus, LateCancellationReason
from core.calendar import LONDON, london_date, working_days_between
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Completion, Course, Event, EventStatus, TrainingPoolMembership, Venue
from courses.policies import event_capacity_rule
from reports.periods import quarter_containing

from . import data
from .bookings import _people
from .charging import BUSINESS, OFFICER, OVERDUE_DELEGATE, overdue_event_day
from .events import RUNS, _months, _nth_weekday, _prep_meeting

MONTHS_BACK = 18
FACILITATOR = "facilitator@demo.example"
THEMES = {
    "Information sharing": "share information\ninformation sharing\nshared",
    "Professional curiosity": "professional curiosity\nasked\ncurious",
    "Joint working": "joint\npartners\nmulti-agency",
    "Voice of the child": "child's words\nvoice of the child\nlistened",
}
STAGE_2_EXAMPLES = [
    "I now share information with the police and health early, before a referral.",
    "Professional curiosity: I asked about a new older friend and escalated a concern.",
    "We planned a joint visit with partners instead of working alone.",
    "I recorded what the child said in the child's words and listened more.",
    "Shared information at the strategy meeting that I would have kept to myself before.",
]
DO_DIFFERENTLY = [
    "Use the screening tool at the first sign of exploitation.",
    "Share information with partners earlier.",
    "Ask more questions when something does not add up.",
    "Record the child's own words.",
]
# (share of the people booked on an event) for each state, in the order tried.
STATE_WEIGHTS = [
    (BookingStatus.ATTENDED, 70), (BookingStatus.NO_SHOW, 8), (BookingStatus.NOT_ADMITTED, 4),
    (BookingStatus.LATE_CANCELLED, 8), (BookingStatus.CANCELLED, 10),
]
LATE_REASONS = [LateCancellationReason.ILLNESS, LateCancellationReason.SERVICE_USERS,
                LateCancellationReason.OTHER]


def history_dates(run, *, today: date):
    """The dates a run had in the MONTHS_BACK months before demo/events.py's first date."""
    first_of_events = today - relativedelta(months=1)
    first = (today - relativedelta(months=MONTHS_BACK)).replace(day=1)
    skip = overdue_event_day(today)
    for year, month in _months(first, first_of_events):
        if run.months and month not in run.months or run.from_today:
            continue
        day = _nth_weekday(year, month, run.nth, run.weekday)
        if day < first_of_events and day != skip:
            yield day


def _event(run, course, day, *, venues, officer, pool, partnership, rng, now, result):
    start = datetime.combine(day, run.start, tzinfo=LONDON)
    event = Event.objects.filter(course=course, start=start).first()
    if event is not None:
        return event, False
    venue = venues.get(run.venues[day.month % len(run.venues)]) if run.venues else None
    rule = event_capacity_rule(course_format=course.format, partnership=partnership, venue=venue)
    capacity = min(c for c in (run.places, rule.maximum) if c is not None)
    # The monthly classroom course: a small room each financial quarter's first month (its
    # waiting list found no place: demo_history_load keeps those people off the quarter's
    # later dates) and cancelled in February and August. The first month, because the
    # overdue story's day (demo/charging.py, two months before today) can take the last
    # complete quarter's second or third month but never its first.
    small = run.months == () and (day.month - partnership.financial_year_start_month) % 3 == 0
    cancelled = run.months == () and day.month % 6 == 2
    event = Event.objects.create(
        course=course, start=start, end=datetime.combine(day, run.end, tzinfo=LONDON),
        venue=venue, capacity=min(capacity, 8) if small else capacity, officer=officer,
        prep_meeting_at=_prep_meeting(day),
        status=EventStatus.CANCELLED if cancelled else EventStatus.COMPLETED,
        cancelled_at=(start - timedelta(days=10)) if cancelled else None,
        cancellation_reason="The facilitators were needed for a case review." if cancelled else "",
        created_at=start - timedelta(days=90),
    )
    event.facilitators.set(pool)
    result.created["events (history)"] += 1
    return event, True


def _state(rng):
    roll, total = rng.uniform(0, 100), 0
    for status, weight in STATE_WEIGHTS:
        total += weight
        if roll < total:
            return status
    return BookingStatus.ATTENDED


def _book(event, people, *, rng, marker, officer, result):
    """Book the people on `event` (the first `capacity` get places; the rest of a small
    session wait and never get one). Returns the bookings made."""
    made_bookings, taken = [], 0
    for n, person in enumerate(people):
        made = event.start - timedelta(days=30 - n % 20)
        booking = Booking(event=event, delegate=person, organisation=person.organisation,
                          created_at=made)
        if event.status == EventStatus.CANCELLED:
            booking.status = BookingStatus.CANCELLED
            booking.booked_at, booking.cancelled_at = made, event.cancelled_at
        elif taken >= event.capacity:
            booking.status = (BookingStatus.OFFER_EXPIRED if n % 2 else BookingStatus.WAITLISTED)
            booking.waitlisted_at = made
            if booking.status == BookingStatus.OFFER_EXPIRED:
                booking.offered_at = event.start - timedelta(days=5)
                booking.offer_expires_at = event.start - timedelta(days=3)
        else:
            booking.status = _state(rng)
            booking.booked_at = made
            if booking.status in (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED):
                days = 12 if booking.status == BookingStatus.CANCELLED else 2
                cancelled_on = london_date(event.start) - timedelta(days=days)
                booking.cancelled_at = datetime.combine(cancelled_on, time(9), tzinfo=LONDON)
                booking.cancelled_by = person
                booking.notice_working_days = working_days_between(
                    cancelled_on, london_date(event.start))
                if booking.status == BookingStatus.LATE_CANCELLED:
                    booking.late_cancellation_reason = rng.choice(LATE_REASONS)
                    booking.late_cancellation_detail = "Told the training team by email."
                    booking.late_cancellation_reviewed_at = event.end + timedelta(days=2)
                    booking.late_cancellation_reviewed_by = officer
            else:
                taken += 1
                booking.attendance_marked_at, booking.attendance_marked_by = event.end, marker
                if booking.status == BookingStatus.NOT_ADMITTED:
                    booking.minutes_late = 45
                    booking.contacted_team = False
                elif booking.status == BookingStatus.NO_SHOW:
                    booking.contacted_team = rng.random() < 0.5
        made_bookings.append(booking)
    Booking.objects.bulk_create(made_bookings)
    held = sum(b.status in COUNTED for b in made_bookings)
    if held:
        Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") + held)
    result.created["bookings (history)"] += len(made_bookings)
    Completion.objects.bulk_create([
        Completion(user=b.delegate, course=event.course, event=event,
                   source=Completion.Source.ATTENDANCE, completed_on=london_date(event.start),
                   created_at=event.end)
        for b in made_bookings if b.status == BookingStatus.ATTENDED])
    return made_bookings


def _left_waiting(course, day, *, partnership):
    """The people left on a waiting list of `course` earlier in `day`'s financial quarter."""
    quarter = quarter_containing(day, partnership.financial_year_start_month)
    since = datetime.combine(quarter.start, time.min, tzinfo=LONDON)
    return set(Booking.objects.filter(
        event__course=course, event__start__gte=since,
        event__start__lt=datetime.combine(day, time.min, tzinfo=LONDON),
        status__in=(BookingStatus.WAITLISTED, BookingStatus.OFFER_EXPIRED),
    ).values_list("delegate_id", flat=True))


def _evaluations(event, bookings, *, rng, now, partnership, themes, officer, result):
    from evaluations import defaults as keys
    from evaluations.models import (
        Answer,
        EvaluationRequest,
        QuestionnaireKind,
        RequestKind,
        SummaryReport,
        ThemeTag,
    )
    from evaluations.selectors.questionnaires import questionnaire_version_for
    from evaluations.services.summaries import summary_due_on

    from .evaluations import _request, _respond

    course = event.course
    versions = {kind: questionnaire_version_for(kind=kind, course=course)
                for kind in (QuestionnaireKind.PRE, QuestionnaireKind.POST,
                             QuestionnaireKind.STAGE_1, QuestionnaireKind.STAGE_2,
                             QuestionnaireKind.FACILITATOR)}
    outcomes = list(course.learning_outcomes or []) or ["The course's aims"]
    reminders = {"reminders_sent": partnership.evaluation_reminder_max}
    for booking in bookings:
        if booking.status not in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW,
                                  BookingStatus.NOT_ADMITTED):
            continue
        pre = [rng.randint(1, 4) for _ in outcomes]
        answered = rng.random() < 0.8
        request, created = _request(kind=RequestKind.PRE, booking=booking,
                                    due=booking.booked_at,
                                    completed=event.start - timedelta(days=2) if answered else None,
                                    result=result)
        if created and answered:
            _respond(request, QuestionnaireKind.PRE, {keys.OUTCOMES: pre},
                     at=request.completed_at, outcomes=outcomes, versions=versions, result=result)
        elif created:
            EvaluationRequest.objects.filter(pk=request.pk).update(withdrawn_at=event.start)
        if booking.status != BookingStatus.ATTENDED:
            continue
        answered = rng.random() < 0.85
        stage_1_at = event.end + timedelta(days=1)
        request, created = _request(kind=RequestKind.STAGE_1, booking=booking, due=event.end,
                                    completed=stage_1_at if answered else None, result=result)
        if not created:
            continue
        if not answered:
            EvaluationRequest.objects.filter(pk=request.pk).update(**reminders)
            continue
        post = [min(5, p + rng.randint(0, 2)) for p in pre]
        _respond(request, QuestionnaireKind.POST, {keys.OUTCOMES: post}, at=stage_1_at,
                 outcomes=outcomes, versions=versions, result=result)
        _respond(request, QuestionnaireKind.STAGE_1, {
            keys.SATISFACTION: rng.randint(3, 5), keys.RELEVANCE: rng.randint(3, 5),
            keys.KNOWLEDGE_IMPROVED: rng.randint(2, 5),
            keys.DO_DIFFERENTLY: rng.choice(DO_DIFFERENTLY), keys.COMMENTS: ""},
            at=stage_1_at, outcomes=outcomes, versions=versions, result=result)
        due = stage_1_at + timedelta(days=partnership.stage_2_days_after_stage_1)
        if due >= now:
            _request(kind=RequestKind.STAGE_2, booking=booking, due=due, requested=False,
                     result=result)
            continue
        answered = rng.random() < 0.6
        done_at = due + timedelta(days=rng.randint(1, 10))
        request, created = _request(kind=RequestKind.STAGE_2, booking=booking, due=due,
                                    completed=done_at if answered else None, result=result)
        if created and not answered:
            EvaluationRequest.objects.filter(pk=request.pk).update(**reminders)
        if created and answered:
            example = rng.choice(STAGE_2_EXAMPLES)
            _respond(request, QuestionnaireKind.STAGE_2, {
                keys.IMPACT_PRACTICE: rng.randint(3, 5), keys.IMPACT_OUTCOMES: rng.randint(2, 5),
                keys.EXAMPLES: example}, at=done_at, outcomes=outcomes, versions=versions,
                result=result)
            answer = Answer.objects.filter(response__request=request,
                                           question__key=keys.EXAMPLES).first()
            for name, theme in themes.items():
                words = [w for w in THEMES[name].splitlines() if w]
                if answer is not None and any(w in example.lower() for w in words):
                    ThemeTag.objects.get_or_create(
                        theme=theme, answer=answer,
                        defaults={"suggested": True, "confirmed_at": done_at + timedelta(days=3),
                                  "confirmed_by": officer})
    facilitator = event.facilitators.order_by("email").first()
    if facilitator is not None:
        request, created = _request(kind=RequestKind.FACILITATOR, booking=None,
                                    user=facilitator, event=event, due=event.end,
                                    completed=event.end + timedelta(hours=3), result=result)
        if created:
            _respond(request, QuestionnaireKind.FACILITATOR, {
                keys.SESSION_WENT: rng.randint(3, 5), keys.ENGAGEMENT: rng.randint(3, 5),
                keys.CONTENT: rng.randint(3, 5), keys.WHAT_TO_CHANGE: ""},
                at=request.completed_at, outcomes=outcomes, versions=versions, result=result)
    if not SummaryReport.objects.filter(event=event).exists():
        due_on = summary_due_on(event_end=event.end,
                                days=partnership.summary_report_days_after_event)
        SummaryReport.objects.create(event=event, due_on=due_on,
                                     sent_at=datetime.combine(due_on, time(7), tzinfo=LONDON))
        result.created["facilitator summaries"] += 1


def _charges(event, bookings, *, marker, officer, result):
    """Raise each place's charge as it happened; decide the ones waiting for the officer
    (late cancellations waived for illness, the rest applied)."""
    from charging.models import Charge, ChargeStatus, WaiverReason
    from charging.services.charges import charge_decide, charge_sync_for_booking

    finals = (BookingStatus.ATTENDED, BookingStatus.NOT_ADMITTED, BookingStatus.NO_SHOW,
              BookingStatus.LATE_CANCELLED)
    for booking in bookings:
        if booking.status not in finals or not booking.organisation.pays_fees:
            continue
        when = (booking.cancelled_at if booking.status == BookingStatus.LATE_CANCELLED
                else event.end)
        with transaction.atomic():
            Booking.objects.select_for_update().get(pk=booking.pk)
            charge = charge_sync_for_booking(booking=booking, event=event, by=marker, now=when)
        if charge is None:
            continue
        result.created["charges"] += 1
        charge = Charge.objects.get(pk=charge.pk)
        if charge.status == ChargeStatus.PENDING:
            illness = booking.late_cancellation_reason == LateCancellationReason.ILLNESS
            charge_decide(charge=charge, by=officer, apply=not illness,
                          waiver_reason=WaiverReason.ILLNESS if illness else "",
                          note="" if illness else "No reason to waive the fee.",
                          now=event.end + timedelta(days=2))


def _invoices_and_payments(*, runs, business, partnership, result):
    """The invoice run on each month's run day, for what was applied by the end of the month
    before; each invoice paid three weeks after it was issued, in full, but for the first
    invoice of each financial quarter's first run: its first line was credited a week after
    issue (the place was charged in error) and the rest paid."""
    from charging.models import CreditNote, Invoice, Payment
    from charging.selectors.invoices import invoice_balance
    from charging.services.credit_notes import credit_note_issue
    from charging.services.invoices import invoice_batch_run
    from charging.services.payments import payment_record

    for run_day in runs:
        issued = datetime.combine(run_day, time(10), tzinfo=LONDON)
        try:
            batch = invoice_batch_run(up_to=run_day - timedelta(days=1), by=business,
                                      now=issued)
        except DomainError:  # nothing applied that month
            continue
        result.created["invoices (history)"] += batch.invoice_count
    credited_days = set()
    for invoice in Invoice.objects.filter(settled_at__isnull=True,
                                          issued_on__in=runs).order_by("issued_on", "number"):
        if Payment.objects.filter(invoice=invoice).exists():
            continue
        first_of_quarter = (
            invoice.issued_on.month - partnership.financial_year_start_month) % 3 == 0
        if (first_of_quarter and invoice.issued_on not in credited_days
                and not CreditNote.objects.filter(invoice=invoice).exists()):
            credited_days.add(invoice.issued_on)
            line = invoice.lines.order_by("position", "pk").first()
            on = invoice.issued_on + timedelta(days=7)
            credit_note_issue(
                invoice=invoice, lines={line.pk: line.amount},
                reason="Charged in error: the place was moved to a free date.", by=business,
                now=datetime.combine(on, time(11), tzinfo=LONDON))
            result.created["credit notes (history)"] += 1
        owed = invoice_balance(invoice).outstanding
        if owed <= 0:
            continue
        paid_on = invoice.issued_on + timedelta(days=21)
        payment_record(invoice=invoice, received_on=paid_on, amount=owed,
                       method="bacs", reference=f"REMIT {invoice.number}", by=business,
                       now=datetime.combine(paid_on, time(11), tzinfo=LONDON))
        result.created["payments"] += 1


def demo_history_load(*, now, result):
    """The demo's eighteen months of history (see the module docstring)."""
    from evaluations.models import Theme
    from evaluations.services.questionnaires import questionnaires_ensure_defaults

    partnership = Partnership.load()
    today = london_date(now)
    officer = User.objects.filter(email=OFFICER).first()
    business = User.objects.filter(email=BUSINESS).first()
    marker = User.objects.filter(email=FACILITATOR).first()
    people = _people()
    people.pop(OVERDUE_DELEGATE, None)
    people = [people[name] for name in sorted(people)
              if "@" not in name and people[name].organisation_id]
    if officer is None or business is None or not people:
        return result
    questionnaires_ensure_defaults(now=now)
    themes = {}
    for name, words in THEMES.items():
        themes[name], created = Theme.objects.get_or_create(name=name,
                                                            defaults={"keywords": words})
        if created:
            result.created["themes"] += 1
    venues = {v.name: v for v in Venue.objects.all()}
    courses = {c.title: c for c in Course.objects.filter(title__in=[r.title for r in RUNS])}
    new_events = []
    for run in RUNS:
        course = courses.get(run.title)
        if course is None:
            continue
        pool = [m.facilitator for m in TrainingPoolMembership.objects.filter(
            course=course).select_related("facilitator").order_by("facilitator__email")]
        for day in history_dates(run, today=today):
            rng = random.Random(f"{course.slug}-{day.isoformat()}")
            event, created = _event(run, course, day, venues=venues, officer=officer, pool=pool,
                                    partnership=partnership, rng=rng, now=now, result=result)
            if not created:
                continue
            # Conferences draw everyone; a classroom day about two thirds of the delegates,
            # but not those left on the quarter's small room's waiting list (they could not
            # come to the later dates: the report's demand that found no place).
            share = 1.0 if event.capacity > 30 else 0.7
            unplaced = _left_waiting(course, day, partnership=partnership)
            booked = [p for p in people if rng.random() < share and p.pk not in unplaced]
            if event.capacity <= 8:
                booked = people[:]  # a small room: more people than places
                rng.shuffle(booked)
            new_events.append((event, _book(event, booked, rng=rng, marker=marker,
                                             officer=officer, result=result), rng))
    for event, bookings, rng in new_events:
        if event.status == EventStatus.CANCELLED:
            continue
        _evaluations(event, bookings, rng=rng, now=now, partnership=partnership, themes=themes,
                     officer=officer, result=result)
        _charges(event, bookings, marker=marker, officer=officer, result=result)
    if new_events:
        first = min(london_date(e.start) for e, _b, _r in new_events)
        runs = []
        months = _months(first + relativedelta(months=1), today - relativedelta(months=1))
        for year, month in months:
            run_day = date(year, month, partnership.invoice_run_day)
            while run_day.weekday() >= 5:
                run_day += timedelta(days=1)
            if run_day < today - relativedelta(months=1):
                runs.append(run_day)
        # A last run a week after the last event, so the history leaves nothing uninvoiced
        # for the demo's own invoices (demo/charging.py) to pick up.
        last = max(london_date(e.end) for e, _b, _r in new_events) + timedelta(days=7)
        runs.append(min(last, today))
        _invoices_and_payments(runs=runs, business=business, partnership=partnership,
                               result=result)
    return result


def demo_history_people():
    """The demo delegates the history books (for tests)."""
    return [f"{first} {last}" for first, last, *_ in data.DELEGATES
            if f"{first} {last}" != OVERDUE_DELEGATE]


def demo_elearning_history_load(*, now, result):
    """The e-learning modules' knowledge checks over the history's months: each month some
    delegates try a module (a few fail and pass on a second try a few days later), and a pass
    adds the module to the training record unless it is already current (the rule of
    courses.services.knowledge_check_submit), so every quarter has completions, attempts and
    a pass rate. Runs after demo/elearning.py (the questions) and the prerequisites (the
    level 3 course's module done before booking). An attempt is found by its delegate,
    module and time: a second load adds nothing."""
    from courses import policies, selectors
    from courses.models import KnowledgeCheckAttempt

    from .elearning import MODULES

    partnership = Partnership.load()
    today = london_date(now)
    people = _people()
    people.pop(OVERDUE_DELEGATE, None)
    people = [people[name] for name in sorted(people) if "@" not in name]
    modules = list(Course.objects.filter(title__in=list(MODULES), questions__isnull=False)
                   .distinct().order_by("title").prefetch_related("questions__choices"))
    first = (today - relativedelta(months=MONTHS_BACK)).replace(day=1)
    for course in modules:
        questions = list(course.questions.all())
        right = {q.pk: next(c.pk for c in q.choices.all() if c.correct) for q in questions}
        wrong = {q.pk: next(c.pk for c in q.choices.all() if not c.correct) for q in questions}
        years = selectors.refresher_years_for(course=course, partnership=partnership)
        passed_before = set()  # who passed in the story so far (not read back: idempotent)
        for year, month in _months(first, today):
            rng = random.Random(f"{course.slug}-knowledge-check-{year}-{month:02d}")
            for person in people:
                # Someone who has not passed yet tries it some month; a few try it again.
                if rng.random() >= (0.04 if person.pk in passed_before else 0.1):
                    continue
                passed_before.add(person.pk)
                day = date(year, month, rng.randint(1, 25))
                tries = [(day, rng.random() < 0.25), (day + timedelta(days=3), False)]
                for on, fail in tries:
                    at = datetime.combine(on, time(14, 30), tzinfo=LONDON)
                    if at >= now:
                        break
                    if KnowledgeCheckAttempt.objects.filter(user=person, course=course,
                                                            at=at).exists():
                        if not fail:
                            break
                        continue
                    misses = len(questions) // 2 + 1 if fail else 0  # a fail: half wrong
                    answers = {str(q.pk): {"choice": (wrong if n < misses else right)[q.pk],
                                           "correct": n >= misses}
                               for n, q in enumerate(questions)}
                    score = policies.knowledge_check_score(
                        answers={q.pk: (wrong if n < misses else right)[q.pk]
                                 for n, q in enumerate(questions)}, correct=right)
                    passed = score >= course.pass_mark
                    KnowledgeCheckAttempt.objects.create(user=person, course=course,
                                                         score=score, passed=passed, at=at,
                                                         answers=answers)
                    result.created["knowledge check attempts (history)"] += 1
                    if not passed:
                        continue
                    latest = (Completion.objects.filter(user=person, course=course,
                                                        completed_on__lte=on)
                              .order_by("-completed_on", "-pk").first())
                    if latest is None or policies.completion_renews(
                            last_completed_on=latest.completed_on, today=on, years=years,
                            reminder_days=partnership.refresher_reminder_days):
                        Completion.objects.create(
                            user=person, course=course, completed_on=on,
                            source=Completion.Source.E_LEARNING, score=score, created_at=at)
                        result.created["training record lines (e-learning history)"] += 1
                    break
    return result
