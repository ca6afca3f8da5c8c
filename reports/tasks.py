"""Celery tasks of the reports app: each calls one service, nothing else. The report row is
the record of the work owed; these tasks are nudges, and the beat sweeps are safe to run
twice (reports.services)."""

import smtplib

from celery import shared_task
from django.utils import timezone

RETRY = {"autoretry_for": (OSError, smtplib.SMTPException), "retry_backoff": True,
         "retry_backoff_max": 600, "max_retries": 8}


# A long report takes longer than the site's default task limit (settings): a worker gives
# up on it well before reports.services.RUNNING_TIMEOUT queues it again.
@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def generate_report(report_id):
    """Build a queued report's snapshot, PDF and workbook (a failure is recorded on the
    report, with words for its page, and logged)."""
    from .services import generate_report as generate

    report = generate(report_id=report_id)
    return report.status if report else None


@shared_task(**RETRY)
def reports_requeue():
    """Beat, every few minutes: nudge queued reports whose task was lost."""
    from .services import reports_requeue as requeue

    return requeue(now=timezone.now())


@shared_task(**RETRY)
def quarterly_report_schedule():
    """Beat, daily: the quarterly report on the first working day after the quarter ends, and
    the LOD Group told when it is ready."""
    from .services import quarterly_report_schedule as schedule

    report = schedule(now=timezone.now())
    return report.pk if report else None
