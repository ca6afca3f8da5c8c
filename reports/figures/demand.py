"""Waiting-list demand that found no place: by course, the people who joined the waiting
list of one of the period's events (cancelled ones too) and never held a place on any of
that course's events in the period. To plan more events; training needs analysis
(reports.tna) shows it beside what organisations asked for.

Counted as "found no place": still on the waiting list, offered a place but never took it
(offered, offer expired, offer declined), or left the waiting list. Not counted: line
manager refusals and approvals that ran out (not a lack of places), and anyone with a
booking that held a place on the course in the period (booked, attended, no-show, not
admitted, cancelled, late cancellation, substituted, moved, waiting for approval).
Two aggregate queries whatever the size of the data."""

from django.db.models import Count, Exists, OuterRef, Q

from bookings.models import Booking, BookingStatus
from reports.figures.attendance import course_label, shared_titles
from reports.periods import period as make_period
from reports.tables import COUNT, column, row, table

S = BookingStatus

WAITING = (S.WAITLISTED, S.OFFERED, S.OFFER_EXPIRED, S.OFFER_DECLINED, S.LEFT_WAITING_LIST)
GOT_A_PLACE = (S.BOOKED, S.ATTENDED, S.NO_SHOW, S.NOT_ADMITTED, S.CANCELLED, S.LATE_CANCELLED,
               S.SUBSTITUTED, S.MOVED, S.PENDING_APPROVAL)


def _unmet(period, audience=None):
    start, until = period.bounds()
    in_period = Q(event__start__gte=start, event__start__lt=until)
    if audience:
        in_period &= Q(event__course__audience=audience)
    placed = Booking.objects.filter(
        in_period, delegate=OuterRef("delegate"), event__course=OuterRef("event__course"),
        status__in=GOT_A_PLACE,
    )
    return list(
        Booking.objects.filter(in_period, status__in=WAITING)
        .filter(~Exists(placed))
        .values("event__course_id", "event__course__title", "event__course__level",
                "event__course__format")
        .annotate(people=Count("delegate", distinct=True))
        .order_by("-people", "event__course__title", "event__course_id")
    )


def unmet_demand_by_course(start, end, *, audience=None):
    """[{"course_id", "course", "people"}] for the events starting start..end (dates,
    London), most people first. One query."""
    return [
        {"course_id": r["event__course_id"], "course": r["event__course__title"],
         "people": r["people"]}
        for r in _unmet(make_period(start, end), audience)
    ]


def tables(period, *, audience=None, partnership):
    shared = shared_titles()
    rows = [row(course_label(r["event__course__title"], r["event__course__level"],
                             r["event__course__format"], shared), people=r["people"])
            for r in _unmet(period, audience)]
    return [table(
        "waiting-list-demand", "Waiting-list demand that found no place",
        description="People on a waiting list for the period's events who never got a place "
                    "on the course in the period, by course.",
        row_header="Course",
        columns=[column("people", "People", COUNT, compare=True)],
        rows=rows,
        total=row("Total", people=sum(r["cells"]["people"] for r in rows)),
        small_groups=True,
        chart={"column": "people"},
        notes=["Counts people: someone on the waiting lists of two dates of a course counts "
               "once for that course; the total adds up the courses.",
               "Offered a place but never took it, and left the waiting list, count as "
               "demand that found no place; line manager refusals do not."],
    )]
