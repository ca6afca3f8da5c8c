"""End to end through a real Celery worker on Redis (not eager), to a local SMTP server
(aiosmtpd): an officer marks a delegate attended, the beat's evaluation sweep runs on the
worker, and the Stage 1 email arrives, once, with the link to answer it. The worker, the SMTP
server and their clean-up are tests/core/test_outbox_faults.py's (`services`, `smtp`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from bookings.services import attendance_mark
from core.models import Heartbeat, OutgoingEmail
from core.outbox import SWEEP_HEARTBEAT
from core.tasks import outbox_sweep
from courses.models import Event
from evaluations.models import EvaluationRequest, RequestKind
from evaluations.tasks import evaluation_requests_send
from tests.core.test_celery_worker import _broker_url
from tests.core.test_outbox_faults import _wait, services, smtp  # noqa: F401 – the fixtures
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.celery_worker]


def test_attendance_then_the_sweep_on_a_worker_delivers_the_stage_1_email_once(
        services, smtp):  # noqa: F811
    broker = _broker_url()
    start = timezone.now() - timedelta(hours=3)
    event = EventFactory(course=CourseFactory(title="Child Exploitation"), start=start,
                         end=start + timedelta(hours=2))
    delegate = UserFactory(email="sam.delegate@school.example", first_name="Sam")
    booking = BookingFactory(event=event, delegate=delegate, booked_at=start - timedelta(days=9))
    Event.objects.filter(pk=event.pk).update(places_taken=1)
    officer = UserFactory(roles=[Role.OFFICER])

    # Committed for real (transactional_db): the signal after the commit asks for Stage 1.
    attendance_mark(booking=booking, by=officer, outcome="attended", now=timezone.now())
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED
    stage_1 = EvaluationRequest.objects.get(kind=RequestKind.STAGE_1, booking=booking)
    assert stage_1.requested_at is None

    worker = services.worker(broker)
    services.send(evaluation_requests_send, broker)

    def arrived():
        return [subject for to, subject in smtp.accepted
                if to == delegate.email and "Stage 1" in subject]

    _wait(arrived, "the Stage 1 email at the SMTP server", alive=[worker])
    assert arrived() == ["How was Child Exploitation? Your Stage 1 evaluation"]

    # The sweep again (beat runs it every 15 minutes), and the outbox's: nothing twice.
    # One solo worker takes its queue in order: once the outbox sweep queued after the second
    # evaluation sweep has run, so has that.
    again = timezone.now()
    services.send(evaluation_requests_send, broker)
    services.send(outbox_sweep, broker)
    _wait(lambda: Heartbeat.objects.filter(name=SWEEP_HEARTBEAT, at__gte=again).exists()
          and not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists(),
          "the second sweep and the outbox's", alive=[worker])
    assert OutgoingEmail.objects.filter(purpose__startswith="evaluation:").count() == 1
    stage_1.refresh_from_db()
    assert stage_1.requested_at is not None
    assert len(arrived()) == 1
    [row] = OutgoingEmail.objects.filter(purpose=f"evaluation:{stage_1.uid}:request")
    assert f"/evaluations/{stage_1.uid}/" in row.body_text
