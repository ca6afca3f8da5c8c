"""The reports app's task on the home page (core.home): a LOD Group member's latest reports."""

from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.dates import day_short
from core.home import LOD_MEMBER, HomeItem, home_section

from .selectors import reports_list

# How many of the latest reports the home page names (the list has them all).
LATEST_REPORTS = 3


@home_section(LOD_MEMBER)
def lod_latest_reports(user, now):
    if not holds(user, Role.LOD_MEMBER) or not user.has_perm("reports.view_report"):
        return None
    url = reverse("reports:report-list")
    return [HomeItem(url=url, singular=f"{report.get_kind_display()}: "
                                       f"{day_short(report.period_start)} to "
                                       f"{day_short(report.period_end)}",
                     details=(f"Produced {day_short(report.generated_at)}"
                              if report.is_ready else "Being prepared",), order=10 + n)
            for n, report in enumerate(reports_list()[:LATEST_REPORTS])]
