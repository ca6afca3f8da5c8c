from django.db.models import Count

from accounts.models import Organisation, Sector, User
from courses.models import Course, CourseStatus

from .models import Report


def reports_list():
    return Report.objects.order_by("-period_end", "kind")


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
