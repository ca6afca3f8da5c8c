"""Producing reports (issue 13): asked for by an LOD Group member or an officer, or made by
the beat schedule for the quarter just ended, and generated in the background.

The work owed is the Report row itself: a report with status ``queued`` is owed. The Celery
task is only a nudge (core.outbox.task_nudge); if it is lost (the broker was down, a worker
was killed), `reports_requeue` (beat, every few minutes) nudges it again. Generating locks the
row and checks its status first, so a report is generated once however often it is nudged."""

import hashlib
import logging
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role, group_name
from core.audit import audit_record
from core.audit_words import register_action_words
from core.exceptions import DomainError
from core.models import Partnership
from core.outbox import email_queue, task_nudge

from .models import Report, ReportKind, ReportStatus

logger = logging.getLogger(__name__)

register_action_words({
    "report.request": "Report asked for",
    "report.retry": "Report asked for again",
    "report.schedule": "Quarterly report scheduled",
    "report.generate": "Report produced",
    "report.fail": "Report could not be produced",
})

# A guard, not a policy: a report for chosen dates covers at most this many years (a longer
# period is a very long job and a board pack nobody reads).
MAX_REPORT_YEARS = 5
# A queued report whose task has not started after this long is nudged again (its task was
# lost); a running report silent for RUNNING_TIMEOUT lost its worker and is queued again.
QUEUED_TIMEOUT = timedelta(minutes=5)
RUNNING_TIMEOUT = timedelta(minutes=30)

FAILED_MESSAGE = ("The report could not be produced because of a problem on our side. "
                  "Try again; if it fails again, tell the training team.")


def report_file_name(report, extension):
    """quarterly-2026-07-01-to-2026-09-30.pdf"""
    start, end = report.period_start.isoformat(), report.period_end.isoformat()
    return f"{report.kind}-{start}-to-{end}.{extension}"


def period_problem(*, start, end, today):
    """Why a period cannot be reported on, in words for the form (None: it can)."""
    if end < start:
        return "The end date must be the same as or after the start date"
    if end >= today:
        return "The period must have ended: choose an end date before today"
    try:
        limit = start.replace(year=start.year + MAX_REPORT_YEARS)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + MAX_REPORT_YEARS, day=28)
    if end >= limit:
        return f"The period must be {MAX_REPORT_YEARS} years or shorter"
    return None


def _lock_period(kind, start, end):
    """Serialise requests for one period (two people clicking at once get one report). On
    SQLite (`make run`) one writer at a time is already the rule: its transactions take the
    database's write lock (settings: "IMMEDIATE"), so there is nothing more to take."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(
        hashlib.blake2b(f"report:{kind}:{start}:{end}".encode(), digest_size=8).digest(),
        "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _nudge(report_id):
    from . import tasks

    return task_nudge(tasks.generate_report, args=[report_id])


def request_report(*, user, kind, start, end, now):
    """"Any LOD member or officer can ask for any period, generated in the background": the
    Report row (queued) is the record of the work owed; the task is queued after commit. A
    second request for a period already queued or being prepared returns that report."""
    if kind not in ReportKind.values:
        raise DomainError("Select the kind of report", field="kind")
    problem = period_problem(start=start, end=end, today=timezone.localdate(now))
    if problem:
        raise DomainError(problem)
    with transaction.atomic():
        _lock_period(kind, start, end)
        existing = (Report.objects.select_for_update()
                    .filter(kind=kind, period_start=start, period_end=end,
                            status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING])
                    .order_by("requested_at").first())
        if existing is not None:
            return existing
        report = Report.objects.create(kind=kind, period_start=start, period_end=end,
                                       requested_by=user, requested_at=now)
        audit_record(actor=user, action="report.request", target=report,
                     details={"kind": kind, "from": start.isoformat(), "to": end.isoformat()})
        transaction.on_commit(lambda: _nudge(report.pk))
    return report


def report_retry(*, report, by, now):
    """"Try again" on a report that could not be produced: queued again, the same row."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.FAILED:
            return report
        report.status = ReportStatus.QUEUED
        report.progress, report.progress_label, report.error = 0, "", ""
        report.requested_at = now
        report.started_at = None
        report.save(update_fields=["status", "progress", "progress_label", "error",
                                   "requested_at", "started_at"])
        audit_record(actor=by, action="report.retry", target=report)
        transaction.on_commit(lambda: _nudge(report.pk))
    return report


def _progress_saver(report_id):
    last = {"value": -1}

    def progress(value, label=""):
        # value: a fraction 0..1 or a percentage; saved at once (outside any transaction) so
        # the page polling it sees it move.
        percent = round(value * 100) if isinstance(value, float) and value <= 1 else int(value)
        percent = max(0, min(99, percent))
        if percent == last["value"] and not label:
            return
        last["value"] = percent
        Report.objects.filter(pk=report_id).update(progress=percent,
                                                   progress_label=str(label)[:200])

    return progress


def generate_report(*, report_id, now=None):
    """Build the snapshot (reports.build), then the PDF and the workbook (reports.formats), all
    from that one snapshot. A report already ready (or being prepared by another worker) is
    left alone; a failure is recorded on the report with words for its page, and logged."""
    from .build import build_snapshot
    from .formats.pdf import render_pdf
    from .formats.xlsx import render_xlsx

    now = now or timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (ReportStatus.READY, ReportStatus.FAILED):
            return report
        if (report.status == ReportStatus.RUNNING and report.started_at
                and report.started_at > now - RUNNING_TIMEOUT):
            return report  # another worker is on it
        report.status = ReportStatus.RUNNING
        report.started_at = now
        report.progress, report.progress_label, report.error = 0, "Starting", ""
        report.save(update_fields=["status", "started_at", "progress", "progress_label",
                                   "error"])
    # Called from a worker (autocommit) each progress update is seen at once; called inside a
    # transaction (a test, a shell) a savepoint keeps a failed query from spoiling the record
    # of the failure below.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            data = build_snapshot(report.kind, report.period_start, report.period_end,
                                  progress=_progress_saver(report.pk))
            report.data = data
            Report.objects.filter(pk=report.pk).update(
                progress=95, progress_label="Writing the PDF and workbook")
            pdf = render_pdf(report)
            xlsx = render_xlsx(report)
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if locked.status != ReportStatus.RUNNING:
                return locked
            locked.data = data
            locked.pdf.save(report_file_name(locked, "pdf"), ContentFile(pdf), save=False)
            locked.xlsx.save(report_file_name(locked, "xlsx"), ContentFile(xlsx), save=False)
            locked.status = ReportStatus.READY
            locked.progress, locked.progress_label = 100, "Ready"
            locked.generated_at = timezone.now()
            locked.save()
            audit_record(actor=None, action="report.generate", target=locked)
            if locked.scheduled:
                report_announce(report=locked, now=locked.generated_at)
        return locked
    except Exception as exc:  # noqa: BLE001 - recorded on the report and logged, not lost
        logger.exception("Report %s could not be produced", report.pk)
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=FAILED_MESSAGE, progress_label="")
        audit_record(actor=None, action="report.fail", target=report,
                     details={"error": type(exc).__name__})
        report.refresh_from_db()
        return report


def report_url(report):
    return settings.SITE_URL.rstrip("/") + reverse("reports:report-detail",
                                                   kwargs={"pk": report.pk})


def lod_members():
    from accounts.models import User

    return (User.objects.filter(is_active=True, groups__name=group_name(Role.LOD_MEMBER))
            .distinct().order_by("pk"))


def report_announce(*, report, now):
    """"Tells the LOD Group members it is ready (through the outbox)": one email each, once
    (Report.announced_at, and a purpose key per report and person). Call inside a
    transaction with the report locked."""
    if report.announced_at is not None or report.status != ReportStatus.READY:
        return 0
    url = report_url(report)
    sent = 0
    for user in lod_members():
        sent += len(email_queue(
            to=[user.email], template="reports/report_ready",
            context={"recipient": user, "report": report, "report_url": url,
                     "title": report.data.get("title") or str(report)},
            purpose=f"report:{report.pk}:ready:{user.pk}"))
    report.announced_at = now
    report.save(update_fields=["announced_at"])
    return sent


def quarterly_report_schedule(*, now):
    """"Beat generates the quarterly report on the first working day after the quarter ends
    and tells the LOD Group members it is ready." Daily: on or after that day the scheduled
    report for the last complete quarter is made once (one_scheduled_report_per_period), then
    generated; a ready scheduled report not yet announced is announced. Run twice, it makes
    and sends nothing twice."""
    from .periods import first_working_day_after, last_complete_quarter

    partnership = Partnership.load()
    today = timezone.localdate(now)
    quarter = last_complete_quarter(today, partnership.financial_year_start_month)
    report = None
    if today >= first_working_day_after(quarter):
        report = Report.objects.filter(kind=ReportKind.QUARTERLY, period_start=quarter.start,
                                       period_end=quarter.end, scheduled=True).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        kind=ReportKind.QUARTERLY, period_start=quarter.start,
                        period_end=quarter.end, scheduled=True, requested_at=now)
                    audit_record(actor=None, action="report.schedule", target=report)
                    transaction.on_commit(lambda: _nudge(report.pk))
            except IntegrityError:  # another run made it first
                report = Report.objects.get(kind=ReportKind.QUARTERLY, scheduled=True,
                                            period_start=quarter.start,
                                            period_end=quarter.end)
    with transaction.atomic():
        for ready in (Report.objects.select_for_update()
                      .filter(scheduled=True, status=ReportStatus.READY,
                              announced_at__isnull=True)):
            report_announce(report=ready, now=now)
    if report is not None:
        report.refresh_from_db()
    return report


def reports_requeue(*, now):
    """Beat, every few minutes: nudge again each queued report whose task was lost, and queue
    again a report whose worker died while preparing it. Returns the ids nudged."""
    with transaction.atomic():
        stale = list(Report.objects.select_for_update(skip_locked=True)
                     .filter(status=ReportStatus.RUNNING, started_at__lt=now - RUNNING_TIMEOUT))
        for report in stale:
            report.status = ReportStatus.QUEUED
            report.save(update_fields=["status"])
        owed = (Report.objects.filter(status=ReportStatus.QUEUED,
                                      requested_at__lt=now - QUEUED_TIMEOUT)
                .values_list("pk", "requested_at"))
        # A lost task is nudged once, not on every run of the sweep (nor by two sweeps at
        # once): the nudge is remembered for RUNNING_TIMEOUT (a report may wait that long
        # behind a long one), after which, if the report still waits, it is sent again.
        keys = {pk: f"reports:nudged:{pk}:{requested_at.timestamp()}" for pk, requested_at in owed}
        ids = sorted(pk for pk, key in keys.items()
                     if cache.add(key, True, timeout=RUNNING_TIMEOUT.total_seconds()))
        for pk in ids:
            transaction.on_commit(lambda pk=pk: _requeue_nudge(pk, keys[pk]))
    return ids


def _requeue_nudge(pk, key):
    if _nudge(pk) is False:  # the broker is down: the next sweep tries again
        cache.delete(key)
