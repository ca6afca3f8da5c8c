"""Review (R3) of the report pages, the request form, generation and the files: who may open
each address, what an attacker's input does, and that the page, PDF, XLSX and CSV of a real
generated report agree (totals, "fewer than 3", "withheld") and never run user text."""


import csv as csv_module
import io
import re
import subprocess
import threading
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from core.calendar import LONDON
from core.models import OutgoingEmail
from reports import services
from reports.models import Report, ReportKind, ReportStatus
from tests.reports.report_pages import Q_END, Q_START, ready_report

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 30, 10, 0))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def nudged(monkeypatch):
    found = []
    monkeypatch.setattr(services, "_nudge", found.append)
    return found


def _all_urls(report):
    pk = report.pk
    return {
        "list": reverse("reports:report-list"),
        "page": reverse("reports:report-detail", kwargs={"pk": pk}),
        "progress": reverse("reports:report-progress", kwargs={"pk": pk}),
        "pdf": reverse("reports:report-download", kwargs={"pk": pk, "fmt": "pdf"}),
        "xlsx": reverse("reports:report-download", kwargs={"pk": pk, "fmt": "xlsx"}),
        "csv": reverse("reports:report-table-csv", kwargs={"pk": pk, "key": "charges"}),
        "narrative": reverse("reports:report-narrative", kwargs={"pk": pk}),
        "issue": reverse("reports:report-issue", kwargs={"pk": pk}),
    }


# Permissions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT],
                         ids=lambda r: r.value)
def test_delegates_facilitators_and_business_support_are_refused_every_report_url(
        client, make_user, role, nudged):
    report = ready_report(kind=ReportKind.ANNUAL)
    client.force_login(make_user(role))
    for name, url in _all_urls(report).items():
        assert client.get(url).status_code == 403, name
    for name in ("list", "narrative", "issue"):
        assert client.post(_all_urls(report)[name], {
            "kind": "quarterly", "quarter": "2026-07-01", "narrative": "Mine now"},
        ).status_code == 403, name
    retry = reverse("reports:report-retry", kwargs={"pk": report.pk})
    assert client.post(retry).status_code == 403
    report.refresh_from_db()
    assert (report.narrative, report.issued_at, Report.objects.count()) == ("", None, 1)
    assert nudged == []


def test_an_lod_member_reads_and_asks_but_cannot_write_the_narrative_or_issue(
        client, make_user, nudged, monkeypatch):
    report = ready_report(kind=ReportKind.ANNUAL)
    client.force_login(make_user(Role.LOD_MEMBER))
    urls = _all_urls(report)
    for name in ("list", "page", "progress", "pdf", "xlsx", "csv"):
        assert client.get(urls[name]).status_code == 200, name
    for name in ("narrative", "issue"):
        assert client.get(urls[name]).status_code == 403, name
        assert client.post(urls[name], {"narrative": "Written by the LOD"}).status_code == 403
    report.refresh_from_db()
    assert (report.narrative, report.issued_at) == ("", None)
    page = client.get(urls["page"]).content.decode()
    assert urls["narrative"] not in page and urls["issue"] not in page
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    response = client.post(urls["list"], {"kind": "quarterly", "quarter": "2026-04-01"})
    assert response.status_code == 302 and Report.objects.count() == 2


def test_an_officer_without_two_factor_is_sent_to_set_it_up_from_every_report_url(
        client, make_user):
    report = ready_report(kind=ReportKind.ANNUAL)
    client.force_login(make_user(Role.OFFICER, mfa=False))
    for name, url in _all_urls(report).items():
        assert client.get(url)["Location"] == reverse("mfa_activate_totp"), name


@pytest.mark.parametrize("pk", [987654, 2**31, 2**63, 10**30], ids=str)
def test_an_unknown_or_huge_report_number_is_not_found(client, make_user, pk):
    client.force_login(make_user(Role.OFFICER))
    for path in (f"/reports/{pk}/", f"/reports/{pk}/progress/", f"/reports/{pk}/download/pdf/",
                 f"/reports/{pk}/tables/charges.csv", f"/reports/{pk}/narrative/",
                 f"/reports/{pk}/issue/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/reports/{pk}/try-again/").status_code == 404


@pytest.mark.parametrize("key", ["..", "..%2F..%2Fsettings", "..%5C..%5Cconfig", "%00",
                                 "charges%00", "not-a-table", "CHARGES", "charges%0A"])
def test_a_table_key_not_in_the_snapshot_or_a_path_is_not_found(client, make_user, key):
    report = ready_report(files=False)
    client.force_login(make_user(Role.LOD_MEMBER))
    assert client.get(f"/reports/{report.pk}/tables/{key}.csv").status_code == 404


def test_a_report_not_ready_has_no_downloads(client, make_user):
    client.force_login(make_user(Role.LOD_MEMBER))
    for status in (ReportStatus.QUEUED, ReportStatus.RUNNING, ReportStatus.FAILED):
        report = ready_report()
        Report.objects.filter(pk=report.pk).update(status=status)
        urls = _all_urls(report)
        for name in ("pdf", "xlsx", "csv"):
            assert client.get(urls[name]).status_code == 404, (status, name)
        assert client.get(urls["page"]).status_code == 200


def test_downloads_are_private_attachments_with_safe_names(client, make_user, media):
    report = ready_report()
    client.force_login(make_user(Role.LOD_MEMBER))
    urls = _all_urls(report)
    expected = {"pdf": 'attachment; filename="quarterly-2026-07-01-to-2026-09-30.pdf"',
                "xlsx": 'attachment; filename="quarterly-2026-07-01-to-2026-09-30.xlsx"',
                "csv": 'attachment; filename="quarterly-2026-07-01-to-2026-09-30-charges.csv"'}
    for name, disposition in expected.items():
        response = client.get(urls[name])
        assert response["Content-Disposition"] == disposition
        assert "no-store" in response["Cache-Control"]
    # Stored by the default storage under MEDIA_ROOT, which nothing serves.
    assert report.pdf.storage is default_storage or type(report.pdf.storage) is type(
        default_storage)
    assert (media / report.pdf.name).is_file()
    with pytest.raises(Resolver404):
        resolve("/media/" + report.pdf.name)
    assert client.get("/media/" + report.pdf.name).status_code == 404


def test_media_root_is_not_inside_anything_served_as_static():
    media_root = Path(django_settings.MEDIA_ROOT).resolve()
    for served in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        served = Path(served).resolve()
        assert served != media_root
        assert served not in media_root.parents and media_root not in served.parents
    assert getattr(django_settings, "WHITENOISE_ROOT", None) is None
    urls = Path(django_settings.BASE_DIR, "ddscp_training", "urls.py").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in urls.splitlines())
    assert "MEDIA" not in code and "static(" not in code and "serve" not in code


# The request form ----------------------------------------------------------------------------

@pytest.fixture
def lod_client(client, make_user, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    client.force_login(make_user(Role.LOD_MEMBER))
    return client


@pytest.mark.parametrize("posted, field, message", [
    ({"kind": "nonsense"}, "kind", "Select which report you want"),
    ({"kind": "quarterly", "quarter": "nonsense"}, "quarter", "Select a quarter that has ended"),
    ({"kind": "quarterly", "quarter": "2026-10-01"}, "quarter",
     "Select a quarter that has ended"),
    ({"kind": "annual", "year": "2026-04-01"}, "year", "Select a financial year that has ended"),
    ({"kind": "custom", "start": "nonsense", "end": "2026-03-31"}, "start", "Enter a real date"),
    ({"kind": "custom", "start": "2026-02-31", "end": "2026-03-31"}, "start",
     "Enter a real date"),
    ({"kind": "custom", "start": "2026-01-01", "end": "99999-01-01"}, "end", "Enter a real date"),
    ({"kind": "custom", "start": "0001-01-01", "end": "2026-01-01"}, "end",
     "The period must be 5 years or shorter"),
    ({"kind": "custom", "start": "2026-01-01", "end": "9999-12-31"}, "end",
     "The period must have ended: choose an end date before today"),
    ({"kind": "custom", "start": "2026-11-30", "end": "2026-11-30"}, "end",
     "The period must have ended: choose an end date before today"),
    ({"kind": "custom", "start": "2026-09-30", "end": "2026-07-01"}, "end",
     "The end date must be the same as or after the start date"),
    ({"kind": "custom", "end": "2026-07-01"}, "start", "Enter the first day of the period"),
], ids=["kind", "quarter-nonsense", "quarter-not-ended", "year-not-ended", "date-nonsense",
        "31-february", "year-99999", "huge-range", "future", "today", "end-before-start",
        "no-start"])
def test_bad_requests_say_what_to_do_and_save_nothing(lod_client, nudged, posted, field,
                                                      message):
    response = lod_client.post(reverse("reports:report-list"), posted)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(e.startswith(message) for e in errors), errors
    assert not any("valid choice" in e for e in errors)
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not Report.objects.exists() and nudged == []


def test_a_double_submit_makes_one_report(lod_client, nudged):
    posted = {"kind": "custom", "start": "2026-07-01", "end": "2026-07-31"}
    first = lod_client.post(reverse("reports:report-list"), posted)
    second = lod_client.post(reverse("reports:report-list"), posted)
    report = Report.objects.get()
    assert first["Location"] == second["Location"] == reverse(
        "reports:report-detail", kwargs={"pk": report.pk})


@pytest.mark.django_db(transaction=True)
def test_two_people_asking_for_one_period_at_once_get_one_report(make_user, monkeypatch):
    monkeypatch.setattr(services, "_nudge", lambda pk: None)
    people = [make_user(Role.LOD_MEMBER), make_user(Role.OFFICER)]
    barrier = threading.Barrier(2)
    made, failures = [], []

    def ask(user):
        try:
            barrier.wait(5)
            made.append(services.request_report(user=user, kind=ReportKind.QUARTERLY,
                                                start=Q_START, end=Q_END, now=NOW).pk)
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert failures == []
    assert Report.objects.count() == 1 and set(made) == {Report.objects.get().pk}


def test_the_request_form_and_list_show_dates_in_the_one_style(lod_client, nudged):
    ready_report(files=False)
    html = lod_client.get(reverse("reports:report-list")).content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    from core.dates import short_date

    assert f"{short_date(Q_START)} to {short_date(Q_END)}" in " ".join(text.split())


# Generation ------------------------------------------------------------------------------------

def test_a_failure_shows_words_and_try_again_works(client, make_user, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret detail /srv/app/reports/build.py line 42")

    monkeypatch.setattr("reports.build.build_snapshot", broken)
    report = Report.objects.create(kind=ReportKind.CUSTOM, period_start=Q_START,
                                   period_end=Q_END)
    services.generate_report(report_id=report.pk)
    client.force_login(make_user(Role.LOD_MEMBER))
    page = client.get(reverse("reports:report-detail", kwargs={"pk": report.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The report could not be produced" in html and "Try again" in html
    assert "secret detail" not in html and "Traceback" not in html
    assert "ZeroDivisionError" not in html

    monkeypatch.undo()
    monkeypatch.setattr(services, "_nudge",
                        lambda pk: services.generate_report(report_id=pk))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report-retry", kwargs={"pk": report.pk}))
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.error == ""


def test_progress_is_shown_and_moves(client, make_user):
    report = Report.objects.create(kind=ReportKind.CUSTOM, period_start=Q_START,
                                   period_end=Q_END, status=ReportStatus.RUNNING,
                                   started_at=timezone.now())
    client.force_login(make_user(Role.LOD_MEMBER))
    url = reverse("reports:report-progress", kwargs={"pk": report.pk})
    services._progress_saver(report.pk)(0.4, "Counting attendance")
    assert "Counting attendance: 40%" in client.get(url).content.decode()
    services._progress_saver(report.pk)(0.7, "Adding up charges")
    assert "Adding up charges: 70%" in client.get(url).content.decode()


def test_a_lost_task_is_requeued_once_not_on_every_sweep(nudged,
                                                        django_capture_on_commit_callbacks):
    asked = NOW - timedelta(minutes=10)
    lost = Report.objects.create(kind=ReportKind.CUSTOM, period_start=Q_START,
                                 period_end=Q_END, requested_at=asked)
    dead = Report.objects.create(kind=ReportKind.QUARTERLY, period_start=Q_START,
                                 period_end=Q_END, status=ReportStatus.RUNNING,
                                 requested_at=asked - timedelta(hours=1),
                                 started_at=NOW - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.reports_requeue(now=NOW)
    assert sorted(nudged) == sorted([lost.pk, dead.pk])
    # The beat runs again a few minutes later, twice over: the nudges are not sent again.
    for minutes in (0, 2, 3):
        with django_capture_on_commit_callbacks(execute=True):
            services.reports_requeue(now=NOW + timedelta(minutes=minutes))
    assert sorted(nudged) == sorted([lost.pk, dead.pk])


def test_the_schedule_waits_for_a_substitute_bank_holiday_and_sends_once(
        make_user, nudged, django_capture_on_commit_callbacks):
    # October to December 2021 ends on Friday 31 December; 1 and 2 January 2022 are a weekend
    # and Monday 3 January the substitute New Year bank holiday: due Tuesday 4 January.
    members = [make_user(Role.LOD_MEMBER, email=f"m{n}@lod.example") for n in range(2)]
    for day in (1, 2, 3):
        assert services.quarterly_report_schedule(
            now=datetime(2022, 1, day, 9, 0, tzinfo=LONDON)) is None
    assert not Report.objects.exists()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            report = services.quarterly_report_schedule(
                now=datetime(2022, 1, 4, 6, 0, tzinfo=LONDON))
    assert Report.objects.count() == 1 and nudged == [report.pk]
    assert (report.period_start, report.period_end) == (date(2021, 10, 1), date(2021, 12, 31))
    services.generate_report(report_id=report.pk)
    for _ in range(2):
        services.quarterly_report_schedule(now=datetime(2022, 1, 5, 6, 0, tzinfo=LONDON))
    emails = OutgoingEmail.objects.filter(purpose__startswith=f"report:{report.pk}:ready:")
    assert sorted(e.recipient for e in emails) == [m.email for m in members]


# A real generated report: page, PDF, XLSX and CSV agree, and user text stays text --------------

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("x")'


def _seed_quarter():
    """July to September 2026: a course titled like a script; an organisation named like a
    formula with 2 delegates attending (under the threshold), another with 7; April to June
    2026 has 5 (for the compared columns)."""
    from courses.models import EventStatus
    from tests.factories import BookingFactory, CourseFactory, EventFactory, OrganisationFactory

    course = CourseFactory(title=SCRIPT)
    small = OrganisationFactory(name=FORMULA, sector="private")
    large = OrganisationFactory(name="Derby City Council", sector="statutory")

    def event(on, people):
        start = timezone.make_aware(datetime.combine(on, datetime.min.time())) + timedelta(
            hours=9, minutes=30)
        ev = EventFactory(course=course, start=start, end=start + timedelta(hours=7),
                          capacity=12, status=EventStatus.COMPLETED)
        for organisation, count, status in people:
            for _ in range(count):
                BookingFactory(event=ev, organisation=organisation, status=status,
                               booked_at=start - timedelta(days=20),
                               delegate__organisation=organisation)

    event(date(2026, 7, 8), [(small, 2, "attended"), (large, 7, "attended"),
                             (large, 1, "no_show")])
    event(date(2026, 5, 6), [(large, 5, "attended")])


class _Tables(HTMLParser):
    """Every <table> of a page: caption, rows of (tag, attrs, text) cells, and the tfoot."""

    def __init__(self):
        super().__init__()
        self.tables, self.headings, self.table = [], [], None
        self.cell = self.heading = None
        self.in_caption = self.in_tfoot = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = {"caption": "", "rows": [], "total": None, "th_scopes": []}
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tfoot":
            self.in_tfoot = True
        elif tag == "tr" and self.table is not None:
            self.table["rows"].append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = ""
            if tag == "th":
                self.table["th_scopes"].append(attrs.get("scope"))
        elif re.fullmatch(r"h[1-6]", tag):
            self.heading = (int(tag[1]), "")

    def handle_endtag(self, tag):
        if tag == "table":
            self.tables.append(self.table)
            self.table = None
        elif tag == "caption":
            self.in_caption = False
        elif tag == "tfoot":
            self.in_tfoot = False
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            self.table["rows"][-1].append(" ".join(self.cell.split()))
            if self.in_tfoot:
                self.table["total"] = self.table["rows"][-1]
            self.cell = None
        elif re.fullmatch(r"h[1-6]", tag) and self.heading:
            self.headings.append(self.heading)
            self.heading = None

    def handle_data(self, data):
        if self.in_caption and self.table is not None:
            self.table["caption"] += data
        elif self.cell is not None:
            self.cell += data
        if self.heading:
            self.heading = (self.heading[0], self.heading[1] + data)


def _shown(cell):
    """An XLSX cell as the page writes it (reports.tables.display)."""
    from decimal import Decimal

    value = cell.value
    if value is None or value == "":  # no figure: a dash on the page, an empty cell here
        return "–"
    if isinstance(value, str):
        return value
    if cell.number_format == "0%":
        return f"{round(value * 100):d}%"
    if "£" in cell.number_format:
        return f"£{Decimal(str(value)):,.2f}"
    if cell.number_format == "0.00":
        return f"{value:.2f}"
    return f"{int(value):,}"


@pytest.fixture
def generated(client, make_user):
    _seed_quarter()
    report = services.generate_report(report_id=Report.objects.create(
        kind=ReportKind.QUARTERLY, period_start=Q_START, period_end=Q_END).pk)
    assert report.status == ReportStatus.READY, report.error
    client.force_login(make_user(Role.LOD_MEMBER))
    html = client.get(reverse("reports:report-detail", kwargs={"pk": report.pk})
                      ).content.decode()
    return report, html


def test_the_page_and_the_workbook_show_the_same_figures_and_totals(generated, media):
    report, html = generated
    parser = _Tables()
    parser.feed(html)
    page = {t["caption"].strip(): t for t in parser.tables}
    book = load_workbook(media / report.xlsx.name)
    sheets = {}
    for ws in book.worksheets[1:]:
        rows = list(ws.iter_rows())
        sheets[rows[0][0].value.split(": ", 1)[-1]] = rows
    compared = suppressed = totals = 0
    for title, rows in sheets.items():
        table = page[title]
        body = [[_shown(c) for c in r] for r in rows[2:] if r and r[0].value is not None]
        if table["total"]:
            totals += 1
        page_rows = [[c or "–" for c in r] for r in table["rows"][1:] if len(r) > 1]
        assert [r[1:] for r in body[:len(page_rows)]] == [r[1:] for r in page_rows], title
        compared += sum(1 for c in rows[1] if c.value and "April to June 2026" in c.value)
        suppressed += sum(r.count("fewer than 3") for r in page_rows)
    assert totals >= 3 and compared >= 1 and suppressed >= 1


def _csv(client, report, key):
    response = client.get(reverse("reports:report-table-csv",
                                  kwargs={"pk": report.pk, "key": key}))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_suppressed_words_agree_on_page_pdf_xlsx_and_csv(generated, media, client):
    report, html = generated
    pdf = subprocess.run(["pdftotext", "-layout", str(media / report.pdf.name), "-"],
                         capture_output=True, text=True, check=True).stdout
    book = load_workbook(media / report.xlsx.name)
    xlsx_words = {c.value for ws in book.worksheets for r in ws.iter_rows() for c in r
                  if isinstance(c.value, str)}
    for words in ("fewer than 3", "withheld"):
        on_page = words in re.sub(r"<[^>]+>", " ", html.split("<h2", 2)[-1])
        assert (words in pdf.split("Contents", 1)[-1]) == on_page, words
        assert (words in xlsx_words) == on_page, words
    assert "fewer than 3" in xlsx_words
    # Each table's CSV hides exactly the cells its table on the page hides, in the same words.
    parser = _Tables()
    parser.feed(html)
    report_tables = [t for t in parser.tables if t["caption"].strip() not in ("",)]
    keys = re.findall(rf'href="/reports/{report.pk}/tables/([^"]+)\.csv"', html)
    assert len(keys) == len(report_tables) and keys
    for key, table in zip(keys, report_tables, strict=True):
        cells = [c for r in table["rows"][1:] for c in r[1:]]
        rows = list(csv_module.reader(io.StringIO(_csv(client, report, key))))[1:]
        csv_cells = [c for r in rows for c in r[1:]]
        for words in ("fewer than 3", "withheld"):
            assert cells.count(words) == csv_cells.count(words), (key, words)


def test_user_text_is_never_run_on_the_page_the_pdf_the_workbook_or_the_csv(
        generated, media, client):
    report, html = generated
    assert SCRIPT not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"<desc[^>]*>[^<]*&lt;script&gt;", html) or "&lt;script&gt;" in html
    pdf = subprocess.run(["pdftotext", str(media / report.pdf.name), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert SCRIPT in "".join(pdf.split())  # shown as the words typed (wrapped in a cell)
    book = load_workbook(media / report.xlsx.name)
    cells = [c for ws in book.worksheets for r in ws.iter_rows() for c in r
             if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    csv = _csv(client, report, "attendance-by-organisation")
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv


def test_the_narrative_is_shown_as_text(client, make_user):
    report = ready_report(kind=ReportKind.ANNUAL, narrative=SCRIPT + "\n\n" + FORMULA,
                          issued_at=timezone.now())
    client.force_login(make_user(Role.LOD_MEMBER))
    html = client.get(reverse("reports:report-detail", kwargs={"pk": report.pk})
                      ).content.decode()
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Accessibility of the report page, by reading its HTML -----------------------------------------

def test_the_report_page_is_accessible_by_its_markup(generated):
    _report, html = generated
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)  # dates in the one style
    parser = _Tables()
    parser.feed(html)
    assert parser.tables
    for table in parser.tables:
        assert table["caption"].strip(), table
        assert all(scope in ("col", "row") for scope in table["th_scopes"]), table["caption"]
    levels = [level for level, _text in parser.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, (before, after)
    main = html.split("<main", 1)[-1]
    assert " style=" not in main and not re.search(r"<script(?![^>]*\bsrc=)", html)
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert svgs
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    # At 320 px a wide table scrolls inside a region a keyboard can reach, named for it.
    for region in re.findall(r"<div[^>]*\btable-responsive\b[^>]*>", main):
        assert 'tabindex="0"' in region and 'role="region"' in region, region
        assert "aria-label" in region, region


def test_the_list_tables_scroll_in_a_focusable_named_region(client, make_user):
    ready_report(files=False)
    client.force_login(make_user(Role.LOD_MEMBER))
    html = client.get(reverse("reports:report-list")).content.decode()
    for region in re.findall(r"<div[^>]*\btable-responsive\b[^>]*>", html):
        assert 'tabindex="0"' in region and 'role="region"' in region, region




def test_an_issued_report_downloads_under_its_own_name(client, make_user):
    from reports.issue import narrative_save, report_issue

    officer = make_user(Role.OFFICER)
    report = ready_report(kind=ReportKind.ANNUAL)
    narrative_save(report=report, by=officer, text="A year of training.", now=timezone.now())
    report_issue(report=report, by=officer, now=timezone.now())
    client.force_login(officer)
    for fmt in ("pdf", "xlsx"):
        response = client.get(reverse("reports:report-download",
                                      kwargs={"pk": report.pk, "fmt": fmt}))
        assert response["Content-Disposition"] == (
            f'attachment; filename="annual-2026-07-01-to-2026-09-30.{fmt}"')


@pytest.mark.parametrize("posted", [
    {"kind": "custom", "start": "2026-07-01", "end": "2026-07-31", "quarter": "junk",
     "year": "2020-04-01"},
    {"kind": "quarterly", "quarter": "2026-07-01", "start": "nonsense", "end": "2026-02-31"},
], ids=["custom-with-a-stale-quarter", "quarter-with-leftover-dates"])
def test_fields_of_another_kind_of_report_do_not_block_the_request(lod_client, nudged, posted):
    response = lod_client.post(reverse("reports:report-list"), posted)
    assert response.status_code == 302, response.context["form"].errors
    assert Report.objects.count() == 1


def test_a_nudge_the_broker_refused_is_sent_again_by_the_next_sweep(
        monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(services, "_nudge", lambda pk: sent.append(pk) or False)
    lost = Report.objects.create(kind=ReportKind.CUSTOM, period_start=Q_START,
                                 period_end=Q_END, requested_at=NOW - timedelta(minutes=10))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.reports_requeue(now=NOW)
    assert sent == [lost.pk, lost.pk]


def _landmark_names(html):
    """The accessible name of every named landmark on the page: a <section> or a role="region"
    named by aria-labelledby (the text of each id, in order) or aria-label."""
    texts = {m.group(1): re.sub(r"<[^>]+>", "", m.group(2)).strip()
             for m in re.finditer(r'<h\d[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\d>', html, re.S)}
    names = []
    for tag in re.findall(r'<(?:section|div)\b[^>]*>', html):
        if "<section" not in tag and 'role="region"' not in tag:
            continue
        if m := re.search(r'aria-labelledby="([^"]+)"', tag):
            names.append(" ".join(texts[i] for i in m.group(1).split()))
        elif m := re.search(r'aria-label="([^"]+)"', tag):
            names.append(m.group(1))
    return names


@pytest.mark.parametrize("kind", [ReportKind.QUARTERLY, ReportKind.ANNUAL])
def test_every_landmark_of_the_report_page_has_its_own_name(client, make_user, kind):
    """axe's landmark-unique: a section and the table inside it, or the same section in the
    children and the adults parts of an annual report, must not share a name."""
    _seed_quarter()
    start, end = ((Q_START, Q_END) if kind == ReportKind.QUARTERLY
                  else (date(Q_START.year, 4, 1), date(Q_START.year + 1, 3, 31)))
    report = services.generate_report(report_id=Report.objects.create(
        kind=kind, period_start=start, period_end=end).pk)
    assert report.status == ReportStatus.READY, report.error
    client.force_login(make_user(Role.LOD_MEMBER))
    html = client.get(reverse("reports:report-detail", kwargs={"pk": report.pk})
                      ).content.decode()
    names = _landmark_names(html)
    assert len(names) > 10
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
