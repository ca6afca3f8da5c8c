"""The evaluation timeline with a controlled clock (DOMAIN.md, "Evaluation timeline"; issue 9,
"What must be shown"): the pre-course questionnaire on booking, Stage 1 on attendance (or an
e-learning pass), facilitator feedback at the end of the event, Stage 2 exactly
`stage_2_days_after_stage_1` days after Stage 1 was *completed*, reminders at most
`evaluation_reminder_max` times; a second sweep sends nothing; changing a setting changes the
dates; withdrawn requests are not sent.

Every date here is passed as `now` (the services, the sweep) or is the moment the change was
recorded (the receivers use booked_at, attendance_marked_at, the completion's created_at), so
nothing depends on the day the test runs."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from accounts.roles import Role
from bookings import services as bookings
from bookings.models import BookingStatus
from core.calendar import LONDON
from core.models import OutgoingEmail, Partnership
from courses.models import Completion, Event, EventStatus, Format
from evaluations import policies
from evaluations.models import Certificate, EvaluationRequest, RequestKind
from evaluations.services.requests import (
    evaluation_requests_send,
    request_complete,
    stage_1_request_for_completion,
)
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

# A Tuesday, 9:30am to 4:30pm London time (no clock change within the 60 days after it either
# way matters: the rule is days x 24 hours).
EVENT_START = datetime(2026, 3, 10, 9, 30, tzinfo=LONDON)
EVENT_END = EVENT_START + timedelta(hours=7)


# The rules, without a database ------------------------------------------------------------------

@pytest.mark.parametrize("days", [60, 42], ids=["DDSCP-60", "DSPP-42"])
def test_stage_2_is_due_exactly_the_setting_after_stage_1_was_completed(days):
    completed = EVENT_START + timedelta(days=10, hours=3, minutes=17)
    due = policies.stage_2_due(stage_1_completed_at=completed, days=days)
    assert due.at == completed + timedelta(days=days)
    assert str(days) in due.reason


def test_stage_2_keeps_the_london_time_of_day_across_the_clock_change():
    completed = datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)  # GMT; 60 days later it is BST
    due = policies.stage_2_due(stage_1_completed_at=completed.astimezone(UTC), days=60).at
    assert due.astimezone(LONDON) == datetime(2026, 5, 9, 10, 0, tzinfo=LONDON)
    assert due.astimezone(UTC).hour == 9


@pytest.mark.parametrize(
    "sent, last, days_after_request, due, number",
    [(0, None, 6.99, False, 1), (0, None, 7, True, 1), (1, 7, 13.99, False, 2),
     (1, 7, 14, True, 2), (2, 14, 21, False, 3), (2, 14, 400, False, 3)],
    ids=["day-6-not-yet", "day-7-first", "day-13-not-yet", "day-14-second", "third-never",
         "never-after-the-max"],
)
def test_reminders_every_setting_days_at_most_the_setting_times(sent, last, days_after_request,
                                                                 due, number):
    asked = EVENT_END
    reminder = policies.reminder_due(
        kind=RequestKind.STAGE_1, requested_at=asked,
        last_reminded_at=asked + timedelta(days=last) if last else None, reminders_sent=sent,
        now=asked + timedelta(days=days_after_request), reminder_days=7, reminder_max=2)
    assert (reminder.due, reminder.number) == (due, number)
    assert reminder.reason


@pytest.mark.parametrize(
    "booked_days_before, now_days_before, due",
    [(20, 2.01, False), (20, 2, True), (20, 0.5, True), (20, 0, False), (1, 0.5, False)],
    ids=["before-the-reminder-day", "exactly-2-days-before", "the-day-before",
         "the-event-has-started", "booked-within-2-days-no-reminder"],
)
def test_the_pre_course_reminder_goes_once_two_days_before_the_event(booked_days_before,
                                                                     now_days_before, due):
    reminder = policies.reminder_due(
        kind=RequestKind.PRE, requested_at=EVENT_START - timedelta(days=booked_days_before),
        last_reminded_at=None, reminders_sent=0,
        now=EVENT_START - timedelta(days=now_days_before), reminder_days=7, reminder_max=2,
        event_start=EVENT_START, pre_course_reminder_days=2)
    assert reminder.due is due


def test_each_request_holds_its_questionnaires():
    assert policies.REQUEST_QUESTIONNAIRES[RequestKind.PRE] == ("pre",)
    assert policies.REQUEST_QUESTIONNAIRES[RequestKind.STAGE_1] == ("post", "stage_1")
    assert policies.REQUEST_QUESTIONNAIRES[RequestKind.STAGE_2] == ("stage_2",)
    assert policies.REQUEST_QUESTIONNAIRES[RequestKind.FACILITATOR] == ("facilitator",)


def test_the_pre_course_questionnaire_closes_when_the_event_starts():
    assert not policies.request_is_closed(kind=RequestKind.PRE, event_start=EVENT_START,
                                          now=EVENT_START - timedelta(seconds=1))
    assert policies.request_is_closed(kind=RequestKind.PRE, event_start=EVENT_START,
                                      now=EVENT_START)
    assert not policies.request_is_closed(kind=RequestKind.STAGE_2, event_start=EVENT_START,
                                          now=EVENT_START + timedelta(days=400))


# The timeline, against the database -----------------------------------------------------------

@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what a service queues for after its commit (the signals the timeline hears)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _event(**kwargs):
    kwargs.setdefault("course", CourseFactory(title="Working Together to Safeguard Children"))
    return EventFactory(start=EVENT_START, end=EVENT_END, **kwargs)


def _booked(event, **kwargs):
    kwargs.setdefault("booked_at", EVENT_START - timedelta(days=20))
    booking = BookingFactory(event=event, **kwargs)
    Event.objects.filter(pk=event.pk).update(places_taken=event.bookings.filter(
        status=BookingStatus.BOOKED).count())
    return booking


def _mark(booking, officer, on_commit, *, outcome="attended", now=EVENT_START + timedelta(hours=7)):
    with on_commit():
        return bookings.attendance_mark(booking=booking, by=officer, outcome=outcome, now=now)


def _emails(purpose_part="", to=None):
    rows = OutgoingEmail.objects.filter(purpose__contains=purpose_part)
    if to:
        rows = rows.filter(recipient=to)
    return list(rows.order_by("pk"))


@pytest.mark.django_db
def test_stage_1_is_requested_when_attendance_is_marked_and_sent_once(officer, on_commit):
    booking = _booked(_event())
    marked_at = EVENT_START + timedelta(hours=7, minutes=5)
    _mark(booking, officer, on_commit, now=marked_at)

    stage_1 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=booking)
    assert stage_1.user == booking.delegate and stage_1.due_at == marked_at
    assert stage_1.requested_at is None  # the sweep sends it

    first = evaluation_requests_send(now=marked_at + timedelta(minutes=10))
    again = evaluation_requests_send(now=marked_at + timedelta(minutes=25))
    assert (first.requests_sent, again.requests_sent) == (1, 0)

    [email] = [m for m in mail.outbox if m.to == [booking.delegate.email]]
    assert "Stage 1" in email.subject and "Working Together" in email.subject
    assert f"/evaluations/{stage_1.uid}/" in email.body  # the answering page (after sign-in)
    stage_1.refresh_from_db()
    assert stage_1.requested_at == marked_at + timedelta(minutes=10)
    assert len(_emails(f"evaluation:{stage_1.uid}:request")) == 1


@pytest.mark.django_db
def test_not_attending_asks_for_no_stage_1_and_withdraws_the_pre_course_questionnaire(
        officer, on_commit):
    booking = _booked(_event())
    pre = EvaluationRequest.objects.create(kind=RequestKind.PRE, user=booking.delegate,
                                           course=booking.event.course, event=booking.event,
                                           booking=booking, due_at=booking.booked_at)
    _mark(booking, officer, on_commit, outcome="no_show")

    assert not EvaluationRequest.objects.filter(kind=RequestKind.STAGE_1).exists()
    pre.refresh_from_db()
    assert pre.withdrawn_at is not None
    assert evaluation_requests_send(now=EVENT_END + timedelta(days=1)).requests_sent == 0
    assert _emails("evaluation:") == []


@pytest.mark.django_db
def test_stage_2_exactly_sixty_days_after_stage_1_was_completed_not_after_the_event(
        officer, on_commit):
    booking = _booked(_event())
    _mark(booking, officer, on_commit)
    evaluation_requests_send(now=EVENT_END + timedelta(minutes=15))
    stage_1 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=booking)
    # The delegate completes Stage 1 ten days after the event.
    completed = EVENT_START + timedelta(days=10, hours=2)
    request_complete(request=stage_1, now=completed)

    stage_2 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=booking)
    assert stage_2.due_at == completed + timedelta(days=60)

    def stage_2_emails():
        return _emails(f"evaluation:{stage_2.uid}:request")

    # Day 59 after completion (day 69 after the event): nothing; a minute before: nothing.
    evaluation_requests_send(now=completed + timedelta(days=59))
    evaluation_requests_send(now=completed + timedelta(days=60) - timedelta(minutes=1))
    assert stage_2_emails() == []
    # Day 60 after completion: requested, once however often the sweep runs.
    result = evaluation_requests_send(now=completed + timedelta(days=60))
    evaluation_requests_send(now=completed + timedelta(days=60, minutes=15))
    assert (result.requests_sent, result.stage_2_dates_moved) == (1, 0)
    [row] = stage_2_emails()
    assert row.recipient == booking.delegate.email and "Stage 2" in row.subject
    assert f"/evaluations/{stage_2.uid}/" in row.body_text
    stage_2.refresh_from_db()
    assert stage_2.requested_at == completed + timedelta(days=60)


@pytest.mark.django_db
def test_changing_the_stage_2_setting_changes_the_dates(officer, on_commit):
    partnership = Partnership.load()
    early, late = _booked(_event()), _booked(_event())
    for booking in (early, late):
        _mark(booking, officer, on_commit)
    stage_1s = {b.pk: EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=b)
                for b in (early, late)}
    completed = EVENT_END + timedelta(days=1)
    # `early` completes Stage 1 while the setting is 60 days ...
    request_complete(request=stage_1s[early.pk], now=completed)
    assert EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=early).due_at == (
        completed + timedelta(days=60))
    # ... then the officer changes it to the DSPP's 6 weeks.
    partnership.stage_2_days_after_stage_1 = 42
    partnership.save()
    request_complete(request=stage_1s[late.pk], now=completed)
    # A request created after the change is due 42 days after completion ...
    assert EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=late).due_at == (
        completed + timedelta(days=42))
    # ... and one created before it, not sent yet, moves with the setting at the next sweep.
    evaluation_requests_send(now=completed + timedelta(days=41))
    assert EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=early).due_at == (
        completed + timedelta(days=42))
    assert _emails(":request", to=early.delegate.email) == _emails(
        "stage_2", to=early.delegate.email) == []
    result = evaluation_requests_send(now=completed + timedelta(days=42))
    assert result.requests_sent == 2
    # Sent: a later change moves nothing that has gone.
    partnership.stage_2_days_after_stage_1 = 90
    partnership.save()
    evaluation_requests_send(now=completed + timedelta(days=43))
    sent = EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=early)
    assert sent.due_at == completed + timedelta(days=42) and sent.requested_at is not None


@pytest.mark.django_db
def test_reminders_go_every_seven_days_at_most_twice_then_as_the_setting_says(officer, on_commit):
    booking = _booked(_event())
    _mark(booking, officer, on_commit)
    asked = EVENT_END + timedelta(minutes=15)
    evaluation_requests_send(now=asked)
    stage_1 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=booking)
    reminders = lambda: [e.purpose for e in _emails(f"evaluation:{stage_1.uid}:reminder")]  # noqa: E731

    evaluation_requests_send(now=asked + timedelta(days=7) - timedelta(minutes=1))
    assert reminders() == []
    for days in (7, 7, 10, 14, 14, 21, 60):
        evaluation_requests_send(now=asked + timedelta(days=days))
    assert reminders() == [f"evaluation:{stage_1.uid}:reminder:1",
                           f"evaluation:{stage_1.uid}:reminder:2"]
    reminder_mail = [m for m in mail.outbox if m.subject.startswith("Reminder:")]
    assert len(reminder_mail) == 2 and f"/evaluations/{stage_1.uid}/" in reminder_mail[0].body
    # The officer allows three: the third goes 7 days after the second, once.
    partnership = Partnership.load()
    partnership.evaluation_reminder_max = 3
    partnership.save()
    evaluation_requests_send(now=asked + timedelta(days=61))
    evaluation_requests_send(now=asked + timedelta(days=62))
    assert len(reminders()) == 3
    # Answered: no more reminders whatever the setting.
    request_complete(request=stage_1, now=asked + timedelta(days=63))
    partnership.evaluation_reminder_max = 9
    partnership.save()
    evaluation_requests_send(now=asked + timedelta(days=200))
    assert len(reminders()) == 3


@pytest.mark.django_db
def test_the_pre_course_questionnaire_on_booking_reminded_two_days_before(on_commit):
    now = EVENT_START - timedelta(days=20)
    event = _event()
    delegate = UserFactory()
    with on_commit():
        booking = bookings.booking_create(event=event, delegate=delegate, now=now)
    pre = EvaluationRequest.objects.get(kind=RequestKind.PRE, booking=booking)
    assert (pre.user, pre.due_at, pre.event) == (delegate, now, event)

    evaluation_requests_send(now=now + timedelta(minutes=5))
    assert len(_emails(f"evaluation:{pre.uid}:request")) == 1
    assert "Before your course" in _emails(f"evaluation:{pre.uid}:request")[0].subject
    # No weekly reminders for it: one, two days before the event.
    evaluation_requests_send(now=now + timedelta(days=14))
    assert _emails(f"evaluation:{pre.uid}:reminder") == []
    evaluation_requests_send(now=EVENT_START - timedelta(days=2))
    evaluation_requests_send(now=EVENT_START - timedelta(days=1))
    [reminder] = _emails(f"evaluation:{pre.uid}:reminder")
    assert "closes" in reminder.body_text


@pytest.mark.django_db
def test_a_cancelled_place_withdraws_the_pre_course_questionnaire_and_it_is_never_sent(
        on_commit):
    now = EVENT_START - timedelta(days=20)
    with on_commit():
        booking = bookings.booking_create(event=_event(), delegate=UserFactory(), now=now)
    with on_commit():
        bookings.booking_cancel(booking=booking, by=booking.delegate, now=now + timedelta(hours=1))
    pre = EvaluationRequest.objects.get(kind=RequestKind.PRE, booking=booking)
    assert pre.withdrawn_at == now + timedelta(hours=1)

    evaluation_requests_send(now=now + timedelta(hours=2))
    evaluation_requests_send(now=EVENT_START - timedelta(days=1))
    assert _emails("evaluation:") == []


@pytest.mark.django_db
def test_a_place_handed_to_a_colleague_moves_the_unanswered_questionnaire_to_them(on_commit):
    now = EVENT_START - timedelta(days=20)
    first = UserFactory()
    colleague = UserFactory(organisation=first.organisation)
    with on_commit():
        booking = bookings.booking_create(event=_event(), delegate=first, now=now)
    evaluation_requests_send(now=now + timedelta(minutes=5))
    with on_commit():
        offer = bookings.booking_substitute(booking=booking, by=first, to_email=colleague.email,
                                            now=now + timedelta(days=1))
        bookings.substitution_accept(substitution=offer, user=colleague,
                                     now=now + timedelta(days=1))
    pre = EvaluationRequest.objects.get(kind=RequestKind.PRE, booking=booking)
    assert pre.user == colleague and pre.requested_at is None
    evaluation_requests_send(now=now + timedelta(days=1, minutes=5))
    assert [e.recipient for e in _emails(f"evaluation:{pre.uid}:request")] == [
        first.email, colleague.email]


@pytest.mark.django_db
def test_a_place_cancelled_without_the_signal_is_withdrawn_by_the_sweep_not_sent():
    """The sweep checks the place again under its lock (a backstop for any other path)."""
    booking = _booked(_event(), status=BookingStatus.CANCELLED)
    pre = EvaluationRequest.objects.create(kind=RequestKind.PRE, user=booking.delegate,
                                           course=booking.event.course, event=booking.event,
                                           booking=booking, due_at=booking.booked_at)
    result = evaluation_requests_send(now=EVENT_START - timedelta(days=10))
    assert (result.requests_sent, result.withdrawn) == (0, 1)
    pre.refresh_from_db()
    assert pre.withdrawn_at is not None and pre.requested_at is None
    assert _emails("evaluation:") == []


@pytest.mark.django_db
def test_an_event_cancelled_withdraws_its_pre_course_questionnaires(officer, on_commit):
    from courses.services import event_cancel

    now = EVENT_START - timedelta(days=20)
    event = _event()
    with on_commit():
        booking = bookings.booking_create(event=event, delegate=UserFactory(), now=now)
    event_cancel(event=event, by=officer, reason="The trainer is ill.", now=now)
    assert EvaluationRequest.objects.get(booking=booking).withdrawn_at == now
    evaluation_requests_send(now=now + timedelta(hours=1))
    assert _emails("evaluation:") == []


@pytest.mark.django_db
def test_facilitator_feedback_is_asked_of_each_facilitator_at_the_end_of_the_event(make_user):
    ann, bob = make_user(Role.FACILITATOR), make_user(Role.FACILITATOR)
    event = _event(facilitators=[ann, bob])
    _event(facilitators=[ann], status=EventStatus.CANCELLED)  # cancelled: nobody asked

    before = evaluation_requests_send(now=EVENT_END - timedelta(minutes=1))
    assert before.facilitator_requests == 0
    at_end = evaluation_requests_send(now=EVENT_END)
    again = evaluation_requests_send(now=EVENT_END + timedelta(minutes=15))
    assert (at_end.facilitator_requests, at_end.requests_sent) == (2, 2)
    assert (again.facilitator_requests, again.requests_sent) == (0, 0)
    asked = EvaluationRequest.objects.filter(kind=RequestKind.FACILITATOR)
    assert {(r.user, r.event, r.due_at) for r in asked} == {(ann, event, EVENT_END),
                                                            (bob, event, EVENT_END)}
    assert sorted(e.recipient for e in _emails(":request")) == sorted([ann.email, bob.email])


@pytest.mark.django_db
def test_events_whose_summary_has_gone_are_not_asked_about(make_user):
    """A first deployment does not ask facilitators about every past event."""
    _event(facilitators=[make_user(Role.FACILITATOR)])
    days = Partnership.load().summary_report_days_after_event
    assert evaluation_requests_send(now=EVENT_END + timedelta(days=days)).facilitator_requests == 0


@pytest.mark.django_db
def test_an_e_learning_pass_asks_for_stage_1():
    module = CourseFactory(format=Format.E_LEARNING)
    completion = Completion.objects.create(user=UserFactory(), course=module,
                                           completed_on=EVENT_START.date(),
                                           source=Completion.Source.E_LEARNING,
                                           created_at=EVENT_START)
    request = stage_1_request_for_completion(completion=completion, now=EVENT_START)
    assert (request.kind, request.completion, request.event, request.due_at) == (
        RequestKind.STAGE_1, completion, None, EVENT_START)
    assert evaluation_requests_send(now=EVENT_START).requests_sent == 1
    # Stage 2 follows its completion too.
    request_complete(request=request, now=EVENT_START + timedelta(hours=1))
    assert EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, completion=completion).due_at \
        == EVENT_START + timedelta(days=60, hours=1)


@pytest.mark.django_db
def test_passing_the_knowledge_check_through_the_courses_service_asks_for_stage_1(on_commit):
    from courses.models import Choice, Question
    from courses.services import knowledge_check_submit

    module = CourseFactory(format=Format.E_LEARNING, pass_mark=1)
    question = Question.objects.create(course=module, text="Who do you tell?")
    right = Choice.objects.create(question=question, text="The designated lead", correct=True)
    Choice.objects.create(question=question, text="Nobody", correct=False)
    delegate = UserFactory()
    with on_commit():
        knowledge_check_submit(user=delegate, course=module, answers={question.pk: right.pk},
                               now=EVENT_START)
    assert EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, user=delegate).course == module


@pytest.mark.django_db
def test_stage_2_copies_the_line_manager_when_the_setting_says_so(officer, on_commit):
    partnership = Partnership.load()
    partnership.stage_2_copy_line_manager = True
    partnership.save()
    booking = _booked(_event(), delegate=UserFactory(line_manager_email="lm@council.example",
                                                     line_manager_name="Lee Manager"))
    _mark(booking, officer, on_commit)
    stage_1 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=booking)
    request_complete(request=stage_1, now=EVENT_END)
    evaluation_requests_send(now=EVENT_END + timedelta(days=60))
    stage_2 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=booking)
    assert stage_2.copied_to == "lm@council.example"
    copy = [m for m in mail.outbox if m.to == ["lm@council.example"]]
    assert len(copy) == 1 and "Lee Manager" in copy[0].body
    assert f"/evaluations/{stage_2.uid}/" not in copy[0].body  # only the delegate answers
    # Off (the default): nobody copied.
    partnership.stage_2_copy_line_manager = False
    partnership.save()
    other = _booked(_event(), delegate=UserFactory(line_manager_email="lm2@council.example"))
    _mark(other, officer, on_commit)
    request_complete(request=EvaluationRequest.objects.get(kind=RequestKind.STAGE_1,
                                                           booking=other), now=EVENT_END)
    evaluation_requests_send(now=EVENT_END + timedelta(days=60))
    assert EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=other).copied_to == ""
    assert not [m for m in mail.outbox if m.to == ["lm2@council.example"]]


@pytest.mark.django_db
def test_the_certificate_comes_after_stage_2_or_stage_1_as_the_setting_says(officer, on_commit):
    booking = _booked(_event())
    _mark(booking, officer, on_commit)
    stage_1 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=booking)
    request_complete(request=stage_1, now=EVENT_END + timedelta(days=1))
    assert not Certificate.objects.exists()  # DDSCP: after Stage 2
    stage_2 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=booking)
    request_complete(request=stage_2, now=EVENT_END + timedelta(days=70))
    assert Certificate.objects.get().booking == booking

    partnership = Partnership.load()
    partnership.certificate_trigger = "stage_1"
    partnership.save()
    other = _booked(_event())
    _mark(other, officer, on_commit)
    request_complete(request=EvaluationRequest.objects.get(kind=RequestKind.STAGE_1,
                                                           booking=other),
                     now=EVENT_END + timedelta(days=1))
    assert Certificate.objects.filter(booking=other).exists()


@pytest.mark.django_db
def test_completing_twice_creates_nothing_twice(officer, on_commit):
    booking = _booked(_event())
    _mark(booking, officer, on_commit)
    stage_1 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=booking)
    first = request_complete(request=stage_1, now=EVENT_END + timedelta(days=1))
    again = request_complete(request=stage_1, now=EVENT_END + timedelta(days=5))
    assert first.completed_at == again.completed_at == EVENT_END + timedelta(days=1)
    assert EvaluationRequest.objects.filter(kind=RequestKind.STAGE_2).count() == 1
