"""Who attended: places booked, attended, no-shows, not admitted and late cancellations on the
period's delivered events, by organisation (the one at booking time), sector, agency type,
course, level, audience, category and format. Every table is a small-group table (counts
under the threshold are suppressed by reports.privacy).

Places booked is the same as in reports.figures.activity: the bookings that held a place on
the day (attended + no-shows + not admitted + late cancellations + registers not marked
yet). Nine aggregate queries (one per table, and one for course titles two courses
share) whatever the size of the data."""

from django.db.models import Count, Q

from accounts.models import Sector
from bookings.models import Booking, BookingStatus
from courses.models import Audience, Course, Format, Level
from reports.figures.activity import ON_THE_DAY, delivered
from reports.tables import COUNT, column, row, table

S = BookingStatus

MEASURES = [
    ("booked", "Places booked", ON_THE_DAY),
    ("attended", "Attended", (S.ATTENDED,)),
    ("no_show", "No-shows", (S.NO_SHOW,)),
    ("not_admitted", "Not admitted", (S.NOT_ADMITTED,)),
    ("late_cancelled", "Late cancellations", (S.LATE_CANCELLED,)),
]
PARTS_OF_BOOKED = ["attended", "no_show", "not_admitted", "late_cancelled"]

NOT_RECORDED = "Not recorded"
# E-learning has no events (its completions are in the e-learning section).
EVENT_FORMATS = [(v, label) for v, label in Format.choices if v != Format.E_LEARNING]


def _columns():
    return [column(key, label, COUNT, compare=(key == "attended"))
            for key, label, _statuses in MEASURES]


def _grouped(period, audience, fields):
    aggregates = {key: Count("id", filter=Q(status__in=statuses))
                  for key, _label, statuses in MEASURES}
    return list(
        Booking.objects.filter(delivered(period, audience, prefix="event__"),
                               status__in=ON_THE_DAY)
        .values(*fields).annotate(**aggregates).order_by(*fields)
    )


def _table(key, title, row_header, rows, *, description, notes=()):
    total = row("Total", **{m: sum(r["cells"][m] for r in rows) for m, _l, _s in MEASURES})
    return {
        **table(key, title, row_header=row_header, columns=_columns(), rows=rows, total=total,
                small_groups=True, chart={"column": "attended"}, description=description,
                notes=["Places booked: attended, no-shows, not admitted, late cancellations "
                       "and places whose register is not marked yet.", *notes]),
        "row_sums": {"booked": PARTS_OF_BOOKED},
    }


def _cells(record):
    return {m: record[m] for m, _l, _s in MEASURES}


def _by_choices(period, audience, field, choices, links=None):
    """One row per choice (every choice, in order, so quarters line up), then any value
    not among the choices."""
    found = {r[field]: r for r in _grouped(period, audience, [field])}
    rows = []
    for value, label in choices:
        record = found.pop(value, None)
        rows.append(row(label, **(_cells(record) if record else dict.fromkeys(
            [m for m, _l, _s in MEASURES], 0))))
    for value, record in found.items():
        rows.append(row(value or NOT_RECORDED, **_cells(record)))
    return rows


def shared_titles():
    """Course titles more than one course has (one query): their rows say which is which,
    the same way in every period, so that compared columns line up."""
    return set(Course.objects.values("title").annotate(n=Count("id")).filter(n__gt=1)
               .values_list("title", flat=True))


def course_label(title, level, format_, shared):
    if title not in shared:
        return title
    return f"{title} ({Level(level).label}, {Format(format_).label})"


def _sector_label(value):
    return Sector(value).label if value in Sector.values else NOT_RECORDED


CHILDMINDERS = "Registered childminders"


def tables(period, *, audience=None, partnership):
    # By organisation: each row is linked to its sector's and agency type's rows, which are
    # the sums of their organisations (reports.privacy protects the cells across tables).
    # A registered childminder's organisation is usually the childminder's own name ("Jane
    # Smith Childminding"): its row would name a person, so childminders are one row, which
    # is also their agency type.
    orgs, minders = [], None
    for r in _grouped(period, audience, ["organisation_id", "organisation__name",
                                          "organisation__sector", "organisation__kind"]):
        if r["organisation__sector"] == Sector.CHILDMINDER:
            cells = _cells(r)
            minders = cells if minders is None else {m: minders[m] + cells[m] for m in cells}
            continue
        orgs.append((r["organisation__name"] or "No organisation recorded",
                     _sector_label(r["organisation__sector"]),
                     r["organisation__kind"] or NOT_RECORDED, _cells(r)))
    if minders is not None:
        orgs.append((CHILDMINDERS, Sector.CHILDMINDER.label, CHILDMINDERS, minders))
    by_org = [{**row(label, **cells),
               "links": [("attendance-by-sector", sector), ("attendance-by-agency-type", kind)]}
              for label, sector, kind, cells in orgs]
    by_org.sort(key=lambda r: r["label"].lower())

    sector_rows = _by_choices(period, audience, "organisation__sector", Sector.choices)

    # Agency types: the sums of the organisation rows above (childminders as one type).
    kinds = {}
    for _label, _sector, kind, cells in orgs:
        kinds[kind] = ({m: kinds[kind][m] + cells[m] for m in cells} if kind in kinds
                       else dict(cells))
    kind_rows = [row(label, **cells) for label, cells in
                 sorted(kinds.items(), key=lambda item: item[0].lower())]

    course_rows = []
    shared = shared_titles()
    for r in _grouped(period, audience, ["event__course_id", "event__course__title",
                                          "event__course__level", "event__course__audience",
                                          "event__course__category__name",
                                          "event__course__format"]):
        course_rows.append({
            **row(course_label(r["event__course__title"], r["event__course__level"],
                               r["event__course__format"], shared), **_cells(r)),
            "links": [
                ("attendance-by-level", Level(r["event__course__level"]).label),
                ("attendance-by-audience", Audience(r["event__course__audience"]).label),
                ("attendance-by-category", r["event__course__category__name"] or "No category"),
                ("attendance-by-format", Format(r["event__course__format"]).label),
            ],
        })
    course_rows.sort(key=lambda r: r["label"].lower())

    categories = [row(r["event__course__category__name"] or "No category", **_cells(r))
                  for r in _grouped(period, audience, ["event__course__category__name"])]
    categories.sort(key=lambda r: r["label"].lower())

    return [
        _table("attendance-by-organisation", "Attendance by organisation", "Organisation",
               by_org, description="The organisation each delegate belonged to when they "
               "booked."),
        _table("attendance-by-sector", "Attendance by sector", "Sector", sector_rows,
               description="By the sector of the delegate's organisation at booking."),
        _table("attendance-by-agency-type", "Attendance by agency type", "Agency type",
               kind_rows, description="By the type of the delegate's organisation (council, "
               "police, NHS trust and so on)."),
        _table("attendance-by-course", "Attendance by course", "Course", course_rows,
               description="By course."),
        _table("attendance-by-level", "Attendance by level", "Level",
               _by_choices(period, audience, "event__course__level", Level.choices),
               description="By the level of the course."),
        _table("attendance-by-audience", "Attendance by audience", "Audience",
               _by_choices(period, audience, "event__course__audience", Audience.choices),
               description="Training about children, about adults, or joint."),
        _table("attendance-by-category", "Attendance by category", "Category", categories,
               description="By the course's category."),
        _table("attendance-by-format", "Attendance by format", "Format",
               _by_choices(period, audience, "event__course__format", EVENT_FORMATS),
               description="E-learning completions are in the e-learning section."),
    ]
