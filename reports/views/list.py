from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import ListView

from core.exceptions import DomainError
from core.models import Partnership
from core.permissions import PermissionMixin

from .. import selectors, services
from ..forms import ReportRequestForm


class ReportListView(PermissionMixin, ListView):
    """LOD Group members and officers: the reports produced and being prepared, headline
    figures today, and (reports.request_report) the form to ask for a report."""

    permission_required = "reports.view_report"
    template_name = "reports/report_list.html"
    paginate_by = 20
    form = None

    def get_queryset(self):
        return selectors.report_list_for(user=self.request.user)

    def can_request(self):
        return self.request.user.has_perm("reports.request_report")

    def get_form(self, data=None):
        now = timezone.now()
        return ReportRequestForm(
            data, today=timezone.localdate(now),
            fy_start_month=Partnership.load().financial_year_start_month)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = selectors.headline_figures()
        if self.can_request():
            ctx["form"] = self.form or self.get_form()
        return ctx

    def post(self, request, *args, **kwargs):
        if not self.can_request():
            raise PermissionDenied
        self.form = form = self.get_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.request_report(
                    user=request.user, kind=data["kind"], start=data["period_start"],
                    end=data["period_end"], now=timezone.now())
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"{report.get_kind_display()}, "
                                          f"{form.period_label}: it is being prepared.")
                return redirect("reports:report-detail", pk=report.pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(), status=200)
