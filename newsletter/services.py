"""Writes of the newsletter (STYLE.md: one function per user-visible action, keyword-only,
atomic, audited; emails through core.outbox with a purpose key)."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from core.audit import audit_record
from core.calendar import LONDON
from core.dates import day_and_time, span
from core.exceptions import DomainError
from courses import policies as course_policies

from . import policies


def _when(moment):
    return day_and_time(moment)


# Newsletter ----------------------------------------------------------------------------------
# DDSCP: "The Business Support Officer sends out regular emails promoting all new events and
# courses". Sending creates one NewsletterDelivery per recipient, then a Celery task works
# through them in batches (newsletter.tasks.newsletter_send_batch).

NEWSLETTER_TEMPLATE = "newsletter/newsletter"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewsletterBatch:
    processed: int  # deliveries dealt with by this batch (sent, or dropped: opted out since)
    sent: int
    remaining: int  # deliveries still unsent, including those another worker holds

    @property
    def more(self):
        """Queue another batch? Only when this one found work: a batch that found every
        unsent delivery locked leaves them to the worker holding them, which queues the next
        batch itself (and the sweep resumes the newsletter if that worker dies)."""
        return self.processed > 0 and self.remaining > 0


def _newsletter_unsubscribe_url(*, user):
    from urllib.parse import urlencode

    from django.conf import settings

    token = policies.newsletter_unsubscribe_token(user_id=user.pk)
    return (f"{settings.SITE_URL.rstrip('/')}{reverse('courses:newsletter-unsubscribe')}"
            f"?{urlencode({'token': token})}")


def _newsletter_event_rows(events):
    from django.conf import settings

    site = settings.SITE_URL.rstrip("/")
    rows = []
    for event in events:
        start, end = event.start.astimezone(LONDON), event.end.astimezone(LONDON)
        when = span(start, end)
        if event.venue_id:
            where = event.venue.name + (f", {event.venue.postcode}" if event.venue.postcode else "")
        else:
            where = "Online"
        rows.append({
            "event": event,
            "title": event.course.title,
            "when": when,
            "format": event.course.get_format_display(),
            "where": where,
            "level": event.course.get_level_display(),
            "length": event.course.get_length_display(),
            "places": course_policies.places_left_words(places_left=event.places_left),
            "full": event.places_left <= 0,
            "url": f"{site}{reverse('courses:event-detail', kwargs={'pk': event.pk})}",
        })
    return rows


def newsletter_email_context(*, newsletter, events, user):
    """What one recipient's email shows: the introduction, each chosen event (date, format
    and venue, level, places left, a link to its page) and their own opt-out link. The
    preview uses the same context, so it shows the email exactly as it will look."""
    return {
        "newsletter": newsletter,
        "events": _newsletter_event_rows(events),
        "user": user,
        "unsubscribe_url": _newsletter_unsubscribe_url(user=user),
    }


def newsletter_preview(*, newsletter, user):
    """(subject, text, html) of the newsletter as `user` would receive it."""
    from core.email import email_render

    from .selectors import newsletter_events

    context = newsletter_email_context(
        newsletter=newsletter, events=list(newsletter_events(newsletter=newsletter)), user=user)
    return email_render(template=NEWSLETTER_TEMPLATE, context=context)


@transaction.atomic
def newsletter_test_send(*, newsletter, by, now):
    """Business support sends the newsletter to themselves, to see it in their own mail
    program before everyone gets it: the email as they would receive it (their name, their
    own opt-out link), its subject prefixed "Test:". Through the outbox like every email; the
    purpose carries a nonce, so a second test (after a change) is sent too. It records no
    delivery and leaves the newsletter as it was: a draft stays a draft."""
    import secrets

    from core.outbox import email_queue

    from .selectors import newsletter_events

    context = newsletter_email_context(
        newsletter=newsletter, events=list(newsletter_events(newsletter=newsletter)), user=by)
    rows = email_queue(
        to=[by.email], template=NEWSLETTER_TEMPLATE, context={**context, "test": True},
        headers=_newsletter_headers(user=by),
        purpose=f"newsletter:{newsletter.pk}:test:{secrets.token_hex(8)}",
    )
    audit_record(actor=by, action="newsletter.test", target=newsletter,
                 details={"to": by.email, "at": now.isoformat()})
    return rows[0] if rows else None


def _newsletter_draft(newsletter):
    """Lock the newsletter and check it can still change: only drafts are edited or sent."""
    from .models import Newsletter

    locked = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if locked.status == Newsletter.Status.SENDING:
        raise DomainError(f"“{locked.subject}” is already being sent: it cannot be changed or "
                          "sent again.", code="newsletter_sending")
    if locked.status == Newsletter.Status.SENT:
        raise DomainError(f"“{locked.subject}” was already sent on "
                          f"{_when(locked.sent_at or locked.send_requested_at)}: it cannot be "
                          "changed or sent again.", code="newsletter_sent")
    return locked


@transaction.atomic
def newsletter_create(*, by, subject, introduction, events, now):
    """Business support composes a newsletter: a subject, an introduction and the upcoming
    events it promotes. It stays a draft until it is sent."""
    from .models import Newsletter

    newsletter = Newsletter.objects.create(
        subject=subject.strip(), introduction=introduction.strip(), created_by=by, created_at=now)
    newsletter.events.set(events)
    audit_record(actor=by, action="newsletter.create", target=newsletter,
                 details={"events": sorted(e.pk for e in events)})
    return newsletter


@transaction.atomic
def newsletter_update(*, newsletter, by, subject, introduction, events):
    """Change a draft newsletter (a sent one is never changed)."""
    locked = _newsletter_draft(newsletter)
    changes = {}
    for name, value in (("subject", subject.strip()), ("introduction", introduction.strip())):
        if getattr(locked, name) != value:
            changes[name] = [getattr(locked, name), value]
            setattr(locked, name, value)
    locked.save(update_fields=["subject", "introduction"])
    before = set(locked.events.values_list("pk", flat=True))
    after = {e.pk for e in events}
    if before != after:
        locked.events.set(events)
        changes["events"] = [sorted(before), sorted(after)]
    audit_record(actor=by, action="newsletter.update", target=locked, details=changes)
    return locked


@transaction.atomic
def newsletter_send(*, newsletter, by, now):
    """Send a draft newsletter to everyone who asked for it (active, opted in, verified email):
    one delivery each, sent in batches by a Celery task. Sending twice is refused (a second
    click, a double POST), and a re-run adds no second delivery for anyone."""
    from . import tasks
    from .models import Newsletter, NewsletterDelivery
    from .selectors import newsletter_event_choices, newsletter_recipients

    locked = _newsletter_draft(newsletter)
    chosen = list(locked.events.select_related("course").order_by("start", "pk"))
    if not chosen:
        raise DomainError("Choose at least one event before you send the newsletter.",
                          field="events")
    bookable = set(newsletter_event_choices(now=now).filter(pk__in=[e.pk for e in chosen])
                   .values_list("pk", flat=True))
    gone = [e for e in chosen if e.pk not in bookable]
    if gone:
        names = "; ".join(f"{e.course.title}, {_when(e.start)}" for e in gone)
        raise DomainError(f"These events are cancelled or have started (or their course was "
                          f"withdrawn), so the newsletter cannot promote them: {names}. Change "
                          "the newsletter to take them out, then send it.", field="events")
    recipients = newsletter_recipients().values_list("pk", "email")
    NewsletterDelivery.objects.bulk_create(
        [NewsletterDelivery(newsletter=locked, user_id=pk, email=email)
         for pk, email in recipients.iterator(chunk_size=2000)],
        batch_size=1000, ignore_conflicts=True,
    )
    count = locked.deliveries.count()
    if count == 0:
        raise DomainError("Nobody has asked for the newsletter yet (people tick “send me the "
                          "training newsletter” in their profile), so there is no one to send "
                          "it to. It is still a draft.")
    locked.status, locked.send_requested_at = Newsletter.Status.SENDING, now
    locked.save(update_fields=["status", "send_requested_at"])
    audit_record(actor=by, action="newsletter.send", target=locked,
                 details={"recipients": count, "events": [e.pk for e in chosen]})
    # A nudge: with the broker down the newsletter stays "sending" and the resume sweep
    # (every 10 minutes) sends it; business support's page never fails.
    from core.outbox import task_nudge

    transaction.on_commit(lambda: task_nudge(tasks.newsletter_send_batch, args=[locked.pk]))
    return locked


def newsletter_send_batch(*, newsletter, batch_size, now):
    """Hand up to `batch_size` of a newsletter's unsent emails to the outbox (core.outbox);
    mark the newsletter sent when none remain.

    The batch's deliveries are claimed under select_for_update(skip_locked=True), so two
    workers never claim the same one, and each gets its outbox row (purpose
    ``newsletter:<id>``, unique per address) in the same transaction that marks it sent: a
    worker that dies mid-batch rolls both back, and a batch run twice queues nobody twice.
    The outbox then delivers, retries and records failures. Someone who opted out or left
    since the newsletter was sent is dropped, not emailed."""
    from core.outbox import email_queue, outbox_nudge

    from .models import NewsletterDelivery
    from .selectors import newsletter_events

    events = list(newsletter_events(newsletter=newsletter))
    unsent = NewsletterDelivery.objects.filter(newsletter=newsletter, sent_at__isnull=True)
    processed = sent = 0
    queued = []
    with transaction.atomic():
        batch = list(unsent.select_for_update(skip_locked=True, of=("self",))
                     .select_related("user").order_by("pk")[:batch_size])
        for delivery in batch:
            processed += 1
            person = delivery.user
            if not (person.is_active and person.newsletter_opt_in):
                delivery.delete()
                continue
            queued += email_queue(
                to=[delivery.email], template=NEWSLETTER_TEMPLATE,
                context=newsletter_email_context(newsletter=newsletter, events=events,
                                                 user=person),
                headers=_newsletter_headers(user=person),
                purpose=f"newsletter:{newsletter.pk}", nudge=False,
            )
            delivery.sent_at = now
            delivery.save(update_fields=["sent_at"])
            sent += 1
        ids = [row.pk for row in queued]
        if ids:
            transaction.on_commit(lambda: outbox_nudge(ids=ids))
    remaining = unsent.count()
    if remaining == 0:
        _newsletter_finish(newsletter=newsletter, now=now)
    return NewsletterBatch(processed=processed, sent=sent, remaining=remaining)


def _newsletter_headers(*, user):
    # RFC 2369 and RFC 8058: mail programs show their own "unsubscribe" button, which POSTs
    # "List-Unsubscribe=One-Click" to the link.
    return {
        "List-Unsubscribe": f"<{_newsletter_unsubscribe_url(user=user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


@transaction.atomic
def _newsletter_finish(*, newsletter, now):
    from .models import Newsletter

    locked = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if locked.status != Newsletter.Status.SENDING or locked.deliveries.filter(
            sent_at__isnull=True).exists():
        return locked
    locked.status, locked.sent_at = Newsletter.Status.SENT, now
    locked.save(update_fields=["status", "sent_at"])
    audit_record(actor=None, action="newsletter.sent", target=locked,
                 details={"sent_to": locked.deliveries.count()})
    return locked


@transaction.atomic
def newsletter_unsubscribe(*, user, now):
    """Stop the newsletter for this person (the opt-out link in every newsletter). Returns
    False if they had already stopped it."""
    from accounts.models import User

    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.newsletter_opt_in:
        return False
    locked.newsletter_opt_in = False
    locked.save(update_fields=["newsletter_opt_in"])
    audit_record(actor=locked, action="newsletter.unsubscribe", target=locked,
                 details={"at": now.isoformat()})
    return True
