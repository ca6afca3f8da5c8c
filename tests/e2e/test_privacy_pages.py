"""Your data in Chromium: a delegate finds it from their profile and downloads the ZIP; an
officer downloads a person's data from the person's page (a subject access request).
axe-core finds nothing on either page at 1280 and 320 px."""

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD, BookingFactory, UserFactory
from tests.helpers import TOTP_SECRET

from .steps import axe_clean, expect_path, sign_in, sign_in_with_code

pytestmark = pytest.mark.e2e


def _zip_of(download):
    with open(download.path(), "rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def test_a_delegate_downloads_their_data_from_their_profile(page):
    delegate = UserFactory(first_name="Dana", last_name="Delegate", email="dana@example.org",
                           access_needs="A hearing loop")
    booking = BookingFactory(delegate=delegate)
    sign_in(page, delegate.email, PASSWORD)
    page.goto("/account/profile/")
    page.locator("main").get_by_role("link", name="your data").click()
    expect_path(page, "/privacy/your-data/")
    expect(page.locator("h1")).to_have_text("Your data")
    axe_clean(page, "your-data", widths=(1280, 320))

    with page.expect_download() as info:
        page.locator("main").get_by_role("button", name="Download your data").click()
    download = info.value
    assert re.fullmatch(r"your-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    data = json.loads(_zip_of(download).read("data.json"))
    assert data["profile"][0]["access_needs"] == "A hearing loop"
    assert [row["uid"] for row in data["bookings"]] == [str(booking.uid)]


def test_an_officer_downloads_a_persons_data_from_their_page(page, make_user):
    officer = make_user(Role.OFFICER, first_name="Olivia", last_name="Officer")
    dana = UserFactory(first_name="Dana", last_name="Delegate", email="dana@example.org")
    sign_in_with_code(page, officer.email, PASSWORD, TOTP_SECRET)
    page.goto(f"/account/people/{dana.pk}/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Personal data")).to_be_visible()
    main.get_by_role("link", name="Download their data (subject access request)").click()
    expect(page.locator("h1")).to_have_text("Download Dana Delegate's data")
    axe_clean(page, "person-export", widths=(1280, 320))

    with page.expect_download() as info:
        page.locator("main").get_by_role("button", name="Download their data").click()
    data = json.loads(_zip_of(info.value).read("data.json"))
    assert data["profile"][0]["email"] == "dana@example.org"
