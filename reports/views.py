from django.views.generic import ListView

from core.permissions import PermissionMixin

from . import selectors


class ReportListView(PermissionMixin, ListView):
    """LOD Group members and officers: the reports, and headline figures today."""

    permission_required = "reports.view_report"
    template_name = "reports/report_list.html"
    paginate_by = 20

    def get_queryset(self):
        return selectors.reports_list()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = selectors.headline_figures()
        return ctx
