"""Findings of an independent review of issue 9 (evaluations), each a test that failed before
its fix."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from evaluations.models import EvaluationRequest, RequestKind
from evaluations.services.certificates import certificate_issue
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def certificate(db):
    delegate = UserFactory(first_name="Ann", last_name="Archer", roles=[Role.DELEGATE])
    start = timezone.now() - timedelta(days=70)
    event = EventFactory(course=CourseFactory(title="Working Together"), start=start,
                         end=start + timedelta(hours=7))
    booking = BookingFactory(event=event, delegate=delegate, status=BookingStatus.ATTENDED)
    now = timezone.now()
    request = EvaluationRequest.objects.create(
        kind=RequestKind.STAGE_2, user=delegate, course=event.course, event=event,
        booking=booking, due_at=now, requested_at=now, completed_at=now)
    return certificate_issue(request=request, now=now)


def verify(client, code):
    return client.get(reverse("evaluations:certificate-verify-code", kwargs={"code": code}))


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_guessing_behind_the_proxy_does_not_stop_another_visitor_checking(certificate):
    """In production every request reaches the site from the reverse proxy (REMOTE_ADDR is
    the proxy's for everyone; settings/production.py): counting misses per REMOTE_ADDR made
    one budget for the whole site, so 20 made-up codes an hour from anyone stopped every
    employer checking a genuine certificate. Misses are counted per visitor."""
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for n in range(20):
        assert verify(guesser, f"ABCDEFGH{n:04d}").status_code == 404
    assert verify(guesser, certificate.code).status_code == 429
    forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert verify(forged, certificate.code).status_code == 429
    employer = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = verify(employer, certificate.code)
    assert response.status_code == 200 and "Ann Archer" in response.content.decode()


def test_a_delegate_between_stages_when_the_trigger_moves_to_stage_1_still_gets_one():
    """Stage 1 completed while the certificate came after Stage 2; the officer then sets the
    trigger to Stage 1. Completing Stage 2 (so Stage 1 too) must issue it: before the fix
    nothing ever did."""
    from core.models import Partnership
    from evaluations.models import Certificate
    from evaluations.services.requests import request_complete

    start = timezone.now() - timedelta(days=80)
    event = EventFactory(course=CourseFactory(), start=start, end=start + timedelta(hours=7))
    booking = BookingFactory(event=event, status=BookingStatus.ATTENDED)
    stage_1 = EvaluationRequest.objects.create(
        kind=RequestKind.STAGE_1, user=booking.delegate, course=event.course, event=event,
        booking=booking, due_at=start, requested_at=start)
    request_complete(request=stage_1, now=start + timedelta(days=1))
    assert not Certificate.objects.exists()
    Partnership.objects.filter(pk=Partnership.load().pk).update(certificate_trigger="stage_1")
    stage_2 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_2, booking=booking)
    request_complete(request=stage_2, now=start + timedelta(days=62))
    assert Certificate.objects.get().booking == booking


def test_reminders_and_lists_keep_the_capital_of_stage_1_and_stage_2():
    """The seeds' nouns are "Stage 1 evaluation" and "Stage 2 evaluation": the reminder's
    subject and text, and the list's link, said "stage 2 evaluation" (|lower)."""
    from django.core import mail

    from evaluations.services.requests import evaluation_requests_send

    start = timezone.now() - timedelta(days=90)
    event = EventFactory(course=CourseFactory(title="Working Together"), start=start,
                         end=start + timedelta(hours=7))
    made = {}
    for kind in (RequestKind.STAGE_1, RequestKind.STAGE_2):
        booking = BookingFactory(event=event, status=BookingStatus.ATTENDED)
        asked = timezone.now() - timedelta(days=8)
        made[kind] = EvaluationRequest.objects.create(
            kind=kind, user=booking.delegate, course=event.course, event=event,
            booking=booking, due_at=asked, requested_at=asked)
    assert evaluation_requests_send(now=timezone.now()).reminders_sent == 2
    subjects = {m.subject for m in mail.outbox}
    assert subjects == {"Reminder: post-course questionnaire and Stage 1 evaluation for "
                        "Working Together", "Reminder: Stage 2 evaluation for Working Together"}
    for message in mail.outbox:
        assert "stage 1" not in message.body and "stage 2" not in message.body
        html = message.alternatives[0][0]
        assert "stage 1" not in html and "stage 2" not in html
    client = Client()
    client.force_login(made[RequestKind.STAGE_2].user)
    page = client.get(reverse("evaluations:request-list")).content.decode()
    assert "the Stage 2 evaluation for Working Together" in page


def test_when_a_version_was_saved_is_in_the_house_style(make_user):
    """"Tuesday 8 December 2026, 9:30am" (core.dates), not "8 December 2026, 09:30"."""
    from datetime import datetime

    from core.calendar import LONDON
    from evaluations.models import QuestionnaireKind
    from evaluations.selectors.questionnaires import questionnaire_default_version

    version = questionnaire_default_version(kind=QuestionnaireKind.STAGE_1)
    type(version).objects.filter(pk=version.pk).update(
        created_at=datetime(2026, 12, 8, 9, 30, tzinfo=LONDON))
    client = Client()
    client.force_login(make_user(Role.OFFICER))
    page = client.get(reverse("evaluations:questionnaire-update",
                              args=[version.questionnaire_id])).content.decode()
    assert "saved Tuesday 8 December 2026, 9:30am" in page


def test_the_pre_course_rate_still_counts_those_who_did_not_answer_after_the_event(
        django_capture_on_commit_callbacks, make_user):
    """Marking the register closes (withdraws) every unanswered pre-course questionnaire, and
    withdrawn requests were left out of "asked": after every event the pre-course response
    rate read 100%, whoever had answered. Closed by the event is still asked and not
    answered; withdrawn because the place was cancelled before the event is not asked."""
    from bookings.services import attendance_mark
    from courses.models import Event
    from evaluations.selectors.requests import response_rates_for_event
    from evaluations.services.requests import evaluation_requests_send, request_complete

    officer = make_user(Role.OFFICER)
    start = timezone.now() - timedelta(hours=8)
    event = EventFactory(course=CourseFactory(), start=start, end=start + timedelta(hours=7))
    booked = start - timedelta(days=20)
    bookings = [BookingFactory(event=event, booked_at=booked) for _ in range(3)]
    Event.objects.filter(pk=event.pk).update(places_taken=3)
    pres = [EvaluationRequest.objects.create(kind=RequestKind.PRE, user=b.delegate,
                                             course=event.course, event=event, booking=b,
                                             due_at=booked) for b in bookings]
    evaluation_requests_send(now=booked + timedelta(minutes=15))
    request_complete(request=pres[0], now=booked + timedelta(days=1))
    # The third place is cancelled before the event: its questionnaire is withdrawn then.
    EvaluationRequest.objects.filter(pk=pres[2].pk).update(
        withdrawn_at=start - timedelta(days=10))
    type(bookings[2]).objects.filter(pk=bookings[2].pk).update(status="cancelled")
    for booking in bookings[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            attendance_mark(booking=booking, by=officer, outcome="attended",
                            now=start + timedelta(hours=7))
    pre = next(r for r in response_rates_for_event(event=event) if r.kind == RequestKind.PRE)
    assert (pre.asked, pre.answered, pre.percent) == (2, 1, 50)
    # ... and the officer's page lists that delegate as not responded (no reminder: closed).
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("evaluations:responserate-event", kwargs={"pk": event.pk}))
    assert [(r.user, r.kind) for r in response.context["not_responded"]] == [
        (bookings[1].delegate, RequestKind.PRE)]
    page = response.content.decode()
    assert "Closed when the event started" in page
    assert "Send one more reminder" not in page
    assert "Everyone asked about this event has responded" not in page


def test_a_place_handed_to_a_colleague_pairs_no_pre_of_one_with_the_post_of_another():
    """Learning gain is per delegate: a pre-course answer given by the person first booked
    and a post-course answer from the colleague who took the place over (same booking) are
    two people, not a pair. Before the fix they were paired by the booking alone."""
    from evaluations import defaults
    from evaluations.selectors.summaries import course_learning_gain, event_learning_gain
    from tests.evaluations.test_summaries import OUTCOMES, respond

    start = timezone.now() - timedelta(days=5)
    event = EventFactory(course=CourseFactory(learning_outcomes=OUTCOMES), start=start,
                         end=start + timedelta(hours=7))
    booking = BookingFactory(event=event, status=BookingStatus.ATTENDED)
    respond(booking, "pre", {defaults.OUTCOMES: [2, 2]})
    booking.delegate = UserFactory()  # the place handed to a colleague (bookings substitution)
    booking.save(update_fields=["delegate"])
    respond(booking, "post", {defaults.OUTCOMES: [5, 5]})
    gain, _ = event_learning_gain(event=event)
    assert (gain.pairs, gain.delegates) == (0, 0)
    course_gain, _, events = course_learning_gain(course=event.course)
    assert (course_gain.pairs, events) == (0, 0)
