"""The transactional outbox (core.outbox): an email is a row written with the change that causes
it, queued once per purpose and recipient, claimed before it is sent, retried with backoff, and
marked failed (visible) after the last try."""

import smtplib
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from core.models import OutgoingEmail, Partnership

Status = OutgoingEmail.Status
TEMPLATE = "accounts/organisation_requests_waiting"


def queue(purpose="test:1", to=("a@example.org",), **kwargs):
    return outbox.email_queue(to=list(to), template=TEMPLATE, context={"requests": []},
                              purpose=purpose, **kwargs)


@pytest.mark.django_db
def test_a_queued_email_is_rendered_now_and_sent_after_commit(django_capture_on_commit_callbacks):
    Partnership.objects.filter(pk=1).update(name="Dudley Safeguarding People Partnership")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            [row] = queue(to=["lead@school.example"])
        row.refresh_from_db()
        assert row.status == Status.QUEUED and row.attempts == 0  # nothing before commit
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1 and row.sent_at is not None
    [message] = mail.outbox
    assert message.to == ["lead@school.example"]
    assert message.subject == "0 organisation requests waiting for a decision"
    assert message.from_email.startswith("Dudley Safeguarding People Partnership <")
    assert message.alternatives[0][1] == "text/html"


@pytest.mark.django_db(transaction=True)
def test_no_commit_no_email():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the service failed after queuing")
    assert not OutgoingEmail.objects.exists()
    outbox.outbox_deliver()
    assert not mail.outbox


@pytest.mark.django_db
def test_the_same_purpose_is_queued_once_per_recipient(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(to=["a@example.org", "b@example.org"])
        again = queue(to=["a@example.org", "A@example.org", "c@example.org"])
    assert len(first) == 2 and [r.recipient for r in again] == ["c@example.org"]
    assert OutgoingEmail.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org",
                                                    "c@example.org"]


@pytest.mark.django_db
def test_header_text_cannot_break_the_message(django_capture_on_commit_callbacks):
    """A partnership name with CR/LF (a crafted settings POST) must not stop every email."""
    Partnership.objects.filter(pk=1).update(name="Evil\r\nBcc: victim@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        [row] = queue()
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert "\n" not in mail.outbox[0].from_email and "Bcc" not in mail.outbox[0].message()


@pytest.mark.django_db
def test_attachments_are_kept_and_sent():
    queue(nudge=False, attachments=[("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                     "text/calendar; method=REQUEST"),
                                    ("a.bin", b"\x00\x01", "application/octet-stream")])
    outbox.outbox_deliver()
    [message] = mail.outbox
    names = [a[0] for a in message.attachments]
    assert names == ["invite.ics", "a.bin"]
    assert message.attachments[1][1] == b"\x00\x01"


@pytest.mark.django_db
def test_a_failure_is_retried_with_backoff_then_sent(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    [row] = queue(nudge=False)
    now = timezone.now()
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=smtplib.SMTPServerDisconnected("gone")):
        result = outbox.outbox_deliver(now=now)
    assert (result.sent, result.retrying) == (0, 1)
    row.refresh_from_db()
    assert row.status == Status.RETRY and row.attempts == 1 and "gone" in row.last_error
    assert row.next_attempt_at >= now + timedelta(seconds=59)
    assert outbox.outbox_deliver(now=now).claimed == 0  # not due yet
    outbox.outbox_deliver(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_the_row_is_failed_and_can_be_sent_again(settings, make_user):
    from accounts.roles import Role

    settings.OUTBOX_MAX_ATTEMPTS = 3
    [row] = queue(nudge=False)
    at = timezone.now()
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=OSError("connection refused")):
        for _ in range(3):
            outbox.outbox_deliver(now=at)
            at += timedelta(hours=2)
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 3 and not mail.outbox
    officer = make_user(Role.OFFICER)
    outbox.outgoing_email_resend(email=row, by=officer, now=at)
    outbox.outbox_deliver(now=at)
    row.refresh_from_db()
    assert row.status == Status.SENT and len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_permanent_refusal_fails_at_once():
    [row] = queue(nudge=False)
    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")})
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=refused):
        outbox.outbox_deliver()
    row.refresh_from_db()
    assert row.status == Status.FAILED and "550" in row.last_error


@pytest.mark.django_db
def test_a_row_stuck_in_sending_is_retried_after_the_timeout(settings):
    settings.OUTBOX_SENDING_TIMEOUT = 300
    [row] = queue(nudge=False)
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=now,
                                                   attempts=1)
    outbox.outbox_sweep(now=now + timedelta(seconds=299))
    assert not mail.outbox  # a worker may still be sending it
    outbox.outbox_sweep(now=now + timedelta(seconds=301))
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_health_reports_oldest_unsent_failed_and_last_sweep(client):
    now = timezone.now()
    [row] = queue(nudge=False)
    OutgoingEmail.objects.filter(pk=row.pk).update(created_at=now - timedelta(minutes=5))
    [bad] = queue(purpose="test:2", nudge=False)
    OutgoingEmail.objects.filter(pk=bad.pk).update(status=Status.FAILED)
    health = outbox.outbox_health(now=now)
    assert health["outbox_oldest_unsent_seconds"] == 300
    assert health["outbox_failed"] == 1 and health["beat_last_sweep"] is None
    outbox.outbox_sweep(now=now)
    assert outbox.outbox_health(now=now)["beat_last_sweep"] == now.isoformat()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_row():
    """Eight threads deliver 40 rows at once on PostgreSQL: each row is sent exactly once."""
    for n in range(40):
        queue(purpose=f"race:{n}", nudge=False)
    barrier = threading.Barrier(8)
    errors = []

    def work():
        try:
            barrier.wait()
            while outbox.outbox_deliver(limit=3).claimed:
                pass
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(mail.outbox) == 40
    assert OutgoingEmail.objects.filter(status=Status.SENT, attempts=1).count() == 40


@pytest.mark.django_db
def test_a_row_knows_its_person_whatever_the_case_of_the_address():
    from tests.factories import UserFactory

    person = UserFactory(email="morgan.manager@school.example")
    [row] = queue(to=["Morgan.Manager@School.example"], nudge=False)
    assert row.user == person
