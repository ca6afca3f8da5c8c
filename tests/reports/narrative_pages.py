"""Who may open an annual report's narrative and issue pages, and how to build each page's
address (tests/accounts/test_roles.py reads both): officers only (reports.issue_report)."""

from datetime import date

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"
OFFICER = {Role.OFFICER, SITE_ADMIN}

NARRATIVE_PAGES = {
    "reports:report-narrative": OFFICER,
    "reports:report-issue": OFFICER,
}


def narrative_page_url(name):
    """A ready annual report, not yet issued."""
    from reports.models import Report, ReportKind, ReportStatus

    report = Report.objects.create(kind=ReportKind.ANNUAL, period_start=date(2025, 4, 1),
                                   period_end=date(2026, 3, 31), status=ReportStatus.READY,
                                   data={"title": "Annual training report", "parts": []})
    return reverse(name, kwargs={"pk": report.pk})
