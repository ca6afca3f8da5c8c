"""An annual report's narrative and its issue (officers, reports.issue_report): write the
narrative while the report is ready and not yet issued, then issue it after a confirmation.
Thin views: reports.issue reads the report scoped to the person and does the one write."""

from functools import cached_property

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from core.exceptions import DomainError
from core.permissions import PermissionMixin

from ..forms_narrative import IssueForm, NarrativeForm
from ..issue import (
    NARRATIVE_MAX_CHARS,
    narrative_problem,
    narrative_save,
    report_for_narrative,
    report_issue,
)


class _AnnualReportMixin(PermissionMixin):
    permission_required = "reports.issue_report"

    @cached_property
    def report(self):
        return report_for_narrative(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(report=self.report, problem=narrative_problem(self.report),
                       max_chars=NARRATIVE_MAX_CHARS,
                       report_url=reverse("reports:report-detail",
                                          kwargs={"pk": self.report.pk}))
        return context

    def _refused(self, form, error):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return self.form_invalid(form)


class ReportNarrativeView(_AnnualReportMixin, FormView):
    """Write (or change) the narrative of an annual report that is ready and not issued."""

    template_name = "reports/report_narrative.html"
    form_class = NarrativeForm

    def get_initial(self):
        return {"narrative": self.report.narrative}

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        problem = narrative_problem(self.report)
        if problem:  # issued, or not ready: nothing is saved, and the page says why
            form.is_valid()
            form.add_error(None, problem)
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            narrative_save(report=self.report, by=self.request.user,
                           text=form.cleaned_data["narrative"], now=timezone.now())
        except DomainError as error:
            return self._refused(form, error)
        messages.success(self.request, "Narrative saved. Issue the report when it is ready "
                                       "for the Executive Board.")
        return redirect("reports:report-issue", pk=self.report.pk)


class ReportIssueView(_AnnualReportMixin, FormView):
    """Confirm, then issue: the PDF is drawn again with the narrative, and the narrative can
    no longer be changed."""

    template_name = "reports/report_issue.html"
    form_class = IssueForm

    def form_valid(self, form):
        try:
            report_issue(report=self.report, by=self.request.user, now=timezone.now())
        except DomainError as error:
            return self._refused(form, error)
        messages.success(self.request, "Report issued. Its PDF now includes the narrative, "
                                       "which can no longer be changed.")
        return redirect("reports:report-detail", pk=self.report.pk)
