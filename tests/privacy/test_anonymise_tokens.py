"""Anonymising one person rewrites their name and address as whole tokens only: another
person whose address or name merely contains theirs keeps everything."""

from datetime import UTC, datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from core.audit import audit_record
from core.models import AuditEntry, OutgoingEmail
from privacy.anonymise import ANONYMISED_NAME, anonymised_email, person_anonymise
from tests.factories import UserFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_only_the_person_s_own_name_and_address_are_rewritten(db):
    jan = UserFactory(first_name="Joann", last_name="Leeming", email="jan.lee@example.org")
    ann = UserFactory(first_name="Ann", last_name="Lee", email="an.lee@example.org")
    note = OutgoingEmail.objects.create(
        purpose="manager:1", recipient="boss@example.org", from_email="x@example.org",
        subject="Bookings", status=OutgoingEmail.Status.SENT, sent_at=NOW,
        body_text="Joann Leeming (jan.lee@example.org) and Ann Lee (an.lee@example.org). "
                  "Write to AN.LEE@example.org.")
    audit_record(actor=None, action="note", target=jan, details={"who": "Joann Leeming"})
    audit_record(actor=None, action="note", target=ann,
                 details={"who": "Ann Lee", "mail": "an.lee@example.org"})

    person_anonymise(ann, actor=None, now=NOW, reason="Asked")

    jan = get_user_model().objects.get(pk=jan.pk)
    assert (jan.email, jan.first_name, jan.last_name) == (
        "jan.lee@example.org", "Joann", "Leeming")
    assert list(EmailAddress.objects.filter(user=jan).values_list("email", flat=True)) == [
        "jan.lee@example.org"]
    body = OutgoingEmail.objects.get(pk=note.pk).body_text
    new = anonymised_email(ann.pk)
    assert body == (f"Joann Leeming (jan.lee@example.org) and {ANONYMISED_NAME} ({new}). "
                    f"Write to {new}.")
    details = [e.details for e in AuditEntry.objects.filter(action="note").order_by("pk")]
    assert details == [{"who": "Joann Leeming"},
                       {"who": ANONYMISED_NAME, "mail": new}]
