"""Content-Security-Policy and Permissions-Policy: every page says where scripts and styles may
come from (this site's own files, or an element carrying the request's nonce; never inline
code or style="" attributes), and that the site uses no camera, microphone, location,
payment or USB. A stored script that slipped past escaping would still not run."""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import build_policy
from playwright.sync_api import expect

from accounts.roles import Role
from newsletter import services as newsletter_services
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)
from tests.helpers import totp_activate

from .browser import client_sign_in, sign_in_as

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Not pages: emails are read in mail programs (which need inline styles), PDFs by WeasyPrint.
NOT_PAGES = ("email/", "pdf/", "account/email/")

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
PERMISSIONS_OFF = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(header):
    """{"script-src": {"'self'", ...}, ...} of a Content-Security-Policy header."""
    parsed = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def assert_strict_policy(header, where):
    assert header, f"no Content-Security-Policy on {where}"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, (where, header)
    found = directives(header)
    for name, values in POLICY.items():
        nonces = {v for v in found.get(name, ()) if v.startswith("'nonce-")}
        assert found.get(name, set()) - nonces == values, (where, name, header)
        if name not in ("script-src", "style-src"):
            assert not nonces, (where, name, header)


def assert_permissions_policy(header, where):
    assert header, f"no Permissions-Policy on {where}"
    features = dict(part.strip().split("=", 1) for part in header.split(","))
    for feature in PERMISSIONS_OFF:
        assert features.get(feature) == "()", (where, feature, header)


# --- Headers -------------------------------------------------------------------------------


def test_production_settings_send_both_headers_without_unsafe_inline():
    """The production settings themselves (a fresh process, as the image runs them)."""
    script = (
        "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None)\n"
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "from django.utils.csp import build_policy\n"
        "r = Client().get('/healthz/live/', secure=True, HTTP_HOST='training.example')\n"
        "print(json.dumps({'status': r.status_code, 'csp': r.get('Content-Security-Policy'),"
        " 'pp': r.get('Permissions-Policy'), 'policy': build_policy(settings.SECURE_CSP),"
        " 'processors': settings.TEMPLATES[0]['OPTIONS']['context_processors']}))\n"
    )
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8",
           "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "training.example",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert_strict_policy(seen["csp"], "production /healthz/live/")
    assert_permissions_policy(seen["pp"], "production /healthz/live/")
    # The same policy as the settings these tests run with (both come from base.py).
    assert directives(seen["policy"]) == directives(build_policy(settings.SECURE_CSP))
    assert "django.template.context_processors.csp" in seen["processors"]


@pytest.fixture
def programme(db):
    """A little of everything, so that each role's pages have something on them."""
    org = OrganisationFactory(name="Bright Futures Nurseries Ltd")
    officer = UserFactory(roles=[Role.OFFICER], first_name="Olu")
    facilitator = UserFactory(roles=[Role.FACILITATOR], first_name="Fay")
    course = CourseFactory(title="Working Together to Safeguard Children")
    venue = VenueFactory(name="Dudley Council House")
    upcoming = EventFactory(course=course, venue=venue)
    past = EventFactory(course=course, venue=venue,
                        start=timezone.now() - timedelta(days=3, hours=2))
    upcoming.facilitators.add(facilitator)
    past.facilitators.add(facilitator)
    delegate = UserFactory(first_name="Dee", organisation=org)
    BookingFactory(event=upcoming, delegate=delegate)
    BookingFactory(event=past, delegate=delegate)
    newsletter = newsletter_services.newsletter_create(
        by=None, subject="Spring dates", introduction="Book early.", events=[upcoming],
        now=timezone.now())
    return {"org": org, "officer": officer, "facilitator": facilitator, "course": course,
            "venue": venue, "upcoming": upcoming, "past": past, "delegate": delegate,
            "newsletter": newsletter}


ROLE_PAGES = {
    None: ["home", "courses:course-list", "courses:resource-list", "account_login",
           "account_signup"],
    Role.DELEGATE: ["accounts:dashboard", "accounts:profile", "bookings:my-training",
                    "courses:training-record", "account_email", "mfa_index"],
    Role.FACILITATOR: ["courses:trainingpool-list", "bookings:facilitator-event-list"],
    Role.OFFICER: ["courses:manage-event-list", "courses:manage-event-calendar",
                   "courses:manage-course-list", "courses:manage-venue-list",
                   "core:partnership-update", "core:auditentry-list",
                   "accounts:organisationrequest-list", "charging:charge-list",
                   "accounts:person-list"],
    Role.BUSINESS_SUPPORT: ["courses:newsletter-list", "courses:newsletter-create",
                            "accounts:organisation-list"],
    Role.LOD_MEMBER: ["reports:report-list"],
    Role.SAFEGUARDING_LEAD: ["accounts:organisation-staff"],
    Role.FINANCE_CONTACT: ["accounts:organisation-account"],
}


@pytest.mark.parametrize("role", list(ROLE_PAGES), ids=lambda r: r or "anonymous")
def test_every_page_carries_both_headers(client, make_user, programme, role):
    if role:
        client_sign_in(client, make_user(role, organisation=programme["org"]))
    for name in ROLE_PAGES[role]:
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
        assert_strict_policy(response.get("Content-Security-Policy"), name)
        assert_permissions_policy(response.get("Permissions-Policy"), name)


def test_detail_pages_and_errors_carry_both_headers(client, make_user, programme):
    client_sign_in(client, make_user(Role.BUSINESS_SUPPORT))
    paths = [reverse("courses:course-detail", kwargs={"slug": programme["course"].slug}),
             reverse("courses:event-detail", kwargs={"pk": programme["upcoming"].pk}),
             reverse("courses:newsletter-preview", kwargs={"pk": programme["newsletter"].pk}),
             "/no-such-page/", reverse("courses:manage-venue-list")]
    statuses = []
    for path in paths:
        response = client.get(path)
        statuses.append(response.status_code)
        assert_strict_policy(response.get("Content-Security-Policy"), path)
        assert_permissions_policy(response.get("Permissions-Policy"), path)
    assert statuses == [200, 200, 200, 404, 403]


def test_the_email_in_the_newsletter_preview_may_be_framed_only_by_the_site(
        client, make_user, programme):
    """The HTML email keeps its inline styles (mail programs need them), so it is its own
    document with its own policy: no script at all, sandboxed, framed only by this site."""
    client_sign_in(client, make_user(Role.BUSINESS_SUPPORT))
    response = client.get(reverse("courses:newsletter-email",
                                  kwargs={"pk": programme["newsletter"].pk}))
    assert response.status_code == 200
    found = directives(response["Content-Security-Policy"])
    assert found["default-src"] == {"'none'"} and "script-src" not in found
    assert found["frame-ancestors"] == {"'self'"}
    assert "sandbox" in found and "allow-scripts" not in found["sandbox"]
    # Its inline styles are allowed one by one, by hash: never 'unsafe-inline'.
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert any(source.startswith("'sha256-") for source in found["style-src"])
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # Other roles cannot read it.
    client_sign_in(client, make_user(Role.DELEGATE))
    assert client.get(reverse("courses:newsletter-email",
                              kwargs={"pk": programme["newsletter"].pk})).status_code == 403


def test_htmx_injects_no_style_and_its_indicator_is_in_the_stylesheet(client, programme):
    page = client.get(reverse("courses:course-list")).content.decode()
    config = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", page)
    assert config, "htmx would add an inline <style> for its indicator"
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False
    css = (ROOT / "static" / "css" / "site.css").read_text()
    assert ".htmx-indicator" in css


# --- Templates -----------------------------------------------------------------------------

INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
     "an inline <script>: put the code in static/js/"),
    (re.compile(r"<style\b", re.I), "a <style> block: put the rules in static/css/site.css"),
    (re.compile(r"\sstyle\s*=", re.I), "a style=\"\" attribute: use a class in static/css/"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "an inline event handler: use static/js/"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_page_templates_have_no_inline_script_style_or_handler():
    problems = []
    pages = [p for p in TEMPLATES.rglob("*.html")
             if not str(p.relative_to(TEMPLATES)).startswith(NOT_PAGES)]
    assert len(pages) > 50
    for path in pages:
        text = path.read_text()
        for pattern, what in INLINE:
            for found in pattern.finditer(text):
                line = text.count("\n", 0, found.start()) + 1
                problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert problems == []


# --- In the browser ------------------------------------------------------------------------

SKIP = re.compile(r"\.(ics|pdf|csv)$|/download/|/delete/|logout|unsubscribe|/approval/|"
                  r"/substitution/|^/admin/.+|^/accounts/(2fa/(totp/deactivate|recovery-codes/"
                  r"generate)|email/)")


def same_site_paths(page, live_server):
    hrefs = page.eval_on_selector_all(
        "header a[href], main a[href]", "els => els.map(e => e.href)")
    host = urlsplit(live_server.url).netloc
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc == host and parts.scheme.startswith("http") and not SKIP.search(
                parts.path):
            paths.append(parts.path)
    return paths


BROWSER_ROLES = [Role.DELEGATE, Role.FACILITATOR, Role.OFFICER, Role.BUSINESS_SUPPORT,
                 Role.LOD_MEMBER, Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT, "admin"]


@pytest.mark.e2e
@pytest.mark.parametrize("role", BROWSER_ROLES)
def test_each_roles_pages_break_no_policy_in_the_browser(page, live_server, programme,
                                                         role):
    """Every page a role reaches from its account page and the menus, plus the pages of an
    event and a newsletter, in Chromium: the `page` fixture (tests/e2e/conftest.py) fails the
    test on any "Refused to ..." CSP report or securitypolicyviolation event."""
    if role == "admin":
        user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    else:
        user = UserFactory(roles=[role], organisation=programme["org"])
    if role != Role.DELEGATE:
        totp_activate(user)
    if role == Role.FACILITATOR:
        programme["past"].facilitators.add(user)
        programme["upcoming"].facilitators.add(user)
    sign_in_as(page, user)

    page.goto("/account/")
    to_visit = list(dict.fromkeys(["/", "/account/", *same_site_paths(page, live_server)]))
    extra = {
        Role.BUSINESS_SUPPORT: [f"/courses/newsletters/{programme['newsletter'].pk}/"],
        Role.OFFICER: [f"/bookings/events/{programme['past'].pk}/register/",
                       f"/courses/manage/events/{programme['upcoming'].pk}/edit/"],
        Role.DELEGATE: [f"/courses/events/{programme['upcoming'].pk}/",
                        f"/courses/{programme['course'].slug}/"],
        "admin": ["/admin/", "/admin/accounts/user/"],
    }
    to_visit += extra.get(role, [])
    visited = []
    for path in dict.fromkeys(to_visit):
        response = page.goto(path)
        assert response is not None and response.status < 400, (path, response and
                                                                 response.status)
        visited.append(path)
        assert_strict_policy(response.headers.get("content-security-policy", ""), path)
    page.wait_for_timeout(200)
    assert len(visited) >= 3
    expect(page.locator("body")).to_be_visible()
