"""Deletion in Chromium: a delegate asks from Your data (after a missed confirmation); an
officer finds the request from their home page, downloads the person's data and deletes the
account. axe-core finds nothing on the pages, at 1280 and 320 px, errors included."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.helpers import TOTP_SECRET

from .steps import axe_clean, expect_path, sign_in, sign_in_with_code, sign_out

pytestmark = pytest.mark.e2e


def test_a_delegate_asks_and_an_officer_deletes_the_account(page, make_user):
    dana = UserFactory(first_name="Dana", last_name="Erasewell", email="dana@example.org")
    officer = make_user(Role.OFFICER)
    sign_in(page, dana.email, PASSWORD)
    page.goto("/privacy/your-data/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Delete your account")).to_be_visible()
    main.get_by_role("button", name="Ask for your account to be deleted").click()
    expect_path(page, "/privacy/your-data/delete/")
    expect(main).to_contain_text("Tick the box to confirm that you want your account deleted")
    axe_clean(page, "deletion-request-error", widths=(1280, 320))
    main.get_by_label("I understand that my name").check()
    main.get_by_role("button", name="Ask for your account to be deleted").click()
    expect_path(page, "/privacy/your-data/")
    expect(main).to_contain_text("You asked for your account to be deleted on")
    axe_clean(page, "your-data-requested", widths=(1280, 320))
    sign_out(page)

    sign_in_with_code(page, officer.email, PASSWORD, TOTP_SECRET)
    page.locator("main").get_by_role("link", name="request to delete an account").click()
    expect_path(page, "/privacy/requests/")
    axe_clean(page, "deletion-request-list", widths=(1280, 320))
    page.locator("main").get_by_role("link", name="Dana Erasewell").click()
    expect_path(page, f"/privacy/people/{dana.pk}/delete/")
    expect(page.locator("h1")).to_have_text("Delete Dana Erasewell’s account")
    axe_clean(page, "person-delete", widths=(1280, 320))
    with page.expect_download():
        page.locator("main").get_by_role("button", name="Download their data").click()
    page.reload()
    main = page.locator("main")
    main.get_by_role("button", name="Delete the account").click()
    expect(main).to_contain_text("Tick the box to confirm that you want to delete")
    axe_clean(page, "person-delete-error", widths=(1280,))
    main.get_by_label("I have downloaded this person").check()
    main.get_by_role("button", name="Delete the account").click()
    expect_path(page, "/privacy/requests/")
    expect(page.locator("body")).to_contain_text("The account is deleted")
    dana.refresh_from_db()
    assert dana.anonymised_at is not None and dana.email.endswith("@anonymised.invalid")
