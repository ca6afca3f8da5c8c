"""Signal receivers: charges follow bookings' final states (attendance marked, late
cancellation), so that bookings never imports charging. Both signals are sent INSIDE the
bookings service's transaction (bookings/signals.py): the charge commits with the state or
not at all, so none is lost between a commit and a receiver.

Also the notices the booking pages show (bookings/notices.py): what a place or a cancellation
costs the organisation, from the same policy and numbers that charge it."""

from django.dispatch import receiver
from django.urls import reverse

from bookings.notices import BookingNotice, register_booking_labels, register_booking_notice
from bookings.signals import attendance_recorded, booking_late_cancelled
from core.calendar import cancellation_notice
from core.words import notice as notice_words

from . import policies
from .models import ChargeStatus
from .selectors.charges import charge_of_booking
from .services.charges import charge_settings, charge_sync_for_booking

POLICY_LINK = "Read the charging policy"


@receiver(booking_late_cancelled, dispatch_uid="charging.late_cancellation_charge")
def late_cancellation_charge(sender, *, booking, by, now, **kwargs):
    """A late cancellation raises its charge, waiting for the officer's decision."""
    charge_sync_for_booking(booking=booking, event=booking.event, by=by, now=now)


@receiver(attendance_recorded, dispatch_uid="charging.attendance_charge")
def attendance_charge(sender, *, booking, event, by, now, **kwargs):
    """A register mark (or its correction) raises, re-determines or withdraws the charge."""
    charge_sync_for_booking(booking=booking, event=event, by=by, now=now)


def _organisation_words(organisation):
    return organisation.name if organisation is not None else ""


def _charge_words(charge):
    amount = policies.money(charge.amount)
    organisation = charge.organisation.name
    if charge.status == ChargeStatus.PENDING:
        return (f"{charge.reason}: {organisation} may be charged {amount}. The training team "
                "has not decided yet; we will email you when it has.")
    if charge.status == ChargeStatus.APPLIED:
        return f"{charge.reason}: {organisation} is charged {amount}."
    return (f"{charge.reason}: the training team waived the {amount} charge "
            f"({charge.get_waiver_reason_display().lower()}).")


@register_booking_notice
def charge_notice(*, page, event, delegate, booking, now):
    """What this place costs the organisation, on the booking, booking's and cancellation
    pages, always with a link to the charging policy (written from the same settings)."""
    settings = charge_settings()
    link = reverse("charging:policy")
    length = event.course.length
    organisation = booking.organisation if booking is not None else delegate.organisation
    name = _organisation_words(organisation)
    if page == "cancel" and booking is not None:
        notice = cancellation_notice(cancelled_on=now, event_starts=event.start,
                                     required=settings.notice_working_days)
        preview = policies.cancellation_cost_preview(
            notice_working_days=notice.working_days, length=length, settings=settings,
            organisation_name=name, confirmed=booking.status == "booked",
            free_cancellation_reason=booking.free_cancellation_reason)
        return BookingNotice(preview.text, link, POLICY_LINK, warning=preview.amount > 0)
    if page == "booking" and booking is not None:
        charge = charge_of_booking(booking_id=booking.pk)
        if charge is not None:
            return BookingNotice(_charge_words(charge), link, POLICY_LINK,
                                 warning=charge.status != ChargeStatus.WAIVED)
        if booking.status not in ("booked", "pending_approval", "offered", "waitlisted"):
            return BookingNotice("There is no charge for this booking.", link, POLICY_LINK)
    sector = organisation.sector if organisation is not None else ""
    fee = policies.attendance_fee_preview(sector=sector, length=length, settings=settings,
                                          organisation_name=name)
    if fee is not None:
        return BookingNotice(fee.text, link, POLICY_LINK, warning=True)
    required = settings.notice_working_days
    who = name or "Your organisation"
    return BookingNotice(
        f"{who} is not charged for attending. Cancelling with less than {notice_words(required)}, "
        "or not attending, may be charged to any organisation.",
        link, POLICY_LINK)


@register_booking_labels
def charge_labels(*, bookings):
    """Beside each past booking in My training: the charge and where its decision stands."""
    from .models import Charge

    labels = {}
    for charge in Charge.objects.filter(booking_id__in=[b.pk for b in bookings]).only(
            "booking_id", "status", "amount"):
        amount = policies.money(charge.amount)
        labels[charge.booking_id] = {
            ChargeStatus.PENDING: f"Waiting for the training team's decision on a {amount} "
                                  "charge",
            ChargeStatus.APPLIED: f"Charged {amount}",
            ChargeStatus.WAIVED: "Charge waived by the training team",
        }[charge.status]
    return labels
