"""The navigation bar fits every role's menus on a desktop screen: the site administrator, who
sees every menu, and an L&D officer, at 1,280 and 1,024 px wide. Nothing reaches past the dark
bar (a Sign out button pushed onto the white page was white on white, 1.05:1), the menus open
and close with the keyboard, and below 992 px the bar collapses behind a menu button.

Set SCREENSHOT_DIR to keep a screenshot of the bar at each width."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from demo.services import demo_load

from .test_narrow_screens import sign_in_as

pytestmark = pytest.mark.e2e

axe = Axe()
BRAND_BLUE = "rgb(29, 63, 110)"  # --brand: white on it 10.6:1
MENUS = ["Programme", "Bookings", "Organisations", "Administration"]


def look(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(folder) / f"navigation-{name}-{width}.png"),
                        clip={"x": 0, "y": 0, "width": width, "height": 320})


def inside(box, outer):
    return (box["x"] >= outer["x"] and box["y"] >= outer["y"]
            and box["x"] + box["width"] <= outer["x"] + outer["width"]
            and box["y"] + box["height"] <= outer["y"] + outer["height"])


def assert_bar_fits(page, width, who):
    header = page.locator("header")
    bar = header.locator("nav.navbar")
    sizes = page.evaluate("""() => ({
        page: document.documentElement.scrollWidth,
        bar: document.querySelector('header nav.navbar').scrollWidth,
        background: getComputedStyle(document.querySelector('header nav.navbar')).backgroundColor})""")
    assert sizes["page"] <= width and sizes["bar"] <= width, (
        f"{who}'s navigation bar is {sizes['bar']} px wide in a {width} px window ({page.url})")
    assert sizes["background"] == BRAND_BLUE, sizes
    bar_box = bar.bounding_box()
    sign_out = header.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    assert inside(sign_out.bounding_box(), bar_box), (
        f"Sign out is outside the dark bar at {width} px: {sign_out.bounding_box()} "
        f"not in {bar_box}")
    items = header.locator(".navbar-nav > .nav-item > :is(a, button, span)")
    for i in range(items.count()):
        item = items.nth(i)
        expect(item).to_be_visible()
        assert inside(item.bounding_box(), bar_box), (
            f"{item.inner_text()!r} is outside the dark bar at {width} px")


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report())


@pytest.mark.parametrize("identity,email,menus", [
    ("site administrator", "admin@demo.example", MENUS),
    ("L&D officer", "officer@demo.example", MENUS),
], ids=["site-administrator", "officer"])
def test_every_menu_fits_the_bar_at_1280_and_1024_px(browser, live_server, identity, email,
                                                     menus):
    demo_load(now=timezone.now(), history=False)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        sign_in_as(page, email)
        for width, height in ((1280, 800), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            for path in ("/", "/account/"):
                page.goto(path)
                assert_bar_fits(page, width, identity)
                header = page.locator("header")
                for menu in menus:
                    expect(header.get_by_role("button", name=menu, exact=True)).to_be_visible()
                assert_no_violations(page)
            look(page, identity.replace(" ", "-").replace("&", ""))
            # An open menu stays on the screen too.
            header.get_by_role("button", name=menus[-1], exact=True).click()
            expect(header.locator(".dropdown-menu.show")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert_no_violations(page)
    finally:
        context.close()


def test_the_menus_open_with_enter_or_space_and_close_with_escape(browser, live_server):
    demo_load(now=timezone.now(), history=False)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        sign_in_as(page, "admin@demo.example")
        page.goto("/")
        header = page.locator("header")
        for menu in MENUS:
            toggle = header.get_by_role("button", name=menu, exact=True)
            items = toggle.locator("xpath=following-sibling::ul")
            # Reach the menu's button with Tab, as a keyboard user does.
            for _ in range(30):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.textContent.trim()") == menu:
                    break
            else:
                pytest.fail(f"Tab never reached the {menu} menu")
            expect(toggle).to_have_attribute("aria-expanded", "false")
            expect(items).to_be_hidden()

            page.keyboard.press("Enter")
            expect(items).to_be_visible()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            page.keyboard.press("Escape")
            expect(items).to_be_hidden()
            expect(toggle).to_be_focused()

            page.keyboard.press("Space")
            expect(items).to_be_visible()
            page.keyboard.press("ArrowDown")  # into the menu: its first link
            expect(items.get_by_role("link").first).to_be_focused()
            page.keyboard.press("Escape")
            expect(items).to_be_hidden()
            expect(toggle).to_be_focused()

        # Enter follows a link of an open menu.
        header.get_by_role("button", name="Programme", exact=True).focus()
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        expect(page).to_have_url(re.compile(r"/courses/manage/events/$"))
    finally:
        context.close()


def test_below_992_px_the_bar_collapses_behind_a_menu_button(browser, live_server):
    demo_load(now=timezone.now(), history=False)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 800, "height": 800})
    page = context.new_page()
    try:
        sign_in_as(page, "admin@demo.example")
        page.goto("/")
        header = page.locator("header")
        toggler = header.get_by_role("button", name="Show or hide the menu")
        expect(toggler).to_be_visible()
        expect(header.get_by_role("button", name="Sign out")).to_be_hidden()
        toggler.focus()
        page.keyboard.press("Enter")
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(header.get_by_role("button", name="Sign out")).to_be_visible()
        page.wait_for_timeout(400)  # the collapse animates open
        assert_bar_fits(page, 800, "site administrator")
        header.get_by_role("button", name="Administration", exact=True).click()
        expect(header.get_by_role("link", name="Audit log")).to_be_visible()
        look(page, "site-administrator-menu-open")
        assert page.evaluate("document.documentElement.scrollWidth") <= 800
        assert_no_violations(page)
    finally:
        context.close()
