"""Asking for a report and generating it in the background (reports.services, reports.tasks):
the real builder (reports.build) and the real formats (reports.formats), Celery eager."""

import logging
import subprocess
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from core.exceptions import DomainError
from core.models import AuditEntry
from reports import services
from reports.models import Report, ReportKind, ReportStatus
from reports.tables import all_tables
from tests.reports.report_pages import Q_END, Q_START, attended_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _pdf_text(report):
    with report.pdf.open("rb") as handle:
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=handle.read(),
                              capture_output=True, check=True).stdout.decode()


def test_a_request_is_queued_audited_then_generated_with_its_pdf_and_workbook(
        make_user, django_capture_on_commit_callbacks):
    attended_quarter(12)
    lod = make_user(Role.LOD_MEMBER)
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        report = services.request_report(user=lod, kind=ReportKind.QUARTERLY, start=Q_START,
                                         end=Q_END, now=now)
    # Recorded before any worker runs: the queued row is the work owed.
    report.refresh_from_db()
    assert (report.status, report.requested_by, report.progress) == (ReportStatus.QUEUED, lod, 0)
    entry = AuditEntry.objects.get(action="report.request")
    assert (entry.actor, entry.target_id) == (lod, str(report.pk))
    assert len(queued) == 1

    queued[0]()  # the task's nudge after commit: eager, it generates the report here
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert report.progress == 100 and report.started_at and report.generated_at
    assert report.error == ""
    assert report.data["title"] == "Quarterly training report: July to September 2026"
    assert report.pdf.name.endswith("quarterly-2026-07-01-to-2026-09-30.pdf")
    assert report.xlsx.name.endswith("quarterly-2026-07-01-to-2026-09-30.xlsx")
    assert "July to September 2026" in _pdf_text(report)
    with report.xlsx.open("rb") as handle:
        book = load_workbook(handle, read_only=True)
    assert len(book.sheetnames) >= 1 + len(list(all_tables(report.data)))


def test_a_second_request_for_a_period_being_prepared_returns_the_same_report(
        make_user, django_capture_on_commit_callbacks):
    officer, lod = make_user(Role.OFFICER), make_user(Role.LOD_MEMBER)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        first = services.request_report(user=officer, kind=ReportKind.QUARTERLY, start=Q_START,
                                        end=Q_END, now=now)
        again = services.request_report(user=lod, kind=ReportKind.QUARTERLY, start=Q_START,
                                        end=Q_END, now=now)
        other_kind = services.request_report(user=lod, kind=ReportKind.CUSTOM, start=Q_START,
                                             end=Q_END, now=now)
    assert again.pk == first.pk
    assert other_kind.pk != first.pk
    assert Report.objects.count() == 2
    assert AuditEntry.objects.filter(action="report.request").count() == 2


@pytest.mark.parametrize("start, end, message", [
    (date(2026, 9, 30), date(2026, 7, 1), "must be the same as or after the start date"),
    (date(2026, 10, 1), date(2026, 12, 31), "The period must have ended"),
    (date(2020, 1, 1), date(2025, 1, 1), "5 years or shorter"),
], ids=["ends-before-it-starts", "not-ended", "too-long"])
def test_a_period_that_cannot_be_reported_on_is_refused(make_user, start, end, message):
    now = timezone.make_aware(timezone.datetime(2026, 11, 30, 12, 0))
    with pytest.raises(DomainError) as refused:
        services.request_report(user=make_user(Role.OFFICER), kind=ReportKind.CUSTOM,
                                start=start, end=end, now=now)
    assert message in refused.value.message
    assert not Report.objects.exists()


def test_progress_is_saved_as_the_builder_reports_it(monkeypatch, make_user):
    report = Report.objects.create(kind=ReportKind.QUARTERLY, period_start=Q_START,
                                   period_end=Q_END)
    seen = []

    def builder(kind, start, end, *, progress=None):
        progress(40, "Counting attendance")
        seen.append(Report.objects.values_list("status", "progress", "progress_label")
                    .get(pk=report.pk))
        from tests.reports.report_pages import sample_snapshot

        return sample_snapshot()

    monkeypatch.setattr("reports.build.build_snapshot", builder)
    services.generate_report(report_id=report.pk)

    assert seen == [(ReportStatus.RUNNING, 40, "Counting attendance")]
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.READY, 100)


def test_a_failure_is_recorded_with_words_for_the_page_and_logged(monkeypatch, caplog):
    report = Report.objects.create(kind=ReportKind.QUARTERLY, period_start=Q_START,
                                   period_end=Q_END)

    def builder(*args, **kwargs):
        raise ZeroDivisionError("division by zero in attendance")

    monkeypatch.setattr("reports.build.build_snapshot", builder)
    with caplog.at_level(logging.ERROR, logger="reports.services"):
        services.generate_report(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error.startswith("The report could not be produced")
    assert "ZeroDivisionError" not in report.error and "Traceback" not in report.error
    assert not report.pdf
    assert "could not be produced" in caplog.text and "ZeroDivisionError" in caplog.text


def test_generating_a_ready_report_again_changes_nothing(monkeypatch):
    from tests.reports.report_pages import ready_report

    report = ready_report()
    before = (report.generated_at, report.pdf.name, report.xlsx.name, report.data)

    def builder(*args, **kwargs):
        raise AssertionError("a ready report is not built again")

    monkeypatch.setattr("reports.build.build_snapshot", builder)
    services.generate_report(report_id=report.pk)
    report.refresh_from_db()
    assert (report.generated_at, report.pdf.name, report.xlsx.name, report.data) == before
    assert report.status == ReportStatus.READY


def test_the_sweep_nudges_again_reports_whose_task_was_lost(
        monkeypatch, django_capture_on_commit_callbacks):
    now = timezone.now()
    nudged = []
    monkeypatch.setattr(services, "_nudge", nudged.append)

    def make(status, **fields):
        return Report.objects.create(kind=ReportKind.CUSTOM, period_start=Q_START,
                                     period_end=Q_END, status=status, **fields)

    lost = make(ReportStatus.QUEUED, requested_at=now - timedelta(minutes=6))
    make(ReportStatus.QUEUED, requested_at=now - timedelta(minutes=4))  # its task may be on its way
    worker_died = make(ReportStatus.RUNNING, requested_at=now - timedelta(hours=2),
                       started_at=now - timedelta(minutes=31))
    make(ReportStatus.RUNNING, requested_at=now - timedelta(hours=1),
         started_at=now - timedelta(minutes=10))  # still being prepared
    make(ReportStatus.READY, requested_at=now - timedelta(days=1))
    make(ReportStatus.FAILED, requested_at=now - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        ids = services.reports_requeue(now=now)

    assert ids == sorted([lost.pk, worker_died.pk])
    assert sorted(nudged) == ids
    worker_died.refresh_from_db()
    assert worker_died.status == ReportStatus.QUEUED


def test_the_sweep_task_generates_a_lost_report_once(django_capture_on_commit_callbacks):
    from reports.tasks import reports_requeue

    report = Report.objects.create(kind=ReportKind.QUARTERLY, period_start=Q_START,
                                   period_end=Q_END,
                                   requested_at=timezone.now() - timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        reports_requeue.delay()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    generated_at = report.generated_at
    with django_capture_on_commit_callbacks(execute=True):
        assert reports_requeue.delay().get() == []
    report.refresh_from_db()
    assert report.generated_at == generated_at
