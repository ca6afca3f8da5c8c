"""What a person does on the site, written once for the journeys that share it."""

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.helpers import fresh_totp_code

SIGN_IN_BUTTON = re.compile(r"^\s*sign in\s*$", re.I)


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill the sign-in form and submit it; where it lands is the caller's to check."""
    page.goto("/accounts/login/")
    main = page.locator("main")
    main.get_by_label(re.compile(r"^\s*email", re.I)).fill(email)
    main.get_by_label(re.compile(r"^\s*password", re.I)).fill(password)
    main.get_by_role("button", name=SIGN_IN_BUTTON).click()
    page.wait_for_load_state()


# The last code each person typed: allauth refuses a code used twice (replay), so a second
# sign-in within the same 30-second window waits for the next code, as a person would.
_CODES_USED = {}


def sign_in_with_code(page: Page, email: str, password: str, secret: str) -> None:
    """Sign in; where the role needs it (staff), type the authenticator code too."""
    sign_in(page, email, password)
    if "/accounts/2fa/authenticate/" in page.url:
        code = fresh_totp_code(secret, min_left=4)
        if _CODES_USED.get(email) == code:
            time.sleep(30 - time.time() % 30 + 0.2)
            code = fresh_totp_code(secret, min_left=4)
        _CODES_USED[email] = code
        page.locator("main input[name=code]").fill(code)
        page.locator("main").get_by_role("button", name=re.compile("sign in", re.I)).click()
        page.wait_for_load_state()
    assert "/accounts/" not in page.url, f"{email} could not sign in: still on {page.url}"


def sign_out(page: Page) -> None:
    """The navbar's Sign out button posts a form; allauth may ask to confirm."""
    page.locator("header").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    if page.url.rstrip("/").endswith("/accounts/logout"):
        page.locator("main").get_by_role("button", name=re.compile("sign out", re.I)).click()
    expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()


def link_in(message, path_prefix: str) -> str:
    """The first link in an email whose path starts with `path_prefix`, as a path for the
    live server (the email's host comes from the request and must not matter here)."""
    bodies = [message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]
    for body in bodies:
        for url in re.findall(r"https?://[^\s\"'<>]+", body):
            parts = urlsplit(url)
            if parts.path.startswith(path_prefix):
                return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"No link to {path_prefix} in the email:\n{message.body}")


def expect_path(page: Page, path: str) -> None:
    """The browser is on `path` (ignoring the query string)."""
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$"))


AXE = Axe()
# Set E2E_SCREENSHOTS=/some/folder to keep a picture of each page axe_clean checks.
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")


def axe_clean(page: Page, name: str, widths=(None,)) -> None:
    """axe-core finds no violation on the page as it is, or at each width given (then back to
    1280 px); the page has one h1. With E2E_SCREENSHOTS set, a picture of each."""
    for width in widths:
        if width is not None:
            page.set_viewport_size({"width": width, "height": 900})
        results = AXE.run(page)
        at = f" at {width}px" if width else ""
        assert results.violations_count == 0, (
            f"axe found {results.violations_count} violation(s) on {page.url}{at}:\n"
            + results.generate_report())
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            suffix = f"-{width}" if width else ""
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}{suffix}.png"), full_page=True)
    if any(widths):
        page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("h1")).to_have_count(1)
