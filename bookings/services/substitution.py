"""Substitution: a place handed to a colleague of the same organisation.

Before the event the place moves only when the colleague accepts (issue 12, decision 1): the
delegate offers it, the colleague is emailed (an accept link; an invitation to register first
when they have no account) and sees the offer in My training. Until they accept, the delegate
keeps the place (and what it may cost) and can withdraw the offer; the colleague can decline.
An offer lapses when the event starts, when its link expires
(Partnership.substitution_link_days), when the place is cancelled or handed on, or when a
newer offer is made.

On the day (DSPP: substitution "at whatever point they are made") the register records that a
colleague of the same organisation attended instead: the original booking becomes
"substituted" (no charge), the colleague gets a booking of their own, attended."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse

from core.audit import audit_record
from core.calendar import london_date
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Completion

from .. import policies
from ..checks import booking_refusals
from ..emails import booking_email_queue, site_url
from ..models import (
    ACTIVE,
    ATTENDANCE,
    Booking,
    BookingStatus,
    Substitution,
)
from ..signals import (
    attendance_marked,
    attendance_recorded,
    booking_confirmed,
)
from .attendance import _may_mark_register
from .places import _event_and_booking_locked, _may_act_for, _person, _profile_missing

# The register may record a colleague in place of a delegate who holds the place, or who was
# marked as not coming before the colleague was noticed.
ON_THE_DAY_FROM = (BookingStatus.BOOKED, BookingStatus.NO_SHOW)


def _account_for(email):
    """The account an address belongs to: its primary address, or a verified secondary one
    (allauth keeps one verified owner per address), or None."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    accounts = User.objects.select_related("organisation")
    user = accounts.filter(email__iexact=email).first()
    if user is None:
        owner = (EmailAddress.objects.filter(email__iexact=email, verified=True)
                 .values_list("user_id", flat=True).first())
        user = accounts.filter(pk=owner).first() if owner else None
    return user


def _substitution_refusal(*, booking, event, to_email, to_user, now):
    """Why the place cannot pass to `to_email` (an account, or None for an invitation)."""
    from accounts.services import user_own_addresses

    if booking.status == BookingStatus.BOOKED and (
            to_email in user_own_addresses(user=booking.delegate)
            or (to_user is not None and to_user.pk == booking.delegate_id)):
        return "Enter the email address of the colleague who will take your place, not your own."
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


def substitution_expires_at(substitution, *, partnership=None):
    """When the offer's link stops working (Partnership.substitution_link_days after it was
    made); the start of the event ends it sooner."""
    days = (partnership or Partnership.load()).substitution_link_days
    return substitution.at + timedelta(days=days)


def substitution_lapse_reason(*, substitution, booking, event, now, partnership=None):
    """Why an offer not yet answered can no longer be accepted, or "" while it stands. The
    checks that need the colleague (their profile, their organisation) come at acceptance."""
    if substitution.withdrawn_at is not None:
        return (f"{_person(substitution.from_delegate)} withdrew this offer: the place stays "
                "theirs.")
    if substitution.declined_at is not None:
        return "You declined this offer."
    if event.start <= now:
        return ("This offer lapsed when the event started: the place stayed with "
                f"{_person(substitution.from_delegate)}.")
    if now >= substitution_expires_at(substitution, partnership=partnership):
        return ("This offer has expired. Ask your colleague to offer the place again if they "
                "still cannot go.")
    latest = booking.substitutions.order_by("-at", "-pk").first()
    if (latest is None or latest.pk != substitution.pk
            or booking.delegate_id != substitution.from_delegate_id
            or booking.status != BookingStatus.BOOKED):
        return ("This offer has lapsed: the place is no longer on offer to you. Ask your "
                "colleague or the training team.")
    return ""


def _accept_url(substitution):
    token = policies.signed_link_make(value=substitution.pk, salt=policies.SUBSTITUTION_SALT)
    return site_url() + reverse("bookings:substitution-accept", kwargs={"token": token})


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
        "from": from_user.email, "to": to_user.email, "event": event.pk},
        changes={"delegate": [from_user.email, to_user.email]})
    booking_email_queue(booking=booking, template="substitution_from", recipient=from_user,
                        ics="CANCEL")
    booking_email_queue(booking=booking, template="substitution_to", ics="REQUEST")
    transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking=booking))
    if to_user.line_manager_email:
        booking_email_queue(booking=booking, template="line_manager_booked",
                            to=[to_user.line_manager_email],
                            extra={"line_manager_name": to_user.line_manager_name,
                                   "substitution": True})


def _offer_close_queue(*, booking, substitution, template, to_colleague, extra=None):
    """One email about an offer that ended (withdrawn, declined, replaced by a newer one)."""
    context = {"to_email": substitution.to_email,
               "from_name": _person(substitution.from_delegate), **(extra or {})}
    if to_colleague:
        booking_email_queue(booking=booking, template=template, to=[substitution.to_email],
                            recipient=substitution.to_delegate or booking.delegate,
                            key=str(substitution.pk), extra=context)
    else:
        booking_email_queue(booking=booking, template=template, key=str(substitution.pk),
                            recipient=substitution.from_delegate, extra=context)


def booking_substitute(*, booking, by, to_email, now):
    """Offer a place to a colleague of the SAME organisation at any point before the event,
    with no charge (DOMAIN.md; DSPP: substitution 0). The place moves only when the colleague
    accepts (issue 12): one with an account is emailed a link to accept and sees the offer in
    My training; one without is invited to register first. Until then the place, and what it
    may cost, stays the delegate's. A newer offer replaces an older one still unanswered.
    Returns the Substitution (not accepted yet)."""
    to_email = (to_email or "").strip().lower()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        to_user = _account_for(to_email)
        if problem := _substitution_refusal(booking=locked, event=event, to_email=to_email,
                                            to_user=to_user, now=now):
            raise DomainError(problem, code="refused", field="to_email")
        if to_user is not None:
            to_email = to_user.email.lower()  # a secondary address: ask the account's own
        earlier = list(Substitution.objects.select_for_update(of=("self",)).select_related(
            "from_delegate", "to_delegate").filter(
            booking=locked, accepted_at__isnull=True, withdrawn_at__isnull=True,
            declined_at__isnull=True, on_the_day=False))
        for old in earlier:
            old.withdrawn_at = now
            old.save(update_fields=["withdrawn_at"])
            audit_record(actor=by, action="booking.substitute_replaced", target=locked,
                         details={"to": old.to_email, "by": to_email})
            if old.to_email != to_email:
                _offer_close_queue(booking=locked, substitution=old,
                                   template="substitution_withdrawn", to_colleague=True,
                                   extra={"replaced": True})
        substitution = Substitution.objects.create(
            booking=locked, from_delegate=locked.delegate, to_delegate=to_user,
            to_email=to_email, by=by, at=now)
        audit_record(actor=by, action="booking.substitute_offer", target=locked,
                     details={"to": to_email, "has_account": to_user is not None},
                     on_behalf_of=locked.delegate)
        extra = {"accept_url": _accept_url(substitution),
                 "signup_url": site_url() + reverse("account_signup"),
                 "from_name": _person(locked.delegate), "to_email": to_email,
                 "has_account": to_user is not None,
                 "expires_at": min(substitution_expires_at(substitution), event.start)}
        booking_email_queue(booking=locked, template="substitution_invitation", to=[to_email],
                            recipient=to_user or locked.delegate, key=str(substitution.pk),
                            extra=extra)
        booking_email_queue(booking=locked, template="substitution_invited", extra=extra,
                            key=str(substitution.pk))
    return substitution


def _offer_locked(substitution):
    """The booking (event first, then the booking: the house's lock order), then the offer."""
    booking = Booking.objects.get(pk=substitution.booking_id)
    event, locked = _event_and_booking_locked(booking)
    sub = (Substitution.objects.select_for_update(of=("self",))
           .select_related("from_delegate", "to_delegate").get(pk=substitution.pk))
    return event, locked, sub


def substitution_accept(*, substitution, user, now):
    """The colleague accepts the place offered to them, signed in with the address it was
    offered to: the place becomes theirs (same booking, no charge). Refused once the offer was
    withdrawn, declined or has lapsed (the event started, the link expired, the place was
    cancelled or handed on, a newer offer was made)."""
    with transaction.atomic():
        event, locked, sub = _offer_locked(substitution)
        if sub.accepted_at is not None:
            raise DomainError("This offer has already been accepted.", code="decided")
        if user.email.lower() != sub.to_email.lower():
            raise DomainError(f"This offer was sent to {sub.to_email}: sign in with that "
                              "address to accept it.", code="wrong_person")
        if reason := substitution_lapse_reason(substitution=sub, booking=locked, event=event,
                                               now=now):
            raise DomainError(reason, code="lapsed")
        if problem := _substitution_refusal(booking=locked, event=event, to_email=user.email,
                                            to_user=user, now=now):
            raise DomainError(problem, code="refused")
        _place_transfer(event=event, booking=locked, substitution=sub, to_user=user, by=user,
                        now=now)
    return locked


def substitution_decline(*, substitution, user, now):
    """The colleague says no: the place stays the delegate's, who is told (and the colleague
    gets a note that it is done)."""
    with transaction.atomic():
        event, locked, sub = _offer_locked(substitution)
        if user.email.lower() != sub.to_email.lower():
            raise DomainError(f"This offer was sent to {sub.to_email}: sign in with that "
                              "address to answer it.", code="wrong_person")
        if sub.accepted_at is not None:
            raise DomainError("This offer has already been accepted.", code="decided")
        if reason := substitution_lapse_reason(substitution=sub, booking=locked, event=event,
                                               now=now):
            raise DomainError(reason, code="lapsed")
        sub.declined_at, sub.to_delegate = now, user
        sub.save(update_fields=["declined_at", "to_delegate"])
        audit_record(actor=user, action="booking.substitute_decline", target=locked,
                     details={"to": sub.to_email})
        _offer_close_queue(booking=locked, substitution=sub, template="substitution_declined",
                           to_colleague=False)
        _offer_close_queue(booking=locked, substitution=sub,
                           template="substitution_declined_confirm", to_colleague=True)
    return sub


def substitution_withdraw(*, substitution, by, now):
    """The delegate (or an officer for them) takes back an offer not yet accepted: the place
    stays theirs; the colleague is told the offer no longer stands."""
    with transaction.atomic():
        event, locked, sub = _offer_locked(substitution)
        _may_act_for(by=by, booking=locked)
        if sub.accepted_at is not None:
            raise DomainError(f"{sub.to_email} has already accepted: the place is theirs now.",
                              code="decided")
        if sub.withdrawn_at is not None:
            raise DomainError("You have already withdrawn this offer.", code="decided")
        if sub.declined_at is not None:
            raise DomainError(f"{sub.to_email} has already declined this offer.",
                              code="decided")
        sub.withdrawn_at = now
        sub.save(update_fields=["withdrawn_at"])
        audit_record(actor=by, action="booking.substitute_withdraw", target=locked,
                     details={"to": sub.to_email}, on_behalf_of=(
                         locked.delegate if by is not None and by.pk != locked.delegate_id
                         else None))
        _offer_close_queue(booking=locked, substitution=sub, template="substitution_withdrawn",
                           to_colleague=True)
        _offer_close_queue(booking=locked, substitution=sub,
                           template="substitution_withdrawn_confirm", to_colleague=False)
    return sub


# On the day --------------------------------------------------------------------------------------

def _colleague_on_the_day(*, booking, event, name, email, by, now):
    """The colleague's account, or a new one for them (invited to set a password), and the
    refusal if they cannot be recorded: another organisation, the delegate themself, already
    on the register."""
    from accounts.models import OrganisationDomain, User

    organisation = booking.organisation
    org_name = organisation.name if organisation else "the delegate's organisation"
    from accounts.services import user_own_addresses

    if email in user_own_addresses(user=booking.delegate):
        raise DomainError("Enter the colleague’s email address, not the delegate’s own.",
                          code="invalid", field="email")
    user = _account_for(email)
    if user is not None:
        if user.organisation_id is None or user.organisation_id != booking.organisation_id:
            raise DomainError(f"{email} is not registered with {org_name}: only a colleague "
                              "from the same organisation can attend instead.",
                              code="refused", field="email")
        if not user.is_active:
            raise DomainError(f"The account for {email} is closed.", code="refused",
                              field="email")
        on_register = (Booking.objects.filter(event=event, delegate=user)
                       .filter(status__in=(*ACTIVE, *ATTENDANCE))
                       .values_list("status", flat=True).first())
        if on_register:
            raise DomainError(f"{_person(user)} already has a place on this event: mark them "
                              "on the register instead.", code="has_place", field="email")
        return user, False
    domain = email.rsplit("@", 1)[-1]
    owner = (OrganisationDomain.objects.filter(domain=domain)
             .values_list("organisation_id", flat=True).first())
    if owner is not None and owner != booking.organisation_id:
        raise DomainError(f"{email} is an address of another organisation: only a colleague "
                          f"from {org_name} can attend instead.", code="refused", field="email")
    first, _, last = name.partition(" ")
    # No password: the colleague sets one from the emailed link, which proves the address is
    # theirs (so it is recorded as verified: nobody can sign in without that link).
    user = User.objects.create_user(email=email, password=None, first_name=first[:150],
                                    last_name=last.strip()[:150], organisation=organisation,
                                    date_joined=now)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    audit_record(actor=by, action="account.invite_on_the_day", target=user,
                 details={"email": email, "organisation": booking.organisation_id})
    return user, True


def _set_password_url(user):
    """allauth's "set a new password" page for a new account (the reset key of the user)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    return site_url() + reverse("account_reset_password_from_key", kwargs={
        "uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})


def substitution_record_on_the_day(*, booking, by, name, email, now):
    """The register records that a colleague of the same organisation attended in place of
    the delegate (DSPP: substitution "at whatever point they are made", no charge). A
    facilitator of the event or an officer, from the day of the event.

    - The original booking becomes "substituted": no charge (charging.policies.charge_for),
      its evaluation requests withdrawn.
    - The colleague gets a booking of their own (same organisation, same event), attended,
      with the course on their training record; they are asked for the evaluations like any
      delegate marked attended, and pay what attending costs their organisation (an
      attendance fee for a private organisation, as the original would have).
    - Places: the original leaves Event.places_taken's COUNTED states and the replacement
      enters them, so the count does not change.
    - A colleague without an account gets one, with an email to set a password.
    Returns the Substitution."""
    name = " ".join((name or "").split())
    email = (email or "").strip().lower()
    if not name:
        raise DomainError("Enter the name of the colleague who attended.", code="invalid",
                          field="name")
    if not email:
        raise DomainError("Enter the colleague’s email address.", code="invalid", field="email")
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        if not _may_mark_register(user=by, event=event):
            raise DomainError("You can record a substitute only for events you deliver.",
                              code="forbidden")
        starts_on = london_date(event.start)
        if problem := policies.attendance_marking_problem(
                status=locked.status, event_status=event.status, event_starts_on=starts_on,
                today=london_date(now)):
            raise DomainError(problem, code="not_open")
        if locked.status not in ON_THE_DAY_FROM:
            raise DomainError(
                f"{_person(locked.delegate)} is marked {locked.get_status_display().lower()}: "
                "correct the register first if a colleague came instead.", code="marked",
                field="booking")
        colleague, created = _colleague_on_the_day(booking=locked, event=event, name=name,
                                                   email=email, by=by, now=now)
        was = locked.status
        locked.status = BookingStatus.SUBSTITUTED
        locked.minutes_late = locked.contacted_team = None
        locked.attendance_marked_at, locked.attendance_marked_by = now, by
        locked.save(update_fields=["status", "minutes_late", "contacted_team",
                                   "attendance_marked_at", "attendance_marked_by"])
        # The original's place passes to the replacement: one leaves COUNTED, one enters it,
        # so Event.places_taken stays as it is (and never exceeds the capacity).
        replacement = Booking.objects.create(
            event=event, delegate=colleague, organisation_id=locked.organisation_id,
            status=BookingStatus.ATTENDED, created_at=now, booked_at=now,
            access_needs=(colleague.access_needs or "").strip(),
            attendance_marked_at=now, attendance_marked_by=by)
        Completion.objects.filter(user_id=locked.delegate_id, event=event,
                                  source=Completion.Source.ATTENDANCE).delete()
        if not Completion.objects.filter(user=colleague, event=event,
                                         source=Completion.Source.ATTENDANCE).exists():
            Completion.objects.create(user=colleague, course=event.course, event=event,
                                      completed_on=starts_on,
                                      source=Completion.Source.ATTENDANCE, created_at=now)
        substitution = Substitution.objects.create(
            booking=locked, from_delegate=locked.delegate, to_delegate=colleague,
            to_email=colleague.email.lower(), by=by, at=now, accepted_at=now, on_the_day=True,
            replacement=replacement)
        audit_record(actor=by, action="booking.substitute_on_the_day", target=locked, details={
            "from": locked.delegate.email, "to": email, "was": was, "event": event.pk,
            "replacement": str(replacement.uid), "account_created": created},
            changes={"status": [was, locked.status]})
        # The same signals as a register mark, so that charging (inside this transaction) and
        # evaluations (after commit) treat both bookings as they treat any mark.
        for changed, previous in ((locked, was), (replacement, "")):
            attendance_recorded.send(sender=Booking, booking=changed, event=event,
                                     previous_status=previous, by=by, now=now)
        transaction.on_commit(lambda: attendance_marked.send(
            sender=Booking, booking=locked, previous_status=was))
        transaction.on_commit(lambda: attendance_marked.send(
            sender=Booking, booking=replacement, previous_status=""))
        extra = {"from_name": _person(locked.delegate), "to_name": _person(colleague),
                 "account_created": created,
                 "set_password_url": _set_password_url(colleague) if created else ""}
        booking_email_queue(booking=replacement, template="substitution_recorded_to",
                            key=str(substitution.pk), extra=extra)
        booking_email_queue(booking=locked, template="substitution_recorded_from",
                            key=str(substitution.pk), extra=extra)
    return substitution
