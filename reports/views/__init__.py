"""The report pages: the list and the "ask for a report" form, a report's page (drawn only
from its snapshot), its progress while it is being prepared, and the downloads (PDF, XLSX,
CSV per table), each through a permission-checked view, never a storage address."""

from .detail import ReportDetailView, ReportProgressView, ReportRetryView
from .downloads import ReportDownloadView, ReportTableCsvView
from .list import ReportListView

__all__ = ["ReportDetailView", "ReportDownloadView", "ReportListView", "ReportProgressView",
           "ReportRetryView", "ReportTableCsvView"]
