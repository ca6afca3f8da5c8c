"""Reads of certificates, scoped to who asks: a code in a URL never reaches someone else's
certificate (404), and the public verification finds only valid ones."""

import re

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from bookings.models import Booking, BookingStatus
from courses.models import Completion

from ..models import Certificate

CODE_LENGTH = 12
_NOT_CODE = re.compile(r"[\s\-]+")


def certificate_code_clean(text):
    """What someone typed or scanned, as a code: spaces and dashes dropped, upper case. Not a
    code at all (wrong length, other characters): ""."""
    code = _NOT_CODE.sub("", str(text or "")).upper()
    return code if len(code) == CODE_LENGTH and code.isascii() and code.isalnum() else ""


def certificate_verified(*, code):
    """The valid certificate with this code, or None for a made-up, mistyped or revoked code
    (the page says "not found" for all of them alike)."""
    code = certificate_code_clean(code)
    if not code:
        return None
    return (Certificate.objects.filter(code=code, revoked_at__isnull=True)
            .only("code", "delegate_name", "course_title", "completed_on").first())


def certificates_of(*, user):
    """A delegate's own valid certificates, the most recent first (My training)."""
    return Certificate.objects.filter(user=user, revoked_at__isnull=True).order_by(
        "-completed_on", "-id")


def certificate_for_download(*, user, code):
    """The PDF's certificate: the delegate's own valid one; any valid one for whoever may see
    certificates (officers). A revoked certificate is never drawn again (its PDF would look
    genuine). Anything else is 404, whether it exists or not."""
    code = certificate_code_clean(code)
    certificates = Certificate.objects.filter(code=code, revoked_at__isnull=True)
    if not user.has_perm("evaluations.view_certificate"):
        certificates = certificates.filter(user=user)
    certificate = certificates.first() if code else None
    if certificate is None:
        raise Http404("No certificate here.")
    return certificate


def certificates_for_officers(*, user, query=""):
    """Every certificate, for officers (evaluations.view_certificate), newest first; searched
    by code, delegate name or email, or course title."""
    if not user.has_perm("evaluations.view_certificate"):
        return Certificate.objects.none()
    certificates = Certificate.objects.select_related("user", "issued_by", "revoked_by")
    query = (query or "").strip()
    if query:
        code = certificate_code_clean(query)
        match = (Q(delegate_name__icontains=query) | Q(user__email__icontains=query)
                 | Q(course_title__icontains=query))
        if code:
            match |= Q(code=code)
        certificates = certificates.filter(match)
    return certificates.order_by("-issued_at", "-id")


def certificate_for_officer(*, user, code):
    if not user.has_perm("evaluations.issue_certificate"):
        raise Http404("No certificate here.")
    certificate = (Certificate.objects.select_related("user", "issued_by", "revoked_by")
                   .filter(code=certificate_code_clean(code)).first())
    if certificate is None:
        raise Http404("No certificate here.")
    return certificate


def training_to_certify(*, delegate):
    """What an officer may issue a certificate for by hand: the delegate's attended bookings
    and their training record lines not from an event (e-learning, recorded), each without a
    valid certificate yet. Returns (bookings, completions)."""
    valid = Certificate.objects.filter(revoked_at__isnull=True)
    bookings = (Booking.objects.filter(delegate=delegate, status=BookingStatus.ATTENDED)
                .exclude(Exists(valid.filter(booking=OuterRef("pk"))))
                .select_related("event__course").order_by("-event__start")[:50])
    completions = (Completion.objects.filter(user=delegate, event__isnull=True)
                   .exclude(Exists(valid.filter(completion=OuterRef("pk"))))
                   .select_related("course").order_by("-completed_on")[:50])
    return list(bookings), list(completions)
