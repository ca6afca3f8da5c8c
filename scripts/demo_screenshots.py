#!/usr/bin/env python
"""The README's screenshots, taken with the demo data (the partnership `make run` shows).

    .venv/bin/python scripts/demo_screenshots.py              # every README screenshot
    .venv/bin/python scripts/demo_screenshots.py --only home,register

It builds a fresh SQLite database in var/demo-screenshots/ (migrate, then load_demo), serves
the site there with `manage.py runserver` on a free port, and drives Chromium through
Playwright, writing PNGs to docs/screenshots/. Everyone signs in through the real sign-in
form with the demo password; staff type the current code of the demo TOTP secret, as a
person with an authenticator app would. Each person gets a browser context of their own.

Nothing here writes to the database of `make run` (var/db.sqlite3) or sends an email: the
server's emails and log go to var/demo-screenshots/server.log. The demo delegate books a place
(after their own screenshots), so that the officers' Emails page has a booking confirmation to
show; the script sends it in-process into memory, and no Celery worker ever sees it."""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
WORK = BASE / "var" / "demo-screenshots"
DB = WORK / "db.sqlite3"
OUT = BASE / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
MAX_HEIGHT = 2000  # a full page is cut here: nobody scrolls a README screenshot further
MAX_BYTES = 400 * 1024

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.local",
    "DATABASE_URL": f"sqlite:///{DB}",
    # A broker that refuses at once: the server's outbox nudges fail (logged) and the rows wait
    # for the script, instead of landing in var/celery/ for `make run`'s worker to pick up.
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "MEDIA_ROOT": str(WORK / "media"),
    "EMAIL_URL": "consolemail://",  # into the server's log, never to var/mail/ or anyone
    "DEBUG": "false",  # what a visitor sees (no debug toolbar or pages); static via WhiteNoise
    "PYTHONUNBUFFERED": "1",
}

DELEGATE = "delegate@demo.example"
OFFICER = "officer@demo.example"
BUSINESS = "business@demo.example"
LEAD = "lead@demo.example"
FACILITATOR = "facilitator@demo.example"
FINANCE = "finance@demo.example"
LOD = "lod@demo.example"

# name: what it shows, in the order of the README's Screenshots table.
SHOTS = {
    "home": "Home page",
    "courses": "The course catalogue: search and filters",
    "course": "A course page with its dates and places left",
    "event-booking": "An event page with the booking panel, signed in as a delegate",
    "my-training": "My training: bookings, waiting lists and the training record",
    "programme-calendar": "The officer's month calendar of the programme",
    "event-form": "The officer's event form",
    "register": "The register of a past event, marked",
    "newsletter-preview": "The newsletter preview (business support)",
    "partnership-settings": "Partnership settings: the policy numbers",
    "emails": "The officers' Emails page: every email queued, sent or failed",
    "membership-requests": "Requests to join an organisation, for its safeguarding lead",
    "evaluation-answer": "A Stage 2 evaluation, as the delegate answers it",
    "summary": "The facilitator summary of an event: learning gain, Stage 1 scores, comments",
    "certificate-verify": "The public page that confirms a certificate's code",
    "charges": "Charges waiting for a decision (late cancellations, no-shows), for officers",
    "invoice": "An invoice with a part payment, for business support",
    "statement": "An organisation's statement, for its finance contact",
    "delegate-home": "A delegate's home page of tasks, after sign-in",
    "officer-home": "An officer's home page of tasks, after sign-in",
    "people": "People: an officer's search for a person",
    "person": "A person's page: profile, roles, bookings, training record and actions",
    "audit-log": "The audit log in words, with its filters",
    "reports": "Reports for the LOD Group: those produced, and asking for one",
    "report": "The last quarter's report: each figure beside the quarters compared, charts",
    "organisation-training": "A safeguarding lead's staff against the Training Checklist",
    "tna-results": "Training needs analysis results beside the waiting-list demand",
    "privacy-notice": "The privacy notice: its periods are the partnership settings",
    "your-data": "Your data: a delegate downloads everything held about them, or asks for deletion",
    "person-delete": "An officer deletes a person's details: download their data first, then confirm",
    "accessibility": "The accessibility statement",
}


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=ENV, check=True,
                   stdout=subprocess.DEVNULL)


def database_build():
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    manage("migrate", "--noinput")
    manage("load_demo")


def django_setup():
    os.environ.update({k: ENV[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL",
                                           "MEDIA_ROOT", "EMAIL_URL", "DEBUG")})
    sys.path.insert(0, str(BASE))
    import django

    django.setup()


def demo_facts():
    """The pages to show, chosen by rule from the demo data (load_demo is deterministic)."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from bookings.models import Booking
    from bookings.services import booking_refusal_for
    from courses.models import Event, EventStatus

    now = timezone.now()
    delegate = User.objects.get(email=DELEGATE)
    person = delegate.pk
    upcoming = (Event.objects.filter(status=EventStatus.SCHEDULED, start__gt=now)
                .select_related("course").order_by("start"))
    # A course page with several dates: the monthly classroom course.
    course = upcoming.filter(course__title="Child Exploitation: Multi-Agency Response").first()
    # An event the demo delegate may book now, so the panel shows the booking form.
    bookable = next((e for e in upcoming
                     if booking_refusal_for(event=e, delegate=delegate, now=now) is None), None)
    # The register: the last classroom course that took place (demo/bookings.py marks it).
    past = (Booking.objects.filter(attendance_marked_at__isnull=False)
            .order_by("-event__start").values_list("event_id", flat=True).first())
    from charging.models import Invoice
    from evaluations.models import Certificate, EvaluationRequest

    stage_2 = (EvaluationRequest.objects.filter(user=delegate, kind="stage_2",
                                                completed_at__isnull=True,
                                                requested_at__isnull=False)
               .values_list("uid", flat=True).first())
    summary_event = (Booking.objects.filter(status="attended")
                     .order_by("-event__start").values_list("event_id", flat=True).first())
    facts = {
        "stage_2": stage_2,
        "person": person,
        "summary_event": summary_event,
        "certificate": Certificate.objects.filter(revoked_at__isnull=True)
        .values_list("code", flat=True).first(),
        "invoice": Invoice.objects.filter(payments__isnull=False)
        .values_list("pk", flat=True).first(),
        "course_slug": course.course.slug,
        "bookable_event": (bookable or upcoming.first()).pk,
        "bookable_found": bookable is not None,
        "edit_event": course.pk,
        "past_event": past,
        "month": f"{timezone.localdate(course.start):%Y-%m}",
    }
    connection.close()
    return facts


def report_prepare():
    """The last complete quarter's report, asked for by the demo LOD Group member and
    produced here in-process, as the worker would (the server's broker refuses: no worker
    sees it). Returns its id, and the training needs analysis round to show."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from core.models import Partnership
    from reports import services
    from reports.models import ReportKind, TnaRound
    from reports.periods import last_complete_quarter

    try:
        now = timezone.now()
        quarter = last_complete_quarter(timezone.localdate(now),
                                        Partnership.load().financial_year_start_month)
        report = services.request_report(user=User.objects.get(email=LOD),
                                         kind=ReportKind.QUARTERLY, start=quarter.start,
                                         end=quarter.end, now=now)
        services.generate_report(report_id=report.pk)
        # The training needs analysis round with answers (reports/tna/demo.py: last year's).
        tna_round = (TnaRound.objects.filter(returns__isnull=False).order_by("-opens_on")
                     .values_list("pk", flat=True).first())
        return {"report": report.pk, "tna_round": tna_round}
    finally:
        connection.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_start(port):
    log = open(WORK / "server.log", "ab")  # noqa: SIM115 – open while the server runs
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=BASE, env=ENV, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(150):
        if proc.poll() is not None:
            raise SystemExit(f"runserver stopped: see {WORK / 'server.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("runserver did not answer within 30 seconds")


def totp_now():
    """The demo secret's code for now, from a window with at least 3 seconds left (allauth
    accepts only the current 30-second window)."""
    from demo.totp import demo_totp_code

    code, left = demo_totp_code(at=time.time())
    if left < 3:
        time.sleep(left + 0.5)
        code, left = demo_totp_code(at=time.time())
    return code


def sign_in(page, email):
    from demo.data import DEMO_PASSWORD

    page.goto("/accounts/login/")
    main = page.locator("main")
    main.get_by_label(re.compile(r"^\s*email", re.I)).fill(email)
    main.get_by_label(re.compile(r"^\s*password", re.I)).fill(DEMO_PASSWORD)
    main.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.I)).click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.locator("main input[name=code]").fill(totp_now())
        page.locator("main").get_by_role("button").first.click()
        page.wait_for_load_state()
    if page.locator("header").get_by_role("button", name="Sign out").count() == 0:
        raise SystemExit(f"{email} could not sign in: still on {page.url}: "
                         f"{page.locator('main').inner_text()[:600]}")


class Camera:
    def __init__(self, only):
        self.only = only
        self.taken = []

    def wanted(self, name):
        return not self.only or name in self.only

    def shot(self, page, name, url=None, *, full_page=True):
        """Take docs/screenshots/<name>.png of `url` (or of the page as it is): the whole page
        up to MAX_HEIGHT, cut shorter until the file is under MAX_BYTES."""
        if not self.wanted(name):
            return
        if url is not None:
            page.goto(url)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        height = VIEWPORT["height"]
        if full_page:
            height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
        path = OUT / f"{name}.png"
        while True:
            page.screenshot(path=str(path), full_page=full_page,
                            clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})
            size = path.stat().st_size
            if size <= MAX_BYTES or height <= 600:
                break
            height = int(height * 0.8)
        status = "" if size <= MAX_BYTES else f"  (over {MAX_BYTES // 1024} KB)"
        print(f"  {path.relative_to(BASE)}  {VIEWPORT['width']}x{height}  "
              f"{size // 1024} KB  {page.url}{status}")
        self.taken.append(name)


def newsletter_draft(page):
    """Business support composes a newsletter through the form (a draft: nothing is sent),
    promoting the next six events, and lands on its preview."""
    page.goto("/courses/newsletters/new/")
    main = page.locator("main")
    main.get_by_label("Subject").fill("New safeguarding training dates")
    main.get_by_label("Introduction").fill(
        "Here are the partnership's next multi-agency safeguarding courses. "
        "Places are free for most organisations: book early, as they fill quickly.")
    boxes = main.locator("input[type=checkbox][name=events]")
    for i in range(boxes.count()):
        boxes.nth(i).set_checked(i < 6)
    main.get_by_role("button", name="Save and preview").click()
    page.wait_for_load_state()
    if not re.search(r"/courses/newsletters/\d+/$", page.url):
        raise SystemExit(f"The newsletter form did not lead to a preview: {page.url}")


def place_book(page, event_pk):
    """The demo delegate books a place through the booking panel (the confirmation email is
    queued in the outbox)."""
    page.goto(f"/courses/events/{event_pk}/")
    page.locator("main").get_by_role("button", name="Book a place").click()
    page.wait_for_load_state()
    if not re.search(r"/bookings/", page.url):
        raise SystemExit(f"Booking a place did not lead to the booking: {page.url}")


def outbox_send():
    """Send the queued emails into memory (not to anyone), as the make run worker would to
    var/mail/, so that the Emails page shows them sent. In a thread of its own: Django's
    database calls refuse to run inside Playwright's event loop."""
    from concurrent.futures import ThreadPoolExecutor

    def send():
        from django.db import connection
        from django.test import override_settings

        from core.outbox import outbox_deliver

        try:
            with override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                return outbox_deliver()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(send).result()


def screenshots(port, facts, camera):
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as pw:
        # Date and time inputs are drawn in Chromium's own language, which is US English
        # unless Debian's chromium-l10n is installed (12/08/2026 04:30 PM on the event form).
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def context():
            return browser.new_context(viewport=VIEWPORT, base_url=base, locale="en-GB",
                                       timezone_id="Europe/London")

        with context() as anonymous:
            page = anonymous.new_page()
            camera.shot(page, "home", "/")
            camera.shot(page, "courses", "/courses/")
            camera.shot(page, "course", f"/courses/{facts['course_slug']}/")
            if facts["certificate"]:
                camera.shot(page, "certificate-verify",
                            f"/evaluations/certificates/verify/{facts['certificate']}/")
            camera.shot(page, "privacy-notice", "/privacy/")
            camera.shot(page, "accessibility", "/accessibility/")

        if any(camera.wanted(n) for n in ("event-booking", "my-training", "emails",
                                          "evaluation-answer", "delegate-home", "your-data")):
            with context() as ctx:
                page = ctx.new_page()
                sign_in(page, DELEGATE)
                camera.shot(page, "delegate-home", "/account/")
                camera.shot(page, "event-booking", f"/courses/events/{facts['bookable_event']}/")
                camera.shot(page, "my-training", "/bookings/my-training/")
                camera.shot(page, "your-data", "/privacy/your-data/")
                if facts["stage_2"]:
                    camera.shot(page, "evaluation-answer", f"/evaluations/{facts['stage_2']}/")
                if camera.wanted("emails") and facts["bookable_found"]:
                    place_book(page, facts["bookable_event"])
                    outbox_send()

        if any(camera.wanted(n) for n in ("programme-calendar", "event-form", "register",
                                          "partnership-settings", "emails", "charges",
                                          "summary", "officer-home", "people", "person",
                                          "audit-log", "person-delete")):
            with context() as ctx:
                page = ctx.new_page()
                sign_in(page, OFFICER)
                camera.shot(page, "officer-home", "/account/")
                camera.shot(page, "people", "/account/people/?q=demo")
                camera.shot(page, "person", f"/account/people/{facts['person']}/")
                camera.shot(page, "audit-log", "/manage/audit/")
                camera.shot(page, "person-delete", f"/privacy/people/{facts['person']}/delete/")
                camera.shot(page, "programme-calendar",
                            f"/courses/manage/events/calendar/?month={facts['month']}")
                camera.shot(page, "event-form",
                            f"/courses/manage/events/{facts['edit_event']}/edit/")
                camera.shot(page, "register", f"/bookings/events/{facts['past_event']}/register/")
                camera.shot(page, "partnership-settings", "/manage/partnership/")
                camera.shot(page, "emails", "/manage/emails/")
                camera.shot(page, "charges", "/charging/charges/")
                if facts["summary_event"]:
                    camera.shot(page, "summary",
                                f"/evaluations/events/{facts['summary_event']}/summary/")

        if camera.wanted("newsletter-preview") or camera.wanted("invoice"):
            with context() as ctx:
                page = ctx.new_page()
                sign_in(page, BUSINESS)
                newsletter_draft(page)
                camera.shot(page, "newsletter-preview")
                if facts["invoice"]:
                    camera.shot(page, "invoice", f"/charging/invoices/{facts['invoice']}/")

        if camera.wanted("statement"):
            with context() as ctx:
                page = ctx.new_page()
                sign_in(page, FINANCE)
                camera.shot(page, "statement", "/charging/statement/")

        if camera.wanted("membership-requests") or camera.wanted("organisation-training"):
            with context() as ctx:
                page = ctx.new_page()
                sign_in(page, LEAD)
                camera.shot(page, "membership-requests", "/account/membership-requests/")
                camera.shot(page, "organisation-training", "/reports/organisation/")

        if any(camera.wanted(n) for n in ("reports", "report", "tna-results")):
            with context() as ctx:
                page = ctx.new_page()
                sign_in(page, LOD)
                camera.shot(page, "reports", "/reports/")
                camera.shot(page, "report", f"/reports/{facts['report']}/")
                if facts["tna_round"]:
                    camera.shot(page, "tna-results",
                                f"/reports/training-needs/{facts['tna_round']}/results/")
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated names: " + ",".join(SHOTS))
    args = parser.parse_args()
    only = {n for n in args.only.split(",") if n}
    unknown = only - set(SHOTS)
    if unknown:
        parser.error(f"unknown screenshot(s): {', '.join(sorted(unknown))}")

    print(f"Building the demo database in {WORK.relative_to(BASE)}/ ...")
    database_build()
    django_setup()
    facts = demo_facts()
    facts.update(report_prepare())
    if not facts["bookable_found"]:
        print("  note: no upcoming event the demo delegate may book; showing the next event")
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = server_start(port)
    camera = Camera(only)
    try:
        print(f"Serving on 127.0.0.1:{port}; taking screenshots:")
        screenshots(port, facts, camera)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"{len(camera.taken)} screenshot(s) in {OUT.relative_to(BASE)}/")


if __name__ == "__main__":
    main()
