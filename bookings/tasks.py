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
