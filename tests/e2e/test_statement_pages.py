"""The privacy notice and the accessibility statement in Chromium: axe-core finds nothing at
1280 and 320 px, nothing scrolls sideways at 320 px (WCAG 2.2 1.4.10 Reflow), and a keyboard
user reaches both from the footer and the notice from beside the sign-up's Register button.

Set E2E_SCREENSHOTS=/some/folder to keep a picture of each page (steps.axe_clean)."""

import re

import pytest
from playwright.sync_api import expect

from .steps import axe_clean, expect_path

pytestmark = pytest.mark.e2e

PAGES = [("/privacy/", "Privacy notice"),
         ("/accessibility/", "Accessibility statement for Safeguarding Partnership training")]
TAB_LIMIT = 80


def focused_text(page):
    return page.evaluate("() => (document.activeElement.textContent || '').trim()")


def tab_to(page, text, *, key="Tab"):
    """Press Tab until the focus is on the element whose text is `text`; the keys it took."""
    for presses in range(1, TAB_LIMIT + 1):
        page.keyboard.press(key)
        if focused_text(page) == text:
            return presses
    raise AssertionError(f"{TAB_LIMIT} presses of {key} never reached {text!r} on {page.url}")


@pytest.mark.parametrize("path, heading", PAGES, ids=["privacy", "accessibility"])
def test_page_is_axe_clean_and_fits_a_320px_screen(page, path, heading):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    axe_clean(page, path.strip("/"), widths=(None, 320))

    page.set_viewport_size({"width": 320, "height": 900})
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 320, f"{path} is {overflow}px wide at 320px"


def test_keyboard_user_reaches_both_pages_from_the_footer(page):
    page.goto("/")
    tab_to(page, "Privacy")
    page.keyboard.press("Enter")
    expect_path(page, "/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")

    # The contents list takes the reader to a section.
    tab_to(page, "How long we keep it")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/privacy/#how-long$"))
    expect(page.locator("#how-long")).to_be_in_viewport()

    tab_to(page, "Accessibility")
    page.keyboard.press("Enter")
    expect_path(page, "/accessibility/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")


def test_sign_up_notice_link_comes_just_before_register_in_the_tab_order(page):
    page.goto("/accounts/signup/")
    tab_to(page, "How we use your information")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Register")).to_be_focused()

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect_path(page, "/privacy/")
