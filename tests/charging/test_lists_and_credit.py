"""Every charging list is paginated (the batch preview, a run's page, an invoice's lines), and
a charge a credit note took back says so in the officers' queue and on the statement."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from charging.models import Invoice, InvoiceLine
from charging.services.credit_notes import credit_note_issue
from charging.services.invoices import invoice_batch_run
from tests.charging.invoice_pages import applied_charge, issued_invoice, private_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def business(make_user):
    return make_user(Role.BUSINESS_SUPPORT)


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def organisations():
    orgs = [private_organisation(f"Organisation {n:02d}") for n in range(27)]
    for org in orgs:
        applied_charge(org, amount="10.00")
    return orgs


def test_the_batch_preview_pages_organisations_but_totals_and_issues_them_all(
        client, business, organisations, django_assert_max_num_queries):
    client.force_login(business)
    url = reverse("charging:invoice-batch")
    up_to = timezone.localdate().isoformat()
    with django_assert_max_num_queries(20):
        first = client.get(url, {"up_to": up_to}).content.decode()
    assert "27 invoices for 27 charges" in first and "£270.00" in first
    assert "Organisation 00:" in first and "Organisation 24:" in first
    assert "Organisation 25:" not in first and "Pages of organisations" in first
    assert "Issue 27 invoices" in first
    second = client.get(url, {"up_to": up_to, "page": 2}).content.decode()
    assert "Organisation 25:" in second and "Organisation 26:" in second
    assert "Organisation 00:" not in second and "27 invoices for 27 charges" in second
    # Issuing from page 2 still invoices every organisation.
    response = client.post(url, {"up_to": up_to})
    assert response.status_code == 302 and Invoice.objects.count() == 27


def test_a_runs_page_pages_its_invoices(client, business, organisations,
                                        django_assert_max_num_queries):
    batch = invoice_batch_run(up_to=timezone.localdate(), by=None, now=timezone.now())
    client.force_login(business)
    url = reverse("charging:invoice-batch-detail", args=[batch.pk])
    with django_assert_max_num_queries(15):
        first = client.get(url).content.decode()
    numbers = list(batch.invoices.order_by("number").values_list("number", flat=True))
    assert numbers[0] in first and numbers[24] in first and numbers[25] not in first
    assert "£270.00" in first and "Pages of invoices in this run" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert numbers[26] in second and numbers[0] not in second and "£270.00" in second


def test_an_invoices_lines_are_paged_at_fifty(client, business,
                                              django_assert_max_num_queries):
    org = private_organisation("Big Nursery Ltd")
    for n in range(55):
        applied_charge(org, amount="1.00", course_title=f"Course number {n:02d}")
    invoice_batch_run(up_to=timezone.localdate(), by=None, now=timezone.now())
    invoice = Invoice.objects.get()
    titles = list(invoice.lines.order_by("position").values_list("course_title", flat=True))
    client.force_login(business)
    url = reverse("charging:invoice-detail", args=[invoice.pk])
    with django_assert_max_num_queries(15):
        first = client.get(url).content.decode()
    assert titles[0] in first and titles[49] in first and titles[50] not in first
    assert "£55.00" in first and "Pages of lines" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert titles[54] in second and titles[0] not in second


def _credited_invoice(by):
    org = private_organisation("Bright Futures Nurseries Ltd")
    invoice = issued_invoice(org, amounts=("75.00", "100.00"))
    full, part = invoice.lines.order_by("amount")
    credit_note_issue(invoice=invoice, lines={full.pk: "75.00", part.pk: "40.00"},
                      reason="Waived on appeal", by=by, now=timezone.now())
    return org, full, part


def test_the_queue_says_a_charge_was_credited(client, officer, business,
                                              django_assert_max_num_queries):
    _credited_invoice(business)
    applied_charge(private_organisation(), amount="30.00")
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        html = client.get(reverse("charging:charge-list"), {"tab": "applied"}).content.decode()
    assert html.count("Credited") == 2 and "Credited £40.00" in html
    full = InvoiceLine.objects.get(amount=Decimal("75.00")).charge
    page = client.get(reverse("charging:charge-decide", args=[full.booking.uid])).content
    assert "Credited" in page.decode()


def test_the_statement_says_a_charge_was_credited(client, make_user, business,
                                                  django_assert_max_num_queries):
    org, _, _ = _credited_invoice(business)
    finance = make_user(Role.FINANCE_CONTACT, organisation=org)
    client.force_login(finance)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("charging:statement-charges")).content.decode()
    assert html.count("Credited") == 2 and "Credited £40.00" in html
