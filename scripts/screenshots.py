#!/usr/bin/env python
"""Screenshots of the main pages, for the README and for looking at what the templates do.

    .venv/bin/python scripts/screenshots.py          # docs/screenshots/*.png, the README set
    .venv/bin/python scripts/screenshots.py --all    # and every other page, in var/screenshots/
    .venv/bin/python scripts/screenshots.py --axe    # and run axe on each page taken
    .venv/bin/python scripts/screenshots.py --only login,profile   # just these

It builds its own SQLite database (var/screenshots.sqlite3, recreated each run) with a few
organisations, courses and people, serves the site with `manage.py runserver` on a free port
and drives Chromium with Playwright. Signed-in pages use a session made with Django's test
Client (force_login); the sign-in and two-factor pages are reached through the real forms."""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
DB = BASE / "var" / "screenshots.sqlite3"
OUT = BASE / "var" / "screenshots" / "review"  # the README set comes from scripts/demo_screenshots.py
REVIEW = BASE / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery-7"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.local",
    "DATABASE_URL": f"sqlite:///{DB}",
    "REDIS_URL": "",
    "EMAIL_URL": "",
    "DEBUG": "true",
    "PYTHONUNBUFFERED": "1",
}


def setup_django():
    os.environ.update(
        {
            k: v
            for k, v in ENV.items()
            if k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG")
        }
    )
    sys.path.insert(0, str(BASE))
    import django

    django.setup()


def seed():
    """A small partnership: organisations of each sector, live and coming-soon courses, and one
    person for each role. Returns the users by role name."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import Organisation, OrganisationRequest, Sector, StaffGroup, User
    from accounts.roles import Role, group_name
    from core.audit import audit_record
    from core.models import Partnership
    from courses.models import Category, Course, TrainingPoolMembership
    from reports.models import Report

    p = Partnership.load()
    p.name = "Derby and Derbyshire Safeguarding Children Partnership"
    p.short_name = "DDSCP"
    p.contact_email = "training@ddscp.example"
    p.contact_phone = "01332 000000"
    p.website = "https://www.ddscp.example"
    p.save()

    orgs = {}
    for name, sector, kind, invoice in [
        ("Derby City Council", Sector.STATUTORY, "Council", ""),
        ("Derbyshire County Council", Sector.STATUTORY, "Council", ""),
        ("Derbyshire Constabulary", Sector.STATUTORY, "Police", ""),
        (
            "University Hospitals of Derby and Burton NHS Foundation Trust",
            Sector.STATUTORY,
            "NHS trust",
            "",
        ),
        ("Derby Women's Centre", Sector.VOLUNTARY, "Charity", ""),
        ("Jane Smith Childminding", Sector.CHILDMINDER, "Registered childminder", ""),
        (
            "Little Acorns Nurseries Ltd",
            Sector.PRIVATE,
            "Nursery chain",
            "accounts@littleacorns.example",
        ),
        ("Peak Care Homes Ltd", Sector.PRIVATE, "Care provider", "invoices@peakcare.example"),
    ]:
        orgs[name], _ = Organisation.objects.get_or_create(
            name=name, defaults={"sector": sector, "kind": kind, "invoice_email": invoice}
        )

    cats = [
        Category.objects.get_or_create(name=n, defaults={"position": i})[0]
        for i, n in enumerate(
            [
                "Working Together to Safeguard and Protect Children from Harm",
                "Understanding Safeguarding Risks",
                "Contextual Safeguarding - Child on Child Abuse",
            ]
        )
    ]
    courses = []
    for title, summary, level, audience, fmt, length, cat, status, expected in [
        (
            "Working Together to Safeguard Children (Level 3)",
            "Roles and responsibilities in multi-agency child protection work.",
            "3",
            "children",
            "classroom",
            "full_day",
            0,
            "live",
            "",
        ),
        (
            "Safeguarding Children: Awareness (Level 1)",
            "Recognising abuse and neglect, and what to do about it.",
            "1",
            "children",
            "e_learning",
            "half_day",
            0,
            "live",
            "",
        ),
        (
            "Neglect: Recognise and Respond",
            "Using the graded care profile to identify and act on neglect.",
            "2",
            "children",
            "virtual",
            "half_day",
            1,
            "live",
            "",
        ),
        (
            "Domestic Abuse and its Impact on Children",
            "How domestic abuse affects children, and how agencies respond together.",
            "2",
            "joint",
            "virtual",
            "full_day",
            1,
            "live",
            "",
        ),
        (
            "Child on Child Abuse",
            "Harmful sexual behaviour, bullying and abuse between children.",
            "3",
            "children",
            "classroom",
            "full_day",
            2,
            "coming_soon",
            "August 2026",
        ),
        (
            "Safeguarding Annual Conference",
            "Learning from local child safeguarding practice reviews.",
            "all",
            "joint",
            "conference",
            "full_day",
            0,
            "coming_soon",
            "TBC",
        ),
    ]:
        course, _ = Course.objects.get_or_create(
            title=title,
            defaults=dict(
                summary=summary,
                level=level,
                audience=audience,
                format=fmt,
                length=length,
                category=cats[cat],
                status=status,
                expected=expected,
            ),
        )
        courses.append(course)

    def person(email, first, last, roles, org=None, complete=True, **extra):
        user = User.objects.filter(email=email).first() or User.objects.create_user(email, PASSWORD)
        user.first_name, user.last_name = first, last
        if complete:
            user.job_title = extra.pop("job_title", "Social worker")
            user.organisation = orgs[org] if org else None
            user.staff_group = StaffGroup.GROUP_2
            user.line_manager_name = "Morgan Manager"
            user.line_manager_email = "morgan.manager@example.org"
        user.is_staff = Role.OFFICER in roles
        for key, value in extra.items():
            setattr(user, key, value)
        user.save()
        user.groups.set([Group.objects.get(name=group_name(r)) for r in roles])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    users = {
        "officer": person(
            "officer@ddscp.example",
            "Olivia",
            "Officer",
            [Role.OFFICER],
            "Derby City Council",
            job_title="Learning and Development Officer",
        ),
        "delegate": person(
            "delegate@example.org", "Priya", "Patel", [Role.DELEGATE], "Derby City Council"
        ),
        "new": person("new.starter@example.org", "Sam", "Newton", [Role.DELEGATE], complete=False),
        "facilitator": person(
            "facilitator@example.org",
            "Fran",
            "Facilitator",
            [Role.DELEGATE, Role.FACILITATOR],
            "Derbyshire Constabulary",
            job_title="Detective Sergeant",
        ),
        "lod": person(
            "lod@example.org",
            "Lee",
            "Odell",
            [Role.DELEGATE, Role.LOD_MEMBER],
            "Derbyshire County Council",
            job_title="Head of Safeguarding",
        ),
        "lead": person(
            "lead@littleacorns.example",
            "Lucy",
            "Lead",
            [Role.DELEGATE, Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT],
            "Little Acorns Nurseries Ltd",
            job_title="Designated Safeguarding Lead",
        ),
    }
    for i, (first, last) in enumerate([("Amy", "Ahmed"), ("Ben", "Brown"), ("Cara", "Clarke")]):
        person(
            f"staff{i}@littleacorns.example",
            first,
            last,
            [Role.DELEGATE],
            "Little Acorns Nurseries Ltd",
            job_title="Nursery practitioner",
        )
    for user in (users["officer"], users["facilitator"], users["lod"], users["lead"]):
        if not user.authenticator_set.exists():
            TOTP.activate(user, TOTP_SECRET)

    users["new"].job_title = "Family support worker"
    users["new"].save()
    OrganisationRequest.objects.get_or_create(
        requested_by=users["new"],
        status=OrganisationRequest.Status.PENDING,
        defaults={
            "name": "Chesterfield Family Hub CIC",
            "sector": Sector.VOLUNTARY,
            "requested_at": timezone.now() - timedelta(days=2),
        },
    )
    OrganisationRequest.objects.get_or_create(
        requested_by=users["delegate"],
        status=OrganisationRequest.Status.PENDING,
        defaults={"name": "Sunshine Day Nursery", "sector": Sector.PRIVATE},
    )

    for course in courses[:3]:
        TrainingPoolMembership.objects.get_or_create(
            facilitator=users["facilitator"], course=course, defaults={"since": date(2025, 9, 1)}
        )
    Report.objects.get_or_create(
        kind=Report.Kind.QUARTERLY,
        period_start=date(2026, 1, 1),
        defaults={"period_end": date(2026, 3, 31), "file": "reports/q4.pdf"},
    )
    Report.objects.get_or_create(
        kind=Report.Kind.QUARTERLY,
        period_start=date(2026, 4, 1),
        defaults={"period_end": date(2026, 6, 30)},
    )
    audit_record(
        actor=users["officer"],
        action="partnership.update",
        target=p,
        details={"fee_attendance_full_day": ["70.00", "75.00"]},
    )
    for _ in range(130):  # enough for the audit log to have pages
        audit_record(actor=users["new"], action="profile.update", target=users["new"])
    return users


def session_cookie(user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port):
    log = open(BASE / "var" / "screenshots-server.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--nothreading",
        ],
        cwd=BASE,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("The server did not start: see var/screenshots-server.log")


def shrink(path):
    """Re-save with zlib's best compression; a page of flat colours rarely needs more than a
    few hundred distinct ones, so a palette image keeps every colour exactly when it can."""
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        colours = image.getcolors(maxcolors=256)
        if colours is not None:
            image = image.quantize(
                colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
            )
        image.save(path, optimize=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--all", action="store_true", help="also every other page, into var/screenshots/"
    )
    parser.add_argument(
        "--axe", action="store_true", help="run axe on each page and print violations"
    )
    parser.add_argument("--only", default="", help="comma-separated shot names to take")
    args = parser.parse_args()

    DB.parent.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    users = seed()
    cookies = {role: session_cookie(user) for role, user in users.items()}
    from accounts.models import OrganisationRequest

    pending_pk = OrganisationRequest.objects.filter(status="pending").order_by("pk").first().pk

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(port)
    OUT.mkdir(parents=True, exist_ok=True)
    REVIEW.mkdir(parents=True, exist_ok=True)
    only = {s for s in args.only.split(",") if s}
    failures = 0
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

            def shot(name, path, who=None, readme=False, action=None, full=True, mobile=False):
                nonlocal failures
                if only and name not in only:
                    return
                if not readme and not args.all and not only:
                    return
                viewport = (
                    {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 860}
                )
                context = browser.new_context(
                    viewport=viewport, locale="en-GB", timezone_id="Europe/London"
                )
                if who:
                    context.add_cookies([{**cookies[who], "url": base}])
                page = context.new_page()
                response = page.goto(base + path)
                if action:
                    action(page)
                status = response.status if response else "?"
                target = (OUT if readme else REVIEW) / f"{name}.png"
                # README images stop at 1800 px: the top of a long form says enough.
                height = page.evaluate("document.documentElement.scrollHeight")
                clip = {
                    "x": 0,
                    "y": 0,
                    "width": page.viewport_size["width"],
                    "height": min(height, 1800),
                }
                page.screenshot(
                    path=str(target), full_page=full, clip=clip if (readme and full) else None
                )
                shrink(target)
                print(
                    f"{name:28} {status} {page.url.replace(base, '')} -> {target.relative_to(BASE)}"
                    f" ({target.stat().st_size // 1024} KB)"
                )
                if args.axe:
                    from axe_playwright_python.sync_playwright import Axe

                    results = Axe().run(page)
                    for v in results.response["violations"]:
                        failures += 1
                        nodes = ", ".join(n["target"][0] for n in v["nodes"][:4])
                        print(f"    axe {v['impact']}: {v['id']}: {v['help']} [{nodes}]")
                context.close()

            def login(email):
                def act(page):
                    page.fill("#id_login", email)
                    page.fill("#id_password", PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url(lambda url: "/login/" not in url)

                return act

            def submit_empty(page):
                page.get_by_role("button", name="Save your profile").click()
                page.wait_for_load_state()

            # The README set
            shot("home", "/", readme=True)
            shot("courses", "/courses/", readme=True)
            shot("login", "/accounts/login/", readme=True)
            shot("signup", "/accounts/signup/", readme=True)
            shot("dashboard", "/account/", "new", readme=True)
            shot("profile", "/account/profile/", "new", readme=True)
            shot("partnership-settings", "/manage/partnership/", "officer", readme=True)

            # Every other page, to look at
            shot("dashboard-officer", "/account/", "officer")
            shot("dashboard-lead", "/account/", "lead")
            shot("profile-errors", "/account/profile/", "new", action=submit_empty)
            shot("organisation-requests", "/account/organisation-requests/", "officer")
            shot(
                "organisation-request-decide",
                f"/account/organisation-requests/{pending_pk}/",
                "officer",
            )
            shot("organisations", "/account/organisations/?q=council", "officer")
            shot("organisation-staff", "/account/organisation/staff/", "lead")
            shot("organisation-account", "/account/organisation/account/", "lead")
            shot("audit-log", "/manage/audit/", "officer")
            shot("audit-log-page-2", "/manage/audit/?action=profile&page=2", "officer", full=False)
            shot("mobile-dashboard", "/account/", "officer", mobile=True)
            shot("mobile-courses", "/courses/", mobile=True, full=False)
            shot(
                "keyboard-focus",
                "/accounts/login/",
                action=lambda page: (
                    [page.keyboard.press("Tab") for _ in range(4)] + [page.wait_for_timeout(300)]
                ),
                full=False,
            )
            shot("training-pool", "/courses/training-pool/", "facilitator")
            shot("reports", "/reports/", "lod")
            shot(
                "login-errors",
                "/accounts/login/",
                action=lambda page: (
                    page.get_by_role("button", name="Sign in").click(),
                    page.wait_for_load_state(),
                ),
            )
            shot(
                "signup-errors",
                "/accounts/signup/",
                action=lambda page: (
                    page.fill("#id_email", "not-an-email"),
                    page.get_by_role("button", name="Register").click(),
                    page.wait_for_load_state(),
                ),
            )
            shot("password-reset", "/accounts/password/reset/")
            shot("password-reset-done", "/accounts/password/reset/done/")
            shot("password-reset-bad-key", "/accounts/password/reset/key/1-bad/")
            shot("verification-sent", "/accounts/confirm-email/")
            shot("confirm-email-bad", "/accounts/confirm-email/bad-key/")
            shot("logout", "/accounts/logout/", "delegate")
            shot("mfa-authenticate", "/accounts/login/", action=login("officer@ddscp.example"))

            def activate(page):
                # Setting up an authenticator always asks for the password again first.
                login("delegate@example.org")(page)
                page.goto(base + "/accounts/2fa/totp/activate/")
                page.fill("#id_password", PASSWORD)
                page.get_by_role("button", name="Confirm").click()
                page.wait_for_url("**/totp/activate/")

            shot(
                "reauthenticate",
                "/accounts/login/",
                action=lambda page: (
                    login("delegate@example.org")(page),
                    page.goto(base + "/accounts/2fa/totp/activate/"),
                ),
            )
            shot("mfa-activate", "/accounts/login/", action=activate)
            shot("mfa-index", "/accounts/2fa/", "officer")
            shot("email-addresses", "/accounts/email/", "delegate")
            shot("password-change", "/accounts/password/change/", "delegate")
            shot("not-found", "/no-such-page/")
            shot("forbidden", "/manage/partnership/", "delegate")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    if args.axe:
        print(f"axe: {failures} violation{'s' if failures != 1 else ''}")


if __name__ == "__main__":
    main()
