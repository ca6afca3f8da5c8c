"""Who may open the report pages, how to build each page's address (tests/accounts/test_roles.py
reads both), and what the reports tests share: a hand-made snapshot (reports.tables helpers),
a ready report made from it, and a quarter of attended training to generate a real one from."""

from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
READERS = {Role.OFFICER, Role.LOD_MEMBER, SITE_ADMIN}

REPORT_PAGES = {
    "reports:report-detail": READERS,
    "reports:report-progress": READERS,
    "reports:report-download": READERS,
    "reports:report-table-csv": READERS,
    "reports:report-retry": READERS,  # POST only: GET is 405
}
REPORT_POST_ONLY = {"reports:report-retry"}

# The quarter the tests report on (financial-year quarters from April): July to September 2026,
# compared with April to June 2026 and July to September 2025.
Q_START, Q_END = date(2026, 7, 1), date(2026, 9, 30)


def sample_snapshot():
    """A quarterly snapshot drawn by hand with the reports.tables helpers: attendance by
    sector (compared columns, a rate, a suppressed cell, a total and a chart) and charges."""
    from reports.tables import (
        MONEY,
        RATE,
        SNAPSHOT_VERSION,
        column,
        row,
        suppressed_cell,
        table,
    )

    by_sector = table(
        "attendance-by-sector", "Attendance by sector", row_header="Sector",
        columns=[column("booked", "Booked", compare=True),
                 column("attended", "Attended", compare=True),
                 {"key": "attended@previous", "label": "Attended, April to June 2026",
                  "kind": "count", "compare": False},
                 column("no_show_rate", "No-show rate", RATE, of=["no_show", "booked"])],
        rows=[row("Statutory agency", booked=40, attended=36, **{"attended@previous": 30},
                  no_show_rate=0.1),
              row("Private", booked=12, attended=suppressed_cell(),
                  **{"attended@previous": 9}, no_show_rate=0.25),
              row("Voluntary and community", booked=0, attended=0,
                  **{"attended@previous": None}, no_show_rate=None)],
        total=row("Total", booked=52, attended=suppressed_cell(),
                  **{"attended@previous": 39}, no_show_rate=0.15),
        small_groups=True, chart={"column": "booked"},
        description="Places booked and attended by each sector's delegates.",
        notes=["A delegate who was not admitted is not counted as attended."])
    charges = table(
        "charges", "Charges", row_header="Charge",
        columns=[column("raised", "Raised", MONEY)],
        rows=[row("Late cancellation", raised="1250.00"), row("No-show", raised="75.50")])
    return {
        "version": SNAPSHOT_VERSION, "kind": "quarterly",
        "title": "Quarterly training report: July to September 2026",
        "period": {"start": "2026-07-01", "end": "2026-09-30",
                   "label": "July to September 2026"},
        "comparisons": [
            {"key": "previous", "label": "April to June 2026", "start": "2026-04-01",
             "end": "2026-06-30"},
            {"key": "year_before", "label": "July to September 2025", "start": "2025-07-01",
             "end": "2025-09-30"}],
        "threshold": 3,
        "parts": [{"key": "all", "title": "Whole programme", "sections": [
            {"key": "attendance", "title": "Who attended", "tables": [by_sector]},
            {"key": "charging", "title": "Charges", "tables": [charges]}]}],
    }


def ready_report(*, data=None, files=True, **fields):
    """A ready quarterly report for July to September 2026, its files drawn by the real
    formats (reports.formats) from `data` (the hand-made snapshot unless given)."""
    from reports.formats.pdf import render_pdf
    from reports.formats.xlsx import render_xlsx
    from reports.models import Report, ReportKind, ReportStatus
    from reports.services import report_file_name

    now = timezone.now()
    report = Report.objects.create(
        kind=fields.pop("kind", ReportKind.QUARTERLY), period_start=Q_START, period_end=Q_END,
        status=ReportStatus.READY, progress=100, data=data or sample_snapshot(),
        requested_at=now - timedelta(minutes=3), generated_at=now, **fields)
    if files:
        report.pdf.save(report_file_name(report, "pdf"), ContentFile(render_pdf(report)),
                        save=False)
        report.xlsx.save(report_file_name(report, "xlsx"), ContentFile(render_xlsx(report)),
                         save=False)
        report.save()
    return report


def attended_quarter(places):
    """`places` delegates attending events in July to September 2026 (ten to an event, each
    from an organisation of its own sector mix), and one no-show per event."""
    from courses.models import EventStatus
    from tests.factories import BookingFactory, CourseFactory, EventFactory, OrganisationFactory

    course = CourseFactory(title="Working Together")
    organisations = [OrganisationFactory(sector=s) for s in ("statutory", "private")]
    made = 0
    day = 0
    while made < places:
        start = timezone.make_aware(datetime(2026, 7, 6, 9, 30)) + timedelta(days=day)
        event = EventFactory(course=course, start=start, end=start + timedelta(hours=7),
                             capacity=12, status=EventStatus.COMPLETED)
        for n in range(min(10, places - made)):
            BookingFactory(event=event, organisation=organisations[n % 2], status="attended",
                           booked_at=start - timedelta(days=20),
                           delegate__organisation=organisations[n % 2])
            made += 1
        BookingFactory(event=event, status="no_show", booked_at=start - timedelta(days=20))
        day += 7
    return course


def report_page_url(name, request):
    """A ready report (its files stored under a temporary MEDIA_ROOT), or a failed one for
    "Try again"."""
    from reports.models import ReportStatus

    request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path")

    if name == "reports:report-retry":
        report = ready_report(files=False)
        report.status = ReportStatus.FAILED
        report.save(update_fields=["status"])
        return reverse(name, kwargs={"pk": report.pk})
    report = ready_report(files=name == "reports:report-download")
    if name == "reports:report-download":
        return reverse(name, kwargs={"pk": report.pk, "fmt": "pdf"})
    if name == "reports:report-table-csv":
        return reverse(name, kwargs={"pk": report.pk, "key": "attendance-by-sector"})
    return reverse(name, kwargs={"pk": report.pk})
