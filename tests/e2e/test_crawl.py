"""Every page a person can reach by following links works at 320 px: a visitor and each role
(with the demo partnership loaded) start at the home page and follow every same-origin link,
breadth first. On each page: no server error, nothing axe-core reports, no horizontal
scrolling on a 320 px wide screen (WCAG 2.2 1.4.10 Reflow) and nothing the
Content-Security-Policy refused; the home page also fits at 992 px, where the navbar shows
every link of the role. Every failure is collected and reported together (identity, page,
what), so one run shows the whole list.

Bounded so that it stays a few minutes on two cores: one browser, one context per identity,
at most PAGES_PER_IDENTITY pages each, at most PAGES_PER_VIEW pages of the same view with the
same query parameters (the tenth event page adds little the first did not show), and views
no identity has checked yet come first."""

import re
import time
from collections import deque
from urllib.parse import urlsplit, urlunsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from demo.services import demo_load
from tests.security.figures import FIGURES

from .conftest import TIMEOUT_MS, policy_reports
from .steps import sign_in_with_code

pytestmark = pytest.mark.e2e

axe = Axe()

WIDTH = 320
# Where Bootstrap's navbar-expand-lg shows every link on one line: the home page is checked
# at this width too, since a role with many links can push the navbar off the screen.
NAVBAR_WIDTH = 992
PAGES_PER_IDENTITY = 25
PAGES_PER_VIEW = 2
# Pages of views an earlier identity already checked (the catalogue, an event page, the
# account pages...) look much the same for the next one: they are opened to find the links
# on them, and checked in full on a few only (the first being the home page).
KNOWN_PAGES_PER_IDENTITY = 5
PAGES_OPENED_PER_IDENTITY = 60
# The demo logins (demo/data.py LOGINS), one per role; None is a visitor who is not signed in.
IDENTITIES = {
    "anonymous": None,
    "delegate": "delegate@demo.example",
    "facilitator": "facilitator@demo.example",
    "L&D officer": "officer@demo.example",
    "business support": "business@demo.example",
    "LOD Group member": "lod@demo.example",
    "safeguarding lead": "lead@demo.example",
    "finance contact": "finance@demo.example",
    "site administrator": "admin@demo.example",
}
# Files, not pages (PDFs, calendar invitations, spreadsheets, resource downloads).
DOWNLOAD = re.compile(r"(\.(pdf|ics|xlsx|csv|docx|pptx|png|jpe?g)$|/download/$)", re.I)
# Signing out ends the crawl's session. No page of the site changes anything on a GET (every
# write is a POST: the email confirmation and the newsletter opt-out ask first).
SIGN_OUT = re.compile(r"(log-?out|sign-?out)", re.I)
NOT_PAGES = ("/static/", "/media/")


def sign_in_as(page, email):
    """The demo password, and the demo authenticator code for staff."""
    sign_in_with_code(page, email, DEMO_PASSWORD, DEMO_TOTP_SECRET)


def view_shape(path, query):
    """What makes two URLs the same page for this crawl: the view and the query's names."""
    try:
        name = resolve(path).view_name
    except Resolver404:
        name = path
    keys = sorted({part.split("=", 1)[0] for part in query.split("&") if part})
    return name, tuple(keys)


def page_problems(page):
    """What is wrong with the page the browser is on: axe-core's violations and overflow."""
    problems = []
    results = axe.run(page)
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:3]
        problems.append(f"axe {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} at {', '.join(targets)}")
    return problems + overflow(page, WIDTH)


def overflow(page, limit):
    """A sideways scroll on a `limit` px wide viewport, naming the outermost elements that
    stick out."""
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > limit:
        wide = page.evaluate(
            """(limit) => Array.from(document.querySelectorAll('body *'))
                 .filter(e => e.getBoundingClientRect().right > limit + 1 &&
                              !e.closest('.visually-hidden, .visually-hidden-focusable'))
                 .filter((e, _, all) => !all.some(o => o !== e && o.contains(e)))
                 .slice(0, 3)
                 .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                      (e.className && typeof e.className === 'string'
                         ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
                      ' (' + Math.round(e.getBoundingClientRect().right) + 'px)')""",
            limit,
        )
        problems.append(f"scrolls sideways at {limit} px: page is {width} px wide; "
                        f"widest: {', '.join(wide) or 'unknown'}")
    return problems


def page_link(href, origin):
    """A link the crawl follows, as a path and query on the live server, or None."""
    target = urlsplit(href)
    path = target.path
    if (f"{target.scheme}://{target.netloc}" != origin or path.startswith(NOT_PAGES)
            or DOWNLOAD.search(path) or SIGN_OUT.search(path)):
        return None
    # The pager's link to page 1 is the list itself.
    query = "&".join(p for p in target.query.split("&") if p and p != "page=1")
    return urlunsplit(("", "", path, query, ""))


def next_url(queue, per_view, checked_by_anyone):
    """The first queued page of a view no identity has checked yet, else the first page."""
    for url in queue:
        shape = view_shape(*urlsplit(url)[2:4])
        if shape not in checked_by_anyone and per_view.get(shape, 0) < PAGES_PER_VIEW:
            queue.remove(url)
            return url
    while queue:
        url = queue.popleft()
        if per_view.get(view_shape(*urlsplit(url)[2:4]), 0) < PAGES_PER_VIEW:
            return url
    return None


def crawl(page, origin, identity, failures, checked_by_anyone, reports):
    """Breadth first from the home page, views nobody has checked first. A page of a view
    another identity checked is still opened (its status checked, its links followed), but
    axe and the width only run on KNOWN_PAGES_PER_IDENTITY of them. Returns the paths checked
    in full."""
    queue, seen, per_view, checked = deque(["/"]), {"/"}, {}, []
    opened = known = 0
    while len(checked) < PAGES_PER_IDENTITY and opened < PAGES_OPENED_PER_IDENTITY:
        url = next_url(queue, per_view, checked_by_anyone)
        if url is None:
            break
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue
            failures.append((identity, url, f"the browser could not open it: {exc}"))
            continue
        opened += 1
        final = urlsplit(page.url)
        where = final.path + (f"?{final.query}" if final.query else "")
        shape = view_shape(final.path, final.query)
        if where != url:
            # Redirected (to sign in, or to a page of its own): check where it landed, once.
            if where in seen or per_view.get(shape, 0) >= PAGES_PER_VIEW:
                continue
            seen.add(where)
        per_view[shape] = per_view.get(shape, 0) + 1
        status = response.status if response else 0
        if status >= 500:
            failures.append((identity, where, f"server error {status}"))
            checked.append(where)
            continue
        if shape not in checked_by_anyone or known < KNOWN_PAGES_PER_IDENTITY:
            known += shape in checked_by_anyone
            checked_by_anyone.add(shape)
            checked.append(where)
            for problem in page_problems(page):
                failures.append((identity, where, problem))
        while reports:
            failures.append((identity, where, reports.pop(0)))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            link = page_link(href, origin)
            if link and link not in seen:
                seen.add(link)
                queue.append(link)
    return checked


def test_every_linked_page_works_for_every_role_at_320_px(browser, live_server):
    demo_load(now=timezone.now())
    origin = live_server.url
    failures, figures, checked_by_anyone = [], {}, set()
    started = time.monotonic()
    for identity, email in IDENTITIES.items():
        context = browser.new_context(base_url=origin, locale="en-GB",
                                      viewport={"width": WIDTH, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        reports = policy_reports(context)  # what the Content-Security-Policy refused
        page = context.new_page()
        try:
            if email:
                sign_in_as(page, email)
            page.set_viewport_size({"width": NAVBAR_WIDTH, "height": 800})
            page.goto("/")
            failures.extend((identity, f"/ at {NAVBAR_WIDTH} px", problem)
                            for problem in overflow(page, NAVBAR_WIDTH))
            page.set_viewport_size({"width": WIDTH, "height": 800})
            checked = crawl(page, origin, identity, failures, checked_by_anyone, reports)
        finally:
            context.close()
        figures[identity] = len(checked)
    FIGURES["crawl: pages checked per identity"] = ", ".join(
        f"{name} {n}" for name, n in figures.items())
    FIGURES["crawl: seconds"] = f"{time.monotonic() - started:.0f}"

    assert all(figures.values()), f"An identity reached no page: {figures}"
    assert not failures, f"{len(failures)} problem(s) on the pages crawled:\n" + "\n".join(
        f"- {identity}: {path}: {what}" for identity, path, what in failures)
