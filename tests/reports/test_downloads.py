"""Downloads of a report (PDF, XLSX, CSV per table) only through permission-checked views,
never a storage address; and who may read the report pages at all."""

import subprocess
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from reports.formats.csv import render_csv
from reports.models import ReportStatus
from tests.reports.report_pages import ready_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def report():
    return ready_report()


def _body(response):
    return b"".join(response.streaming_content)


def test_the_pdf_and_workbook_come_as_attachments_from_storage(client, make_user, report):
    client.force_login(make_user(Role.LOD_MEMBER))

    pdf = client.get(reverse("reports:report-download", kwargs={"pk": report.pk, "fmt": "pdf"}))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        'attachment; filename="quarterly-2026-07-01-to-2026-09-30.pdf"')
    assert pdf["Cache-Control"] == "private, no-store"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=_body(pdf),
                          capture_output=True, check=True).stdout.decode()
    assert "Quarterly training report: July to September 2026" in text
    assert "fewer than 3" in text

    xlsx = client.get(reverse("reports:report-download", kwargs={"pk": report.pk,
                                                                  "fmt": "xlsx"}))
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == (
        'attachment; filename="quarterly-2026-07-01-to-2026-09-30.xlsx"')
    book = load_workbook(BytesIO(_body(xlsx)), read_only=True)
    values = [cell for sheet in book.worksheets for line in sheet.iter_rows(values_only=True)
              for cell in line]
    assert 40 in values and 36 in values  # numbers as numbers


def test_each_table_downloads_as_csv_from_the_snapshot(client, make_user, report):
    client.force_login(make_user(Role.OFFICER))
    url = reverse("reports:report-table-csv",
                  kwargs={"pk": report.pk, "key": "attendance-by-sector"})

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="quarterly-2026-07-01-to-'
                                               '2026-09-30-attendance-by-sector.csv"')
    body = _body(response)
    assert body == render_csv(report, "attendance-by-sector")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Sector,Booked,Attended")
    assert lines[2].startswith("Private,12,fewer than 3")


def test_a_table_not_in_the_report_or_a_report_not_ready_is_not_found(client, make_user,
                                                                        report):
    client.force_login(make_user(Role.LOD_MEMBER))
    missing = reverse("reports:report-table-csv", kwargs={"pk": report.pk, "key": "nothing"})
    assert client.get(missing).status_code == 404

    report.status = ReportStatus.RUNNING
    report.save(update_fields=["status"])
    for fmt in ("pdf", "xlsx"):
        url = reverse("reports:report-download", kwargs={"pk": report.pk, "fmt": fmt})
        assert client.get(url).status_code == 404
    csv = reverse("reports:report-table-csv", kwargs={"pk": report.pk, "key": "charges"})
    assert client.get(csv).status_code == 404
    assert client.get(f"/reports/{report.pk}/download/docx/").status_code == 404


def test_the_site_serves_no_media_address(client, make_user, report):
    """The files are reachable only through the views above, not by their storage name."""
    client.force_login(make_user(Role.LOD_MEMBER))
    assert client.get(f"/media/{report.pdf.name}").status_code == 404
    html = client.get(reverse("reports:report-list")).content.decode()
    assert "/media/" not in html
    assert reverse("reports:report-download", kwargs={"pk": report.pk, "fmt": "pdf"}) in html


def _urls(report):
    return [
        reverse("reports:report-list"),
        reverse("reports:report-detail", kwargs={"pk": report.pk}),
        reverse("reports:report-progress", kwargs={"pk": report.pk}),
        reverse("reports:report-download", kwargs={"pk": report.pk, "fmt": "pdf"}),
        reverse("reports:report-download", kwargs={"pk": report.pk, "fmt": "xlsx"}),
        reverse("reports:report-table-csv", kwargs={"pk": report.pk, "key": "charges"}),
    ]


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT],
                         ids=lambda r: r.value)
def test_other_roles_are_refused_every_report_page(client, make_user, report, role):
    client.force_login(make_user(role))
    for url in _urls(report):
        assert client.get(url).status_code == 403, url
    retry = reverse("reports:report-retry", kwargs={"pk": report.pk})
    assert client.post(retry).status_code == 403
    assert client.post(reverse("reports:report-list"), {"kind": "quarterly"}).status_code == 403


@pytest.mark.parametrize("role", [Role.LOD_MEMBER, Role.OFFICER], ids=lambda r: r.value)
def test_the_lod_group_and_officers_get_every_report_page(client, make_user, report, role):
    client.force_login(make_user(role))
    for url in _urls(report):
        assert client.get(url).status_code == 200, url


def test_staff_without_two_factor_are_sent_to_set_it_up(client, make_user, report):
    client.force_login(make_user(Role.LOD_MEMBER, mfa=False))
    for url in _urls(report):
        assert client.get(url)["Location"] == reverse("mfa_activate_totp"), url


def test_a_visitor_is_sent_to_sign_in(client, report):
    for url in _urls(report):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login")), url
