"""The newsletter through a real Celery worker on Redis (the approach of
tests/core/test_celery_worker.py: its own queue, the test database, email written to files):
five people in batches of two get one email each, and a second attempt sends nobody anything."""

import shutil
import time
import uuid
from email.utils import getaddresses

import pytest
import redis
from django.utils import timezone

from core.exceptions import DomainError
from ddscp_training.celery import app
from newsletter import services, tasks
from newsletter.models import Newsletter
from tests.core.test_celery_worker import Worker, _broker_url, drain
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.celery_worker]

BATCH_SIZE = 2
WAIT_SECONDS = 60


@pytest.fixture
def worker(transactional_db, tmp_path, monkeypatch):
    """A worker whose NEWSLETTER_BATCH_SIZE is 2 (the setting is read from the environment)."""
    monkeypatch.setenv("NEWSLETTER_BATCH_SIZE", str(BATCH_SIZE))
    queue = f"test-newsletter-{uuid.uuid4().hex[:12]}"
    broker_url = _broker_url()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    w = Worker(queue=queue, broker_url=broker_url, mail_dir=mail_dir,
               log_path=tmp_path / "worker.log")
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        w.start()
        yield w
    finally:
        app.conf.task_always_eager = eager
        w.stop()
        client = redis.Redis.from_url(broker_url)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()
        shutil.rmtree(mail_dir, ignore_errors=True)


def to_worker(worker, task, *args, **kwargs):
    with app.connection_for_write(worker.broker_url) as conn:
        task.apply_async(args=args, kwargs=kwargs, queue=worker.queue, connection=conn)


def newsletters(worker):
    return [m for m in worker.messages() if m["List-Unsubscribe"]]


def wait_until(condition, worker, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"the worker died:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"{what} within {WAIT_SECONDS}s:\n{worker.output()}")


def test_the_worker_sends_five_newsletters_in_batches_of_two_and_none_twice(worker, monkeypatch):
    event = EventFactory()
    people = [UserFactory(newsletter_opt_in=True) for _ in range(5)]
    UserFactory(newsletter_opt_in=False)
    newsletter = services.newsletter_create(
        by=None, subject="New safeguarding training", introduction="", events=[event],
        now=timezone.now())
    # The first batch is queued after commit; send it to this test's worker. The worker
    # queues each next batch itself, on the queue the batch came from.
    original = tasks.newsletter_send_batch.apply_async

    def to_this_worker(args=(), kwargs=None, **options):
        with app.connection_for_write(worker.broker_url) as conn:
            return original(args=args, kwargs=kwargs, queue=worker.queue, connection=conn)

    monkeypatch.setattr(tasks.newsletter_send_batch, "apply_async", to_this_worker)

    services.newsletter_send(newsletter=newsletter, by=None, now=timezone.now())

    def finished():
        newsletter.refresh_from_db()
        return newsletter.status == Newsletter.Status.SENT

    wait_until(finished, worker, "the newsletter was not marked sent")
    wait_until(lambda: len(newsletters(worker)) >= 5, worker, "five emails did not arrive")
    received = [addr for m in newsletters(worker) for _, addr in getaddresses([m["To"]])]
    assert sorted(received) == sorted(p.email for p in people), worker.output()
    log = worker.output()
    for result in ("{'sent': 2, 'remaining': 3}", "{'sent': 2, 'remaining': 1}",
                   "{'sent': 1, 'remaining': 0}"):
        assert result in log, log
    first = newsletters(worker)[0]
    assert first["Subject"] == "New safeguarding training"
    assert first.get_body(("plain",)).get_content().count(event.course.title) >= 1

    # A second attempt: the send is refused, and batches run again send nothing.
    with pytest.raises(DomainError, match="already sent"):
        services.newsletter_send(newsletter=newsletter, by=None, now=timezone.now())
    to_worker(worker, tasks.newsletter_send_batch, newsletter.pk)
    to_worker(worker, tasks.newsletters_sending_resume)
    to_worker(worker, tasks.newsletter_send_batch, newsletter.pk)
    drain(worker)  # first in, first out with a solo worker: those tasks are done

    assert len(newsletters(worker)) == 5, worker.output()
