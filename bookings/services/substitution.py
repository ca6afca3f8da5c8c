"""Substitution: a place handed to a colleague of the same organisation."""

from django.db import IntegrityError, transaction
from django.urls import reverse

from core.audit import audit_record
from core.exceptions import DomainError

from .. import policies
from ..checks import booking_refusals
from ..emails import booking_email_queue, site_url
from ..models import (
    ACTIVE,
    Booking,
    BookingStatus,
    Substitution,
)
from ..signals import (
    booking_confirmed,
)
from .places import _event_and_booking_locked, _may_act_for, _person, _profile_missing


def _substitution_refusal(*, booking, event, to_email, to_user, now):
    """Why the place cannot pass to `to_email` (an account, or None for an invitation)."""
    to_active = ""
    if to_user is not None:
        to_active = (Booking.objects.filter(event=event, delegate=to_user, status__in=ACTIVE)
                     .values_list("status", flat=True).first() or "")
    organisation = booking.organisation
    if problem := policies.substitution_problem(
            status=booking.status, event_start=event.start, now=now,
            from_email=booking.delegate.email, to_email=to_email,
            organisation_name=organisation.name if organisation else "your organisation",
            to_organisation_id=(to_user.organisation_id or False) if to_user else None,
            organisation_id=booking.organisation_id, to_active_status=to_active):
        return problem
    if to_user is None:
        return None
    if not to_user.is_active:
        return f"The account for {to_email} is closed, so it cannot take the place."
    if missing := _profile_missing(to_user):
        return (f"{_person(to_user)} must complete their profile before they can take the "
                f"place: it still needs {', '.join(missing)}.")
    from courses.selectors import prerequisites_check_for

    check = prerequisites_check_for(user=to_user, course=event.course)
    if not check.met:
        return f"{_person(to_user)} cannot take the place yet. {check.reason}"
    # The place is already held: checks that only refuse new places (an overdue invoice)
    # do not stop it changing hands.
    refusals = booking_refusals(delegate=to_user, event=event, now=now, place_held=True)
    if refusals:
        return f"{_person(to_user)} cannot take the place: {' '.join(refusals)}"
    return None


def _place_transfer(*, event, booking, substitution, to_user, by, now):
    """The place passes to `to_user`: same booking (no charge, place count unchanged), new
    delegate; both are emailed, each with their calendar invitation or its cancellation."""
    from_user = booking.delegate
    booking.delegate = to_user
    booking.access_needs = (to_user.access_needs or "").strip()
    booking.ics_sequence += 1
    # Reminders and the joining link go again, to the new delegate.
    booking.reminder_sent_at = booking.joining_link_sent_at = None
    try:
        with transaction.atomic():
            booking.save(update_fields=["delegate", "access_needs", "ics_sequence",
                                        "reminder_sent_at", "joining_link_sent_at"])
    except IntegrityError as exc:
        raise DomainError(f"{to_user.email} already has a place on this event, or is on its "
                          "waiting list.", code="has_place") from exc
    substitution.to_delegate, substitution.accepted_at = to_user, now
    substitution.save(update_fields=["to_delegate", "accepted_at"])
    audit_record(actor=by, action="booking.substitute", target=booking, details={
        "from": from_user.email, "to": to_user.email, "event": event.pk})
    booking_email_queue(booking=booking, template="substitution_from", recipient=from_user,
                        ics="CANCEL")
    booking_email_queue(booking=booking, template="substitution_to", ics="REQUEST")
    transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking=booking))
    if to_user.line_manager_email:
        booking_email_queue(booking=booking, template="line_manager_booked",
                            to=[to_user.line_manager_email],
                            extra={"line_manager_name": to_user.line_manager_name,
                                   "substitution": True})


def booking_substitute(*, booking, by, to_email, now):
    """Hand a place to a colleague of the SAME organisation at any point before the event,
    with no charge (DOMAIN.md; DSPP: substitution 0). A colleague with an account takes it at
    once; one without an account is invited by email and takes it when they have registered
    and accept. The place count does not change. Returns the Substitution."""
    from accounts.models import User

    to_email = (to_email or "").strip().lower()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        to_user = (User.objects.select_related("organisation")
                   .filter(email__iexact=to_email).first())
        if problem := _substitution_refusal(booking=locked, event=event, to_email=to_email,
                                            to_user=to_user, now=now):
            raise DomainError(problem, code="refused", field="to_email")
        substitution = Substitution.objects.create(
            booking=locked, from_delegate=locked.delegate, to_email=to_email, by=by, at=now)
        if to_user is not None:
            _place_transfer(event=event, booking=locked, substitution=substitution,
                            to_user=to_user, by=by, now=now)
        else:
            token = policies.signed_link_make(value=substitution.pk,
                                              salt=policies.SUBSTITUTION_SALT)
            audit_record(actor=by, action="booking.substitute_invite", target=locked,
                         details={"to": to_email})
            booking_email_queue(
                booking=locked, template="substitution_invitation", to=[to_email],
                key=str(substitution.pk),
                extra={"accept_url": site_url() + reverse(
                    "bookings:substitution-accept", kwargs={"token": token}),
                       "signup_url": site_url() + reverse("account_signup"),
                       "from_name": _person(locked.delegate), "to_email": to_email})
            booking_email_queue(booking=locked, template="substitution_invited",
                                extra={"to_email": to_email}, key=str(substitution.pk))
    return substitution


def substitution_accept(*, substitution, user, now):
    """A colleague invited to take over a place (booking_substitute, no account at the time)
    accepts it, signed in with the invited address. The invitation lapses when the place is
    cancelled, handed to someone else, or a newer invitation is sent."""
    with transaction.atomic():
        booking = Booking.objects.get(pk=substitution.booking_id)
        event, locked = _event_and_booking_locked(booking)
        sub = Substitution.objects.select_for_update().get(pk=substitution.pk)
        if sub.accepted_at is not None:
            raise DomainError("This invitation has already been accepted.", code="decided")
        latest = locked.substitutions.order_by("-at", "-pk").first()
        if (latest is None or latest.pk != sub.pk or locked.delegate_id != sub.from_delegate_id
                or locked.status != BookingStatus.BOOKED):
            raise DomainError("This invitation has lapsed: the place is no longer on offer to "
                              "you. Ask your colleague or the training team.", code="lapsed")
        if user.email.lower() != sub.to_email.lower():
            raise DomainError(f"This invitation was sent to {sub.to_email}: sign in with that "
                              "address to accept it.", code="wrong_person")
        if problem := _substitution_refusal(booking=locked, event=event, to_email=user.email,
                                            to_user=user, now=now):
            raise DomainError(problem, code="refused")
        _place_transfer(event=event, booking=locked, substitution=sub, to_user=user, by=user,
                        now=now)
    return locked
