"""The evaluations sweep sends due requests a batch per transaction (evaluations.services.
requests.requests_send): its queries do not grow with the number due, a batch that fails
leaves nothing recorded and nothing queued, and a second sweep sends nothing twice."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEntry, OutgoingEmail
from courses.models import Completion, Format
from evaluations.models import EvaluationRequest, RequestKind
from evaluations.services import requests as services
from tests.factories import CourseFactory, UserFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _due(n, *, module):
    made = []
    for _ in range(n):
        completion = Completion.objects.create(
            user=UserFactory(), course=module, completed_on=NOW.date(),
            source=Completion.Source.E_LEARNING, created_at=NOW)
        made.append(services.stage_1_request_for_completion(completion=completion, now=NOW))
    return made


def _sweep_queries(now):
    with CaptureQueriesContext(connection) as ctx:
        result = services.evaluation_requests_send(now=now)
    return result, len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_sweeps_queries_do_not_grow_with_the_requests_due(django_capture_on_commit_callbacks):
    module = CourseFactory(format=Format.E_LEARNING)
    _due(2, module=module)
    few, few_queries = _sweep_queries(NOW + timedelta(minutes=1))
    made = _due(20, module=module)
    many, many_queries = _sweep_queries(NOW + timedelta(minutes=2))
    assert (few.requests_sent, many.requests_sent) == (2, 20)
    assert many_queries == few_queries

    rows = OutgoingEmail.objects.filter(purpose__in=[f"evaluation:{r.uid}:request" for r in made])
    assert sorted(rows.values_list("recipient", flat=True)) == sorted(r.user.email for r in made)
    assert all(row.user_id for row in rows)  # the delegate's account, linked
    assert AuditEntry.objects.filter(action="evaluation.request_send").count() == 22
    assert services.evaluation_requests_send(now=NOW + timedelta(minutes=3)).requests_sent == 0
    assert OutgoingEmail.objects.count() == 22


@pytest.mark.django_db
def test_a_batch_that_fails_records_nothing_and_the_next_sweep_sends_it_once(monkeypatch):
    module = CourseFactory(format=Format.E_LEARNING)
    made = _due(5, module=module)
    render = services.email_queue
    calls = []

    def fails_on_the_fourth(**kwargs):
        calls.append(kwargs["purpose"])
        if len(calls) == 4:
            raise RuntimeError("the template broke")
        return render(**kwargs)

    monkeypatch.setattr(services, "email_queue", fails_on_the_fourth)
    with pytest.raises(RuntimeError):
        services.evaluation_requests_send(now=NOW + timedelta(minutes=1))
    assert not OutgoingEmail.objects.exists()
    assert not EvaluationRequest.objects.filter(requested_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="evaluation.request_send").exists()

    monkeypatch.setattr(services, "email_queue", render)
    assert services.evaluation_requests_send(now=NOW + timedelta(minutes=2)).requests_sent == 5
    assert services.evaluation_requests_send(now=NOW + timedelta(minutes=3)).requests_sent == 0
    assert sorted(OutgoingEmail.objects.values_list("purpose", flat=True)) == sorted(
        f"evaluation:{r.uid}:request" for r in made)
    assert set(EvaluationRequest.objects.filter(kind=RequestKind.STAGE_1)
               .values_list("requested_at", flat=True)) == {NOW + timedelta(minutes=2)}
