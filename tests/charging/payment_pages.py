"""Who may open the payment and statement pages, and how to build each page's address
(tests/accounts/test_roles.py reads both).

Payments, unpaid invoices, reminders and the CSV export are business support's and the L&D
officers' (charging.view_invoice, charging.record_payment). The statement is an organisation's
finance contact's (accounts.manage_own_organisation_account), about their OWN organisation: its
invoice pages are built for the organisation of whoever is signed in for the test (another
organisation's invoice is a 404: test_statements.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
STAFF = {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN}
FINANCE = {Role.FINANCE_CONTACT, SITE_ADMIN}

PAYMENT_PAGES = {
    "charging:payment-outstanding": STAFF,
    "charging:payment-create": STAFF,
    "charging:invoice-remind": STAFF,  # POST only: GET is 405
    "charging:payment-export": STAFF,
    "charging:statement": FINANCE,
    "charging:statement-invoice": FINANCE,
    "charging:statement-invoice-pdf": FINANCE,
    "charging:statement-credit-notes": FINANCE,
    "charging:statement-credit-note-pdf": FINANCE,
    "charging:statement-charges": FINANCE,
    "charging:statement-payments": FINANCE,
}
PAYMENT_POST_ONLY = {"charging:invoice-remind"}


def _signed_in(request):
    from accounts.models import User
    from tests.factories import UserFactory

    user_id = request.getfixturevalue("client").session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else UserFactory()


def _invoice_of(organisation):
    from tests.charging.test_payments import invoice_make
    from tests.factories import OrganisationFactory

    return invoice_make(organisation=organisation or OrganisationFactory(),
                        issued_on=timezone.localdate() - timedelta(days=10))


def _credit_note_of(invoice):
    from charging.models import CreditNote, CreditNoteLine

    line = invoice.lines.first()
    note = CreditNote.objects.create(number=f"CN-{invoice.number}", invoice=invoice,
                                     issued_on=invoice.issued_on, reason="Charged in error",
                                     total=line.amount)
    CreditNoteLine.objects.create(credit_note=note, invoice_line=line, amount=line.amount)
    return note


def payment_page_url(name, request):
    if name in ("charging:payment-create", "charging:invoice-remind"):
        return reverse(name, kwargs={"pk": _invoice_of(None).pk})
    if name in ("charging:statement-invoice", "charging:statement-invoice-pdf"):
        invoice = _invoice_of(_signed_in(request).organisation)
        return reverse(name, kwargs={"pk": invoice.pk})
    if name == "charging:statement-credit-note-pdf":
        note = _credit_note_of(_invoice_of(_signed_in(request).organisation))
        return reverse(name, kwargs={"pk": note.pk})
    return reverse(name)
