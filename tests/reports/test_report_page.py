"""A report's page: drawn only from its snapshot (tables, charts, compared columns,
"fewer than 3"), its progress while it is being prepared (htmx polling, a Refresh link without
JavaScript), a failure and "Try again", and the same number of queries whatever the size of
the data (the real builder)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reports import services
from reports.models import Report, ReportKind, ReportStatus
from tests.reports.report_pages import Q_END, Q_START, attended_quarter, ready_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def lod_client(client, make_user):
    client.force_login(make_user(Role.LOD_MEMBER))
    return client


def _table(html, caption):
    found = re.search(r"<table[^>]*>\s*<caption>" + re.escape(caption) + r"</caption>(.*?)</table>",
                      html, re.S)
    assert found, f"no table captioned {caption!r}"
    return found.group(1)


def test_a_ready_report_shows_each_table_with_its_chart_and_downloads(lod_client):
    report = ready_report()

    response = lod_client.get(reverse("reports:report-detail", kwargs={"pk": report.pk}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Quarterly training report: July to September 2026</h1>" in html
    assert "April to June 2026; July to September 2025" in html  # compared with
    assert '<h3 class="mt-4" id="section-all-attendance">Who attended</h3>' in html
    table = _table(html, "Attendance by sector")
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
    assert headers == ["Sector", "Booked", "Attended", "Attended, April to June 2026",
                       "No-show rate"]
    rows = re.findall(r'<tr>\s*<th scope="row">([^<]*)</th>(.*?)</tr>', table, re.S)
    cells = {label: re.findall(r"<td[^>]*>([^<]*)</td>", rest) for label, rest in rows}
    assert cells["Statutory agency"] == ["40", "36", "30", "10%"]
    assert cells["Private"] == ["12", "fewer than 3", "9", "25%"]
    assert cells["Voluntary and community"] == ["0", "0", "–", "–"]
    assert cells["Total"] == ["52", "fewer than 3", "39", "15%"]
    assert '<td class="table-numeric">36</td>' in table  # numbers right-aligned
    assert "£1,250.00" in _table(html, "Charges")
    # The chart beside it: an image with a title and a text alternative, no script.
    chart = re.search(r'<svg[^>]*role="img"[^>]*>.*?</svg>', html, re.S).group(0)
    assert ('<title id="chart-attendance-by-sector-title">Attendance by sector: Booked</title>'
            in chart)
    assert "Statutory agency: 40; Private: 12; Voluntary and community: 0." in chart
    assert "A delegate who was not admitted is not counted as attended." in html
    for url in (reverse("reports:report-download", kwargs={"pk": report.pk, "fmt": "pdf"}),
                reverse("reports:report-download", kwargs={"pk": report.pk, "fmt": "xlsx"}),
                reverse("reports:report-table-csv",
                        kwargs={"pk": report.pk, "key": "attendance-by-sector"}),
                reverse("reports:report-table-csv", kwargs={"pk": report.pk, "key": "charges"})):
        assert f'href="{url}"' in html
    assert "/media/" not in html
    assert "<script>" not in html and " style=" not in html  # CSP: no inline script or style


def test_a_report_being_prepared_shows_its_progress_and_polls_for_more(lod_client):
    report = Report.objects.create(kind=ReportKind.QUARTERLY, period_start=Q_START,
                                   period_end=Q_END, status=ReportStatus.RUNNING, progress=40,
                                   progress_label="Counting attendance",
                                   started_at=timezone.now())
    detail = reverse("reports:report-detail", kwargs={"pk": report.pk})
    progress = reverse("reports:report-progress", kwargs={"pk": report.pk})

    html = lod_client.get(detail).content.decode()

    assert "Being prepared. Counting attendance: 40%" in html
    assert '<progress class="report-progress" max="100" value="40"' in html
    assert f'hx-get="{progress}" hx-trigger="every 3s"' in html
    assert f'<a href="{detail}">Refresh' in html  # without JavaScript
    assert "Download the PDF" not in html

    # The fragment htmx polls: the same words, and still polling.
    fragment = lod_client.get(progress, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "Counting attendance: 40%" in fragment.content.decode()
    assert "HX-Refresh" not in fragment

    # Once ready, htmx is told to reload the page (which then shows the report).
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.READY, progress=100)
    done = lod_client.get(progress, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "Open the report" in lod_client.get(progress).content.decode()


def test_a_failed_report_says_so_and_can_be_tried_again(
        client, make_user, monkeypatch, django_capture_on_commit_callbacks):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    report = Report.objects.create(kind=ReportKind.QUARTERLY, period_start=Q_START,
                                   period_end=Q_END, status=ReportStatus.FAILED,
                                   error=services.FAILED_MESSAGE)
    detail = reverse("reports:report-detail", kwargs={"pk": report.pk})

    html = client.get(detail).content.decode()
    assert "The report could not be produced" in html
    assert services.FAILED_MESSAGE in html
    assert "Try again</button>" in html

    nudged = []
    monkeypatch.setattr(services, "_nudge", nudged.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report-retry", kwargs={"pk": report.pk}))
    assert response.status_code == 302 and response["Location"] == detail
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.QUEUED, "")
    assert nudged == [report.pk]


def _page_queries(client, report):
    url = reverse("reports:report-detail", kwargs={"pk": report.pk})
    client.get(url)  # the session and permission caches warm up alike for both
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_page_runs_the_same_queries_for_ten_times_the_data(lod_client, make_user):
    small = attended_quarter(6)
    small_report = services.generate_report(report_id=Report.objects.create(
        kind=ReportKind.QUARTERLY, period_start=Q_START, period_end=Q_END).pk)
    assert small_report.status == ReportStatus.READY, small_report.error
    small_queries, small_html = _page_queries(lod_client, small_report)

    attended_quarter(54)  # ten times the places (60 in all), in the same quarter
    large_report = services.generate_report(report_id=Report.objects.create(
        kind=ReportKind.CUSTOM, period_start=Q_START, period_end=Q_END).pk)
    assert large_report.status == ReportStatus.READY, large_report.error
    large_queries, large_html = _page_queries(lod_client, large_report)

    assert small.title in small_html
    assert small_html != large_html  # the figures differ...
    assert large_queries == small_queries  # ...the queries do not


def test_a_long_table_shows_a_page_of_rows_with_a_way_to_the_rest(lod_client):
    from tests.reports.snapshots import organisation_table, snapshot

    report = ready_report(data=snapshot(tables=[organisation_table(120)]), files=False)
    url = reverse("reports:report-detail", kwargs={"pk": report.pk})

    html = lod_client.get(url).content.decode()
    table = _table(html, "Attendance by organisation<span class=\"visually-hidden\">, rows 1 "
                         "to 50 of 120</span>")
    labels = re.findall(r'<tr>\s*<th scope="row">([^<]*)</th>', table)
    assert labels == [f"Organisation {i:03d}" for i in range(50)] + ["Total"]
    assert "Showing rows 1 to 50 of 120 (page 1 of 3)." in html
    next_url = "?table=attendance-by-organisation&amp;page=2#table-attendance-by-organisation"
    assert f'href="{next_url}" rel="next"' in html
    assert 'rel="prev"' not in html
    # The chart draws the 15 largest rows, not 120 bars.
    assert "Attendance by organisation, the 15 largest of 120: Attended" in html
    assert "Organisation 000: fewer than 3" not in html

    html = lod_client.get(url, {"table": "attendance-by-organisation", "page": "3"}
                          ).content.decode()
    table = _table(html, "Attendance by organisation<span class=\"visually-hidden\">, rows "
                         "101 to 120 of 120</span>")
    labels = re.findall(r'<tr>\s*<th scope="row">([^<]*)</th>', table)
    assert labels == [f"Organisation {i:03d}" for i in range(100, 120)] + ["Total"]
    assert 'rel="next"' not in html and 'page=2#table-attendance-by-organisation" rel="prev"' in html
    # A page past the end, or not a number, is the last page or the first.
    assert "rows 101 to 120" in lod_client.get(url, {"table": "attendance-by-organisation",
                                                      "page": "99"}).content.decode()
    assert "rows 1 to 50" in lod_client.get(url, {"table": "attendance-by-organisation",
                                                   "page": "x"}).content.decode()
