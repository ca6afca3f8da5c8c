"""Charges (DOMAIN.md, "Charges"; issue 10): raised from a booking's final state, and the L&D
officer's decision on them, in ONE place.

- `charge_sync_for_booking` runs inside the bookings service's transaction (the
  bookings.signals booking_late_cancelled and attendance_recorded receivers,
  charging/receivers.py): the charge commits with the late cancellation or the register mark,
  or neither, so no charge is ever lost or made twice (Charge.booking is one-to-one).
- `charge_decide` is the officer's decision: apply, or waive with a reason. The review of a
  late cancellation IS this decision (the bookings queue hands over to charging's). It can be
  changed until the charge is invoiced; after that only a credit note reverses it."""

from django.db import transaction
from django.urls import reverse

from bookings.emails import site_url
from core.audit import audit_changes, audit_record
from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from core.outbox import email_queue

from .. import policies
from ..models import Charge, ChargeKind, ChargeStatus, InvoiceLine, WaiverReason
from ..selectors.charges import finance_contacts_of

DECIDE_ACTION = "charge.decide"


def charge_settings(partnership=None):
    """The partnership's current numbers, as the policy takes them."""
    return policies.ChargeSettings.of(partnership or Partnership.load())


def _person(user):
    return (user.get_full_name() or user.email) if user is not None else "someone"


def _status_for(decision):
    return ChargeStatus.APPLIED if decision.applies_by_default else ChargeStatus.PENDING


def _invoice_line_of(charge):
    return InvoiceLine.objects.select_related("invoice").filter(charge_id=charge.pk).first()


def charge_sync_for_booking(*, booking, event, by, now):
    """Make the booking's charge agree with its final state (charging.policies.charge_for),
    with its organisation's sector and the partnership's fees at the time. Called INSIDE the
    transaction that records the state, with the booking row locked.

    - No charge yet: one is raised when the policy says so (applied at once, or waiting for
      the officer's decision).
    - A charge already (the register corrected, attended -> did not attend): the same kind and
      amount keeps the charge and any decision on it; otherwise an uninvoiced charge is
      re-determined in place (kind, amount, reason, and the decision the policy gives, since
      the officer decided on other facts) or withdrawn when nothing is owed now. Never two.
    - An invoiced charge cannot change: the correction is refused with the invoice number
      (the register mark rolls back), so the register never silently disagrees with an
      invoice; a credit note comes first."""
    from accounts.models import Organisation

    existing = Charge.objects.select_for_update().filter(booking_id=booking.pk).first()
    organisation = (Organisation.objects.filter(pk=booking.organisation_id).first()
                    if booking.organisation_id else None)
    sector = existing.sector if existing else (organisation.sector if organisation else "")
    decision = policies.charge_for(
        outcome=booking.status, sector=sector, length=event.course.length,
        minutes_late=booking.minutes_late, contacted_team=booking.contacted_team,
        notice_working_days=booking.notice_working_days, settings=charge_settings(),
        free_cancellation_reason=getattr(booking, "free_cancellation_reason", ""))

    if existing is None:
        if decision is None:
            return None
        if organisation is None:
            # Nobody to charge (a booking older than organisations on profiles): say so.
            audit_record(actor=by, action="charge.no_organisation", target=booking,
                         details={"kind": decision.kind, "amount": str(decision.amount),
                                  "reason": decision.reason})
            return None
        charge = Charge.objects.create(
            booking_id=booking.pk, organisation=organisation, sector=organisation.sector,
            kind=decision.kind, amount=decision.amount, reason=decision.reason,
            status=_status_for(decision), created_at=now)
        audit_record(actor=by, action="charge.create", target=charge, details={
            "booking": str(booking.uid), "kind": charge.kind, "amount": str(charge.amount),
            "status": charge.status, "reason": charge.reason},
            changes=audit_changes({}, {"kind": charge.kind, "amount": str(charge.amount),
                                       "status": charge.status}))
        return charge

    same = decision is not None and (decision.kind, decision.amount) == (
        existing.kind, existing.amount)
    if same and decision.reason == existing.reason:
        return existing
    line = _invoice_line_of(existing)
    if line is not None:
        delegate = _person(booking.delegate) if hasattr(booking, "delegate") else "the delegate"
        raise DomainError(
            f"{delegate}'s charge ({existing.reason}, {policies.money(existing.amount)}) is on "
            f"invoice {line.invoice.number}: issue a credit note before changing the register.",
            code="invoiced")
    before = {"kind": existing.kind, "amount": str(existing.amount), "status": existing.status,
              "reason": existing.reason, "waiver_reason": existing.waiver_reason,
              "decided_by": existing.decided_by.email if existing.decided_by else None,
              "note": existing.decision_note}
    if decision is None:
        audit_record(actor=by, action="charge.withdraw", target=existing, details={
            "booking": str(booking.uid), "outcome": booking.status, "was": before},
            changes=audit_changes({k: before[k] for k in ("kind", "amount", "status")}, {}))
        existing.delete()
        return None
    existing.reason = decision.reason
    fields = ["reason"]
    if not same:
        existing.kind, existing.amount = decision.kind, decision.amount
        existing.status = _status_for(decision)
        existing.decided_at = existing.decided_by = None
        existing.waiver_reason, existing.decision_note = "", ""
        fields += ["kind", "amount", "status", "decided_at", "decided_by", "waiver_reason",
                   "decision_note"]
    existing.save(update_fields=fields)
    audit_record(actor=by, action="charge.redetermine", target=existing, details={
        "booking": str(booking.uid), "outcome": booking.status, "was": before,
        "kind": existing.kind, "amount": str(existing.amount), "status": existing.status,
        "reason": existing.reason}, changes=audit_changes(before, {
            "kind": existing.kind, "amount": str(existing.amount), "status": existing.status,
            "reason": existing.reason, "waiver_reason": existing.waiver_reason,
            "decided_by": existing.decided_by.email if existing.decided_by else None,
            "note": existing.decision_note}))
    return existing


def charge_decision_problem(*, apply, waiver_reason, note):
    """Why this decision cannot be saved as given, as (field, message), or None."""
    if apply:
        return None
    if waiver_reason not in WaiverReason.values:
        return "waiver_reason", "Choose why the charge is waived."
    if waiver_reason == WaiverReason.OTHER and not (note or "").strip():
        return "note", ("Explain why the charge is waived: a note is needed when the reason is "
                        "other.")
    return None


def charge_decide(*, charge, by, apply, waiver_reason="", note="", now):
    """The L&D officer decides a charge: it applies, or it is waived with a reason (reasons
    relating to service users, illness, individual circumstances, other: other needs a note).
    DOMAIN.md: "An officer can waive any charge, with a reason; the decision and who made it
    are kept ... The delegate is told each decision"; the organisation's finance contacts are
    told when a charge applies. A decision can be changed until the charge is invoiced; after
    that a credit note reverses it."""
    if not by.has_perm("charging.decide_charge"):
        raise DomainError("Only the training team decides charges.", code="forbidden")
    note = (note or "").strip()
    waiver_reason = "" if apply else (waiver_reason or "")
    if problem := charge_decision_problem(apply=apply, waiver_reason=waiver_reason, note=note):
        raise DomainError(problem[1], code="invalid", field=problem[0])
    status = ChargeStatus.APPLIED if apply else ChargeStatus.WAIVED
    with transaction.atomic():
        locked = (Charge.objects.select_for_update(of=("self",))
                  .select_related("booking", "booking__delegate", "booking__event",
                                  "booking__event__course", "organisation")
                  .filter(pk=charge.pk).first())
        if locked is None:
            raise DomainError("There is no charge to decide any more: the register was "
                              "corrected and nothing is owed.", code="gone")
        if (line := _invoice_line_of(locked)) is not None:
            raise DomainError(f"This charge is on invoice {line.invoice.number}; issue a credit "
                              "note instead.", code="invoiced")
        if (locked.decided_by_id is not None and locked.status == status
                and locked.waiver_reason == waiver_reason and locked.decision_note == note):
            return locked  # the same decision again: nothing to record or send
        was = {"status": locked.status, "waiver_reason": locked.waiver_reason,
               "note": locked.decision_note,
               "decided_by": locked.decided_by.email if locked.decided_by else None}
        status_changed = locked.status != status or locked.decided_by_id is None
        locked.status, locked.waiver_reason, locked.decision_note = status, waiver_reason, note
        locked.decided_at, locked.decided_by = now, by
        locked.save(update_fields=["status", "waiver_reason", "decision_note", "decided_at",
                                   "decided_by"])
        audit_record(actor=by, action=DECIDE_ACTION, target=locked, details={
            "status": status, "waiver_reason": waiver_reason, "note": note,
            "booking": str(locked.booking.uid), "amount": str(locked.amount), "was": was},
            changes=audit_changes(was, {"status": status, "waiver_reason": waiver_reason,
                                        "note": note, "decided_by": by.email}))
        if status_changed:
            _decision_emails_queue(locked)
    return locked


def _decision_number(charge):
    """How many times this charge has been given this status by a decision (this one too)."""
    return AuditEntry.objects.filter(action=DECIDE_ACTION, target_id=str(charge.pk),
                                     target_type__app_label="charging",
                                     target_type__model="charge",
                                     details__status=charge.status).count()


def _decision_emails_queue(charge):
    """The delegate is told the decision; the organisation's finance contacts too when the
    charge applies. The purpose is charge:<id>:decided:<status>; a status decided again after
    a change of mind (applied, waived, applied again) adds how many times (":2"), so each
    decision is sent once and none is swallowed as a repeat."""
    booking = charge.booking
    number = _decision_number(charge)
    purpose = f"charge:{charge.pk}:decided:{charge.status}" + (f":{number}" if number > 1 else "")
    context = {
        "charge": charge, "booking": booking, "event": booking.event,
        "course": booking.event.course, "delegate": booking.delegate,
        "organisation": charge.organisation, "applied": charge.status == ChargeStatus.APPLIED,
        "amount": policies.money(charge.amount),
        "booking_url": site_url() + reverse("bookings:booking-detail",
                                            kwargs={"uid": booking.uid}),
        "policy_url": site_url() + reverse("charging:policy"),
    }
    email_queue(to=[booking.delegate.email], template="charging/charge_decided",
                context={**context, "recipient": booking.delegate}, purpose=purpose)
    if charge.status != ChargeStatus.APPLIED:
        return
    for contact in finance_contacts_of(organisation_id=charge.organisation_id):
        if contact.email.lower() == booking.delegate.email.lower():
            continue
        email_queue(to=[contact.email], template="charging/charge_applied_finance",
                    context={**context, "recipient": contact}, purpose=purpose)


def kind_label(kind):
    return ChargeKind(kind).label
