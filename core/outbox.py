"""The transactional outbox: every email the site sends is a row written in the transaction
of the change that causes it, and delivered from that row (pretix's OutgoingMail).

- `email_queue` (inside a service's transaction) renders the message now and writes one row
  per recipient; a (purpose, recipient) already queued is ignored, so a service or a sweep run
  twice queues nothing twice. After commit a Celery task is nudged to send the new rows; if
  the broker is down the nudge is lost but the rows are not.
- `outbox_deliver` claims due rows (FOR UPDATE SKIP LOCKED, status ``sending``, committed)
  before each SMTP call, so two workers never send the same row; success marks it ``sent``,
  a failure schedules a retry with backoff, and after OUTBOX_MAX_ATTEMPTS it is ``failed``
  (visible to officers, who can send it again).
- `outbox_sweep` (Celery beat, every minute) releases rows stuck in ``sending`` past
  OUTBOX_SENDING_TIMEOUT (a worker killed mid-send) and sends every due row, so the outbox
  drains on its own once the broker or the SMTP server is back.

Delivery is at least once: a worker killed after the SMTP server accepted a message but
before the row was marked sent sends it again after the timeout. That window is one message
wide; every other failure sends nothing twice."""

import base64
import logging
import smtplib
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from .email import email_render
from .models import Heartbeat, OutgoingEmail, Partnership

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status
SWEEP_HEARTBEAT = "outbox-sweep"


def _setting(name, default):
    return getattr(settings, name, default)


def one_line(text):
    """Header text on one line: CR, LF and other control characters would break every email."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def from_address(partnership):
    return formataddr((one_line(partnership.name), settings.DEFAULT_FROM_EMAIL))


def _attachment_rows(attachments):
    rows = []
    for filename, content, mimetype in attachments:
        if isinstance(content, bytes):
            rows.append({"filename": filename, "mimetype": mimetype, "base64": True,
                         "content": base64.b64encode(content).decode("ascii")})
        else:
            rows.append({"filename": filename, "mimetype": mimetype, "base64": False,
                         "content": str(content)})
    return rows


def _recipients(to):
    if isinstance(to, str):
        to = [to]
    seen, out = set(), []
    for address in to:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def _users_by_email(addresses, known=()):
    """The accounts of these addresses, whatever their case: `known` users (the booking's
    delegate, already loaded) are taken as they are, the others looked up."""
    from django.contrib.auth import get_user_model

    users = {u.email.lower(): u for u in known if u is not None and u.email}
    rest = {a.lower() for a in addresses if a.lower() not in users}
    if rest:
        # Accounts keep their address in lower case (accounts.models): found by the email
        # index; only an address not found so (someone else's, or an account stored in
        # another case) is compared in lower case, which reads the whole table once.
        model = get_user_model()
        users.update({u.email.lower(): u for u in model.objects.filter(email__in=rest)
                      .only("pk", "email")})
        rest -= users.keys()
    if rest:
        found = (model.objects.annotate(address=Lower("email"))
                 .filter(address__in=rest).only("pk", "email"))
        users.update({u.email.lower(): u for u in found})
    return users


# Emails queued inside `emails_held()` are rendered at once but written only by the block's
# write(): a service renders before it takes a row lock and writes while holding it, so the
# lock is held for a few inserts instead of a rendering. The accounts of addresses not passed
# as `users` are looked up by the write, one query for everything held.
_held = ContextVar("outbox_held", default=None)


class HeldEmails:
    def __init__(self, partnership=None):
        self.batches = []
        self.partnership = partnership

    def find_people(self):
        """Find the accounts of every address held now (one query), so that write() does not:
        a service that writes under a row lock calls this before taking it."""
        rows = [row for batch in self.batches for row in batch["rows"]
                if row.user is None and not getattr(row, "_people_found", False)]
        users = _users_by_email([row.recipient for row in rows]) if rows else {}
        for row in rows:
            row.user = users.get(row.recipient.lower())
            row._people_found = True

    def write(self):
        """Write every email held (inside the service's transaction), in the order queued:
        one INSERT and one read-back for them all (a sweep's batch of hundreds included)."""
        batches, self.batches = self.batches, []
        return _rows_write_many(batches)


@contextmanager
def emails_held(partnership=None):
    """Hold the emails queued in this block until its write(). `partnership` (the row the
    caller has loaded already) renders every one of them, instead of a read per email."""
    held = HeldEmails(partnership)
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def email_queue(*, to, template, context, purpose, attachments=(), reply_to=None, headers=None,
                nudge=True, users=()):
    """Render `templates/email/<template>` now and queue one email per address in `to`.

    Call inside the service's transaction: no commit, no email. `purpose` says why (e.g.
    ``booking:<uid>:confirmed:<sequence>``); an address already queued for that purpose is
    skipped. `users` are accounts already loaded (an address of theirs is not looked up
    again). Returns the rows written (possibly none; none while emails are held)."""
    subject, text, html = email_render(template=template, context=context,
                                       partnership=_held_partnership())
    return _rows_create(
        to=to, purpose=purpose, template=template, subject=subject, text=text, html=html,
        attachments=_attachment_rows(attachments), reply_to=reply_to,
        headers=headers, nudge=nudge, users=users,
    )


def email_queue_message(*, message, purpose, template="", nudge=True):
    """Queue an already built django EmailMessage (allauth's own emails), one row per address."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []) or []:
        if mimetype == "text/html":
            html = content
    if getattr(message, "content_subtype", "plain") == "html":
        text, html = "", message.body
    else:
        text = message.body
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        attachments.append((filename, content, mimetype))
    return _rows_create(
        to=list(message.to), purpose=purpose, template=template, subject=message.subject,
        text=text, html=html, attachments=_attachment_rows(attachments),
        reply_to=(message.reply_to or [None])[0], headers=message.extra_headers, nudge=nudge,
    )


def _rows_create(*, to, purpose, template, subject, text, html, attachments, reply_to, headers,
                 nudge, users=()):
    addresses = _recipients(to)
    if not addresses:
        return []
    partnership = _held_partnership() or Partnership.load()
    # Accounts already loaded now; the others are looked up when the rows are written (for
    # a sweep's whole batch at once).
    users = {u.email.lower(): u for u in users if u is not None and u.email}
    now = timezone.now()
    purpose = purpose[:200]
    rows = [
        OutgoingEmail(
            purpose=purpose, recipient=address, user=users.get(address.lower()),
            template=template[:120], from_email=from_address(partnership),
            reply_to=one_line(reply_to or partnership.contact_email)[:254],
            subject=one_line(subject)[:998], body_text=text, body_html=html,
            headers={one_line(k): one_line(v) for k, v in (headers or {}).items()},
            attachments=attachments, created_at=now, next_attempt_at=now,
        )
        for address in addresses
    ]
    batch = {"rows": rows, "purpose": purpose, "now": now, "nudge": nudge}
    if (held := _held.get()) is not None:
        held.batches.append(batch)
        return []
    return _rows_write(**batch)


def _held_partnership():
    held = _held.get()
    return held.partnership if held is not None else None


def _rows_write(*, rows, purpose, now, nudge):
    return _rows_write_many([{"rows": rows, "purpose": purpose, "now": now, "nudge": nudge}])


def _rows_write_many(batches):
    # An address is one mailbox whatever its case (Morgan@School.example is
    # morgan@school.example): already queued for this purpose in any case, it is not queued
    # again. The unique index (purpose, lower(recipient)) decides, so a concurrent transaction
    # that queued the same purpose first wins and this one neither fails nor sends it twice
    # (nor does a second batch of the same purpose and address in this write); the rows read
    # back are the ones this call wrote (created now), in the order queued.
    rows = [row for batch in batches for row in batch["rows"]]
    if not rows:
        return []
    unknown = [row for row in rows
               if row.user is None and not getattr(row, "_people_found", False)]
    users = _users_by_email([row.recipient for row in unknown]) if unknown else {}
    for row in unknown:
        row.user = users.get(row.recipient.lower())
    OutgoingEmail.objects.bulk_create(rows, ignore_conflicts=True)
    wanted = {(batch["purpose"], row.recipient, batch["now"]): batch["nudge"]
              for batch in batches for row in batch["rows"]}
    found = OutgoingEmail.objects.filter(
        created_at__in={batch["now"] for batch in batches},
        purpose__in={batch["purpose"] for batch in batches},
        recipient__in={row.recipient for row in rows})
    by_key = {(row.purpose, row.recipient, row.created_at): row for row in found}
    created, seen = [], set()
    for key in wanted:
        row = by_key.get(key)
        if row is not None and row.pk not in seen:
            seen.add(row.pk)
            created.append(row)
    ids = [row.pk for row in created
           if wanted[(row.purpose, row.recipient, row.created_at)]]
    if ids:
        transaction.on_commit(lambda: outbox_nudge(ids=ids))
    return created


# After a nudge fails (the broker is down or hung), this process stops trying for a while:
# each attempt can cost a request a second or two, and the sweep sends the rows anyway.
NUDGE_PAUSE_SECONDS = 30
_nudge_paused_until = 0.0


def task_nudge(task, **options):
    """Queue a Celery task as a nudge: never raises. If the broker is down the work is not
    lost (it is recorded in the database and a beat sweep picks it up); the request goes on."""
    global _nudge_paused_until

    if time.monotonic() < _nudge_paused_until:
        return False
    try:
        task.apply_async(retry=False, **options)
    except Exception:  # noqa: BLE001 - the broker being down must never fail the request
        if not task.app.conf.task_always_eager:
            _nudge_paused_until = time.monotonic() + NUDGE_PAUSE_SECONDS
        logger.warning("Could not queue %s (broker down?); its sweep will do the work",
                       task.name, exc_info=True)
        return False
    return True


def outbox_nudge(*, ids=None):
    """Ask a worker to send these rows now (the rows are the record, the task only a nudge)."""
    from . import tasks

    return task_nudge(tasks.outbox_deliver, kwargs={"ids": ids})


@dataclass(frozen=True)
class Delivery:
    claimed: int
    sent: int
    retrying: int
    failed: int


def backoff(attempts):
    """Seconds before the next try after `attempts` failed: 1, 2, 4 ... minutes, capped."""
    base = _setting("OUTBOX_RETRY_BASE_SECONDS", 60)
    cap = _setting("OUTBOX_RETRY_MAX_SECONDS", 3600)
    return min(cap, base * (2 ** max(0, attempts - 1)))


def _claim(*, ids, now, limit):
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = (OutgoingEmail.objects
               .select_for_update(skip_locked=True)
               .filter(status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now))
        if ids is not None:
            due = due.filter(pk__in=ids)
        pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not pks:
            return token, []
        # The status condition makes the claim a compare-and-set on SQLite too, where
        # select_for_update does nothing.
        OutgoingEmail.objects.filter(pk__in=pks, status__in=[Status.QUEUED, Status.RETRY]).update(
            status=Status.SENDING, claimed_at=now, claim_token=token,
            attempts=F("attempts") + 1)
    return token, list(OutgoingEmail.objects.filter(claim_token=token, status=Status.SENDING)
                       .order_by("next_attempt_at", "pk"))


def _message(row, connection):
    message = EmailMultiAlternatives(
        subject=row.subject, body=row.body_text, from_email=row.from_email, to=[row.recipient],
        reply_to=[row.reply_to] if row.reply_to else None, headers=dict(row.headers or {}),
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    for attachment in row.attachments or []:
        content = attachment["content"]
        if attachment.get("base64"):
            content = base64.b64decode(content)
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


def _send(row, connection):
    """Send one row on the batch's connection. Opened here, before the message: Django's
    send() would otherwise open and close a connection for every message. A connection the
    server closed between two messages (servers limit messages per connection, or idle time)
    is opened again once for this row; an error on a fresh connection is the row's."""
    fresh = connection.open()
    try:
        _message(row, connection).send()
    except smtplib.SMTPServerDisconnected:
        if fresh is not False:
            raise
        connection.close()
        connection.open()
        _message(row, connection).send()


def _permanent(error):
    """A 5xx answer (no such mailbox, say) will never succeed: fail now, not in hours."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _outcome(row, token, error, *, max_attempts):
    mine = OutgoingEmail.objects.filter(pk=row.pk, claim_token=token, status=Status.SENDING)
    if error is None:
        mine.update(status=Status.SENT, sent_at=timezone.now(), last_error="")
        return Status.SENT
    detail = f"{type(error).__name__}: {error}"[:2000]
    if row.attempts >= max_attempts or _permanent(error):
        mine.update(status=Status.FAILED, last_error=detail)
        logger.error("Outbox: %s to %s failed for good: %s", row.purpose, row.recipient, detail)
        return Status.FAILED
    mine.update(status=Status.RETRY, last_error=detail,
                next_attempt_at=timezone.now() + timedelta(seconds=backoff(row.attempts)))
    logger.warning("Outbox: %s to %s will be retried: %s", row.purpose, row.recipient, detail)
    return Status.RETRY


def outbox_deliver(*, ids=None, now=None, limit=None):
    """Claim and send due rows (these `ids` only, when given), one SMTP connection per batch."""
    now = now or timezone.now()
    limit = limit or _setting("OUTBOX_BATCH_SIZE", 50)
    if ids is not None:
        limit = max(limit, min(len(ids), 500))  # a nudge sends what its commit queued
    max_attempts = _setting("OUTBOX_MAX_ATTEMPTS", 10)
    token, rows = _claim(ids=ids, now=now, limit=limit)
    counts = {Status.SENT: 0, Status.RETRY: 0, Status.FAILED: 0}
    if not rows:
        return Delivery(0, 0, 0, 0)
    connection = get_connection(fail_silently=False)
    try:
        for row in rows:
            try:
                _send(row, connection)
            except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
                counts[_outcome(row, token, error, max_attempts=max_attempts)] += 1
                try:
                    connection.close()  # a broken connection is reopened for the next row
                except Exception:  # noqa: BLE001
                    pass
            else:
                counts[_outcome(row, token, None, max_attempts=max_attempts)] += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
    return Delivery(len(rows), counts[Status.SENT], counts[Status.RETRY], counts[Status.FAILED])


def outbox_release_stuck(*, now):
    """Rows left in ``sending`` longer than OUTBOX_SENDING_TIMEOUT (their worker died) go back
    to the queue."""
    timeout = timedelta(seconds=_setting("OUTBOX_SENDING_TIMEOUT", 600))
    return OutgoingEmail.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - timeout,
    ).update(status=Status.RETRY, next_attempt_at=now,
             last_error="The worker stopped while sending; sent again.")


def outbox_due_count(*, now):
    return OutgoingEmail.objects.filter(
        status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now).count()


def outbox_sweep(*, now=None):
    """Beat, every minute: release stuck rows and send one batch of due rows. Returns the
    delivery and whether more rows are due (the task then queues another batch)."""
    now = now or timezone.now()
    Heartbeat.beat(SWEEP_HEARTBEAT, now=now)
    outbox_release_stuck(now=now)
    delivery = outbox_deliver(now=now)
    return delivery, outbox_due_count(now=now) > 0


@transaction.atomic
def outgoing_email_resend(*, email, by, now):
    """An officer sends a failed email again: it goes back to the queue with fresh attempts."""
    from .audit import audit_record
    from .exceptions import DomainError

    locked = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
    if locked.status != Status.FAILED:
        raise DomainError("Only a failed email can be sent again.")
    locked.status, locked.attempts, locked.next_attempt_at = Status.QUEUED, 0, now
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(actor=by, action="outbox.resend", target=locked,
                 details={"purpose": locked.purpose})
    pk = locked.pk
    transaction.on_commit(lambda: outbox_nudge(ids=[pk]))
    return locked


def outbox_health(*, now):
    """For the operators' health page: oldest unsent row's age, failed rows, last sweep."""
    oldest = (OutgoingEmail.objects
              .filter(Q(status__in=[Status.QUEUED, Status.RETRY, Status.SENDING]))
              .order_by("created_at").values_list("created_at", flat=True).first())
    beat = Heartbeat.objects.filter(name=SWEEP_HEARTBEAT).values_list("at", flat=True).first()
    return {
        "outbox_oldest_unsent_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "outbox_failed": OutgoingEmail.objects.filter(status=Status.FAILED).count(),
        "beat_last_sweep": beat.isoformat() if beat else None,
        "beat_last_sweep_seconds_ago": int((now - beat).total_seconds()) if beat else None,
    }
