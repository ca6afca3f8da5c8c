from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from core.permissions import PermissionMixin

from .. import selectors, services
from ..charts import long_table_chart_svg
from ..formats import cell_of, shown_columns, threshold_of
from ..models import ReportStatus
from ..tables import COUNT, MONEY, RATE, SCORE, display

NUMERIC = {COUNT, RATE, MONEY, SCORE}
WAITING = (ReportStatus.QUEUED, ReportStatus.RUNNING)
# A table of more rows than this is shown a page of rows at a time (?table=<key>&page=2),
# with links to the other pages and its CSV; its chart draws its largest rows only.
PAGE_ROWS = 50


def _cells(row, columns, threshold):
    return [{"text": display(cell_of(row, c), c.get("kind", COUNT), threshold),
             "numeric": c.get("kind", COUNT) in NUMERIC} for c in columns]


def _page_number(value):
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def _rows_page(rows, key, paged_key, page_number):
    """The rows of a table to show and, for a long table, where they sit among the rest
    ("Rows 51 to 100 of 2,087") with links to the pages before and after. Only the table the
    request names (paged_key) shows a page other than the first."""
    count = len(rows)
    if count <= PAGE_ROWS:
        return rows, None
    pages = -(-count // PAGE_ROWS)
    number = min(page_number, pages) if key == paged_key else 1
    first = (number - 1) * PAGE_ROWS

    def link(n):
        return f"?{urlencode({'table': key, 'page': n})}#table-{key}"

    return rows[first:first + PAGE_ROWS], {
        "number": f"{number:,}", "pages": f"{pages:,}", "count": f"{count:,}",
        "first": f"{first + 1:,}", "last": f"{min(first + PAGE_ROWS, count):,}",
        "previous_url": link(number - 1) if number > 1 else None,
        "next_url": link(number + 1) if number < pages else None,
    }


def report_page(report, *, table=None, page=1):
    """The report's parts, sections and tables ready for the page: every figure in words
    (tables.display), compared columns beside theirs, a chart where the table asks for one.
    A table of more than PAGE_ROWS rows shows one page of them (the first, or page `page` of
    the table whose key is `table`). Drawn only from report.data: no query, whatever the
    size of the data."""
    data = report.data or {}
    threshold = threshold_of(data)
    comparisons = data.get("comparisons", [])
    parts = []
    for part in data.get("parts", []):
        sections = []
        for section in part.get("sections", []):
            tables = []
            for tbl in section.get("tables", []):
                columns = shown_columns(tbl, comparisons)
                rows, pager = _rows_page(tbl.get("rows", []), tbl["key"], table,
                                         _page_number(page))
                tables.append({
                    "key": tbl["key"], "title": tbl.get("title", ""),
                    "description": tbl.get("description", ""),
                    "row_header": tbl.get("row_header", ""),
                    "columns": [{"label": c["label"], "numeric": c.get("kind", COUNT) in NUMERIC}
                                for c in columns],
                    "rows": [{"label": r.get("label", ""), "cells": _cells(r, columns, threshold)}
                             for r in rows],
                    "pager": pager,
                    "total": ({"label": tbl["total"].get("label", "Total"),
                               "cells": _cells(tbl["total"], columns, threshold)}
                              if tbl.get("total") else None),
                    "notes": tbl.get("notes", []),
                    "chart": long_table_chart_svg(tbl, threshold=threshold,
                                                  chart_id=f"chart-{tbl['key']}"),
                    "csv_url": reverse("reports:report-table-csv",
                                       kwargs={"pk": report.pk, "key": tbl["key"]}),
                })
            sections.append({"key": section.get("key", ""), "title": section.get("title", ""),
                             "tables": tables})
        parts.append({"key": part.get("key", ""), "title": part.get("title", ""),
                      "sections": sections})
    return {"title": data.get("title", ""), "period": data.get("period", {}),
            "comparisons": comparisons, "threshold": threshold, "parts": parts,
            "notes": data.get("notes", [])}


class ReportDetailView(PermissionMixin, DetailView):
    """A report's page: while it is being prepared, its progress (polled by htmx, with a
    Refresh link without JavaScript); when it failed, why and "Try again"; when ready, every
    table with its chart and the downloads."""

    permission_required = "reports.view_report"
    template_name = "reports/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return selectors.reports_visible_to(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report = self.object
        ctx["waiting"] = report.status in WAITING
        ctx["can_request"] = self.request.user.has_perm("reports.request_report")
        if report.is_ready:
            ctx["page"] = report_page(report, table=self.request.GET.get("table"),
                                      page=self.request.GET.get("page"))
        return ctx


class ReportProgressView(PermissionMixin, View):
    """The small fragment the report page polls while the report is being prepared. When it
    is ready (or failed), htmx is told to reload the whole page (HX-Refresh)."""

    permission_required = "reports.view_report"

    def get(self, request, pk):
        report = selectors.report_progress_for(user=request.user, pk=pk)
        if report is None:
            raise Http404("No such report.")
        if request.headers.get("HX-Request") and report.status not in WAITING:
            response = HttpResponse(status=200)
            response["HX-Refresh"] = "true"
            return response
        return TemplateResponse(request, "reports/includes/report_progress.html",
                                {"report": report, "waiting": report.status in WAITING})


class ReportRetryView(PermissionMixin, View):
    """"Try again" on a report that could not be produced."""

    permission_required = ("reports.view_report", "reports.request_report")

    def post(self, request, pk):
        report = get_object_or_404(selectors.reports_visible_to(user=request.user), pk=pk)
        if report.status == ReportStatus.FAILED:
            services.report_retry(report=report, by=request.user, now=timezone.now())
            messages.success(request, "The report is being prepared again.")
        return redirect("reports:report-detail", pk=report.pk)
