"""Existing late cancellations become charges (issue 10, "Existing reviews become charges in
the migration"): the officer's review in the bookings app IS the charge decision now.

- reviewed, charge recommended -> applied, decided by the reviewer when they reviewed;
- reviewed, not recommended -> waived, reason "other", the review note as the note;
- not reviewed yet -> waiting for a decision (pending).

The amount is the partnership's late-cancellation fee for the event's course length at the
time of the migration; the reason is written as charging.policies words it (copied here, so
the migration never changes with the code). A booking without an organisation is skipped
(nobody to charge), and so is one that already has a charge, so running it again adds
nothing; reversing it keeps the charges (decisions may have been made on them since), and
migrating forward again then finds nothing to add."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

FEE_FIELDS = {"full_day": "fee_late_cancellation_full_day",
              "half_day": "fee_late_cancellation_half_day"}
DEFAULTS = {"fee_late_cancellation_full_day": Decimal("100.00"),
            "fee_late_cancellation_half_day": Decimal("50.00"), "notice_working_days": 5}


def _setting(partnership, name):
    return getattr(partnership, name) if partnership is not None else DEFAULTS[name]


def _reason(*, notice, required, length):
    day = "half day or less" if length == "half_day" else "full day"
    if notice is None:
        words = "less notice than required"
    else:
        words = f"{notice} working day's notice" if notice == 1 else \
            f"{notice} working days' notice"
    return f"Late cancellation: {words}, fewer than {required} ({day})"


def late_cancellations_to_charges(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Charge = apps.get_model("charging", "Charge")
    Partnership = apps.get_model("core", "Partnership")
    partnership = Partnership.objects.filter(pk=1).first()
    required = _setting(partnership, "notice_working_days")
    now = timezone.now()
    bookings = (Booking.objects.filter(status="late_cancelled", organisation__isnull=False,
                                       charge__isnull=True)
                .select_related("event__course", "organisation").order_by("pk"))
    for booking in bookings.iterator():
        length = booking.event.course.length
        amount = Decimal(_setting(partnership, FEE_FIELDS.get(length, FEE_FIELDS["full_day"])))
        if amount <= 0:
            continue  # the check constraint wants a positive amount: no fee, no charge
        charge = Charge(
            booking=booking, organisation=booking.organisation,
            sector=booking.organisation.sector, kind="late_cancellation", amount=amount,
            reason=_reason(notice=booking.notice_working_days, required=required,
                           length=length),
            created_at=booking.cancelled_at or now, status="pending")
        if booking.late_cancellation_reviewed_at is not None:
            recommended = bool(booking.late_cancellation_charge_recommended)
            charge.status = "applied" if recommended else "waived"
            charge.waiver_reason = "" if recommended else "other"
            charge.decision_note = booking.late_cancellation_review_note or (
                "" if recommended else "Waived in the late cancellation review.")
            charge.decided_at = booking.late_cancellation_reviewed_at
            charge.decided_by_id = booking.late_cancellation_reviewed_by_id
        charge.save()


class Migration(migrations.Migration):

    dependencies = [
        ("charging", "0001_initial"),
        ("bookings", "0003_booking_approval_sent_to"),
        ("core", "0009_partnership_evaluation_and_invoice_settings"),
        ("courses", "0003_completion_refresher_reminder_sent_at"),
    ]

    operations = [
        migrations.RunPython(late_cancellations_to_charges, migrations.RunPython.noop),
    ]
