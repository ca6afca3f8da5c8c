"""An annual report's narrative and its issue (issue 13: "a short narrative section an officer
writes before it is issued").

An officer (reports.issue_report) writes the narrative on an annual report that is ready and
not yet issued, then issues it: the PDF is drawn again with the narrative in it and stored,
and who issued it and when are recorded. From then on the narrative cannot be changed; until
then the report is labelled "Draft: not yet issued" wherever it is shown.

Reads (`report_for_narrative`) are scoped to the person; each write is one transaction on the
locked report, audited (core.audit)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404

from core.audit import audit_record
from core.audit_words import register_action_words
from core.dates import day, long_date
from core.exceptions import DomainError

from .models import Report, ReportKind, ReportStatus
from .selectors import reports_visible_to

register_action_words({
    "report.narrative": "Annual report's narrative written",
    "report.issue": "Annual report issued",
})

# A short narrative for the Executive Board: about a page of the PDF.
NARRATIVE_MAX_CHARS = 4000
PERMISSION = "reports.issue_report"


# Reads --------------------------------------------------------------------------------------

def report_for_narrative(*, user, pk):
    """The annual report whose narrative `user` may write and issue: an officer's; a report
    that is not annual has no narrative (404), as has one the person may not read."""
    if not user.has_perm(PERMISSION):
        raise Http404
    report = (reports_visible_to(user=user).select_related("issued_by")
              .filter(pk=pk, kind=ReportKind.ANNUAL).first())
    if report is None:
        raise Http404
    return report


def narrative_problem(report):
    """Why the narrative of `report` cannot be written now, in words for the page (None: it
    can)."""
    if report.kind != ReportKind.ANNUAL:
        return "Only an annual report has a narrative."
    if report.issued_at is not None:
        return (f"This report was issued on {day(report.issued_at)}, so its narrative can no "
                "longer be changed.")
    if report.status == ReportStatus.FAILED:
        return ("The report could not be produced, so it has no narrative. Ask for it again "
                "from its page.")
    if report.status != ReportStatus.READY:
        return ("The report is still being prepared. You can write its narrative when it is "
                "ready.")
    return None


# Writes -------------------------------------------------------------------------------------

def _locked(report):
    return Report.objects.select_for_update().get(pk=report.pk)


def narrative_save(*, report, by, text, now):
    """Save the narrative of an annual report that is ready and not yet issued."""
    if not by.has_perm(PERMISSION):
        raise DomainError("Only the training team can write a report's narrative.",
                          code="forbidden")
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter the narrative", code="narrative_missing", field="narrative")
    if len(text) > NARRATIVE_MAX_CHARS:
        raise DomainError(f"The narrative must be {NARRATIVE_MAX_CHARS:,} characters or fewer "
                          f"(it is {len(text):,})", code="narrative_long", field="narrative")
    with transaction.atomic():
        report = _locked(report)
        problem = narrative_problem(report)
        if problem:
            raise DomainError(problem, code="narrative_closed")
        changed = report.narrative != text
        report.narrative = text
        report.save(update_fields=["narrative"])
        if changed:
            audit_record(actor=by, action="report.narrative", target=report,
                         details={"characters": len(text)})
    return report


def report_issue(*, report, by, now):
    """Issue an annual report: the PDF (with the narrative) and the workbook (no longer a
    draft) are drawn again and stored, and the issue recorded. Refused without a narrative,
    before it is ready, or a second time."""
    from .formats.pdf import render_pdf
    from .formats.xlsx import render_xlsx
    from .services import report_file_name

    if not by.has_perm(PERMISSION):
        raise DomainError("Only the training team can issue a report.", code="forbidden")
    with transaction.atomic():
        report = _locked(report)
        if report.issued_at is not None:
            raise DomainError(f"This report was already issued on {day(report.issued_at)}.",
                              code="already_issued")
        problem = narrative_problem(report)
        if problem:
            raise DomainError(problem, code="not_ready")
        if not report.narrative.strip():
            raise DomainError("Write the narrative before you issue the report.",
                              code="narrative_missing")
        report.issued_at, report.issued_by = now, by
        replaced = []
        for field, render in ((report.pdf, render_pdf), (report.xlsx, render_xlsx)):
            old_name = field.name
            field.save(report_file_name(report, field.field.name), ContentFile(render(report)),
                       save=False)
            if old_name and old_name != field.name:
                replaced.append((field.storage, old_name))
        report.save(update_fields=["issued_at", "issued_by", "pdf", "xlsx"])
        audit_record(actor=by, action="report.issue", target=report,
                     details={"issued": long_date(now), "characters": len(report.narrative)})
        # The draft's files, once the issued ones are stored for good.
        for storage, name in replaced:
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return report
