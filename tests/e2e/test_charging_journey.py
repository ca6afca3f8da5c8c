"""Charging in Chromium (issue 10): business support previews and runs the invoicing batch,
downloads the invoice PDF, records a part payment, then the rest; a delegate of an
organisation blocked by an overdue invoice sees why they cannot book, and whom to contact; the
finance contact of that organisation sees the block on their statement. axe-core finds nothing
on these pages."""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Sector
from accounts.roles import Role
from charging.models import Charge, ChargeStatus, Invoice, Payment
from tests.charging.test_payments import invoice_make
from tests.factories import (
    PASSWORD,
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import TOTP_SECRET, totp_activate

from .steps import sign_in, sign_in_with_code, sign_out

pytestmark = pytest.mark.e2e
axe = Axe()


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report())


def test_business_support_invoices_then_records_a_part_payment_and_the_rest(page, tmp_path):
    nursery = OrganisationFactory(name="Bright Sparks Nursery Ltd", sector=Sector.PRIVATE,
                                  invoice_email="accounts@brightsparks.example")
    course = CourseFactory(title="Child Exploitation: Multi-Agency Response")
    event = EventFactory(course=course, start=timezone.now() - timedelta(days=6))
    for first, last, kind, amount in (("Nadia", "Cole", "attendance", "75.00"),
                                      ("Jade", "Robins", "not_admitted", "100.00")):
        booking = BookingFactory(event=event, status="attended",
                                 delegate=UserFactory(organisation=nursery, first_name=first,
                                                      last_name=last))
        Charge.objects.create(booking=booking, organisation=nursery, sector=nursery.sector,
                              kind=kind, amount=amount, status=ChargeStatus.APPLIED,
                              reason=f"{kind.replace('_', ' ').capitalize()} (full day)",
                              created_at=timezone.now() - timedelta(days=5))
    business = UserFactory(roles=[Role.BUSINESS_SUPPORT], email="tom@partnership.example")
    totp_activate(business)

    sign_in_with_code(page, business.email, PASSWORD, TOTP_SECRET)
    # Preview, then run, the invoicing batch.
    page.locator("header").get_by_role("button", name="Charging").click()
    page.locator("header").get_by_role("link", name="Run invoicing").click()
    main = page.locator("main")
    main.get_by_role("button", name="Preview the invoices").click()
    expect(main).to_contain_text("Bright Sparks Nursery Ltd: 2 charges, £175.00")
    assert_no_violations(page)
    assert not Invoice.objects.exists()  # a preview saves nothing
    # Issuing renders and emails the PDF (WeasyPrint): slower than a page.
    main.get_by_role("button", name="Issue 1 invoice").click(timeout=60_000)
    expect(page.locator("main")).to_contain_text("1 invoice issued")
    invoice = Invoice.objects.get()
    assert invoice.total == Decimal("175.00")

    # The PDF (served inline, so fetched with the browser's own session), read back.
    link = page.locator("main").get_by_role("link", name=re.compile(
        f"Download invoice {invoice.number}"))
    response = page.context.request.get(link.get_attribute("href"), timeout=60_000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert invoice.number in text and "Nadia Cole" in text and "175.00" in text

    # A part payment from the unpaid invoices, then the rest.
    page.locator("header").get_by_role("button", name="Charging").click()
    page.locator("header").get_by_role("link", name="Unpaid invoices and payments").click()
    expect(page.locator("main")).to_contain_text(invoice.number)
    assert_no_violations(page)
    page.locator("main").get_by_role("link", name=f"Record a payment for {invoice.number}").click()
    main = page.locator("main")
    main.get_by_label("Amount received (£)").fill("£50")
    main.get_by_label("Bank transfer (BACS)").check()
    main.get_by_role("button", name="Record the payment").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("without the £ sign")
    assert_no_violations(page)  # the form with its error summary
    assert not Payment.objects.exists()

    main.get_by_label("Amount received (£)").fill("50.00")
    main.get_by_label("Reference (optional)").fill("BACS 0412")
    main.get_by_role("button", name="Record the payment").click()
    expect(page.locator("main")).to_contain_text("£125.00 is still owed")
    assert_no_violations(page)
    main.get_by_label("Amount received (£)").fill("125.00")
    main.get_by_label("Cheque").check()
    main.get_by_role("button", name="Record the payment").click()
    expect(page.locator("main")).to_contain_text(f"invoice {invoice.number} is now paid in full")
    invoice.refresh_from_db()
    assert invoice.settled_at is not None
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("50.00"),
                                                                       Decimal("125.00")]
    sign_out(page)


def test_a_delegate_of_a_blocked_organisation_sees_why_they_cannot_book(page):
    care = OrganisationFactory(name="Oakwood Care Homes Ltd", sector=Sector.PRIVATE,
                               invoice_email="finance@oakwood.example")
    invoice = invoice_make(organisation=care,
                           issued_on=timezone.localdate() - relativedelta(months=2))
    UserFactory(organisation=care, first_name="Gina", last_name="Price",
                email="gina.price@oakwood.example", roles=[Role.FINANCE_CONTACT])
    delegate = UserFactory(organisation=care, email="dee.wright@oakwood.example")
    event = EventFactory()

    sign_in(page, delegate.email, PASSWORD)
    page.goto(f"/courses/events/{event.pk}/")
    panel = page.locator("main section[aria-labelledby=booking-panel-title]")
    expect(panel).to_contain_text(f"invoice {invoice.number}")
    expect(panel).to_contain_text("Gina Price (gina.price@oakwood.example)")
    expect(panel.get_by_role("button", name="Book a place")).to_have_count(0)
    assert "£" not in panel.inner_text()  # the invoice number, never the amount
    assert_no_violations(page)
    sign_out(page)


def test_the_finance_contact_sees_the_block_and_their_statement(page):
    care = OrganisationFactory(name="Oakwood Care Homes Ltd", sector=Sector.PRIVATE,
                               invoice_email="finance@oakwood.example")
    invoice = invoice_make(organisation=care,
                           issued_on=timezone.localdate() - relativedelta(months=2))
    finance = UserFactory(organisation=care, email="gina.price@oakwood.example",
                          roles=[Role.FINANCE_CONTACT])
    totp_activate(finance)

    sign_in_with_code(page, finance.email, PASSWORD, TOTP_SECRET)
    page.locator("header").get_by_role("link", name="Our statement").click()
    main = page.locator("main")
    expect(main.get_by_role("region", name="Bookings stopped")).to_contain_text(invoice.number)
    expect(main.get_by_role("table")).to_contain_text(invoice.number)
    assert_no_violations(page)
    main.get_by_role("link", name=invoice.number, exact=True).click()
    expect(page.locator("main")).to_contain_text("What the invoice is for")
    assert_no_violations(page)
    page.goto("/charging/statement/charges/")
    assert_no_violations(page)
    page.goto("/account/organisation/account/")
    expect(page.locator("main").get_by_role("region", name="Bookings stopped")).to_be_visible()
    assert_no_violations(page)
