"""Run by tests/security/test_bad_input.py in a subprocess against a migrated SQLite database
(DATABASE_URL=sqlite:///...), the database of `make run`: pytest-django cannot switch the
test database to SQLite. Prints one line of JSON with what happened.

    python -m tests.security.sqlite_probe huge-ids | concurrency | report-request | pages
"""

import json
import os
import sys
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddscp_training.settings.test")

import django  # noqa: E402

django.setup()

from django import forms  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

HUGE_ID = "1" * 30
THREADS = 8


def huge_ids():
    from courses.forms import CourseForm, EventForm
    from newsletter.forms import NewsletterForm
    from tests.factories import CourseFactory

    course = CourseFactory()
    fields = {
        "facilitators": EventForm(course=course).fields["facilitators"],
        "prerequisites": CourseForm().fields["prerequisites"],
        "events": NewsletterForm(now=timezone.now()).fields["events"],
    }
    result = {}
    for name, field in fields.items():
        try:
            field.clean([HUGE_ID])
            result[name] = "accepted"
        except forms.ValidationError as exc:
            result[name] = exc.code
        except Exception as exc:  # noqa: BLE001 - what the test reports
            result[name] = f"{type(exc).__name__}: {exc}"
    return result


def concurrency():
    """THREADS delegates book the same event and THREADS people sign up, all at once."""
    from bookings.services import booking_create
    from core.models import Partnership
    from tests.factories import EventFactory, UserFactory

    assert connection.vendor == "sqlite"
    setup_test_environment()  # locmem email, as in the tests
    Partnership.load()
    event = EventFactory(capacity=100)
    delegates = [UserFactory() for _ in range(THREADS)]
    connections.close_all()

    barrier = threading.Barrier(THREADS * 2, timeout=30)
    errors, booked, signups = [], [], []
    lock = threading.Lock()

    def book(delegate):
        try:
            barrier.wait()
            booking_create(event=event, delegate=delegate, now=timezone.now())
            with lock:
                booked.append(delegate.pk)
        except Exception as exc:  # noqa: BLE001 - what the test reports
            with lock:
                errors.append(f"booking: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    def sign_up(n):
        try:
            client = Client(raise_request_exception=True, REMOTE_ADDR=f"192.0.2.{n + 10}")
            barrier.wait()
            response = client.post(reverse("account_signup"), {
                "first_name": "Sam", "last_name": f"Jones {n}",
                "email": f"sam.jones{n}@example.org",
                "password1": "a-long-enough-passphrase-7",
                "password2": "a-long-enough-passphrase-7"})
            with lock:
                signups.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - what the test reports
            with lock:
                errors.append(f"signup: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(d,)) for d in delegates]
    threads += [threading.Thread(target=sign_up, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    from accounts.models import User

    return {
        "errors": sorted(set(errors)), "bookers": THREADS, "booked": len(booked),
        "signers": THREADS, "signups": sorted(signups),
        "accounts": User.objects.filter(email__startswith="sam.jones").count(),
    }


def report_request():
    """An LOD member asks for a quarter's report: it is generated (eagerly, as the test
    settings run tasks) on SQLite as `make run` would in its worker."""
    from datetime import date

    from accounts.roles import Role
    from reports.models import Report
    from reports.services import request_report
    from tests.factories import UserFactory

    setup_test_environment()
    lod = UserFactory(roles=[Role.LOD_MEMBER])
    made = request_report(user=lod, kind="quarterly", start=date(2026, 7, 1),
                          end=date(2026, 9, 30), now=timezone.now())
    report = Report.objects.get(pk=made.pk)
    return {"reports": Report.objects.count(), "status": report.status, "error": report.error}


PAGES_PER_LOGIN = 70
PAGES_PER_PATH = 2


def pages():
    """The demo (without its history) on SQLite, and each demo login's pages reached by
    following links from the home page (GET only, a few of each path): every status."""
    import re
    from collections import deque
    from urllib.parse import urljoin, urlsplit

    from accounts.models import User
    from demo.data import LOGINS
    from demo.services import demo_load
    from tests.conftest import session_record_totp_passed

    setup_test_environment()
    demo_load(now=timezone.now(), history=False)
    errors, opened = [], 0
    for email in [None, *LOGINS]:
        client = Client()
        if email:
            user = User.objects.get(email=email)
            client.force_login(user)
            session_record_totp_passed(client, user)
        queue, seen, per_path = deque(["/"]), {"/"}, {}
        done = 0
        while queue and done < PAGES_PER_LOGIN:
            url = queue.popleft()
            path = urlsplit(url).path
            if per_path.get(path, 0) >= PAGES_PER_PATH:
                continue
            per_path[path] = per_path.get(path, 0) + 1
            try:
                response = client.get(url)
            except Exception as exc:  # noqa: BLE001 - what the test reports
                errors.append(f"{email or 'visitor'} {url}: {type(exc).__name__}: {exc}")
                continue
            done += 1
            if response.status_code >= 500:
                errors.append(f"{email or 'visitor'} {url}: {response.status_code}")
            if response.status_code in (301, 302):
                links = [response["Location"]]
            elif "html" in response.get("Content-Type", ""):
                links = re.findall(r'href="([^"#]+)', response.content.decode())
            else:
                links = []
            for link in links:
                link = urljoin(url, link.replace("&amp;", "&"))
                parts = urlsplit(link)
                if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
                    continue
                if re.match(r"^/(static|media|accounts/logout|admin/logout)", parts.path):
                    continue
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if local not in seen:
                    seen.add(local)
                    queue.append(local)
        opened += done
    return {"errors": errors, "opened": opened}


if __name__ == "__main__":
    what = sys.argv[1]
    result = {"huge-ids": huge_ids, "concurrency": concurrency,
              "report-request": report_request, "pages": pages}[what]()
    print(json.dumps(result))
