"""The site keeps working when Redis or the SMTP server is down, and the outbox (core.outbox)
delivers every email exactly once when they are back.

- Redis down (in this process): every Redis connection is refused, as when redis-server is
  stopped. Signing in (allauth's rate limits, the TOTP replay check) must not 500.
- Redis down (real): a second redis-server that this file starts and stops is the broker of a
  real web server (gunicorn) and a real Celery worker; a delegate signs in, books and cancels
  while it is stopped, then the worker drains the outbox once it is back.
- SMTP refusing: a local SMTP server (aiosmtpd) answers 451 to the first tries.
- A worker killed mid-batch: a slow SMTP server, SIGKILL, restart; nothing lost, nothing twice.
"""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from http.cookiejar import CookieJar
from pathlib import Path
from unittest import mock
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener, urlopen

import pytest
import redis
from aiosmtpd.controller import Controller
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core import outbox
from core.models import Heartbeat, OutgoingEmail
from core.outbox import SWEEP_HEARTBEAT
from ddscp_training.celery import app
from tests.factories import PASSWORD, EventFactory, UserFactory
from tests.helpers import totp_code

Status = OutgoingEmail.Status
TEMPLATE = "accounts/organisation_requests_waiting"


def _refused(self, *args, **kwargs):
    raise redis.exceptions.ConnectionError(
        f"Error 111 connecting to {self.host}:{self.port}. Connection refused.")


@pytest.fixture
def redis_stopped():
    """Every Redis command this process sends fails as when redis-server is stopped (cache and
    broker alike): the pool calls connect() on each checkout, even of an open connection."""
    with mock.patch("redis.connection.AbstractConnection.connect", _refused):
        yield


def test_a_stopped_redis_is_really_refused_here(redis_stopped):
    """The other tests would prove nothing if the patch missed Redis's connections."""
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    with pytest.raises(redis.exceptions.ConnectionError):
        client.ping()


@pytest.mark.django_db
def test_with_redis_down_a_delegate_signs_in(client, delegate, redis_stopped):
    response = client.post("/accounts/login/", {"login": delegate.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(delegate.pk)


@pytest.mark.django_db
def test_with_redis_down_wrong_passwords_are_still_limited(client, delegate, redis_stopped):
    """Not failing open: the rate limit still counts while Redis is down."""
    for _ in range(5):
        client.post("/accounts/login/", {"login": delegate.email, "password": "wrong-one-1"})
    response = client.post("/accounts/login/", {"login": delegate.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_with_redis_down_staff_sign_in_with_their_code_and_it_cannot_be_replayed(
        client, make_user, redis_stopped):
    officer = make_user(Role.OFFICER)
    assert Authenticator.objects.filter(user=officer).exists()
    if 30 - int(time.time()) % 30 < 3:  # do not race the end of the 30-second window
        time.sleep(3)
    code = totp_code()

    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert client.session["_auth_user_id"] == str(officer.pk)

    # The same code a second time (someone who saw it) is refused: the used code is recorded
    # in the cache, which works without Redis.
    other = client.__class__()
    other.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    replay = other.post("/accounts/2fa/authenticate/", {"code": code})
    assert replay.status_code == 200
    assert "_auth_user_id" not in other.session


@pytest.mark.django_db
def test_with_redis_down_business_support_sends_the_newsletter(
        client, make_user, redis_stopped, django_capture_on_commit_callbacks):
    """Every on-commit publish must survive the broker being down: the newsletter is marked
    sending and its beat sweep (newsletters-sending-resume) sends it when Redis is back."""
    from newsletter import services
    from newsletter.models import Newsletter

    officer = make_user(Role.BUSINESS_SUPPORT)
    UserFactory(newsletter_opt_in=True)
    event = EventFactory(start=timezone.now() + timedelta(days=30))
    newsletter = services.newsletter_create(by=officer, subject="Spring dates", events=[event],
                                            introduction="New dates.", now=timezone.now())
    client.force_login(officer)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # publish to the (stopped) broker, as the site does
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("courses:newsletter-send", kwargs={"pk": newsletter.pk}))
    finally:
        app.conf.task_always_eager = eager
    assert response.status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENDING


@pytest.mark.django_db(transaction=True)
def test_the_cache_is_cleared_between_tests_first(delegate):
    cache.set("left-by-a-test", 1)


@pytest.mark.django_db
def test_the_cache_is_cleared_between_tests_second(delegate):
    """tests/conftest.py clears the cache around each test (allauth's counters live there)."""
    assert cache.get("left-by-a-test") is None


# Real services: a private redis-server, an SMTP server, gunicorn and a Celery worker ---------

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
DELIVERY_SECONDS = 30
REQUEST_SECONDS = 3.0  # "no long hang": a request with the broker down answers within this


def _free_port(candidates=None):
    for port in candidates or [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    pytest.fail(f"no free port among {candidates}")


def _wait(predicate, what, seconds=DELIVERY_SECONDS, *, alive=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        for process in alive:
            process.check_alive()
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {seconds}s\n" + "\n".join(p.output() for p in alive))


def _test_database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class RedisServer:
    """A redis-server of this test's own on a port of 6391-6399, never the shared one."""

    def __init__(self, tmp_path):
        self.port = _free_port(range(6391, 6400))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.tmp_path, self.process = tmp_path, None

    def start(self):
        assert self.process is None or self.process.poll() is not None, "already running"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        # Ours, answering: not another test's server on a port taken in the meantime.
        _wait(lambda: self.process.poll() is None and self._pings(client),
              f"redis-server answering on {self.port}", 10)
        client.close()

    @staticmethod
    def _pings(client):
        try:
            return client.ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Sink:
    """aiosmtpd handler: records each message it accepts; can answer 451 to the next tries (at
    RCPT or at DATA) and be slow to answer RCPT (a worker is then mid-send)."""

    def __init__(self):
        self.accepted = []  # (recipient, subject)
        self.refuse_rcpt = self.refuse_data = self.refused = 0
        self.slow_rcpt_number = None  # this RCPT (1, 2, ...) waits SLOW seconds
        self.rcpts = 0
        self.slow_started = threading.Event()
        self.lock = threading.Lock()

    SLOW = 10

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpts += 1
            slow = self.rcpts == self.slow_rcpt_number
            if self.refuse_rcpt:
                self.refuse_rcpt -= 1
                self.refused += 1
                return "451 4.3.2 Please try again later"
        if slow:
            self.slow_started.set()
            await asyncio.sleep(self.SLOW)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_data:
                self.refuse_data -= 1
                self.refused += 1
                return "451 4.3.0 Mail server temporarily rejected message"
            message = message_from_bytes(envelope.content, policy=policy.default)
            for recipient in envelope.rcpt_tos:
                # As a mail client shows it: a long subject is folded onto a second line.
                self.accepted.append((recipient, " ".join(str(message["Subject"]).split())))
        return "250 Message accepted for delivery"

    def counts(self):
        with self.lock:
            return Counter(self.accepted)


@pytest.fixture
def smtp():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


class Service:
    """A subprocess with the test settings against the test database, in its own process
    group, its output in a file; stopped (and checked stopped) by the fixture."""

    def __init__(self, name, command, *, env, tmp_path):
        self.name, self.command, self.env = name, command, env
        self.log_path = tmp_path / f"{name}.log"
        self.process = None

    def start(self, ready):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        _wait(ready, f"{self.name} ready", STARTUP_SECONDS, alive=[self])
        return self

    def check_alive(self):
        if self.process.poll() is not None:
            pytest.fail(f"{self.name} exited:\n{self.output()}")

    def output(self):
        return f"--- {self.name}:\n" + self.log_path.read_bytes().decode(errors="replace")[-4000:]

    def kill(self):
        """SIGKILL, the whole group: no warm shutdown, nothing tidied up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()
        assert self.process.returncode is not None


@pytest.fixture
def services(transactional_db, tmp_path, smtp):
    """Start web servers and workers with `services.web(broker)` / `services.worker(broker)`;
    all of them stop at the end of the test, whatever happens."""
    started = []
    queue = f"faults-{uuid.uuid4().hex[:8]}"

    def env(broker_url, **extra):
        return {
            **{k: v for k, v in os.environ.items() if k != "TEST_CACHE_URL"},
            "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.test",
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": broker_url,
            "CELERY_EAGER": "0",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    class Services:
        def web(self, broker_url):
            port = _free_port()
            gunicorn = Path(sys.executable).with_name("gunicorn")
            service = Service("web", [str(gunicorn), "ddscp_training.wsgi:application",
                                      "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                      "--timeout", "60"],
                              env=env(broker_url), tmp_path=tmp_path)
            started.append(service)
            service.url = f"http://127.0.0.1:{port}"
            return service.start(lambda: _answers(service.url + "/healthz/live/"))

        def worker(self, broker_url, **extra):
            celery = Path(sys.executable).with_name("celery")
            n = sum(s.name.startswith("worker") for s in started) + 1
            service = Service(f"worker{n}", [
                str(celery), "-A", "ddscp_training", "worker", "--pool=solo", "-Q", queue,
                "-n", f"{queue}-{n}@%h", "--without-heartbeat", "--without-gossip",
                "--without-mingle", "--loglevel=INFO"],
                env=env(broker_url, **extra), tmp_path=tmp_path)
            started.append(service)
            return service.start(lambda: b" ready." in service.log_path.read_bytes())

        def send(self, task, broker_url, **kwargs):
            """What beat (or a nudge) does: put the task on the workers' queue."""
            with app.connection_for_write(broker_url) as conn:
                task.apply_async(kwargs=kwargs, queue=queue, connection=conn)

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield Services()
    finally:
        app.conf.task_always_eager = eager
        for service in reversed(started):
            service.stop()


def _answers(url):
    try:
        with urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person at a browser: cookies, the CSRF token of the last form, every request timed
    and checked (never a 500, never a long wait)."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect)
        self.token = None

    def request(self, path, data=None):
        body = None
        if data is not None:
            body = urlencode({"csrfmiddlewaretoken": self.token, **data}).encode()
        started = time.monotonic()
        try:
            response = self.opener.open(Request(self.base_url + path, data=body), timeout=30)
        except HTTPError as error:
            response = error
        page = response.read().decode(errors="replace")
        took = time.monotonic() - started
        method = "POST" if data is not None else "GET"
        assert response.status < 400, f"{method} {path}: {response.status}\n{page[:3000]}"
        assert took < REQUEST_SECONDS, f"{method} {path} took {took:.1f}s"
        if found := re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page):
            self.token = found.group(1)
        return response.status, response.headers.get("Location"), page

    get = request

    def post(self, path, data=None):
        return self.request(path, data or {})


@pytest.mark.celery_worker
def test_with_redis_stopped_a_delegate_books_and_cancels_and_every_email_goes_once_back(
        services, private_redis, smtp):
    from bookings.models import Booking, BookingStatus
    from core.tasks import outbox_sweep

    delegate = UserFactory(email="dana.delegate@example.org",
                           line_manager_email="lee.manager@example.org")
    event = EventFactory(start=timezone.now() + timedelta(days=30))
    web = services.web(private_redis.url)
    private_redis.stop()  # the broker is down from here on

    browser = Browser(web.url)
    browser.get("/accounts/login/")
    status, location, _ = browser.post("/accounts/login/",
                                       {"login": delegate.email, "password": PASSWORD})
    assert (status, location) == (302, "/account/")
    browser.get(f"/courses/events/{event.pk}/")
    status, location, _ = browser.post(f"/bookings/events/{event.pk}/book/",
                                       {"access_needs": ""})
    booking = Booking.objects.get(event=event, delegate=delegate)
    assert (status, location) == (302, f"/bookings/{booking.uid}/")
    assert "Your place is booked" in browser.get(location)[2]
    browser.get(f"/bookings/{booking.uid}/cancel/")
    status, location, _ = browser.post(f"/bookings/{booking.uid}/cancel/")
    assert status == 302
    assert "is cancelled" in browser.get(location)[2]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED

    owed = Counter(OutgoingEmail.objects.values_list("recipient", "subject"))
    assert {r for r, _ in owed} == {"dana.delegate@example.org", "lee.manager@example.org"}
    assert len(owed) >= 4  # booked and cancelled, to the delegate and to the line manager
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.QUEUED}
    assert not smtp.counts()

    # Redis is back; a worker drains the outbox on the beat's next sweep.
    private_redis.start()
    worker = services.worker(private_redis.url)
    services.send(outbox_sweep, private_redis.url)
    _wait(lambda: sum(smtp.counts().values()) >= len(owed), "every owed email delivered",
          alive=[worker])
    _wait(lambda: not OutgoingEmail.objects.exclude(status=Status.SENT).exists(),
          "every row marked sent", alive=[worker])
    # Another sweep sends nothing again.
    last = Heartbeat.objects.get(name=SWEEP_HEARTBEAT).at
    services.send(outbox_sweep, private_redis.url)
    _wait(lambda: Heartbeat.objects.get(name=SWEEP_HEARTBEAT).at > last, "the second sweep",
          alive=[worker])
    assert smtp.counts() == owed and set(owed.values()) == {1}


@pytest.mark.django_db
def test_an_smtp_server_refusing_for_a_while_gets_every_email_once(settings, smtp):
    """451 to the first four tries (two at RCPT, two at DATA), then it accepts: each email is
    retried with backoff until it goes, once, and none is marked failed."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    smtp.refuse_rcpt, smtp.refuse_data = 2, 2
    for n in range(3):
        outbox.email_queue(to=[f"person{n}@example.org"], template=TEMPLATE,
                           context={"requests": []}, purpose=f"faults:{n}", nudge=False)

    outbox.outbox_sweep(now=timezone.now())
    rows = OutgoingEmail.objects.order_by("recipient")
    assert [r.status for r in rows] == [Status.RETRY] * 3 and not smtp.counts()
    assert all("451" in r.last_error for r in rows)
    assert outbox.outbox_sweep(now=timezone.now())[0].claimed == 0  # not due yet: backoff

    outbox.outbox_sweep(now=timezone.now() + timedelta(seconds=90))  # one more 451, two go
    outbox.outbox_sweep(now=timezone.now() + timedelta(seconds=90))  # its next try: 2 minutes
    assert sum(smtp.counts().values()) == 2
    outbox.outbox_sweep(now=timezone.now() + timedelta(minutes=5))
    outbox.outbox_sweep(now=timezone.now() + timedelta(hours=2))  # nothing left to send

    assert smtp.refused == 4
    assert smtp.counts() == Counter({
        (f"person{n}@example.org", "0 organisation requests waiting for a decision"): 1
        for n in range(3)})
    rows = list(OutgoingEmail.objects.order_by("next_attempt_at"))
    assert {r.status for r in rows} == {Status.SENT}
    assert sorted(r.attempts for r in rows) == [2, 2, 3]
    assert outbox.outbox_health(now=timezone.now())["outbox_failed"] == 0


@pytest.mark.celery_worker
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
        services, private_redis, smtp):
    """The worker is killed while the SMTP server is slow to answer the third message's RCPT:
    two rows are sent, the third and the rest of the batch are left "sending". After
    OUTBOX_SENDING_TIMEOUT the next worker's sweep sends them.

    (Killed in the instant between the server's 250 for DATA and the row being marked sent,
    a worker would send that one message again: the outbox is at least once, and that window
    is one message wide; see core/outbox.py.)"""
    from core.tasks import outbox_deliver, outbox_sweep

    for n in range(5):
        outbox.email_queue(to=[f"person{n}@example.org"], template=TEMPLATE,
                           context={"requests": []}, purpose=f"faults:{n}", nudge=False)
    owed = Counter(OutgoingEmail.objects.values_list("recipient", "subject"))
    smtp.slow_rcpt_number = 3
    timeout = {"OUTBOX_SENDING_TIMEOUT": "2"}

    first = services.worker(private_redis.url, **timeout)
    services.send(outbox_deliver, private_redis.url)
    _wait(smtp.slow_started.is_set, "the worker sending the third message", alive=[first])
    first.kill()

    assert sum(smtp.counts().values()) == 2
    statuses = Counter(OutgoingEmail.objects.values_list("status", flat=True))
    assert statuses == Counter({Status.SENT: 2, Status.SENDING: 3})

    second = services.worker(private_redis.url, **timeout)
    claimed = OutgoingEmail.objects.filter(status=Status.SENDING).latest("claimed_at").claimed_at
    time.sleep(max(0.0, (claimed - timezone.now()).total_seconds() + 2.5))
    services.send(outbox_sweep, private_redis.url)
    _wait(lambda: sum(smtp.counts().values()) >= 5, "the rest delivered", alive=[second])
    _wait(lambda: not OutgoingEmail.objects.exclude(status=Status.SENT).exists(),
          "every row marked sent", alive=[second])
    assert smtp.counts() == owed and set(owed.values()) == {1}
    retried = OutgoingEmail.objects.filter(attempts=2).count()
    assert retried == 3
