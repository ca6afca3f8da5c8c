from django.db.models import Count

from accounts.models import Organisation, Sector, User
from courses.models import Course, CourseStatus

from .models import Report

# What the list and the home page show of a report: never the snapshot (it can be large).
LIST_FIELDS = ("kind", "period_start", "period_end", "status", "progress", "progress_label",
               "requested_at", "scheduled", "generated_at", "issued_at", "pdf", "xlsx")


def reports_list():
    return Report.objects.only(*LIST_FIELDS).order_by("-period_end", "kind", "-requested_at")


def reports_visible_to(*, user):
    """The reports a person may read: LOD Group members and officers see them all
    (reports.view_report); anyone else none."""
    if not user.is_authenticated or not user.has_perm("reports.view_report"):
        return Report.objects.none()
    return Report.objects.all()


def report_list_for(*, user):
    return reports_visible_to(user=user).only(*LIST_FIELDS).order_by(
        "-period_end", "kind", "-requested_at")


def report_progress_for(*, user, pk):
    """A report's progress only (the polled fragment does not load the snapshot)."""
    return (reports_visible_to(user=user)
            .only("kind", "period_start", "period_end", "status", "progress", "progress_label",
                  "error").filter(pk=pk).first())


def headline_figures():
    """Reach of the programme today: delegates and organisations by sector, courses by status."""
    delegates = dict(
        User.objects.filter(is_active=True, organisation__isnull=False)
        .values_list("organisation__sector").annotate(n=Count("id"))
    )
    organisations = dict(
        Organisation.objects.filter(active=True).values_list("sector").annotate(n=Count("id"))
    )
    courses = dict(
        Course.objects.filter(active=True).values_list("status").annotate(n=Count("id"))
    )
    return {
        "by_sector": [
            {"sector": label, "delegates": delegates.get(value, 0),
             "organisations": organisations.get(value, 0)}
            for value, label in Sector.choices
        ],
        "courses_live": courses.get(CourseStatus.LIVE, 0),
        "courses_coming_soon": courses.get(CourseStatus.COMING_SOON, 0),
    }
