"""axe-core finds nothing on the pages everyone meets first, including a form in its error
state, and the local Bootstrap actually styles them."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

from .steps import expect_path, sign_in

pytestmark = pytest.mark.e2e

axe = Axe()


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report()
    )


def test_bootstrap_from_local_static_files_styles_the_page(page):
    stylesheets = []
    page.on(
        "response",
        lambda r: stylesheets.append((r.url, r.status)) if r.url.endswith(".css") else None,
    )
    page.goto("/")
    page.wait_for_load_state("load")
    assert stylesheets and all(status == 200 for _, status in stylesheets), stylesheets
    assert all(url.startswith(page.url.rstrip("/")) for url, _ in stylesheets), stylesheets
    style = page.evaluate(
        """() => {
          const body = getComputedStyle(document.body);
          const btn = getComputedStyle(document.querySelector('.btn-primary'));
          const hidden = getComputedStyle(document.querySelector('.visually-hidden-focusable'));
          return {body: body.display, btnPadding: btn.paddingLeft, btnBorder: btn.borderStyle,
                  skipLink: hidden.position};
        }"""
    )
    # `d-flex` on <body>, a button's padding and border, and the hidden skip link all come
    # from Bootstrap: without the stylesheet they are block, 0px/6px, outset and static.
    assert style["body"] == "flex", style
    assert style["btnPadding"] not in ("0px", "6px") and style["btnBorder"] == "solid", style
    assert style["skipLink"] == "absolute", style


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/"], ids=["home", "login", "signup"]
)
def test_public_page_has_no_axe_violations(page, path):
    page.goto(path)
    assert_no_violations(page)


def test_signup_with_errors_has_no_axe_violations(page):
    page.goto("/accounts/signup/")
    form = page.locator("main form")
    form.get_by_label(re.compile(r"^\s*email", re.I)).fill("not-an-email")
    form.get_by_label(re.compile(r"^\s*password\W*$", re.I)).fill("short")
    form.get_by_role("button", name=re.compile(r"sign up|register|create", re.I)).click()
    page.wait_for_load_state()
    expect_path(page, "/accounts/signup/")
    expect(page.locator("main")).to_contain_text(re.compile("there is a problem", re.I))
    expect(page.locator("main .is-invalid").first).to_be_visible()
    assert_no_violations(page)


def test_delegate_profile_page_has_no_axe_violations(page):
    delegate = UserFactory(roles=[Role.DELEGATE], email="dee@example.org")
    sign_in(page, delegate.email, PASSWORD)
    expect_path(page, "/account/")
    page.goto("/account/profile/")
    expect(page.get_by_label("Job title")).to_have_value(delegate.job_title)
    assert_no_violations(page)
