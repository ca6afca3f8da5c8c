"""Celery tasks of the evaluations app: each calls one service, nothing else. The sweeps run
from Celery beat (CELERY_BEAT_SCHEDULE in settings) and are safe to run twice; a failed SMTP
or network call retries with backoff, and what was recorded before it stays recorded, so a
retry sends nobody anything twice."""

import smtplib

from celery import shared_task
from django.utils import timezone

from .services import requests

RETRY = {"autoretry_for": (OSError, smtplib.SMTPException), "retry_backoff": True,
         "retry_backoff_max": 600, "max_retries": 8}


@shared_task(**RETRY)
def evaluation_requests_send():
    """Send due evaluation requests and reminders (evaluations.services.requests)."""
    return requests.sweep_result_as_dict(requests.evaluation_requests_send(now=timezone.now()))


@shared_task(**RETRY)
def summary_reports_send():
    """Send the facilitator summaries due today (evaluations.services.summaries)."""
    from .services.summaries import summary_reports_send as send

    return send(now=timezone.now())
