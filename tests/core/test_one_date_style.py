"""One date and time style everywhere (issue 12): "Tuesday 8 December 2026, 9:30am",
"9:30am to 4:30pm", "Tue 8 Dec 2026" in tables. Pages and emails never print "a.m."/"p.m."
(Django's en-GB default) or a 24-hour time ("09:30"), and no template or module formats a
date by hand: they go through core.dates (`{% load dates %}` in templates)."""

import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.template import VariableDoesNotExist
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone

from core.calendar import LONDON
from core.models import OutgoingEmail

ROOT = Path(settings.BASE_DIR)
AM_PM = re.compile(r"(?<![a-z])[ap]\.m\.", re.I)
# A clock time not written the GOV.UK way: "09:30", "16:30", "9:30 am" (9:30am is fine).
TWENTY_FOUR = re.compile(r"\b\d{1,2}:\d{2}\b(?!(am|pm))")


def style_problems(text):
    found = AM_PM.findall(text) + [m.group(0) for m in TWENTY_FOUR.finditer(text)]
    return found


def template_files():
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [p for p in ROOT.glob("*/templates") if ".venv" not in str(p)]
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt"):
                yield folder, path


# --- no hand-made formats ---------------------------------------------------------------------

# Machine formats only: an ISO datetime attribute, a month or day in a URL or hidden input.
MACHINE = {"c", "Y-m-d", "Y-m"}
# The programme calendar builds "Tuesday 8 December" from the grid (weekday as the column
# heading, month for screen readers): words, never a time.
CALENDAR = ("courses/manage/event_calendar.html", {"l", "F"})
DATE_FILTER = re.compile(r"\|date:[\"']([^\"']*)[\"']")
BY_HAND = re.compile(r"\|time\b|\|naturaltime|\|naturalday|g:i\s?a|[\"']H:i[\"']")


def test_no_template_formats_a_date_by_hand():
    offenders = []
    for folder, path in template_files():
        name = str(path.relative_to(folder))
        source = path.read_text()
        for fmt in DATE_FILTER.findall(source):
            allowed = MACHINE | (CALENDAR[1] if name == CALENDAR[0] else set())
            if fmt not in allowed:
                offenders.append(f"{name}: |date:{fmt!r}")
        offenders += [f"{name}: {m.group(0)}" for m in BY_HAND.finditer(source)]
    assert not offenders, "use {% load dates %} long_date / short_date / clock:\n" + "\n".join(
        offenders)


# strftime codes that write words or a 12-hour clock for people to read (a 24-hour "%H:%M" is
# a machine format in a file name or a spreadsheet cell; on a page or in an email the render
# tests below catch it).
PY_FORMAT = re.compile(r"(?<![\w%])%-?[aAbBpI](?![\w])|date_format\(|time_format\(")


def test_no_python_module_formats_a_date_by_hand():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests", "node_modules", "var") or "migrations" in rel.parts:
            continue
        if str(rel) == "core/dates.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#")[0]
            # Machine formats ("%Y-%m-%d %H:%M" in a log line or a time input's value) pass.
            if PY_FORMAT.search(code) and not re.search(r"%Y-%m-%d %H:%M|format=\"%H:%M\"",
                                                        code):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "use core.dates (long_date, short_date, clock, span):\n" + "\n".join(
        offenders)


def test_the_style_checks_catch_what_the_issue_saw():
    """The checks themselves: "8:44a.m.", "09:30" and "9:30 am" are caught; ours pass."""
    assert style_problems("reply by 3 December, 8:44a.m..")
    assert style_problems("Tuesday 8 December 2026, 09:30 to 16:30")
    assert style_problems("9:30 am")
    assert not style_problems("Tuesday 8 December 2026, 9:30am to 4:30pm, midday, 4pm")


# --- every email template, with realistic objects --------------------------------------------

def london(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.fixture
def email_context(db):
    """Everything an email template may name, at times that show the old bugs: an offer held
    until 8:44am, an event from 9:30am to 4:30pm, a prep meeting at 2pm."""
    from tests.factories import BookingFactory, EventFactory, UserFactory, VenueFactory

    start, end = london(2026, 12, 8, 9, 30), london(2026, 12, 8, 16, 30)
    event = EventFactory(start=start, end=end, venue=VenueFactory(),
                         prep_meeting_at=london(2026, 12, 1, 14, 0))
    delegate = UserFactory()
    booking = BookingFactory(event=event, delegate=delegate, status="offered",
                             offer_expires_at=london(2026, 12, 3, 8, 44),
                             booked_at=london(2026, 11, 2, 13, 5),
                             approval_requested_at=london(2026, 11, 2, 13, 6),
                             cancelled_at=london(2026, 11, 20, 17, 45),
                             waitlisted_at=london(2026, 11, 1, 10, 15))
    moment = london(2026, 11, 30, 15, 45)
    old_event = EventFactory(course=event.course, start=london(2026, 12, 1, 13, 0),
                             end=london(2026, 12, 1, 16, 0))
    return {
        "event": event, "course": event.course, "booking": booking, "delegate": delegate,
        "recipient": delegate, "person": delegate, "user": delegate, "venue": event.venue,
        "old_start": london(2026, 12, 7, 13, 0), "old_event": old_event, "new_start": start,
        "start": start, "end": end,
        "due_on": date(2027, 3, 3), "completed_on": date(2024, 3, 3), "now": moment,
        "today": date(2026, 11, 30), "when": "", "at": moment, "expires_at": moment,
        "blocked_from": date(2027, 1, 4), "from_name": "Sam Jones", "to_email": "a@b.org",
        "years": 3, "late": True, "kind": "pre", "site_url": "https://example.org",
    }


def email_templates():
    for folder, path in template_files():
        name = str(path.relative_to(folder))
        if name.startswith("email/") and not Path(name).name.startswith("_") \
                and Path(name).name not in ("base.html", "base.txt"):
            yield name


MISSING = re.compile(r"Failed lookup for key \[(\w+)\]")


def render_with(name, context):
    """Render, giving any other name the template asks for an empty value (the test
    settings make a missing variable an error): the dates are what is checked here."""
    context = dict(context)
    for _ in range(30):
        try:
            return render_to_string(name, context)
        except VariableDoesNotExist as exc:
            key = MISSING.search(str(exc))
            if not key or key.group(1) in context:
                raise
            context[key.group(1)] = ""
    raise AssertionError(f"{name} asks for too many names")


def test_every_email_template_writes_dates_one_way(email_context):
    rendered, offenders = 0, []
    for name in email_templates():
        text = render_with(name, email_context)
        rendered += 1
        if found := style_problems(strip_tags(text)):
            offenders.append(f"{name}: {found}")
    assert rendered > 60
    assert not offenders, "\n".join(offenders)
    # The offer email's subject names the deadline the GOV.UK way (it said "8:44a.m.").
    subject = render_to_string("email/bookings/offer_made_subject.txt", email_context)
    assert "Thursday 3 December 2026, 8:44am" in subject


def test_a_booking_journey_emails_dates_one_way(db, django_capture_on_commit_callbacks):
    """Python-made strings too: book, join the waiting list, cancel (the place is offered),
    then the partnership cancels the event; every email queued says times the one way."""
    from accounts.roles import Role
    from bookings import services
    from courses.services import event_cancel
    from tests.factories import EventFactory, UserFactory

    now = timezone.now()
    start = (now + timedelta(days=40)).astimezone(LONDON).replace(hour=9, minute=30, second=0,
                                                                 microsecond=0)
    event = EventFactory(start=start, end=start + timedelta(hours=7), capacity=1)
    first, second = UserFactory(), UserFactory()
    officer = UserFactory(roles=[Role.OFFICER])
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=first, now=now)
        waiting = services.waitlist_join(event=event, delegate=second, now=now)
        if booking.status == "pending_approval":
            services.line_manager_decide(booking=booking, approve=True, now=now)
        booking.refresh_from_db()
        services.booking_cancel(booking=booking, by=first, now=now)
        services.offer_next(event=event, now=now)
        waiting.refresh_from_db()
        event_cancel(event=event, by=officer, reason="The trainer is ill.", now=now)
    emails = list(OutgoingEmail.objects.all())
    assert len(emails) >= 4
    assert any(e.template.endswith("offer_made") for e in emails), [e.template for e in emails]
    offenders = [f"{e.template}: {found}" for e in emails
                 if (found := style_problems(e.subject + "\n" + e.body_text + "\n"
                                             + strip_tags(e.body_html)))]
    assert not offenders, "\n".join(offenders)
    assert any("9:30am" in e.body_text for e in emails)


# --- public and delegate pages of the demo world ---------------------------------------------

class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def strip_tags(html):
    parser = _Text()
    parser.feed(html or "")
    return " ".join(parser.parts)


HREF = re.compile(r'href="(/[^"#?]*)(\?[^"#]*)?"')
SKIP = re.compile(r"(logout|signout|\.pdf$|\.ics$|\.xlsx$|\.csv$|/download/|/admin/|/static/"
                  r"|/media/|export)", re.I)


def crawl(client, *, start="/", limit=120):
    seen, queue, pages = set(), [start], {}
    per_view = {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        view = match.view_name
        if per_view.get(view, 0) >= 3:
            continue
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        per_view[view] = per_view.get(view, 0) + 1
        html = response.content.decode()
        pages[path] = html
        for m in HREF.finditer(html):
            link = urlsplit(m.group(1)).path
            if link not in seen:
                queue.append(link)
    return pages


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """The demo (with its history) loaded once for the four walks, in a transaction rolled
    back after them; each walk runs in a savepoint inside it."""
    from django.db import transaction

    from demo.services import demo_load

    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(now=timezone.now())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_world(_demo_loaded, db):
    return None


@pytest.mark.parametrize("who", [None, "delegate@demo.example", "officer@demo.example",
                                 "facilitator@demo.example"],
                         ids=["visitor", "delegate", "officer", "facilitator"])
def test_pages_write_dates_one_way(client, demo_world, who):
    from accounts.models import User

    if who:
        client.force_login(User.objects.get(email=who))
    pages = crawl(client)
    assert len(pages) > 5
    offenders = {path: found for path, html in pages.items()
                 if (found := style_problems(strip_tags(html)))}
    assert not offenders, offenders
    if who == "delegate@demo.example":
        assert any(re.search(r"\b\d{1,2}(:\d{2})?(am|pm)\b", strip_tags(h)) for h in
                   pages.values()), "the delegate's pages show some time the GOV.UK way"


def test_every_template_with_a_date_is_checked_somewhere():
    """The scan above finds the templates that show a date; each loads the dates library or
    uses the catalogue's event filters (so nothing falls back to Django's default format)."""
    uses = re.compile(r"\|(long_date|short_date|clock|long_day|month_year|event_when|event_day)")
    missing = []
    for _folder, path in template_files():
        source = path.read_text()
        if uses.search(source) and not re.search(r"\{% load [^%]*\b(dates|catalogue)\b",
                                                 source):
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, missing
