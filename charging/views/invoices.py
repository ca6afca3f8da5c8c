"""Invoicing pages (issue 10), for business support and L&D officers: preview and run the
invoicing batch, the batches run so far, invoices (list, detail, PDF) and credit notes
(issue, PDF). Thin views: a form, one service, a DomainError becomes a message on the form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.exceptions import DomainError
from core.permissions import PermissionMixin

from ..forms_invoices import CreditNoteForm, InvoiceBatchForm, InvoiceFilterForm
from ..models import CreditNote, Payment
from ..pdf import credit_note_pdf, invoice_pdf
from ..selectors import invoices as selectors
from ..services.credit_notes import credit_note_issue
from ..services.invoices import invoice_batch_preview, invoice_batch_run


def _invoice_or_404(*, user, pk):
    invoice = selectors.invoice_detail(user=user, pk=pk)
    if invoice is None:
        raise Http404("No invoice here.")
    return invoice


def _paged(request, items, per_page):
    """One page of `items` (a list or queryset) for includes/pagination.html: page_obj,
    paginator and is_paginated, as a ListView gives. A bad page number shows the nearest."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    return {"page_obj": page, "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1}


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class InvoiceBatchView(PermissionMixin, FormView):
    """Choose the last day of charges, preview each organisation's invoice (nothing is saved),
    then issue them all. The preview is a GET (?up_to=...); issuing is a POST."""

    permission_required = "charging.issue_invoice"
    template_name = "charging/batch_form.html"
    form_class = InvoiceBatchForm
    organisations_per_page = 25

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET" and "up_to" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get_initial(self):
        return {"up_to": timezone.localdate()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        if self.request.method == "GET" and form.is_bound and form.is_valid():
            preview = invoice_batch_preview(up_to=form.cleaned_data["up_to"],
                                            now=timezone.now())
            # The totals are the whole batch's; the organisations are shown a page at a time.
            ctx.update(preview=preview, **_paged(self.request, preview.invoices,
                                                 self.organisations_per_page))
        ctx["last_batch"] = selectors.batch_list(user=self.request.user).first()
        return ctx

    def form_valid(self, form):
        if self.request.method == "GET":
            return self.render_to_response(self.get_context_data(form=form))
        try:
            batch = invoice_batch_run(up_to=form.cleaned_data["up_to"], by=self.request.user,
                                      now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{batch.invoice_count} invoice"
                         f"{'' if batch.invoice_count == 1 else 's'} issued, "
                         f"£{batch.total:,.2f} in all.")
        return redirect("charging:invoice-batch-detail", pk=batch.pk)

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_bound:
            return self.form_valid(form) if form.is_valid() else self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form))


class InvoiceBatchListView(PermissionMixin, ListView):
    permission_required = "charging.view_invoice"
    template_name = "charging/batch_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.batch_list(user=self.request.user)


class InvoiceBatchDetailView(PermissionMixin, TemplateView):
    """One run: its invoices, and to whom each was emailed (or that nobody could be)."""

    permission_required = "charging.view_invoice"
    template_name = "charging/batch_detail.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = selectors.batch_detail(user=self.request.user, pk=kwargs["pk"])
        if batch is None:
            raise Http404("No invoicing run here.")
        # Whom each invoice went to is read for the whole run (one query), so the warning
        # lists every invoice nobody received; the table shows a page of them.
        invoices = list(batch.invoices.only("pk", "number", "organisation_name", "total")
                        .order_by("number"))
        emailed = selectors.invoice_emails([i.number for i in invoices])
        for invoice in invoices:
            invoice.emailed_to = emailed[invoice.number]
        paged = _paged(self.request, invoices, self.paginate_by)
        ctx.update(batch=batch, invoices=paged["page_obj"].object_list,
                   not_emailed=[i for i in invoices if not i.emailed_to], **paged)
        return ctx


class InvoiceListView(PermissionMixin, ListView):
    permission_required = "charging.view_invoice"
    template_name = "charging/invoice_list.html"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = InvoiceFilterForm(self.request.GET or None)
        filters = {}
        if self.filter_form.is_bound and self.filter_form.is_valid():
            filters = {"organisation": self.filter_form.cleaned_data["organisation"],
                       "state": self.filter_form.cleaned_data["state"]}
        self.today = timezone.localdate()
        return selectors.invoice_list(user=self.request.user, today=self.today, **filters)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter_form": self.filter_form,
                "today": self.today}


class InvoiceDetailView(PermissionMixin, TemplateView):
    """An invoice as issued: its lines (with what credit notes took off each), its credit
    notes and payments, and the balance."""

    permission_required = "charging.view_invoice"
    template_name = "charging/invoice_detail.html"
    lines_per_page = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        invoice = _invoice_or_404(user=self.request.user, pk=kwargs["pk"])
        ctx.update(
            invoice=invoice,
            **_paged(self.request, selectors.invoice_lines_with_credit(invoice),
                     self.lines_per_page),
            credit_notes=list(CreditNote.objects.filter(invoice=invoice)
                              .select_related("created_by").order_by("issued_on", "number")),
            payments=list(Payment.objects.filter(invoice=invoice)
                          .select_related("recorded_by").order_by("received_on", "id")),
            balance=selectors.invoice_balance(invoice), today=timezone.localdate(),
        )
        ctx["lines"] = ctx["page_obj"].object_list
        return ctx


class InvoicePdfView(PermissionMixin, View):
    permission_required = "charging.view_invoice"

    def get(self, request, pk):
        invoice = _invoice_or_404(user=request.user, pk=pk)
        return _pdf_response(invoice_pdf(invoice=invoice), f"{invoice.number}.pdf")


class CreditNotePdfView(PermissionMixin, View):
    permission_required = "charging.view_invoice"

    def get(self, request, pk):
        note = (selectors.credit_notes_visible_to(user=request.user)
                .select_related("invoice").filter(pk=pk).first())
        if note is None:
            raise Http404("No credit note here.")
        return _pdf_response(credit_note_pdf(credit_note=note), f"{note.number}.pdf")


class CreditNoteCreateView(PermissionMixin, FormView):
    """Reverse all or part of some lines of one invoice, with a reason."""

    permission_required = "charging.issue_invoice"
    template_name = "charging/credit_note_form.html"
    form_class = CreditNoteForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.invoice = _invoice_or_404(user=request.user, pk=kwargs["pk"])
            self.lines = selectors.invoice_lines_with_credit(self.invoice)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "lines": self.lines}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invoice": self.invoice,
                "balance": selectors.invoice_balance(self.invoice)}

    def form_valid(self, form):
        try:
            note = credit_note_issue(invoice=self.invoice, lines=form.cleaned_data["amounts"],
                                     reason=form.cleaned_data["reason"], by=self.request.user,
                                     now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Credit note {note.number} issued: £{note.total:,.2f} "
                         f"off invoice {self.invoice.number}.")
        return redirect("charging:invoice-detail", pk=self.invoice.pk)
