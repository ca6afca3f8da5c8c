"""Payments, the outstanding and overdue invoices with reminders, the CSV export (business
support and officers), and the statement of an organisation's finance contact."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.calendar import london_date
from core.exceptions import DomainError
from core.models import Partnership
from core.permissions import PermissionMixin

from ..checks import is_overdue, overdue_block_for, overdue_from
from ..forms_payments import ExportForm, PaymentForm
from ..selectors import payments as selectors
from ..selectors import statements
from ..selectors.invoices import invoice_balance
from ..services.payments import invoice_reminder_send, payment_record

# Business support and officers -----------------------------------------------------------------


class PaymentCreateView(PermissionMixin, FormView):
    """Record a payment received for one invoice: part payments, never more than is owed."""

    permission_required = "charging.record_payment"
    template_name = "charging/payment_create.html"
    form_class = PaymentForm

    def dispatch(self, request, *args, **kwargs):
        self.invoice = None
        if request.user.is_authenticated:
            self.invoice = selectors.invoice_for_payment(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        if self.invoice is None:
            raise Http404("No invoice here.")
        self.balance = invoice_balance(self.invoice)
        kwargs = super().get_form_kwargs()
        kwargs.update(invoice=self.invoice, outstanding=self.balance.outstanding,
                      today=london_date(timezone.now()))
        return kwargs

    def get_initial(self):
        return {"received_on": london_date(timezone.now())}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(invoice=self.invoice, balance=self.balance,
                       payments=selectors.invoice_payments(self.invoice))
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            payment = payment_record(
                invoice=self.invoice, received_on=data["received_on"], amount=data["amount"],
                method=data["method"], reference=data["reference"], by=self.request.user,
                now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        balance = invoice_balance(self.invoice)
        if self.invoice.settled_at:
            messages.success(self.request, f"Payment of £{payment.amount:,.2f} recorded: invoice "
                                           f"{self.invoice.number} is now paid in full.")
        else:
            messages.success(self.request, f"Payment of £{payment.amount:,.2f} recorded: "
                                           f"£{balance.outstanding:,.2f} is still owed on invoice "
                                           f"{self.invoice.number}.")
        return redirect("charging:payment-create", pk=self.invoice.pk)


class InvoiceOutstandingListView(PermissionMixin, ListView):
    """Unpaid invoices, oldest first: what is owed, which are past their due date, and which
    stop the organisation booking; a reminder to the invoice contact from each row."""

    permission_required = "charging.view_invoice"
    template_name = "charging/payment_outstanding_list.html"
    paginate_by = 25
    FILTERS = {"": "All unpaid", "overdue": "Past their due date", "blocking": "Stopping bookings"}

    def get_queryset(self):
        self.today = london_date(timezone.now())
        self.months = Partnership.load().invoice_overdue_months
        self.show = self.request.GET.get("show", "")
        if self.show not in self.FILTERS:
            self.show = ""
        qs = selectors.invoices_outstanding(user=self.request.user, today=self.today,
                                            months=self.months,
                                            overdue_only=self.show == "overdue")
        if self.show == "blocking":
            qs = qs.filter(selectors.blocking_filter(today=self.today, months=self.months))
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for invoice in context["object_list"]:
            invoice.past_due = invoice.due_on < self.today
            invoice.blocking = is_overdue(issued_on=invoice.issued_on, months=self.months,
                                          today=self.today)
            invoice.blocked_from = overdue_from(issued_on=invoice.issued_on, months=self.months)
            invoice.reminded_today = bool(invoice.reminded_at
                                          and london_date(invoice.reminded_at) == self.today)
        context.update(today=self.today, months=self.months, show=self.show,
                       filters=self.FILTERS.items())
        return context


class InvoiceReminderView(PermissionMixin, View):
    """POST only: email the invoice contact a reminder (once a day at most)."""

    permission_required = "charging.record_payment"
    http_method_names = ["post"]

    def post(self, request, pk):
        invoice = selectors.invoice_for_payment(user=request.user, pk=pk)
        if invoice is None:
            raise Http404("No invoice here.")
        try:
            invoice_reminder_send(invoice=invoice, by=request.user, now=timezone.now())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            to = invoice.organisation.invoice_email or invoice.invoice_email
            messages.success(request, f"Reminder of invoice {invoice.number} sent to {to}.")
        return redirect(_back(request))


def _back(request):
    """Back to the list page the button was on (only our own list's address)."""
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    base = reverse("charging:payment-outstanding")
    if target.startswith(base) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return base


class PaymentExportView(PermissionMixin, FormView):
    """Invoices or payments as CSV for the council's finance system (a GET form: the file
    comes back when the form is filled in)."""

    permission_required = "charging.view_invoice"
    template_name = "charging/payment_export.html"
    form_class = ExportForm
    http_method_names = ["get", "head", "options"]  # a GET form: the file is a read

    def get_form_kwargs(self):
        kwargs = {"initial": {"what": "invoices"}, "prefix": None,
                  "today": london_date(timezone.now())}
        if "what" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_bound:
            if form.is_valid():
                return self.download(form.cleaned_data)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form))

    def download(self, data):
        user, start, end = self.request.user, data["date_from"], data["date_to"]
        if data["what"] == "payments":
            rows = selectors.payments_csv_rows(
                selectors.export_payments(user=user, date_from=start, date_to=end))
        else:
            rows = selectors.invoices_csv_rows(
                selectors.export_invoices(user=user, date_from=start, date_to=end))
        response = HttpResponse(selectors.csv_text(rows), content_type="text/csv; charset=utf-8")
        span = "-".join(d.isoformat() for d in (start, end) if d) or "all"
        response["Content-Disposition"] = f'attachment; filename="{data["what"]}-{span}.csv"'
        return response


# An organisation's finance contact: its own statement -------------------------------------------

class StatementMixin(PermissionMixin):
    """The finance contact of an organisation (accounts.manage_own_organisation_account) sees
    their own organisation's statement; someone with that permission but no organisation gets
    a page that says so."""

    permission_required = "accounts.manage_own_organisation_account"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.request.user.organisation
        context["statement_tab"] = self.statement_tab
        return context


class StatementView(StatementMixin, ListView):
    """Summary (what is owed, whether bookings are stopped) and the invoices."""

    template_name = "charging/statement_invoices.html"
    paginate_by = 25
    statement_tab = "invoices"

    def get_queryset(self):
        return statements.statement_invoices(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, now = self.request.user, timezone.now()
        context["totals"] = statements.statement_totals(user=user)
        context["overdue"] = overdue_block_for(organisation_id=user.organisation_id, now=now)
        return context


class StatementInvoiceView(StatementMixin, TemplateView):
    """One of the organisation's invoices: its lines, credit notes and payments."""

    template_name = "charging/statement_invoice.html"
    statement_tab = "invoices"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = statements.statement_invoice(user=self.request.user, pk=self.kwargs["pk"])
        if invoice is None:
            raise Http404("No invoice here.")
        context.update(invoice=invoice, balance=invoice_balance(invoice),
                       lines=list(invoice.lines.order_by("position", "id")),
                       credit_notes=list(invoice.credit_notes.order_by("issued_on", "number")),
                       payments=list(selectors.invoice_payments(invoice)))
        return context


class StatementInvoicePdfView(StatementMixin, View):
    def get(self, request, pk):
        invoice = statements.statement_invoice(user=request.user, pk=pk)
        if invoice is None:
            raise Http404("No invoice here.")
        return _pdf_response(statements.invoice_pdf_bytes(invoice), f"{invoice.number}.pdf")


class StatementCreditNotePdfView(StatementMixin, View):
    def get(self, request, pk):
        note = statements.statement_credit_note(user=request.user, pk=pk)
        if note is None:
            raise Http404("No credit note here.")
        return _pdf_response(statements.credit_note_pdf_bytes(note), f"{note.number}.pdf")


def _pdf_response(data, filename):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class StatementChargesView(StatementMixin, ListView):
    template_name = "charging/statement_charges.html"
    paginate_by = 25
    statement_tab = "charges"

    def get_queryset(self):
        return statements.statement_charges(user=self.request.user)


class StatementPaymentsView(StatementMixin, ListView):
    """Payments received for the organisation's invoices."""

    template_name = "charging/statement_payments.html"
    paginate_by = 25
    statement_tab = "payments"

    def get_queryset(self):
        return statements.statement_payments(user=self.request.user)


class StatementCreditNotesView(StatementMixin, ListView):
    """Credit notes reversing all or part of the organisation's invoices."""

    template_name = "charging/statement_credit_notes.html"
    paginate_by = 25
    statement_tab = "credit_notes"

    def get_queryset(self):
        return statements.statement_credit_notes(user=self.request.user)
