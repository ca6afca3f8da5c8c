"""Celery task of training needs analysis rounds (CELERY_BEAT_SCHEDULE in settings): calls
one service, safe to run twice."""

import smtplib

from celery import shared_task
from django.utils import timezone

RETRY = {"autoretry_for": (OSError, smtplib.SMTPException), "retry_backoff": True,
         "retry_backoff_max": 600, "max_retries": 8}


@shared_task(name="reports.tna.tasks.tna_rounds_notify", **RETRY)
def tna_rounds_notify():
    """Tell safeguarding leads a round is open; remind them before it closes."""
    from .services import tna_rounds_notify as notify

    return notify(now=timezone.now())
