"""An annual report's narrative (issue 13): an officer writes it on a ready annual report,
then issues the report; the PDF is drawn again with it, and from then on it cannot change.
LOD Group members see it on the report's page once issued; before, a draft label."""

import io
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from core.models import AuditEntry
from reports.issue import NARRATIVE_MAX_CHARS
from reports.models import Report, ReportKind, ReportStatus
from tests.reports.snapshots import annual_snapshot, snapshot

pytestmark = pytest.mark.django_db

NARRATIVE = "This year we trained more staff than ever.\n\nNext year: <b>joint</b> courses."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def annual_report(**fields):
    fields.setdefault("status", ReportStatus.READY)
    return Report.objects.create(kind=ReportKind.ANNUAL, period_start=date(2025, 4, 1),
                                 period_end=date(2026, 3, 31), data=annual_snapshot(),
                                 **fields)


def pdf_words(field):
    field.open("rb")
    try:
        pdf = field.read()
    finally:
        field.close()
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER)
    client.force_login(user)
    return user


def test_officer_writes_the_narrative_then_issues_the_report(client, officer):
    report = annual_report()
    url = reverse("reports:report-narrative", kwargs={"pk": report.pk})
    page = client.get(url).content.decode()
    assert "Write the narrative" in page and 'name="narrative"' in page

    response = client.post(url, {"narrative": NARRATIVE})
    issue_url = reverse("reports:report-issue", kwargs={"pk": report.pk})
    assert response.status_code == 302 and response["Location"] == issue_url
    report.refresh_from_db()
    assert report.narrative == NARRATIVE
    assert AuditEntry.objects.filter(action="report.narrative", actor=officer).count() == 1

    confirm = client.get(issue_url).content.decode()
    assert "Issue the report" in confirm
    assert "Next year: &lt;b&gt;joint&lt;/b&gt; courses." in confirm  # escaped, never markup

    response = client.post(issue_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report-detail", kwargs={"pk": report.pk})
    report.refresh_from_db()
    assert report.issued_at is not None and report.issued_by == officer
    assert AuditEntry.objects.filter(action="report.issue", actor=officer).count() == 1
    # The stored PDF now carries the narrative, and is no longer a draft.
    words = pdf_words(report.pdf)
    assert "This year we trained more staff than ever." in words
    assert "Next year: <b>joint</b> courses." in words
    assert "Draft" not in words
    assert "Annual training report: April 2025 to March 2026" in words
    # And the workbook is no longer a draft: its Summary carries the narrative.
    report.xlsx.open("rb")
    try:
        book = load_workbook(io.BytesIO(report.xlsx.read()))
    finally:
        report.xlsx.close()
    summary = [c for r in book["Summary"].iter_rows(values_only=True) for c in r if c]
    assert NARRATIVE in summary
    assert "Draft: not yet issued" not in summary


def test_the_narrative_cannot_change_once_issued(client, officer):
    report = annual_report(narrative=NARRATIVE)
    client.post(reverse("reports:report-issue", kwargs={"pk": report.pk}))
    report.refresh_from_db()
    issued_at = report.issued_at
    assert issued_at is not None

    url = reverse("reports:report-narrative", kwargs={"pk": report.pk})
    response = client.post(url, {"narrative": "Something else entirely."})
    assert response.status_code == 200
    assert "so its narrative can no longer be changed" in response.content.decode()
    report.refresh_from_db()
    assert report.narrative == NARRATIVE
    # Issuing again changes nothing either.
    response = client.post(reverse("reports:report-issue", kwargs={"pk": report.pk}))
    assert response.status_code == 200
    assert "This report was already issued on" in response.content.decode()
    report.refresh_from_db()
    assert report.issued_at == issued_at
    assert AuditEntry.objects.filter(action="report.issue").count() == 1


@pytest.mark.parametrize("text, message", [
    ("", "Enter the narrative"),
    ("   \n ", "Enter the narrative"),
    ("x" * (NARRATIVE_MAX_CHARS + 1),
     f"The narrative must be {NARRATIVE_MAX_CHARS:,} characters or fewer "
     f"(it is {NARRATIVE_MAX_CHARS + 1:,})"),
])
def test_an_empty_or_long_narrative_is_refused_with_a_clear_message(client, officer, text,
                                                                     message):
    report = annual_report(narrative="Kept as it was.")
    response = client.post(reverse("reports:report-narrative", kwargs={"pk": report.pk}),
                           {"narrative": text})
    assert response.status_code == 200
    assert message in response.content.decode()
    report.refresh_from_db()
    assert report.narrative == "Kept as it was."


def test_a_report_without_a_narrative_is_not_issued(client, officer):
    report = annual_report()
    url = reverse("reports:report-issue", kwargs={"pk": report.pk})
    assert "Write the narrative before you issue the report." in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert "Write the narrative before you issue the report." in response.content.decode()
    report.refresh_from_db()
    assert report.issued_at is None and not report.pdf


def test_a_report_still_being_prepared_takes_no_narrative(client, officer):
    report = annual_report(status=ReportStatus.RUNNING)
    url = reverse("reports:report-narrative", kwargs={"pk": report.pk})
    assert "The report is still being prepared" in client.get(url).content.decode()
    response = client.post(url, {"narrative": NARRATIVE})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.narrative == ""


def test_a_report_that_could_not_be_produced_takes_no_narrative(client, officer):
    report = annual_report(status=ReportStatus.FAILED)
    url = reverse("reports:report-narrative", kwargs={"pk": report.pk})
    assert "The report could not be produced" in client.get(url).content.decode()
    response = client.post(reverse("reports:report-issue", kwargs={"pk": report.pk}))
    assert "The report could not be produced" in response.content.decode()
    report.refresh_from_db()
    assert report.issued_at is None


def test_a_quarterly_report_has_no_narrative_page(client, officer):
    report = Report.objects.create(kind=ReportKind.QUARTERLY, period_start=date(2026, 7, 1),
                                   period_end=date(2026, 9, 30), status=ReportStatus.READY,
                                   data=snapshot())
    for name in ("reports:report-narrative", "reports:report-issue"):
        assert client.get(reverse(name, kwargs={"pk": report.pk})).status_code == 404


@pytest.mark.parametrize("role", [Role.LOD_MEMBER, Role.DELEGATE, Role.FACILITATOR,
                                  Role.BUSINESS_SUPPORT])
def test_only_officers_write_or_issue(client, make_user, role):
    report = annual_report(narrative=NARRATIVE)
    client.force_login(make_user(role))
    for name in ("reports:report-narrative", "reports:report-issue"):
        url = reverse(name, kwargs={"pk": report.pk})
        assert client.get(url).status_code == 403
        assert client.post(url, {"narrative": "Mine now"}).status_code == 403
    report.refresh_from_db()
    assert report.narrative == NARRATIVE and report.issued_at is None


def test_lod_member_sees_the_draft_label_then_the_issued_narrative(client, make_user):
    from django.utils import timezone

    report = annual_report(narrative=NARRATIVE)
    client.force_login(make_user(Role.LOD_MEMBER))
    url = reverse("reports:report-detail", kwargs={"pk": report.pk})
    page = client.get(url).content.decode()
    assert "Draft: not yet issued" in page
    assert "trained more staff" not in page  # the draft is the training team's
    assert reverse("reports:report-issue", kwargs={"pk": report.pk}) not in page

    Report.objects.filter(pk=report.pk).update(issued_at=timezone.now())
    page = client.get(url).content.decode()
    assert "Draft: not yet issued" not in page
    assert "This year we trained more staff than ever." in page
    assert "Next year: &lt;b&gt;joint&lt;/b&gt; courses." in page
    assert "<b>joint</b>" not in page


def test_officer_sees_links_to_write_and_issue_on_a_draft(client, officer):
    report = annual_report()
    page = client.get(reverse("reports:report-detail", kwargs={"pk": report.pk})).content.decode()
    assert "Draft: not yet issued" in page
    assert reverse("reports:report-narrative", kwargs={"pk": report.pk}) in page
