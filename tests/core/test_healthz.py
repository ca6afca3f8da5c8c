"""The health pages: /healthz/live/ (the process answers; a load balancer's probe and the
benchmark's floor) and /healthz/ (the database, and how the outbox is doing, as JSON)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from core import outbox
from core.models import OutgoingEmail

Status = OutgoingEmail.Status


def queue(purpose):
    [row] = outbox.email_queue(to=["lead@school.example"],
                               template="accounts/organisation_requests_waiting",
                               context={"requests": []}, purpose=purpose, nudge=False)
    return row


def test_liveness_answers_without_the_database(client):
    """No django_db mark: any query here would fail the test."""
    response = client.get("/healthz/live/")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_health_page_reports_the_outbox(client, django_assert_max_num_queries):
    now = timezone.now()
    waiting = queue("health:1")
    OutgoingEmail.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(minutes=20))
    failed = queue("health:2")
    OutgoingEmail.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    with mock.patch("core.outbox.outbox_deliver"):  # the sweep's heartbeat, nothing sent
        outbox.outbox_sweep(now=now - timedelta(minutes=7))

    with django_assert_max_num_queries(3):
        response = client.get("/healthz/")

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    health = response.json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert 20 * 60 <= health["outbox_oldest_unsent_seconds"] < 21 * 60
    assert health["outbox_failed"] == 1
    assert health["beat_last_sweep"] == (now - timedelta(minutes=7)).isoformat()
    assert 7 * 60 <= health["beat_last_sweep_seconds_ago"] < 8 * 60
    assert health["warnings"] == [
        "Celery beat has not swept the outbox for 7 minutes.",
        "An email has waited 20 minutes to be sent.",
        "1 email failed: see Emails in the management pages.",
    ]


@pytest.mark.django_db
def test_a_healthy_outbox_has_no_warnings(client):
    outbox.outbox_sweep(now=timezone.now())  # nothing to send, the beat has just run
    health = client.get("/healthz/").json()
    assert health["outbox_oldest_unsent_seconds"] == 0 and health["outbox_failed"] == 0
    assert health["warnings"] == []


@pytest.mark.django_db
def test_a_fresh_site_says_the_beat_has_never_run(client):
    health = client.get("/healthz/").json()
    assert health["beat_last_sweep"] is None
    assert health["warnings"] == ["Celery beat has never swept the outbox."]


@pytest.mark.django_db
def test_the_health_page_says_when_the_database_does_not_answer(client):
    with mock.patch("core.outbox.outbox_health",
                    side_effect=OperationalError("connection refused")):
        response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
