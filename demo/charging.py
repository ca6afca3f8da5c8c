"""The demo partnership's charges, invoices and payments, so every charging page has something
to show (issue 10):

- Bright Futures Nurseries Ltd (a private nursery chain, lead@ and finance@ demo logins):
  Natalie Cooper attended the last Child Exploitation course (the attendance charge) and Jade
  Robinson was not admitted for arriving too late; both went on an invoice issued today, with
  a part payment recorded against it. Kelly Morris's late cancellation of the same course
  waits for the L&D officer's decision.
- Oakfield Care Homes Ltd: Simon Baxter's no-show on that course was waived (illness), and an
  invoice for Deborah Wright's place on an older Child Exploitation course, issued about two
  months ago, is still unpaid: Oakfield cannot book until it is paid or credited.

Charges are raised, decided, invoiced and paid through the charging services (so invoice
numbers are the partnership's gapless sequence and each step is audited), at the times the
story happened. Idempotent: every step is skipped once done (a booking by its event and
delegate, a charge by its booking, an invoice by its charge's invoice line, the part payment
by the invoice having one), so a second load_demo writes nothing, and what officers or
business support did to the demo since is kept."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import F

from accounts.models import User
from bookings.models import Booking, BookingStatus
from core.calendar import LONDON, london_date
from courses.models import Course, Event, EventStatus, TrainingPoolMembership, Venue

from .bookings import CE, _book, _Demo, _event, _people
from .events import COUNCIL_HOUSE, TUE, _nth_weekday, _prep_meeting

BUSINESS = "business@demo.example"
OFFICER = "officer@demo.example"
FACILITATOR = "facilitator@demo.example"
ATTENDED_PRIVATE = ("Natalie Cooper", BookingStatus.ATTENDED, None, None)
OVERDUE_DELEGATE = "Deborah Wright"  # Oakfield Care Homes Ltd
WAIVED_NO_SHOW = "Simon Baxter"  # Oakfield: did not attend, without contacting the team
PART_PAYMENT = Decimal("75.00")


def overdue_event_day(today):
    """The older Child Exploitation course the overdue invoice is for: the second Tuesday of
    the month two months before `today` (so its invoice, issued a week later, is unpaid more
    than a calendar month after issue whatever today is). The only demo event older than a
    month (demo/events.py starts a month ago)."""
    month = today - relativedelta(months=2)
    return _nth_weekday(month.year, month.month, 2, TUE)


def _overdue_event(*, demo, now, result):
    """The older event Deborah Wright attended: found by her booking (so a later load_demo,
    on another day, keeps the same one), created the first time."""
    person = demo.people.get(OVERDUE_DELEGATE)
    if person is None:
        return None
    held = (Booking.objects.filter(delegate=person, event__course__title=CE,
                                   event__start__lt=now - relativedelta(months=1))
            .select_related("event").order_by("event__start").first())
    if held is not None:
        return held.event
    course = Course.objects.filter(title=CE).first()
    venue = Venue.objects.filter(name=COUNCIL_HOUSE).first()
    if course is None or venue is None:
        return None
    day = overdue_event_day(london_date(now))
    start = datetime.combine(day, time(9, 30), tzinfo=LONDON)
    event = Event.objects.filter(course=course, start=start).first()
    if event is None:
        event = Event.objects.create(
            course=course, start=start, end=datetime.combine(day, time(16, 30), tzinfo=LONDON),
            venue=venue, capacity=min(24, venue.capacity),
            officer=User.objects.filter(email=OFFICER).first(),
            prep_meeting_at=_prep_meeting(day), status=EventStatus.COMPLETED, created_at=now)
        event.facilitators.set([m.facilitator for m in TrainingPoolMembership.objects.filter(
            course=course).select_related("facilitator")])
        result.created["events"] += 1
    if not Booking.objects.filter(event=event, delegate=person).exists():
        made = event.start - timedelta(days=21)
        Booking.objects.create(
            event=event, delegate=person, organisation=person.organisation,
            status=BookingStatus.ATTENDED, created_at=made, booked_at=made,
            attendance_marked_at=event.end, attendance_marked_by=demo.marker)
        Event.objects.filter(pk=event.pk).update(places_taken=F("places_taken") + 1)
        result.created["bookings"] += 1
    return event


def _charges_sync(event, *, by, result):
    """Raise the charge of each final-state booking on `event` (charging.services.charges),
    at the time it happened; an existing charge is kept as it is."""
    from charging.models import Charge
    from charging.services.charges import charge_sync_for_booking

    finals = (BookingStatus.ATTENDED, BookingStatus.NOT_ADMITTED, BookingStatus.NO_SHOW,
              BookingStatus.LATE_CANCELLED)
    bookings = (Booking.objects.select_for_update(of=("self",))
                .filter(event=event, status__in=finals)
                .exclude(pk__in=Charge.objects.values("booking_id"))
                .select_related("delegate", "organisation"))
    for booking in bookings:
        when = booking.cancelled_at if booking.status == BookingStatus.LATE_CANCELLED else event.end
        if charge_sync_for_booking(booking=booking, event=event, by=by, now=when) is not None:
            result.created["charges"] += 1


def _charge_of(event, person):
    from charging.models import Charge

    if event is None or person is None:
        return None
    return (Charge.objects.select_related("booking").filter(booking__event=event,
                                                              booking__delegate=person).first())


def _invoice_run(*, charge, up_to, now, by, result):
    """Invoice `charge` (and whatever else was applied and not invoiced up to `up_to`) with
    the invoicing batch, as run at `now`; skipped once the charge is on an invoice."""
    from charging.models import ChargeStatus, InvoiceLine
    from charging.services.invoices import invoice_batch_run

    if charge is None or charge.status != ChargeStatus.APPLIED:
        return None
    line = InvoiceLine.objects.select_related("invoice").filter(charge=charge).first()
    if line is not None:
        return line.invoice
    batch = invoice_batch_run(up_to=up_to, by=by, now=now)
    result.created["invoices"] += batch.invoice_count
    return InvoiceLine.objects.select_related("invoice").get(charge=charge).invoice


def demo_charging_load(*, now, result):
    """Charges, a waiver, two invoices and a part payment (see the module docstring)."""
    from charging.models import ChargeStatus, Payment, WaiverReason
    from charging.services.charges import charge_decide
    from charging.services.payments import payment_record

    demo = _Demo(people=_people(), marker=User.objects.filter(email=FACILITATOR).first())
    business = User.objects.filter(email=BUSINESS).first()
    officer = User.objects.filter(email=OFFICER).first()
    if not demo.people or business is None or officer is None:
        return result
    today = london_date(now)

    # The last Child Exploitation course (demo/bookings.py marked its register): a private
    # nursery's delegate attended too.
    past = _event(CE, upcoming=False, now=now)
    if past is not None and past.start < now - relativedelta(months=1, days=1):
        past = None  # no course in the last month (a long gap between dates): no story
    if past is not None:
        _book(past, [ATTENDED_PRIVATE], demo=demo, now=now, result=result)
        _charges_sync(past, by=demo.marker, result=result)
        waived = _charge_of(past, demo.people.get(WAIVED_NO_SHOW))
        if waived is not None and waived.decided_by_id is None:
            charge_decide(charge=waived, by=officer, apply=False,
                          waiver_reason=WaiverReason.ILLNESS,
                          note="Taken ill on the morning; the manager rang us the next day.",
                          now=min(now, past.end + timedelta(days=2)))
            result.updated["charges (waived)"] += 1

    # Oakfield: an invoice issued a week after the older course, still unpaid.
    older = _overdue_event(demo=demo, now=now, result=result)
    if older is not None:
        _charges_sync(older, by=demo.marker, result=result)
        issued = datetime.combine(london_date(older.start) + timedelta(days=7), time(10),
                                  tzinfo=LONDON)
        _invoice_run(charge=_charge_of(older, demo.people.get(OVERDUE_DELEGATE)),
                     up_to=london_date(issued), now=issued, by=business, result=result)

    # Bright Futures: this month's invoice, part paid.
    if past is not None and london_date(past.end) <= today:
        charge = _charge_of(past, demo.people.get(ATTENDED_PRIVATE[0]))
        invoice = _invoice_run(charge=charge, up_to=london_date(past.end), now=now,
                               by=business, result=result)
        if (invoice is not None and invoice.settled_at is None
                and not Payment.objects.filter(invoice=invoice).exists()
                and charge.status == ChargeStatus.APPLIED):
            payment_record(invoice=invoice, received_on=invoice.issued_on,
                           amount=min(PART_PAYMENT, invoice.total), method="bacs",
                           reference="BFN REMIT 0412", by=business, now=now)
            result.created["payments"] += 1
    return result


def demo_charging_summary():
    """One line for load_demo's summary."""
    from charging.models import Charge, ChargeStatus, Invoice

    unpaid = Invoice.objects.filter(settled_at__isnull=True).count()
    waiting = Charge.objects.filter(status=ChargeStatus.PENDING).count()
    return (f"{Invoice.objects.count()} invoices ({unpaid} unpaid), {waiting} charge(s) waiting "
            f"for a decision")

