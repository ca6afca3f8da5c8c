"""The reports in Chromium (issue 13): an LOD Group member opens the report list, asks for a
quarter, watches the report page show its progress and then the report, downloads the PDF
(read back with pdftotext) and the workbook (reopened with openpyxl: every total in it is the
total the page shows), and axe-core finds nothing on the report list and the report page at
1280 and 320 px.

The report's task is held back while it is asked for (reports.services._nudge, the on-commit
nudge, does nothing here), so the page is seen waiting; the test then runs the generation
service itself, as the worker would, and the page's polling brings the report in."""

import re
import subprocess
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.roles import Role
from reports.models import Report, ReportStatus
from tests.factories import PASSWORD, UserFactory
from tests.helpers import TOTP_SECRET, totp_activate
from tests.reports.test_figures_activity import seed_quarter

from .steps import axe_clean, sign_in_with_code

pytestmark = pytest.mark.e2e

QUARTER = "July to September 2026"


def _page_totals(page):
    """[(table title, total row label, [its cell texts])] in the page's order, for the tables
    with a total."""
    out = []
    for block in page.locator("main .report-table").all():
        if not block.locator("tfoot").count():
            continue
        title = block.locator("caption").inner_text().strip()
        label = block.locator("tfoot th").inner_text().strip()
        cells = [c.strip() for c in block.locator("tfoot td").all_inner_texts()]
        out.append((title, label, cells))
    return out


def _same(text, value):
    """Is the page's words for a figure the workbook's number (or words)?"""
    if text in ("–", ""):
        return value is None
    if re.fullmatch(r"[\d,]+", text):
        return value == int(text.replace(",", ""))
    if text.endswith("%"):
        return round(float(value) * 100) == int(text[:-1])
    if text.startswith("£"):
        return Decimal(str(value)) == Decimal(text[1:].replace(",", ""))
    if re.fullmatch(r"\d+\.\d\d", text):
        return f"{float(value):.2f}" == text
    return str(value) == text


def test_an_lod_member_asks_for_a_quarter_watches_it_finish_and_downloads_it(
        page, live_server, monkeypatch, settings, tmp_path):
    from reports import services

    settings.MEDIA_ROOT = tmp_path
    seed_quarter()  # July to September 2026, with the quarters it is compared with
    lod = UserFactory(roles=[Role.LOD_MEMBER], first_name="Lena", last_name="Oduya")
    totp_activate(lod)
    nudged = []
    monkeypatch.setattr(services, "_nudge", nudged.append)  # the worker is busy elsewhere

    sign_in_with_code(page, lod.email, PASSWORD, TOTP_SECRET)
    page.goto("/reports/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Reports")
    axe_clean(page, "reports-list-empty", widths=(1280, 320))

    main.get_by_label(re.compile("Quarterly training report")).check()
    main.locator("select[name=quarter]").select_option(label=QUARTER)
    main.get_by_role("button", name="Ask for the report").click()

    report = Report.objects.get()
    assert nudged == [report.pk]
    assert report.requested_by == lod
    # (The form posts to the list's #ask, and the browser keeps the fragment on redirect.)
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/reports/{report.pk}/(#ask)?$"))
    progress = main.locator("#report-progress")
    expect(progress).to_contain_text("0%")
    expect(main.locator("progress")).to_have_attribute("value", "0")
    expect(main.get_by_role("link", name=re.compile("Download the PDF"))).to_have_count(0)

    services.generate_report(report_id=report.pk)  # what the worker does with the nudge
    report.refresh_from_db()
    assert report.status == ReportStatus.READY

    # The page polls and reloads itself once the report is ready.
    expect(main.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=20_000)
    expect(main.get_by_role("heading", level=1)).to_have_text(
        f"Quarterly training report: {QUARTER}")
    expect(main).to_contain_text("April to June 2026")  # compared with the quarter before
    expect(main).to_contain_text("July to September 2025")  # and a year earlier
    expect(main.locator("caption", has_text="Attendance by sector")).to_have_count(1)
    totals = _page_totals(page)
    assert totals, "the report page shows no table with a total"
    assert "Lena" not in main.inner_text() and "Oduya" not in main.inner_text()
    axe_clean(page, "report-page", widths=(1280, 320))

    with page.expect_download() as pdf_download:
        main.get_by_role("link", name="Download the PDF").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf_download.value.suggested_filename == "quarterly-2026-07-01-to-2026-09-30.pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert f"Quarterly training report: {QUARTER}" in text
    assert "Attendance by sector" in text

    with page.expect_download() as xlsx_download:
        main.get_by_role("link", name="Download the workbook (XLSX)").click()
    assert xlsx_download.value.suggested_filename == "quarterly-2026-07-01-to-2026-09-30.xlsx"
    book = load_workbook(BytesIO(Path(xlsx_download.value.path()).read_bytes()),
                         read_only=True)
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets[1:]]
    with_totals = []
    for title, label, cells in totals:
        sheet = next(s for s in sheets if s and s[0][0] == title)
        # The total row: the sheet's last row labelled as the page's.
        [*_, total] = [r for r in sheet if r and r[0] == label]
        figures = list(total[1:1 + len(cells)])
        assert len(figures) == len(cells), title
        wrong = [(t, v) for t, v in zip(cells, figures, strict=True) if not _same(t, v)]
        assert wrong == [], f"{title}: the page's total and the workbook's differ: {wrong}"
        with_totals.append(title)
    assert "Attendance by sector" in with_totals

    page.goto("/reports/")
    row = main.locator("tbody tr", has=page.get_by_role("link", name=re.compile("Quarterly")))
    expect(row).to_contain_text("Ready")
    axe_clean(page, "reports-list", widths=(1280, 320))
