"""The outbox delivers a batch on one SMTP connection (core.outbox._send), and a connection
the server closed between two messages is opened again without failing the next row."""

import asyncio
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from core import outbox
from core.models import OutgoingEmail

TEMPLATE = "accounts/organisation_requests_waiting"


class Sessions:
    """aiosmtpd handler: the connection each accepted message came on; can hang up after the
    n-th message (as a server limiting messages per connection does)."""

    def __init__(self):
        self.accepted = []  # (connection number, recipient)
        self.hang_up_after = None
        self.lock = threading.Lock()
        self._ids = {}

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            number = self._ids.setdefault(id(session), len(self._ids) + 1)
            self.accepted.extend((number, r) for r in envelope.rcpt_tos)
            hang_up = len(self.accepted) == self.hang_up_after
        if hang_up:
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    handler = Sessions()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        yield handler
    finally:
        controller.stop()


def _queue(n):
    for i in range(n):
        outbox.email_queue(to=[f"person{i}@example.org"], template=TEMPLATE,
                           context={"requests": []}, purpose=f"batch:{i}", nudge=False)


@pytest.mark.django_db
def test_a_batch_goes_on_one_smtp_connection(smtp):
    _queue(6)
    delivery = outbox.outbox_deliver(now=timezone.now())
    assert (delivery.claimed, delivery.sent) == (6, 6)
    assert {number for number, _ in smtp.accepted} == {1}
    assert sorted(r for _, r in smtp.accepted) == sorted(f"person{i}@example.org"
                                                          for i in range(6))
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_connection_closed_by_the_server_is_opened_again_and_nothing_goes_twice(smtp):
    smtp.hang_up_after = 2
    _queue(5)
    delivery = outbox.outbox_deliver(now=timezone.now())
    assert (delivery.sent, delivery.retrying, delivery.failed) == (5, 0, 0)
    assert [number for number, _ in smtp.accepted] == [1, 1, 2, 2, 2]
    assert len({r for _, r in smtp.accepted}) == 5
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {("sent", 1)}
