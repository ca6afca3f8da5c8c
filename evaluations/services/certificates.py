"""Certificates of completion (issue 9; DOMAIN.md, evaluation timeline: "when Stage 2 is
completed (a setting: or Stage 1) - certificate of completion, PDF").

- `certificate_issue` is called by the timeline (evaluations.services.requests,
  `request_complete`) inside its transaction for every completed request: it issues only
  when the request's kind is the partnership's `certificate_trigger`, once per booking or
  e-learning completion (a partial unique constraint backs it), and emails the PDF through
  the outbox (purpose ``certificate:<code>:issued``).
- `certificate_issue_by_officer` and `certificate_revoke`: an officer's decision by hand,
  with a reason, audited.

What a certificate says (name, course, level, date, hours) is copied onto it when issued, so
renaming a course later does not change a certificate already given."""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from core.audit import audit_record
from core.calendar import london_date
from core.dates import day
from core.exceptions import DomainError
from core.models import Partnership
from core.outbox import email_queue
from courses.models import Completion, Format, Length

from ..models import Certificate, RequestKind

logger = logging.getLogger(__name__)

# An e-learning module has no start and end: its certificate counts the course's length as
# the catalogue states it (there is no "nominal hours" field on a course).
E_LEARNING_HOURS = {Length.FULL_DAY: Decimal("6"), Length.HALF_DAY: Decimal("3")}
QUARTER = Decimal("0.25")


def certificate_hours(*, event=None, course=None):
    """Hours of learning: an event's length (end - start) to the nearest quarter hour, at least
    a quarter; an e-learning module's from its course length (E_LEARNING_HOURS)."""
    if event is not None:
        seconds = Decimal(int((event.end - event.start).total_seconds()))
        quarters = (seconds / Decimal(900)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return max(quarters * QUARTER, QUARTER)
    return E_LEARNING_HOURS.get(course.length, E_LEARNING_HOURS[Length.HALF_DAY])


def certificate_verify_url(certificate):
    """The public verification page of a certificate, as an absolute address (the QR code)."""
    return settings.SITE_URL.rstrip("/") + reverse(
        "evaluations:certificate-verify-code", kwargs={"code": certificate.code})


def _name_of(user):
    return user.get_full_name().strip() or user.email


def _facts_for_booking(booking):
    event, course = booking.event, booking.event.course
    return {"user": booking.delegate, "course": course, "event": event, "booking": booking,
            "completion": None, "delegate_name": _name_of(booking.delegate),
            "course_title": course.title, "course_level": course.get_level_display(),
            "completed_on": london_date(event.start), "hours": certificate_hours(event=event)}


def _facts_for_completion(completion):
    course = completion.course
    event = completion.event
    hours = (certificate_hours(event=event) if event is not None
             and course.format != Format.E_LEARNING else certificate_hours(course=course))
    return {"user": completion.user, "course": course, "event": event, "booking": None,
            "completion": completion, "delegate_name": _name_of(completion.user),
            "course_title": course.title, "course_level": course.get_level_display(),
            "completed_on": completion.completed_on, "hours": hours}


def _valid_for(*, booking=None, completion=None):
    certificates = Certificate.objects.filter(revoked_at__isnull=True)
    if booking is not None:
        return certificates.filter(booking=booking).first()
    return certificates.filter(completion=completion).first()


def _create(facts, *, now, by=None, reason=""):
    """Create the certificate in a savepoint: a concurrent issue for the same booking or
    completion loses to the unique constraint and gets the one already there."""
    try:
        with transaction.atomic():
            return Certificate.objects.create(**facts, issued_at=now, issued_by=by,
                                              issue_reason=reason), True
    except IntegrityError:
        existing = _valid_for(booking=facts["booking"], completion=facts["completion"])
        if existing is None:
            raise
        return existing, False


def _email_queue(certificate):
    from ..pdf import certificate_pdf

    # The certificate is issued inside the transaction that saves the delegate's answers: a
    # PDF that cannot be drawn must not lose them. The email then says where to download it.
    try:
        attachments = [(f"certificate-{certificate.code}.pdf",
                        certificate_pdf(certificate=certificate), "application/pdf")]
    except Exception:
        logger.exception("Certificate %s: the PDF could not be drawn for the email",
                         certificate.code)
        attachments = []
    email_queue(
        to=[certificate.user.email], template="evaluations/certificate_issued",
        context={"certificate": certificate, "recipient": certificate.user,
                 "attached": bool(attachments),
                 "verify_url": certificate_verify_url(certificate),
                 "my_training_url": settings.SITE_URL.rstrip("/")
                 + reverse("bookings:my-training") + "#certificates"},
        purpose=f"certificate:{certificate.code}:issued", attachments=attachments,
    )


def certificate_issue(*, request, now):
    """The certificate the timeline owes when a delegate completes the evaluation named by
    the partnership's `certificate_trigger` (Stage 2, or Stage 1). Call it for every completed
    request, inside the completing transaction: any other kind, a facilitator's feedback, or a
    booking that was not attended returns None. One valid certificate per booking (or
    e-learning completion): a second call returns the first. A certificate an officer revoked
    is not issued again by the timeline (an officer may issue one by hand)."""
    if request.kind not in (RequestKind.STAGE_1, RequestKind.STAGE_2):
        return None
    trigger = Partnership.load().certificate_trigger
    # Stage 2 comes after Stage 1, so it also meets a Stage 1 trigger: a delegate between the
    # stages when an officer moved the trigger to Stage 1 gets it with Stage 2.
    if request.kind != trigger and not (request.kind == RequestKind.STAGE_2
                                        and trigger == RequestKind.STAGE_1):
        return None
    if request.booking_id is not None:
        booking = (Booking.objects.select_for_update(of=("self",))
                   .select_related("event__course", "delegate").get(pk=request.booking_id))
        if booking.status != BookingStatus.ATTENDED:
            return None
        facts, target = _facts_for_booking(booking), {"booking": booking}
    elif request.completion_id is not None:
        completion = (Completion.objects.select_for_update(of=("self",))
                      .select_related("course", "event", "user").get(pk=request.completion_id))
        facts, target = _facts_for_completion(completion), {"completion": completion}
    else:
        return None
    if Certificate.objects.filter(**target).exists():
        return _valid_for(**target)  # already issued (or revoked by an officer: None)
    certificate, created = _create(facts, now=now)
    if created:
        audit_record(actor=None, action="certificate.issued", target=certificate,
                     details={"code": certificate.code, "request": str(request.uid),
                              "trigger": request.kind})
        _email_queue(certificate)
    return certificate


def certificate_issue_by_officer(*, booking=None, completion=None, by, reason, now):
    """An officer issues a certificate by hand, with a reason (issue 9: "An officer can issue
    one by hand (with a reason)"): for an attended booking or a completion in the training
    record, when it has no valid certificate yet. Emailed to the delegate like any other."""
    if not by.has_perm("evaluations.issue_certificate"):
        raise DomainError("Only the training team can issue a certificate by hand.",
                          code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter why you are issuing this certificate by hand.",
                          code="reason_missing", field="reason")
    if (booking is None) == (completion is None):
        raise DomainError("Choose the training the certificate is for.", field="training")
    with transaction.atomic():
        if booking is not None:
            booking = (Booking.objects.select_for_update(of=("self",))
                       .select_related("event__course", "delegate").get(pk=booking.pk))
            if booking.status != BookingStatus.ATTENDED:
                raise DomainError("A certificate can only be issued for an event the delegate "
                                  "attended.", field="training")
            facts, target = _facts_for_booking(booking), {"booking": booking}
        else:
            completion = (Completion.objects.select_for_update(of=("self",))
                          .select_related("course", "event", "user").get(pk=completion.pk))
            facts, target = _facts_for_completion(completion), {"completion": completion}
        existing = _valid_for(**target)
        if existing is not None:
            raise DomainError(f"{facts['delegate_name']} already has a valid certificate for "
                              f"this training ({existing.code}).", field="training")
        certificate, created = _create(facts, now=now, by=by, reason=reason)
        if not created:
            raise DomainError(f"{facts['delegate_name']} already has a valid certificate for "
                              f"this training ({certificate.code}).", field="training")
        audit_record(actor=by, action="certificate.issued_by_hand", target=certificate,
                     details={"code": certificate.code, "reason": reason})
        _email_queue(certificate)
    return certificate


def certificate_revoke(*, certificate, by, reason, now):
    """An officer revokes a certificate, with a reason: from then on its verification page
    says "not found" (like a made-up code) and the delegate no longer sees it."""
    if not by.has_perm("evaluations.issue_certificate"):
        raise DomainError("Only the training team can revoke a certificate.", code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter why you are revoking this certificate.",
                          code="reason_missing", field="reason")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is not None:
            raise DomainError(f"Certificate {certificate.code} was already revoked on "
                              f"{day(certificate.revoked_at)}.")
        certificate.revoked_at, certificate.revoked_by = now, by
        certificate.revoke_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(actor=by, action="certificate.revoked", target=certificate,
                     details={"code": certificate.code, "reason": reason})
    return certificate
