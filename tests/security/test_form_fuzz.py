"""Bad input never gives a server error, and a refused form loses nothing already saved.

With the demo partnership loaded, each role walks the site through the test client and
collects every form of the site's own pages (the Django admin and allauth's pages other than
sign up are not the site's forms); a form is fuzzed once, as the first role in ROLES that
meets it (the one that uses it). Each example posts hypothesis-generated values for every
field: long strings, NUL bytes, emoji and right-to-left text, markup, huge and negative
numbers, 30-digit ids, impossible and extreme dates, missing and empty values, next to valid
ones, so that a bad value also reaches the code behind the fields that pass.

For each example: the status is below 500, and when the form comes back with its errors (a
200 with the error summary) the database holds exactly what it held before. Each example runs in a
savepoint that is rolled back, so every example starts from the same saved data.

Every problem found is reported together, with hypothesis's smallest example."""

import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import example as hypothesis_example
from hypothesis import strategies as st

from accounts.models import User
from demo.services import demo_load

from .figures import FIGURES

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = 15  # and the three explicit_submissions
PAGES_PER_ROLE = 130  # pages each role opens to find forms (the officer's reach them all)
PAGES_PER_VIEW = 2
# Demo logins (demo/data.py): each role's own; None is a visitor who is not signed in. The
# order says who owns a form several roles meet (the profile form is the delegate's).
# The organisation's roles come before the officer, who may also decide their requests.
ROLES = {
    "anonymous": None,
    "delegate": "delegate@demo.example",
    "facilitator": "facilitator@demo.example",
    "safeguarding lead": "lead@demo.example",
    "finance contact": "finance@demo.example",
    "business support": "business@demo.example",
    "LOD Group member": "lod@demo.example",
    "L&D officer": "officer@demo.example",
    "site administrator": "admin@demo.example",
}
# Views whose form must be found and fuzzed: if one of them disappears from what the roles
# can reach, this test would silently stop covering it.
EXPECTED_FORMS = {
    "account_signup",
    "accounts:profile", "accounts:organisation-account", "accounts:organisationrequest-decide",
    "core:partnership-update",
    "courses:course-list", "courses:resource-list",
    "courses:manage-event-list", "courses:manage-event-create", "courses:manage-event-update",
    "courses:manage-event-duplicate", "courses:manage-event-cancel",
    "courses:manage-course-create", "courses:manage-course-update", "courses:manage-pool",
    "courses:manage-venue-create", "courses:manage-venue-update",
    "courses:manage-review", "courses:manage-resource-create", "courses:manage-resource-update",
    "courses:manage-resource-delete",
    "courses:newsletter-create", "courses:elearning-check",
    "bookings:booking-create", "bookings:booking-cancel", "bookings:booking-substitute",
    "bookings:waitlist-leave", "bookings:event-register", "charging:charge-decide",
    "charging:charge-list",
    "bookings:offer-respond", "bookings:booking-late-cancel",
    "courses:newsletter-update", "courses:newsletter-send", "courses:newsletter-test",
    "courses:newsletter-unsubscribe", "bookings:line-manager-approval",
    "accounts:membershiprequest-decide", "accounts:organisation-domains",
    "accounts:person-list", "accounts:person-roles",
    "bookings:waitlist-join", "bookings:substitution-accept",
    # A colleague who attended instead, recorded from the register on the day (facilitator).
    "bookings:register-substitute",
    # Acting for a delegate (officers, from a person's page on People).
    "bookings:acting-event-list",
    "bookings:acting-booking-cancel", "bookings:acting-booking-late-cancel",
    "bookings:acting-booking-move", "bookings:acting-booking-substitute",
    # Payments (business support): record one, remind of an unpaid invoice, export as CSV.
    "charging:payment-create", "charging:invoice-remind", "charging:payment-export",
    "charging:invoice-batch", "charging:invoice-list", "charging:credit-note-create",
    "evaluations:theme-create",
    "evaluations:questionnaire-update", "evaluations:questionnaire-override-create",
    "evaluations:request-answer", "evaluations:responserate-list",
    "evaluations:certificate-verify", "evaluations:certificate-list",
    "evaluations:certificate-issue", "evaluations:certificate-revoke",
    # The Training Checklist (officers); the organisation view's filters and a member's staff
    # group (the safeguarding lead).
    "reports:checklist-create", "reports:checklist-update", "reports:checklist-delete",
    "reports:organisation-training",
    "reports:organisation-staff-group",
    # Asking for a report (the LOD Group member meets it first, on the report list).
    "reports:report-list",
    # An annual report's narrative (the officer, before issuing it).
    "reports:report-narrative",
    # Training needs analysis: an officer opens and closes a round; a lead answers one.
    "reports:tna-round-create", "reports:tna-round-close", "reports:tna-answer",
}
# Pages that are not the site's own forms, and signing out (which ends the walk's session).
SKIP_PATHS = re.compile(r"^/(admin/|static/|media/|accounts/(?!signup/))|log-?out|\.(pdf|ics|"
                        r"xlsx|csv)$|/download/$")
# Rows that a refused form may change: the session (messages, the login record).
NOT_SAVED_DATA = {"sessions.session"}
# The register saves the lines that can be read and shows the others with their problems
# (bookings/views_ops.py EventRegisterView): a page with errors after a save, by design.
PARTIAL_SAVES = {"bookings:event-register"}

NASTY = [
    "", " ", "\x00", "a\x00b", "\r\n", "Name\r\nBcc: victim@example.org", "\t",
    "x" * 300, "é" * 5000, "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}", "{% debug %}", "' OR 1=1 --", "%00", "../../etc/passwd",
    "\u202eevil\u202c", "مرحبا بالعالم", "שלום", "😀" * 20, "👩‍👩‍👧‍👦", "\ufeff", "\ud7ff",
    "0", "-1", "-0", "1e309", "NaN", "inf", "1.5", "٣", "²", "１２３", "9" * 30,
    "-" + "9" * 30, "123456789012345678901234567890", "0001-01-01", "9999-12-31",
    "2026-02-30", "2026-13-01", "0000-00-00", "99999-01-01", "31/12/9999", "24:00", "25:61",
    "https://", "javascript:alert(1)", "http://[::1", "a@b", "@", "a" * 250 + "@example.org",
]
ODD_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-02-29", "2028-02-29",
             "1900-01-01", "2999-12-31", "3000-01-01", "10000-01-01"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


# Forms on a page ----------------------------------------------------------------------------

@dataclass
class FormField:
    name: str
    kind: str  # the input type, "select", "select-multiple", "textarea" or "button"
    values: list = field(default_factory=list)  # offered values (options, radios, buttons)
    value: str = ""


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)


class FormParser(HTMLParser):
    """The forms on a page (their fields and offered values) and the links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.links, self.form, self.select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self.form)
        elif self.form is None or not a.get("name") or a["name"] == "csrfmiddlewaretoken":
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "reset"):
                kind = "button"
            f = self.form.fields.setdefault(a["name"], FormField(a["name"], kind))
            if kind in ("radio", "checkbox", "button"):
                f.values.append(a.get("value", "on"))
            else:
                f.value = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.form.fields.setdefault(a["name"], FormField(a["name"], "button")).values.append(
                a.get("value", ""))
        elif tag == "textarea":
            self.form.fields[a["name"]] = FormField(a["name"], "textarea")
        elif tag == "select":
            kind = "select-multiple" if "multiple" in a else "select"
            self.select = self.form.fields[a["name"]] = FormField(a["name"], kind)
        if tag == "option" and self.select is not None:
            self.select.values.append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def view_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def local(href, base):
    """A link or form action as a path and query on the site, or None for another site."""
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https") or parts.netloc not in (
            "", "testserver"):
        return None
    if not parts.path:
        base_parts = urlsplit(base)
        return urlunsplit(("", "", base_parts.path, parts.query or base_parts.query, ""))
    return urlunsplit(("", "", parts.path, parts.query, ""))


def forms_of_role(client, claimed, role, problems, start):
    """Walk the site as the client's user; claim each form no earlier role claimed."""
    queue, seen, per_view, opened = deque(start), set(start), {}, 0
    while queue and opened < PAGES_PER_ROLE:
        url = queue.popleft()
        name = view_name(urlsplit(url).path)
        if per_view.get(name, 0) >= PAGES_PER_VIEW:
            continue
        per_view[name] = per_view.get(name, 0) + 1
        response = client.get(url)
        opened += 1
        if response.status_code >= 500:
            problems.append(f"{role}: GET {url} gave {response.status_code}")
            continue
        if response.status_code in (301, 302, 303):
            targets = [response["Location"]]
        elif "html" not in response.get("Content-Type", ""):
            continue
        else:
            parser = FormParser()
            parser.feed(response.content.decode())
            targets = parser.links
            for form in parser.forms:
                action = local(form.action, url)
                if action is None or SKIP_PATHS.search(urlsplit(action).path):
                    continue
                names = tuple(sorted(re.sub(r"\d+", "N", n) for n in form.fields))
                key = (view_name(urlsplit(action).path), form.method, names)
                if key not in claimed:
                    form.action = action
                    claimed[key] = (role, url, form)
        for href in targets:
            link = local(href, url)
            if link and link not in seen and not SKIP_PATHS.search(urlsplit(link).path):
                seen.add(link)
                queue.append(link)


# Values -------------------------------------------------------------------------------------

CHOICE_KINDS = ("radio", "select", "button", "checkbox", "select-multiple")
MANY = ("checkbox", "select-multiple")


def typical_value(f):
    """What a person would put in the field (or a value near the field's edges)."""
    if f.kind in CHOICE_KINDS and f.values:
        return st.sampled_from(f.values)
    if f.kind == "date":
        return st.sampled_from(ODD_DATES) | st.dates().map(lambda d: d.isoformat())
    if f.kind == "time":
        return st.times().map(lambda t: t.strftime("%H:%M"))
    if f.kind == "number":
        return st.integers(min_value=-10**31, max_value=10**31).map(str)
    if f.kind == "email":
        return st.sampled_from(["delegate@demo.example", "someone@example.org",
                                "UPPER@EXAMPLE.ORG"])
    if f.kind == "url":
        return st.sampled_from(["https://teams.example.org/meet/1", "http://example.org"])
    return st.just(f.value) | TEXT


@st.composite
def submissions(draw, form):
    """Each field typical, omitted, or bad; one bad value of the example (the "poison") goes
    in many fields at once, so that it also meets the code behind fields that pass."""
    poison = draw(st.sampled_from(NASTY) | TEXT)
    data = {}
    for name, f in form.fields.items():
        if f.kind == "file":
            continue
        how = draw(st.sampled_from(["typical", "typical", "poison", "poison", "nasty", "omit"]))
        if how == "omit":
            continue
        value = (draw(typical_value(f)) if how == "typical" else poison if how == "poison"
                 else draw(st.sampled_from(NASTY) | TEXT))
        data[name] = [value] if f.kind in MANY else value
    return data


def explicit_submissions(form):
    """Three submissions every form gets: NUL bytes with 30-digit numbers and the first date;
    markup, right-to-left text and emoji with 30-digit ids and the last date; empty values
    with an impossible date. Offered choices keep a valid value in the first one, so that the
    bad values reach what the form does next."""
    long_text = "<script>alert(1)</script> \u202eمرحبا 😀 " * 40
    rounds = [
        {"text": "a\x00b", "number": "9" * 30, "date": "0001-01-01", "time": "09:30",
         "choice": None},
        {"text": long_text, "number": "-" + "9" * 30, "date": "9999-12-31", "time": "23:59",
         "choice": "9" * 30},
        {"text": "", "number": "", "date": "2026-02-30", "time": "", "choice": ""},
    ]
    for values in rounds:
        data = {}
        for name, f in form.fields.items():
            if f.kind == "file":
                continue
            if f.kind in CHOICE_KINDS and f.values:
                choice = values["choice"]
                value = next((v for v in f.values if v), f.values[0]) if choice is None else choice
            else:
                value = values.get(f.kind, values["text"])
            data[name] = [value] if f.kind in MANY else value
        yield data


def saved_data():
    """Every row of every model (but sessions), to compare before and after a request."""
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NOT_SAVED_DATA or not model._meta.managed or model._meta.proxy:
            continue
        rows[label] = [repr(row) for row in model._default_manager.order_by("pk").values_list()]
    return rows


def refused(response):
    """The form came back with its errors: a 200 with the error summary (core/_error_summary
    .html and the pages with their own). A page that says "done" with a 200 is no refusal."""
    return response.status_code == 200 and b'id="error-summary-title"' in response.content


def differences(before, after):
    changed = []
    for label, rows in after.items():
        if rows != before.get(label):
            old, new = set(before.get(label, [])), set(rows)
            changed.append(f"{label}: {len(new - old)} row(s) added or changed, "
                           f"{len(old - new)} removed or changed, e.g. {sorted(new - old)[:1]}")
    return changed


def fuzz(client, form, name, owner, counts):
    """Run the examples of one form; raise what hypothesis found (its smallest example)."""
    before = saved_data()
    send = client.get if form.method == "get" else client.post

    @settings(max_examples=EXAMPLES_PER_FORM, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(data=submissions(form))
    def example(data):
        counts["examples"] += 1
        # A request may start a new session (signing up signs in): the rollback removes it.
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        try:
            with transaction.atomic():
                try:
                    response = send(form.action, data)
                except Exception as exc:
                    raise AssertionError(
                        f"{owner}: {form.method.upper()} {form.action} raised "
                        f"{type(exc).__name__}: {exc}") from exc
                outcome = "refused" if refused(response) else str(response.status_code)
                counts[outcome] = counts.get(outcome, 0) + 1
                assert response.status_code < 500, (
                    f"{owner}: {form.method.upper()} {form.action} gave "
                    f"{response.status_code}")
                if (form.method == "post" and refused(response)
                        and name not in PARTIAL_SAVES):
                    changed = differences(before, saved_data())
                    assert not changed, (
                        f"{owner}: POST {form.action} came back with the form (200) but "
                        f"changed saved data: {'; '.join(changed)}")
                transaction.set_rollback(True)
        finally:
            client.cookies = SimpleCookie(cookies)

    for data in explicit_submissions(form):
        example = hypothesis_example(data=data)(example)
    example()


def test_no_form_gives_a_server_error_or_loses_saved_data(client):
    started = time.monotonic()
    now = timezone.now()
    demo_load(now=now)
    states_the_demo_lacks(now)
    claimed, problems = {}, []
    users = {}
    for role, email in ROLES.items():
        client.logout()
        if email:
            users[role] = User.objects.get(email=email)
            client.force_login(users[role])
        forms_of_role(client, claimed, role, problems, first_pages(role, now) + ["/"])

    counts = {"examples": 0}
    fuzzed = []
    for (name, method, _), (role, page, form) in claimed.items():
        client.logout()
        if role in users:
            client.force_login(users[role])
        fuzzed.append(f"{name} ({role}, {method.upper()} {form.action}, found on {page})")
        try:
            fuzz(client, form, name, role, counts)
        except Exception as exc:  # noqa: BLE001 - every form's problem goes in the report
            notes = "\n    ".join(getattr(exc, "__notes__", []))
            problems.append(f"{exc}\n    {notes}")

    FIGURES["form fuzz: forms fuzzed"] = str(len(claimed))
    FIGURES["form fuzz: examples run"] = str(counts.pop("examples"))
    FIGURES["form fuzz: responses"] = ", ".join(
        f"{outcome} {n}" for outcome, n in sorted(counts.items()))
    FIGURES["form fuzz: seconds"] = f"{time.monotonic() - started:.0f}"
    print("Forms fuzzed:\n" + "\n".join(sorted(fuzzed)))

    missing = EXPECTED_FORMS - {name for name, _, _ in claimed}
    assert not missing, f"No role reached these forms any more: {sorted(missing)}"
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def states_the_demo_lacks(now):
    """A place offered to the demo delegate, one booked for the day after tomorrow (so it can
    only be cancelled late), a full event, a booking waiting for a line manager and a draft
    newsletter: so that their forms are on a page."""
    from bookings.models import ACTIVE, Booking, BookingStatus
    from courses.models import Event, EventStatus
    from newsletter.models import Newsletter

    delegate = User.objects.get(email=ROLES["delegate"])
    taken = Booking.objects.filter(delegate=delegate, status__in=ACTIVE).values("event")
    future = (Event.objects.filter(status=EventStatus.SCHEDULED, start__gt=now + timedelta(days=1),
                                   places_taken__lt=F("capacity"))
              .exclude(pk__in=taken).order_by("start"))
    soon, later = future[0], future.reverse()[0]
    # Two days ahead at the same time of day: inside any notice period.
    shift = timedelta(days=(soon.start - now).days - 2)
    Event.objects.filter(pk=soon.pk).update(start=soon.start - shift, end=soon.end - shift)
    Booking.objects.create(event=soon, delegate=delegate, organisation=delegate.organisation,
                           status=BookingStatus.BOOKED, booked_at=now - timedelta(days=20))
    Booking.objects.create(event=later, delegate=delegate, organisation=delegate.organisation,
                           status=BookingStatus.OFFERED, waitlisted_at=now - timedelta(days=3),
                           offered_at=now, offer_expires_at=now + timedelta(days=2))
    # Event.places_taken counts the places held (bookings.models.HOLDS_PLACE).
    Event.objects.filter(pk__in=[soon.pk, later.pk]).update(places_taken=F("places_taken") + 1)
    # And one event is full, so that the delegate can join its waiting list.
    full = future.exclude(pk__in=[soon.pk, later.pk]).filter(places_taken=0).first()
    colleague = User.objects.get(email=ROLES["safeguarding lead"])
    Booking.objects.create(event=full, delegate=colleague, organisation=colleague.organisation,
                           status=BookingStatus.BOOKED, booked_at=now - timedelta(days=1))
    Event.objects.filter(pk=full.pk).update(capacity=1, places_taken=1)
    other = Booking.objects.filter(status=BookingStatus.BOOKED).exclude(delegate=delegate).first()
    other.status = BookingStatus.PENDING_APPROVAL
    other.save(update_fields=["status"])
    newsletter = Newsletter.objects.create(
        subject="Training from March", introduction="New dates.",
        created_by=User.objects.get(email=ROLES["business support"]))
    newsletter.events.set([soon, later])
    return other


def first_pages(role, now):
    """Pages a role's walk opens before the home page, for forms that its first pages of a
    view would miss: for the visitor, those only an emailed link opens; for the delegate, a
    full event (the waiting list); for the facilitator, the register of their last event
    (open for marking); for the officer, a Training Pool with members (removing one) and a
    place a colleague offered them (the officer is a delegate of the same organisation)."""
    from bookings import policies as booking_policies
    from bookings.models import ACTIVE, Booking, Substitution
    from courses.models import Event, EventStatus, TrainingPoolMembership

    if role == "anonymous":
        return emailed_links()
    if role == "delegate":
        taken = Booking.objects.filter(delegate__email=ROLES[role], status__in=ACTIVE)
        full = (Event.objects.filter(status=EventStatus.SCHEDULED, start__gt=now,
                                     places_taken__gte=F("capacity"))
                .exclude(pk__in=taken.values("event")).order_by("start").first())
        return [f"/courses/events/{full.pk}/"] if full else []
    if role == "site administrator":
        # Training needs analysis rounds (reports.tna.views), if the officer's walk ran out
        # of pages before them: the list links each round's close page.
        return ["/reports/training-needs/", "/reports/training-needs/new/"]
    if role == "safeguarding lead":
        # Training needs analysis rounds (reports.tna.demo: idempotent): one open to answer.
        from reports.tna.demo import tna_demo_load

        tna_demo_load(now=now)
        return ["/reports/training-needs/your-organisation/"]
    if role == "facilitator":
        last = (Event.objects.filter(facilitators__email=ROLES[role], start__lt=now)
                .order_by("-start").first())
        return [f"/bookings/events/{last.pk}/register/"] if last else []
    if role == "L&D officer":
        pages = []
        if membership := TrainingPoolMembership.objects.order_by("pk").first():
            pages.append(f"/courses/manage/courses/{membership.course_id}/training-pool/")
        booking = Booking.objects.filter(
            delegate__email=ROLES["delegate"], status="booked", event__start__gt=now).first()
        substitution = Substitution.objects.create(
            booking=booking, from_delegate=booking.delegate, to_email=ROLES[role],
            by=booking.delegate, at=now)
        token = booking_policies.signed_link_make(value=substitution.pk,
                                                  salt=booking_policies.SUBSTITUTION_SALT)
        pages.append("/evaluations/themes/add/")  # themes (evaluations.views.themes)
        # Questionnaires (evaluations.views.questionnaires): the list links each edit page.
        pages += ["/evaluations/questionnaires/", "/evaluations/questionnaires/course/new/"]
        # The Training Checklist (reports.checklist.views; its demo requirements): the list
        # links each change and delete page.
        from reports.checklist.demo import checklist_demo_create

        checklist_demo_create()
        pages += ["/reports/checklist/", "/reports/checklist/add/"]
        # An annual report ready for its narrative (reports.views.narrative).
        from reports.models import Report

        annual = Report.objects.create(kind="annual", period_start=date(2025, 4, 1),
                                       period_end=date(2026, 3, 31), status="ready",
                                       data={"title": "Annual training report", "parts": []})
        pages.append(f"/reports/{annual.pk}/narrative/")
        # People: a person's roles, given on their page (a person of the walk's own, so the
        # fuzzed roles change nobody the other roles walk as).
        person = User.objects.create_user(email="fuzz.person@example.org", first_name="Fuzz",
                                          last_name="Person")
        pages.append(f"/account/people/{person.pk}/roles/")
        # Acting for a delegate (bookings.views_acting): the demo delegate's places, each with
        # what an officer may do for them, and the event picker.
        delegate = User.objects.get(email=ROLES["delegate"])
        pages += [f"/bookings/for/{delegate.pk}/", f"/bookings/for/{delegate.pk}/events/"]
        return [*pages, f"/bookings/substitution/{token}/"]
    return []


def emailed_links():
    """The newsletter opt-out and the line manager's approval: the signed token in the URL
    is the permission."""
    from bookings import policies as booking_policies
    from bookings.models import Booking, BookingStatus
    from newsletter import policies as newsletter_policies

    delegate = User.objects.get(email=ROLES["delegate"])
    booking = Booking.objects.get(status=BookingStatus.PENDING_APPROVAL)
    unsubscribe = newsletter_policies.newsletter_unsubscribe_token(user_id=delegate.pk)
    approval = booking_policies.signed_link_make(value=str(booking.uid),
                                                 salt=booking_policies.LINE_MANAGER_SALT)
    return [f"/courses/newsletters/unsubscribe/?token={unsubscribe}",
            f"/bookings/approval/{approval}/"]
