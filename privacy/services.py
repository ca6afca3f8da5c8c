"""Deletion requests: a delegate asks (or an officer records a request made by phone or
letter); an officer downloads the person's data, then carries the deletion out
(privacy.anonymise.person_anonymise). Refused while privacy.policies says so."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership
from core.outbox import email_queue

from .models import DeletionRequest
from .policies import BookingFact, ChargeFact, PersonFacts, deletion_refusals

CHANGED_SINCE_EXPORT = ("Something about this person changed since you downloaded their data: "
                        "download it again.")


def person_facts(*, person):
    """What privacy.policies.deletion_refusals needs to know about a person (3 queries)."""
    from accounts.roles import Role, user_roles
    from bookings.models import ACTIVE, Booking
    from charging.models import Charge, ChargeStatus

    person._roles_cache = None
    roles = tuple(sorted(r.label for r in user_roles(person) if r != Role.DELEGATE))
    bookings = tuple(
        BookingFact(status=b.status, course_title=b.event.course.title, start=b.event.start,
                    end=b.event.end, event_cancelled=b.event.status == "cancelled")
        for b in Booking.objects.filter(delegate=person, status__in=ACTIVE)
        .select_related("event__course").order_by("event__start", "pk"))
    charges = []
    for charge in (Charge.objects.filter(booking__delegate=person)
                   .exclude(status=ChargeStatus.WAIVED)
                   .select_related("booking__event__course", "invoice_line__invoice")
                   .order_by("created_at", "pk")):
        line = getattr(charge, "invoice_line", None)
        charges.append(ChargeFact(
            status=charge.status, course_title=charge.booking.event.course.title,
            amount=charge.amount, invoice_number=line.invoice.number if line else "",
            invoice_settled=bool(line and line.invoice.settled_at)))
    return PersonFacts(anonymised_at=person.anonymised_at, roles=roles,
                       is_superuser=person.is_superuser, is_staff=person.is_staff,
                       bookings=bookings, charges=tuple(charges))


def person_deletion_refusals(*, person, now):
    """Why the person's account cannot be deleted now ([]: it can)."""
    return deletion_refusals(facts=person_facts(person=person), now=now)


def deletion_request_open(*, person):
    return DeletionRequest.objects.filter(user=person, status=DeletionRequest.Status.OPEN).first()


def deletion_request_create(*, person, by, now):
    """A delegate asks for their account to be deleted ("Your data"), or an officer records
    that they asked. The training team is emailed at the partnership's contact address (the
    email names no one: the list of requests does). The person is told on the page that,
    once it is done, we can no longer email them."""
    refusals = person_deletion_refusals(person=person, now=now)
    if refusals:
        raise DomainError(" ".join(r.reason for r in refusals), code=refusals[0].code)
    try:
        with transaction.atomic():
            request = DeletionRequest.objects.create(user=person, requested_at=now,
                                                     requested_by=by)
            audit_record(actor=by, action="deletion_request.create", target=request,
                         on_behalf_of=person)
            partnership = Partnership.load()
            email_queue(
                to=[partnership.contact_email], template="privacy/deletion_requested",
                context={"request_obj": request,
                         "list_url": reverse("privacy:deletion-request-list")},
                purpose=f"privacy:deletion-request:{request.pk}:team")
    except IntegrityError:
        raise DomainError("You have already asked for your account to be deleted.",
                          code="already_asked") from None
    return request


def deletion_export_record(*, person, by, fingerprint, now):
    """The officer downloaded the person's data before deleting it: keep the export's
    fingerprint on the open request (opened now, for the officer, if the person had not
    asked through the site)."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=person.pk)
        request = deletion_request_open(person=person)
        if request is None:
            request = DeletionRequest.objects.create(user=person, requested_at=now,
                                                     requested_by=by)
        request.exported_at, request.exported_by = now, by
        request.export_fingerprint = fingerprint
        request.save(update_fields=["exported_at", "exported_by", "export_fingerprint"])
        audit_record(actor=by, action="deletion_request.export", target=request,
                     on_behalf_of=person)
    return request


def deletion_export(*, person, by, now):
    """An officer downloads the person's data before deleting their account: refused (with
    the reasons) while the deletion would be; otherwise the export is audited, its
    fingerprint kept on the open request (privacy.services.deletion_export_record) and the
    ZIP's bytes returned. The ZIP and the fingerprint are made from the same read of the
    person's data, so the fingerprint is of what was downloaded."""
    from .export import export_fingerprint, export_zip, person_data

    refusals = person_deletion_refusals(person=person, now=now)
    if refusals:
        raise DomainError(" ".join(r.reason for r in refusals), code=refusals[0].code)
    with transaction.atomic():
        data = person_data(person)
        audit_record(actor=by, action="personal_data.export", target=person, details={
            "sections": sum(1 for rows in data.values() if rows),
            "rows": sum(len(rows) for rows in data.values()),
        })
        deletion_export_record(person=person, by=by, now=now,
                               fingerprint=export_fingerprint(person, data=data))
    return export_zip(person, now=now, data=data)


def deletion_carry_out(*, person, by, now):
    """An officer deletes the person's account (pretix's data shredder): only after
    downloading their data, and only if nothing changed since (the fingerprint of the
    person's data now, privacy.export.export_fingerprint, is compared with the one kept when
    the officer downloaded it). Refusals say why."""
    from .anonymise import person_anonymise
    from .export import export_fingerprint

    with transaction.atomic():
        person = get_user_model().objects.select_for_update().get(pk=person.pk)
        request = deletion_request_open(person=person)
        if request is None or not request.export_fingerprint:
            raise DomainError("Download this person's data before deleting it.",
                              code="not_exported")
        if request.export_fingerprint != export_fingerprint(person):
            raise DomainError(CHANGED_SINCE_EXPORT, code="changed")
        return person_anonymise(person, actor=by, now=now,
                                reason=f"Deletion request {request.pk}")
