"""Browser tests: pytest-django's live server in a thread of this process, driven by Debian's
Chromium through Playwright's sync API.

The live server shares this process, so the locmem email backend's `mail.outbox` holds what
the site sends. Every test here uses `live_server`, which makes it a transactional test: the
database is emptied after each one (roles and the site are recreated by post_migrate)."""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise
# refuse every query made from the test ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so `page` knows at teardown if it failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# One Playwright and one Chromium for the whole run, however many folders use these fixtures
# (tests/security/conftest.py imports them too, which makes a second session fixture: both
# share this one browser, since Playwright's sync API cannot start twice in a thread).
_SHARED = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM_PATH}. Install Debian's package "
            "(apt-get install chromium; `make test` does it) or set CHROMIUM_PATH. "
            "`playwright install` is not used by this project.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    if not _SHARED["users"]:
        pw = sync_playwright().start()
        _SHARED.update(pw=pw, browser=pw.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        ))
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if not _SHARED["users"]:
        _SHARED.pop("browser").close()
        _SHARED.pop("pw").stop()


# Every page runs under the site's Content-Security-Policy: a blocked inline script or style
# is a bug (something on the page does not work), so any report fails the test. Chromium
# logs "Refused to ..." to the console; the event listener also catches violations in frames.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` in ${e.sourceFile || document.URL}:${e.lineNumber}: ${e.sample || ""}`);
});
"""
POLICY_MESSAGE = re.compile(r"^Refused to |^CSP violation: |Content.Security.Policy|"
                            r"Permissions.Policy", re.I)


def policy_reports(context):
    """Collect what the Content-Security-Policy (or Permissions-Policy) refuses on any page or
    frame of a browser context: a list that grows as the pages are used."""
    reports = []
    context.add_init_script(CSP_LISTENER)
    context.on("console", lambda message: reports.append(
        f"{message.text} (on {message.page.url if message.page else '?'})")
        if POLICY_MESSAGE.search(message.text) else None)
    return reports


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test, with relative URLs on the live server.
    The test fails at teardown if a page broke the Content-Security-Policy (page.policy_reports
    lists what was refused)."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    reports = policy_reports(context)
    page = context.new_page()
    page.policy_reports = reports
    yield page
    failed = any(
        getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if reports and not failed:
        context.close()
        pytest.fail("The Content-Security-Policy refused something:\n" + "\n".join(reports),
                    pytrace=False)
    if failed:
        for report in reports:
            print(f"CSP: {report}")
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content())
        except Exception as exc:  # the screenshot must not hide the test's own failure
            print(f"Could not save a screenshot: {exc}")
    context.close()
