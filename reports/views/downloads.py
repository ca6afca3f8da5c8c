import io

from django.http import FileResponse, Http404
from django.views import View

from core.permissions import PermissionMixin

from .. import selectors
from ..formats.csv import render_csv
from ..models import ReportStatus
from ..services import report_file_name

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _ready_report(request, pk, *, defer_data=False):
    reports = selectors.reports_visible_to(user=request.user).filter(status=ReportStatus.READY)
    if defer_data:
        reports = reports.defer("data")
    report = reports.filter(pk=pk).first()
    if report is None:
        raise Http404("No such report, or it is not ready yet.")
    return report


def _attachment(handle, *, filename, content_type):
    response = FileResponse(handle, content_type=content_type, as_attachment=True,
                            filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ReportDownloadView(PermissionMixin, View):
    """The report's PDF or workbook from storage, to someone who may read reports."""

    permission_required = "reports.view_report"

    def get(self, request, pk, fmt):
        report = _ready_report(request, pk, defer_data=True)
        stored = getattr(report, fmt)
        if not stored:
            raise Http404("This report has no such file.")
        try:
            handle = stored.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing: tell the training team.") from None
        # Named for its report and period, not as stored (storage may have added a suffix
        # when the issued files replaced the draft's).
        return _attachment(handle, filename=report_file_name(report, fmt),
                           content_type=CONTENT_TYPES[fmt])


class ReportTableCsvView(PermissionMixin, View):
    """One table of the report as CSV, drawn from the snapshot."""

    permission_required = "reports.view_report"

    def get(self, request, pk, key):
        report = _ready_report(request, pk)
        try:
            content = render_csv(report, key)
        except KeyError:
            raise Http404("The report has no such table.") from None
        stem = f"{report.kind}-{report.period_start.isoformat()}-to-{report.period_end.isoformat()}"
        return _attachment(io.BytesIO(content), filename=f"{stem}-{key}.csv",
                           content_type="text/csv; charset=utf-8")
