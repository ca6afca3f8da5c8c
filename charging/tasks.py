"""Celery tasks of the charging app: each calls one service, nothing else. The sweeps run from
Celery beat (CELERY_BEAT_SCHEDULE in settings) and are safe to run twice."""

import smtplib

from celery import shared_task
from django.utils import timezone

RETRY = {"autoretry_for": (OSError, smtplib.SMTPException), "retry_backoff": True,
         "retry_backoff_max": 600, "max_retries": 8}


@shared_task(**RETRY)
def invoice_batch_scheduled():
    """Beat, several times a day: on the partnership's invoice_run_day, invoice the applied
    charges up to yesterday. InvoiceBatch.scheduled_for is unique, so the day's second run
    invoices nothing."""
    from .services.invoices import invoice_batch_scheduled as run

    batch = run(now=timezone.now())
    return batch.pk if batch else None
