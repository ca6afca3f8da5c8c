"""Celery tasks of the bookings app: each calls one service, nothing else. The sweeps run
from Celery beat (CELERY_BEAT_SCHEDULE in settings) and are safe to run twice; a failed
SMTP or network call (OSError, which smtplib's errors are) retries with backoff, and what was
sent before it stays recorded, so a retry sends nobody anything twice."""

import smtplib

from celery import shared_task
from django.utils import timezone

from . import services

RETRY = {"autoretry_for": (OSError, smtplib.SMTPException), "retry_backoff": True,
         "retry_backoff_max": 600, "max_retries": 8}


@shared_task(**RETRY)
def offers_expire():
    return services.offers_expire(now=timezone.now())


@shared_task(**RETRY)
def approvals_expire():
    return services.approvals_expire(now=timezone.now())


@shared_task(**RETRY)
def event_reminders_send():
    return services.event_reminders_send(now=timezone.now())


@shared_task(**RETRY)
def joining_links_send():
    return services.joining_links_send(now=timezone.now())


@shared_task(**RETRY)
def refresher_reminders_send():
    return services.refresher_reminders_send(now=timezone.now())


@shared_task(**RETRY)
def events_complete():
    return services.events_complete(now=timezone.now())


@shared_task(name="bookings.tasks.booking_email_send")
def booking_email_send(*, booking_id, template, to=None, recipient_id=None, ics=None,
                       sequence=0, extra=None, **_ignored):
    """A task of the release before the outbox (still in Redis at the upgrade): its email is
    queued in the outbox under the purpose the new code uses, so it goes once."""
    from django.db import transaction

    from accounts.models import User

    from .emails import booking_email_queue
    from .models import Booking

    booking = (Booking.objects.select_related("event", "event__course", "event__venue",
                                              "delegate", "organisation")
               .filter(pk=booking_id).first())
    if booking is None:
        return 0
    recipient = User.objects.filter(pk=recipient_id).first() if recipient_id else None
    with transaction.atomic():
        rows = booking_email_queue(booking=booking, template=template, to=to,
                                   recipient=recipient, ics=ics, sequence=sequence,
                                   extra=extra)
    return len(rows)
