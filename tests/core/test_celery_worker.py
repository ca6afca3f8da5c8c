"""A real Celery worker on Redis, against the test database: what the eager unit tests cannot
show (JSON serialisation of the arguments, the worker's settings, the queue itself).

The worker runs ddscp_training.settings.test with CELERY_EAGER=0 and the file email backend
(TEST_EMAIL_BACKEND / TEST_EMAIL_FILE_PATH), so the messages it sends land in a folder this test
reads. Each test has its own queue on its own Redis database, and the worker is stopped (and
checked stopped) whatever happens."""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import OrganisationRequest, Sector
from accounts.roles import Role
from accounts.tasks import organisation_requests_remind
from core.models import Heartbeat, OutgoingEmail
from core.outbox import SWEEP_HEARTBEAT, email_queue
from core.tasks import outbox_deliver, outbox_sweep
from ddscp_training.celery import app
from tests.factories import UserFactory

pytestmark = [pytest.mark.celery_worker]

# A Redis database of its own for the broker: the unit tests' cache.clear() flushes the cache's.
BROKER_DB = int(os.environ.get("TEST_CELERY_BROKER_DB", "11"))
STARTUP_SECONDS = 60
DELIVERY_SECONDS = 30
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # written after each message by the file backend


def _broker_url():
    parts = urlsplit(settings.REDIS_URL or "redis://127.0.0.1:6379/0")
    return urlunsplit(parts._replace(path=f"/{BROKER_DB}"))


def _test_database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def _celery_command():
    celery = Path(sys.executable).with_name("celery")
    return [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]


class Worker:
    def __init__(self, *, queue, broker_url, mail_dir, log_path):
        self.queue, self.broker_url, self.mail_dir, self.log_path = (
            queue, broker_url, mail_dir, log_path)
        self.process = None

    def start(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.test",
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": self.broker_url,
            "CELERY_EAGER": "0",
            # What the worker queues itself (the outbox's nudges) stays on its own queue.
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "TEST_EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
        }
        command = [*_celery_command(), "-A", "ddscp_training", "worker", "--pool=solo",
                   "-Q", self.queue, "-n", f"{self.queue}@%h", "--without-heartbeat",
                   "--without-gossip", "--without-mingle", "--loglevel=INFO"]
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, which stop() ends
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited at startup:\n{self.output()}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        pytest.fail(f"the worker was not ready in {STARTUP_SECONDS}s:\n{self.output()}")

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        try:  # anything left in the worker's own process group
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()
        assert self.process.returncode is not None

    def output(self):
        return self.log_path.read_bytes().decode(errors="replace")[-5000:]

    def messages(self):
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for raw in path.read_bytes().split(SEPARATOR):
                if raw.strip():
                    found.append(message_from_bytes(raw.lstrip(b"\n"), policy=policy.default))
        return found

    def wait_for(self, predicate, what):
        deadline = time.monotonic() + DELIVERY_SECONDS
        while time.monotonic() < deadline:
            matching = [m for m in self.messages() if predicate(m)]
            if matching:
                return matching
            if self.process.poll() is not None:
                pytest.fail(f"the worker died:\n{self.output()}")
            time.sleep(0.2)
        pytest.fail(f"no email {what} within {DELIVERY_SECONDS}s:\n{self.output()}")


@pytest.fixture
def worker(transactional_db, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:12]}"
    broker_url = _broker_url()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    w = Worker(queue=queue, broker_url=broker_url, mail_dir=mail_dir,
               log_path=tmp_path / "worker.log")
    # This process sends for real too: not eagerly, to the worker's broker.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        w.start()
        yield w
    finally:
        app.conf.task_always_eager = eager
        w.stop()
        client = redis.Redis.from_url(broker_url)  # leave nothing of this queue in Redis
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()
        shutil.rmtree(mail_dir, ignore_errors=True)


def send(task, worker, **kwargs):
    with app.connection_for_write(worker.broker_url) as conn:
        task.apply_async(kwargs=kwargs, queue=worker.queue, connection=conn)


def drain(worker):
    """Queue the outbox sweep behind every task sent so far and wait until it has run (so
    have they: one solo worker, first in first out) and the outbox has nothing left to send."""
    started = timezone.now()
    send(outbox_sweep, worker)
    deadline = time.monotonic() + DELIVERY_SECONDS
    while time.monotonic() < deadline:
        swept = Heartbeat.objects.filter(name=SWEEP_HEARTBEAT, at__gte=started).exists()
        owed = OutgoingEmail.objects.filter(status__in=[
            OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING,
            OutgoingEmail.Status.RETRY]).exists()
        if swept and not owed:
            return worker.messages()
        if worker.process.poll() is not None:
            pytest.fail(f"the worker died:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"the outbox was not drained within {DELIVERY_SECONDS}s:\n{worker.output()}")


def to(address):
    return lambda message: address in message["To"]


REQUEST_ROW = {
    "name": "Little Acorns Nursery", "get_sector_display": "Private or profit-making organisation",
    "requested_by": {"email": "priya.shah@example.org", "get_full_name": "Priya Shah"},
}


def test_the_worker_sends_an_email_with_text_and_html(worker):
    email_queue(to=["officer@partnership.example"], purpose="test:worker",
                template="accounts/organisation_requests_waiting",
                context={"requests": [REQUEST_ROW]}, nudge=False)
    send(outbox_deliver, worker)  # the nudge a commit sends, to this test's worker

    [message] = worker.wait_for(to("officer@partnership.example"), "to the officer")

    assert message["Subject"] == "1 organisation request waiting for a decision"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Little Acorns Nursery" in text
    assert "<table" not in text and "<strong>" not in text
    assert "Little Acorns Nursery" in html and "<table" in html
    assert "priya.shah@example.org" in text


def test_the_reminder_sweep_through_the_worker_emails_once(worker, make_user):
    make_user(Role.OFFICER, email="officer@partnership.example")
    request = OrganisationRequest.objects.create(
        name="Little Acorns Nursery", sector=Sector.PRIVATE,
        requested_by=UserFactory(organisation=None),
        requested_at=timezone.now() - timedelta(days=2))

    send(organisation_requests_remind, worker)
    send(organisation_requests_remind, worker)
    reminders = [m for m in drain(worker) if to("officer@partnership.example")(m)]
    assert len(reminders) == 1, worker.output()
    assert "Little Acorns Nursery" in reminders[0].get_body(("plain",)).get_content()
    request.refresh_from_db()
    assert request.reminded_at is not None
