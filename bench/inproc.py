"""The benchmark's in-process steps, each run by bench/run.py as its own process with the
production settings and one bench database (DATABASE_URL): it prints one JSON object.

    python bench/inproc.py targets            # pages to measure, signed-in cookies, POST lines
    python bench/inproc.py queries FILE       # SQL queries of each page (targets in FILE)
    python bench/inproc.py storm-setup N      # a conference of 250 places, N signed-in delegates
    python bench/inproc.py storm-check ID     # what the storm left on the conference
    python bench/inproc.py report KIND        # quarterly / annual: time and peak memory
    python bench/inproc.py documents          # certificate PDFs, an invoicing batch (rolled back)
    python bench/inproc.py email-queue N      # N due Stage 1 requests swept into the outbox
    python bench/inproc.py email-done PREFIX  # the outbox rows' sent times
    python bench/inproc.py cleanup FILE       # delete what the runs above created (ids in FILE)
"""

import json
import os
import resource
import secrets
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddscp_training.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

MADE = ROOT / "var" / "bench" / "made.json"  # what these steps created, for cleanup
SESSIONS = []  # session keys made by this step (deleted by cleanup)


def _made(**ids):
    data = json.loads(MADE.read_text()) if MADE.exists() else {}
    for key, values in ids.items():
        data.setdefault(key, []).extend(values)
    MADE.parent.mkdir(parents=True, exist_ok=True)
    MADE.write_text(json.dumps(data))


def session_cookie(user):
    """A signed-in session made server-side, as allauth leaves it after the password and the
    authenticator code (accounts.middleware lets staff through), with a CSRF secret."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"}]
    store[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    store.create()
    SESSIONS.append(store.session_key)
    csrf = secrets.token_hex(16)  # 32 characters: Django takes it unmasked
    cookie = (f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
              f"{settings.CSRF_COOKIE_NAME}={csrf}")
    return cookie, csrf


def _free_delegates(n, exclude_events=()):
    """n delegates of statutory organisations (no fees, never blocked by an unpaid invoice)
    with no other role (a staff role would be sent to set up two-factor authentication)."""
    from django.contrib.auth.models import Group

    from accounts.models import User

    return list(User.objects.filter(organisation__sector="statutory", is_staff=False,
                                    email__startswith="u", groups__name="Delegate")
                .exclude(groups__in=Group.objects.exclude(name="Delegate"))
                .exclude(bookings__event__in=exclude_events).order_by("pk")[:n])


def _conference(capacity=250, title="Bench conference"):
    """A conference a month ahead with every place free (made for this run)."""
    from courses.models import Course, Event

    course = Course.objects.filter(format="conference", status="live").order_by("pk").first()
    day = timezone.localdate() + timedelta(days=40)
    start = timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))
    event = Event.objects.create(course=course, start=start, end=start + timedelta(hours=7),
                                 capacity=capacity, notes_for_delegates=title)
    _made(events=[event.pk])
    return event


def targets():
    """The pages of issue 14, with the cookie each needs."""
    from accounts.models import User
    from courses.models import Event
    from demo.bench_data import DELEGATE, FACILITATOR, OFFICER

    now = timezone.now()
    upcoming = (Event.objects.filter(start__gt=now, status="scheduled", places_taken__gt=0)
                .order_by("start", "pk").first())
    course = upcoming.course
    past = (Event.objects.filter(end__lt=now - timedelta(days=30), status="completed",
                                 facilitators__email=FACILITATOR)
            .order_by("-start", "pk").first())
    cookies = {who: session_cookie(User.objects.get(email=email))[0]
               for who, email in (("delegate", DELEGATE), ("officer", OFFICER),
                                  ("facilitator", FACILITATOR))}
    pages = [
        ("home", "/", None, "anonymous"),
        ("catalogue, no filter", "/courses/", None, "anonymous"),
        ("catalogue, filtered", "/courses/?level=2&audience=joint&q=safe", None, "anonymous"),
        ("a course page", f"/courses/{course.slug}/", None, "anonymous"),
        ("an event page", f"/courses/events/{upcoming.pk}/", None, "anonymous"),
        ("an event page, signed in", f"/courses/events/{upcoming.pk}/", "delegate", "signed_in"),
        ("My training", "/bookings/my-training/", "delegate", "signed_in"),
        ("an event register", f"/bookings/events/{past.pk}/register/", "officer", "signed_in"),
        ("the facilitator summary", f"/evaluations/events/{past.pk}/summary/", "facilitator",
         "staff"),
    ]
    from reports.models import Report

    report = Report.objects.filter(status="ready").order_by("-pk").first()
    if report is not None:
        pages.append(("the report page", f"/reports/{report.pk}/", "officer", "staff"))
    # Booking POSTs: fresh conferences, one line per (delegate, conference) pair.
    n = int(os.environ.get("BENCH_POST_LINES", "3000"))
    events = [_conference(title="Bench booking POST") for _ in range(-(-n // 250))]
    lines = []
    for i, person in enumerate(_free_delegates(n)):
        cookie, csrf = session_cookie(person)
        event = events[i // 250]
        lines.append(f"/bookings/events/{event.pk}/book/\t{cookie}\t"
                     f"csrfmiddlewaretoken={csrf}&access_needs=")
    post_file = ROOT / "var" / "bench" / f"posts-{connection.settings_dict['NAME']}.txt"
    post_file.write_text("\n".join(lines) + "\n")
    return {"pages": [{"name": n, "url": u, "who": w, "kind": k} for n, u, w, k in pages],
            "cookies": cookies, "post_file": str(post_file), "post_lines": len(lines),
            "post_events": [e.pk for e in events]}


def queries(path):
    """Queries per page (the second request: caches warm), with the test client."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    data = json.loads(Path(path).read_text())
    out = {}
    for page in data["pages"] + [{"name": "floor", "url": "/healthz/live/", "who": None}]:
        client = Client(HTTP_HOST="127.0.0.1")
        if page["who"]:
            for part in data["cookies"][page["who"]].split("; "):
                key, value = part.split("=", 1)
                client.cookies[key] = value
        client.get(page["url"])
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page["url"])
        out[page["name"]] = {"queries": len(ctx.captured_queries),
                             "status": response.status_code}
    # One booking POST (a delegate not booked yet, a conference with room).
    event = _conference(title="Bench query count")
    person = _free_delegates(1, exclude_events=[event.pk])[0]
    cookie, csrf = session_cookie(person)
    client = Client(HTTP_HOST="127.0.0.1")
    for part in cookie.split("; "):
        key, value = part.split("=", 1)
        client.cookies[key] = value
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/bookings/events/{event.pk}/book/",
                               {"csrfmiddlewaretoken": csrf, "access_needs": ""})
    out["the booking POST"] = {"queries": len(ctx.captured_queries),
                               "status": response.status_code}
    return out


def storm_setup(n):
    event = _conference(title="Bench last-place storm")
    people = _free_delegates(n, exclude_events=[event.pk])
    lines = []
    for person in people:
        cookie, csrf = session_cookie(person)
        lines.append({"cookie": cookie, "body": f"csrfmiddlewaretoken={csrf}&access_needs=",
                      "user": person.pk})
    return {"event": event.pk, "capacity": event.capacity,
            "path": f"/bookings/events/{event.pk}/book/", "requests": lines}


def storm_check(event_id):
    from bookings.models import HOLDS_PLACE, Booking
    from courses.models import Event

    event = Event.objects.get(pk=event_id)
    by_status = {}
    for b in Booking.objects.filter(event=event):
        by_status[b.status] = by_status.get(b.status, 0) + 1
    holding = Booking.objects.filter(event=event, status__in=HOLDS_PLACE).count()
    return {"capacity": event.capacity, "places_taken": event.places_taken,
            "holding": holding, "by_status": by_status,
            "booked_users": list(Booking.objects.filter(event=event, status__in=HOLDS_PLACE)
                                 .values_list("delegate_id", flat=True))}


def step(words):
    """Progress on stderr: bench/run.py shows the last one if the step runs out of time."""
    print(words, file=sys.stderr, flush=True)


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(kind):
    """Time the snapshot, the PDF and the workbook of the last complete quarter or financial
    year, and keep the report (ready) for the report page."""
    from django.core.files.base import ContentFile

    from accounts.models import User
    from core.models import Partnership
    from demo.bench_data import OFFICER
    from reports import periods
    from reports.build import build_snapshot
    from reports.formats.pdf import render_pdf
    from reports.formats.xlsx import render_xlsx
    from reports.models import Report
    from reports.services import report_file_name

    fy = Partnership.load().financial_year_start_month
    today = timezone.localdate()
    if kind == "quarterly":
        p = periods.last_complete_quarter(today, fy)
    else:
        this_year = periods.financial_year_containing(today, fy)
        p = periods.previous_period(this_year)
    base = _peak_mb()
    t0 = time.perf_counter()
    step("snapshot")
    data = build_snapshot(kind, p.start, p.end)
    t1 = time.perf_counter()
    step(f"PDF (snapshot took {t1 - t0:.1f} s)")
    officer = User.objects.get(email=OFFICER)
    rep = Report(kind=kind, period_start=p.start, period_end=p.end, requested_by=officer,
                 requested_at=timezone.now(), data=data)
    pdf = render_pdf(rep)
    t2 = time.perf_counter()
    step(f"XLSX (PDF took {t2 - t1:.1f} s)")
    xlsx = render_xlsx(rep)
    t3 = time.perf_counter()
    rep.status = "ready"
    rep.progress = 100
    rep.generated_at = timezone.now()
    rep.save()
    rep.pdf.save(report_file_name(rep, "pdf"), ContentFile(pdf), save=False)
    rep.xlsx.save(report_file_name(rep, "xlsx"), ContentFile(xlsx), save=True)
    return {"kind": kind, "period": f"{p.start} to {p.end}", "snapshot_s": t1 - t0,
            "pdf_s": t2 - t1, "xlsx_s": t3 - t2, "total_s": t3 - t0,
            "peak_mb": _peak_mb(), "base_mb": base, "report": rep.pk}


def documents():
    from decimal import Decimal

    from accounts.models import User
    from bookings.models import Booking
    from charging.models import Charge
    from charging.services.invoices import invoice_batch_run
    from demo.bench_data import OFFICER
    from evaluations.models import Certificate
    from evaluations.pdf import certificate_pdf

    certificates = list(Certificate.objects.order_by("pk")[:20])
    certificate_pdf(certificate=certificates[0])  # fonts and templates loaded once
    t0 = time.perf_counter()
    for c in certificates:
        certificate_pdf(certificate=c)
    per_pdf = (time.perf_counter() - t0) / len(certificates)

    class Undo(Exception):
        pass

    officer = User.objects.get(email=OFFICER)
    now = timezone.now()
    out = {"certificate_s": per_pdf, "certificates_per_s": 1 / per_pdf}
    try:
        with transaction.atomic():
            # 500 organisations with an applied charge not yet invoiced, then one batch.
            seen, charges = set(), []
            for b in (Booking.objects.filter(status="attended", organisation__sector="private",
                                             charge__isnull=True)
                      .select_related("organisation").order_by("pk").iterator()):
                if b.organisation_id in seen:
                    continue
                seen.add(b.organisation_id)
                charges.append(Charge(booking=b, organisation=b.organisation, sector="private",
                                      kind="attendance", amount=Decimal("75.00"),
                                      reason="Attendance, full day course: £75.00",
                                      status="applied", created_at=now - timedelta(days=1),
                                      decided_at=now - timedelta(days=1), decided_by=officer))
                if len(charges) == 500:
                    break
            Charge.objects.bulk_create(charges)
            t0 = time.perf_counter()
            batch = invoice_batch_run(up_to=timezone.localdate(now), by=officer, now=now)
            out["invoicing_s"] = time.perf_counter() - t0
            out["invoicing_organisations"] = len(charges)
            out["invoices"] = getattr(batch, "invoice_count", None)
            raise Undo
    except Undo:
        pass
    return out


def email_queue(n):
    """n e-learning completions whose Stage 1 requests are due now, swept into the outbox by
    the evaluations sweep (as beat would). The worker is not running yet."""
    from courses.models import Completion, Course
    from evaluations.models import EvaluationRequest, RequestKind
    from evaluations.services.requests import evaluation_requests_send

    now = timezone.now()
    course = Course.objects.filter(format="e_learning").order_by("pk").first()
    people = list(_free_delegates(n))
    completions = Completion.objects.bulk_create([
        Completion(user=p, course=course, completed_on=timezone.localdate(now),
                   source="e_learning", score=90, created_at=now) for p in people])
    requests = EvaluationRequest.objects.bulk_create([
        EvaluationRequest(kind=RequestKind.STAGE_1, user=c.user, course=course, completion=c,
                          created_at=now, due_at=now - timedelta(minutes=1))
        for c in completions])
    _made(completions=[c.pk for c in completions])
    t0 = time.perf_counter()
    deadline = t0 + int(os.environ.get("BENCH_SWEEP_TIMEOUT", "900"))
    sent = 0
    while time.perf_counter() < deadline:
        result = evaluation_requests_send(now=timezone.now())
        sent += result.requests_sent
        if not result.requests_sent:
            break
    left = EvaluationRequest.objects.filter(pk__in=[r.pk for r in requests],
                                            requested_at__isnull=True).count()
    return {"requests": len(requests), "swept": sent, "sweep_s": time.perf_counter() - t0,
            "not_swept": left, "since": now.isoformat()}


def email_done(since):
    from django.db.models import Count, Max, Min

    from core.models import OutgoingEmail

    rows = OutgoingEmail.objects.filter(created_at__gte=datetime.fromisoformat(since))
    agg = rows.filter(status="sent").aggregate(n=Count("pk"), first=Min("sent_at"),
                                               last=Max("sent_at"))
    left = rows.exclude(status="sent").count()
    return {"sent": agg["n"], "left": left,
            "first": agg["first"].timestamp() if agg["first"] else None,
            "last": agg["last"].timestamp() if agg["last"] else None}


def email_sample(since, n):
    """n queued messages as they would go out (for the bare smtplib floor)."""
    from core.models import OutgoingEmail

    rows = OutgoingEmail.objects.filter(created_at__gte=datetime.fromisoformat(since))
    return [{"to": r.recipient, "from": r.from_email, "subject": r.subject, "text": r.body_text,
             "html": r.body_html} for r in rows.order_by("pk")[:n]]


def cleanup():
    """Delete the events, bookings, completions and outbox rows these steps made."""
    from django.db.models import Q

    from bookings.models import Booking
    from core.models import AuditEntry, OutgoingEmail
    from courses.models import Completion, Event
    from evaluations.models import EvaluationRequest

    if not MADE.exists():
        return {"deleted": 0}
    made = json.loads(MADE.read_text())
    started = made.get("started")
    with transaction.atomic():
        events = made.get("events", [])
        EvaluationRequest.objects.filter(event__in=events).delete()
        EvaluationRequest.objects.filter(completion__in=made.get("completions", [])).delete()
        Booking.objects.filter(event__in=events).update(moved_to=None)
        booking_ids = [str(pk) for pk in
                       Booking.objects.filter(event__in=events).values_list("pk", flat=True)]
        n = Booking.objects.filter(event__in=events).delete()[0]
        Event.objects.filter(pk__in=events).delete()
        Completion.objects.filter(pk__in=made.get("completions", [])).delete()
        if started:
            since = datetime.fromisoformat(started)
            OutgoingEmail.objects.filter(created_at__gte=since).delete()
            # The benchmark's own entries about the bookings and events it made, and only
            # those: the audit log is append-only, so this one clean-up of made-up data goes
            # through the erasure switch (core.audit); anything else written meanwhile stays.
            from django.contrib.contenttypes.models import ContentType

            from core.audit import audit_redaction

            made_rows = (Q(target_type=ContentType.objects.get_for_model(Booking),
                           target_id__in=booking_ids)
                         | Q(target_type=ContentType.objects.get_for_model(Event),
                             target_id__in=[str(pk) for pk in events]))
            with audit_redaction():
                AuditEntry.objects.filter(made_rows, at__gte=since).delete()
    from django.conf import settings
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    for key in made.get("sessions", []):
        store(key).delete()
    MADE.unlink()
    return {"deleted": n, "sessions": len(made.get("sessions", []))}


def main(argv):
    command, *args = argv
    if command == "begin":
        MADE.parent.mkdir(parents=True, exist_ok=True)
        MADE.write_text(json.dumps({"started": timezone.now().isoformat()}))
        out = {"ok": True}
    elif command == "targets":
        out = targets()
    elif command == "queries":
        out = queries(args[0])
    elif command == "storm-setup":
        out = storm_setup(int(args[0]))
    elif command == "storm-check":
        out = storm_check(int(args[0]))
    elif command == "report":
        out = report(args[0])
    elif command == "documents":
        out = documents()
    elif command == "email-queue":
        out = email_queue(int(args[0]))
    elif command == "email-done":
        out = email_done(args[0])
    elif command == "email-sample":
        out = email_sample(args[0], int(args[1]))
    elif command == "cleanup":
        out = cleanup()
    else:
        raise SystemExit(f"unknown step {command}")
    if SESSIONS:
        _made(sessions=SESSIONS)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
