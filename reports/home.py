"""The reports app's task on the home page (core.home): a LOD Group member's latest reports."""

from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.dates import day_short
from core.home import LOD_MEMBER, HomeItem, home_section

from .models import ReportStatus
from .selectors import reports_list

# How many of the latest reports the home page names (the list has them all).
LATEST_REPORTS = 3


def status_words(report):
    """What the home page says of a report: "Ready, produced Tue 6 Oct 2026", "Waiting to
    start", "Being prepared: 40%", "Could not be produced"."""
    if report.is_ready:
        return (f"Ready, produced {day_short(report.generated_at)}" if report.generated_at
                else "Ready")
    if report.status == ReportStatus.RUNNING:
        return f"{report.get_status_display()}: {report.progress}%"
    return report.get_status_display()


@home_section(LOD_MEMBER)
def lod_latest_reports(user, now):
    if not holds(user, Role.LOD_MEMBER) or not user.has_perm("reports.view_report"):
        return None
    return [HomeItem(url=reverse("reports:report-detail", kwargs={"pk": report.pk}),
                     singular=f"{report.get_kind_display()}: "
                              f"{day_short(report.period_start)} to "
                              f"{day_short(report.period_end)}",
                     details=(status_words(report),), order=10 + n)
            for n, report in enumerate(reports_list()[:LATEST_REPORTS])]
