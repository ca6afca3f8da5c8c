"""Events and places: the headline figures of a period, and the reasons for non-attendance.

An event belongs to a period when its start's Europe/London date is inside it; a cancelled
event is not delivered. Every rate states what it is "of":

- places offered: the places (capacity) of the events delivered;
- places booked: the bookings that held a place on the day of a delivered event: attended,
  no-show, not admitted, late cancellation, or still booked (register not marked yet). A
  place handed to a colleague on the day is counted once (the colleague's booking);
  cancellations in time gave the place back, so are not places booked;
- fill rate: attended of places offered ("304 of 393 places, 77%");
- no-shows, not admitted and late cancellations: each of places booked;
- places booked: of places offered; events cancelled: of events planned (delivered and
  cancelled).

Two aggregate queries whatever the size of the data."""

from django.db.models import Count, Q, Sum

from bookings.models import Booking, BookingStatus, LateCancellationReason
from courses.models import Event, EventStatus
from reports.tables import COUNT, RATE, TEXT, column, rate, row, table

S = BookingStatus

# Bookings that held a place on the day (the colleague's booking counts for a substitution).
ON_THE_DAY = (S.ATTENDED, S.NO_SHOW, S.NOT_ADMITTED, S.LATE_CANCELLED, S.BOOKED)


def events_in(period, audience=None, *, prefix=""):
    """A Q for the events (or, with prefix="event__", bookings) of the period."""
    start, until = period.bounds()
    q = Q(**{f"{prefix}start__gte": start, f"{prefix}start__lt": until})
    if audience:
        q &= Q(**{f"{prefix}course__audience": audience})
    return q


def delivered(period, audience=None, *, prefix=""):
    return events_in(period, audience, prefix=prefix) & ~Q(
        **{f"{prefix}status": EventStatus.CANCELLED})


def counts(period, audience=None):
    """The figures of the period as a dict (two queries)."""
    events = Event.objects.filter(events_in(period, audience)).aggregate(
        delivered=Count("id", filter=~Q(status=EventStatus.CANCELLED)),
        cancelled=Count("id", filter=Q(status=EventStatus.CANCELLED)),
        places=Sum("capacity", filter=~Q(status=EventStatus.CANCELLED), default=0),
    )
    by_status = {f"status_{s.value}": Count("id", filter=Q(status=s)) for s in S}
    reasons = {
        f"late_{reason.value}": Count("id", filter=Q(status=S.LATE_CANCELLED,
                                                     late_cancellation_reason=reason))
        for reason in LateCancellationReason
    }
    bookings = Booking.objects.filter(delivered(period, audience, prefix="event__")).aggregate(
        **by_status, **reasons,
        no_show_contacted=Count("id", filter=Q(status=S.NO_SHOW, contacted_team=True)),
        no_show_not_contacted=Count("id", filter=Q(status=S.NO_SHOW, contacted_team=False)),
    )
    figures = dict(events)
    figures["booked"] = sum(bookings[f"status_{s.value}"] for s in ON_THE_DAY)
    figures["attended"] = bookings["status_attended"]
    figures["no_show"] = bookings["status_no_show"]
    figures["not_admitted"] = bookings["status_not_admitted"]
    figures["late_cancelled"] = bookings["status_late_cancelled"]
    figures["cancelled_in_time"] = bookings["status_cancelled"]
    figures["late_reasons"] = {r: bookings[f"late_{r.value}"] for r in LateCancellationReason}
    figures["late_no_reason"] = figures["late_cancelled"] - sum(figures["late_reasons"].values())
    figures["no_show_contacted"] = bookings["no_show_contacted"]
    figures["no_show_not_contacted"] = bookings["no_show_not_contacted"]
    return figures


OF_OFFERED = "of places offered"
REASON_LABELS = {
    LateCancellationReason.SERVICE_USERS: "reasons relating to service users",
    LateCancellationReason.ILLNESS: "illness",
    LateCancellationReason.OTHER: "other reason",
}
OF_BOOKED = "of places booked"


def tables(period, *, audience=None, partnership):
    f = counts(period, audience)
    planned = f["delivered"] + f["cancelled"]

    def measure(label, number, numerator=None, denominator=None, of=""):
        has_rate = denominator is not None
        return row(label, number=number,
                   rate=rate(numerator, denominator) if has_rate else None,
                   rate_of=of if has_rate else "")

    headline = table(
        "events-and-places", "Events and places",
        description="Events delivered in the period, their places and what became of them.",
        row_header="Measure",
        columns=[column("number", "Number", COUNT, compare=True),
                 column("rate", "Rate", RATE, compare=True),
                 column("rate_of", "Rate of", TEXT)],
        rows=[
            measure("Events delivered", f["delivered"]),
            measure("Events cancelled", f["cancelled"], f["cancelled"], planned,
                    "of events planned"),
            measure("Places offered", f["places"]),
            measure("Places booked", f["booked"], f["booked"], f["places"], OF_OFFERED),
            measure("Attended (fill rate)", f["attended"], f["attended"], f["places"],
                    OF_OFFERED),
            measure("No-shows", f["no_show"], f["no_show"], f["booked"], OF_BOOKED),
            measure("Not admitted (late arrival)", f["not_admitted"], f["not_admitted"],
                    f["booked"], OF_BOOKED),
            measure("Late cancellations", f["late_cancelled"], f["late_cancelled"], f["booked"],
                    OF_BOOKED),
            measure("Cancellations in time", f["cancelled_in_time"]),
        ],
        notes=[
            "An event belongs to the period when it starts inside it (UK time); cancelled "
            "events are not delivered.",
            "Places offered: the places on the events delivered. Fill rate: attended of "
            "places offered.",
            "Places booked: places held on the day (attended, no-show, not admitted, late "
            "cancellation, or register not yet marked). No-shows, not admitted and late "
            "cancellations are each a rate of places booked.",
            "Cancellations in time (5 working days' notice or more) gave the place back and "
            "are not places booked.",
        ],
    )
    not_recorded = f["no_show"] - f["no_show_contacted"] - f["no_show_not_contacted"]
    reason_rows = [
        {**row(f"Late cancellation: {REASON_LABELS[r]}", bookings=f["late_reasons"][r]),
         "links": [("events-and-places", "late")]}
        for r in LateCancellationReason
    ]
    if f["late_no_reason"]:
        reason_rows.append({**row("Late cancellation: no reason recorded",
                                  bookings=f["late_no_reason"]),
                            "links": [("events-and-places", "late")]})
    reason_rows += [
        {**row("No-show: contacted the training team", bookings=f["no_show_contacted"]),
         "links": [("events-and-places", "no-show")]},
        {**row("No-show: did not contact the training team",
               bookings=f["no_show_not_contacted"]),
         "links": [("events-and-places", "no-show")]},
    ]
    if not_recorded:
        reason_rows.append({**row("No-show: contact not recorded", bookings=not_recorded),
                            "links": [("events-and-places", "no-show")]})
    reason_rows += [
        row("Not admitted (late arrival)", bookings=f["not_admitted"]),
    ]
    total = f["late_cancelled"] + f["no_show"] + f["not_admitted"]
    reasons = table(
        "reasons-for-non-attendance", "Reasons for non-attendance",
        description="Places booked but not attended, by what happened.",
        row_header="Reason",
        columns=[column("bookings", "Places", COUNT, compare=True)],
        rows=reason_rows,
        total=row("Total", bookings=total),
        small_groups=True,
        notes=["Late cancellation: less than 5 working days' notice, with the reason the "
               "delegate gave."],
    )
    return [headline, reasons]
