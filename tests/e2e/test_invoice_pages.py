"""axe-core finds nothing on the invoicing pages (run invoicing with its preview, an invoicing
run, the invoice list, an invoice, the credit note form with its errors), at desktop width and
at 320 px, under the site's Content-Security-Policy (the `page` fixture fails on a refusal);
business support previews, issues the invoices and issues a credit note in the browser."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from charging.models import CreditNote, Invoice
from core.models import Partnership
from tests.charging.invoice_pages import applied_charge, private_organisation
from tests.factories import PASSWORD
from tests.helpers import TOTP_SECRET

from .steps import axe_clean, sign_in_with_code

pytestmark = pytest.mark.e2e


def check(page, name):
    axe_clean(page, name, widths=(1280, 320))


def test_business_support_runs_invoicing_and_credits_a_line(page, make_user):
    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.save()
    nursery = private_organisation("Bright Futures Nurseries Ltd")
    applied_charge(nursery, amount="75.00", course_title="Working Together to Safeguard")
    applied_charge(nursery, amount="100.00", course_title="Child on Child Abuse",
                   kind="late_cancellation",
                   reason="Late cancellation: 3 working days' notice (full day)")
    applied_charge(private_organisation("Quiet Nursery Ltd", invoice_email=""), amount="25.00")
    business = make_user(Role.BUSINESS_SUPPORT)

    sign_in_with_code(page, business.email, PASSWORD, TOTP_SECRET)
    page.goto("/")
    page.locator("header").get_by_role("button", name="Charging").click()
    page.locator("header").get_by_role("link", name="Run invoicing").click()
    check(page, "batch-form")
    page.get_by_role("button", name="Preview the invoices").click()
    expect(page.get_by_text("Child on Child Abuse")).to_be_visible()
    check(page, "batch-preview")
    page.get_by_role("button", name="Issue 2 invoices").click()
    expect(page.get_by_text("2 invoices issued, £200.00 in all.")).to_be_visible()
    expect(page.get_by_text("Not emailed: no invoice contact")).to_be_visible()
    check(page, "batch-detail")
    year = timezone.localdate().year
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"DSPP-{year}-00001", f"DSPP-{year}-00002"]

    page.goto("/charging/invoices/")
    check(page, "invoice-list")
    page.get_by_role("link", name=f"DSPP-{year}-00001").click()
    check(page, "invoice-detail")
    page.get_by_role("link", name="Issue a credit note").click()
    check(page, "credit-note-form")
    page.get_by_role("button", name="Issue the credit note").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, "credit-note-errors")
    page.get_by_label("Credit for line 2").fill("100.00")
    page.get_by_label("Reason for the credit note").fill("Waived on appeal: illness")
    page.get_by_role("button", name="Issue the credit note").click()
    expect(page.get_by_text(f"Credit note DSPP-CN-{year}-00001 issued")).to_be_visible()
    assert CreditNote.objects.get().total == 100

    page.goto("/charging/invoicing/history/")
    check(page, "batch-list")
