import logging

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView, UpdateView

from . import page_cache
from .forms import PartnershipForm
from .models import Partnership
from .permissions import PermissionMixin

logger = logging.getLogger(__name__)


@never_cache
def healthz_live(request):
    """Liveness, for a load balancer and the benchmark's floor: the process answers. No
    database, no template."""
    return HttpResponse("ok", content_type="text/plain")


# Past these, the health page adds a warning (it still answers 200: a backlog of email is no
# reason to take the web servers out of a load balancer).
SWEEP_LATE_SECONDS = 5 * 60  # the beat sweeps the outbox every minute
OUTBOX_LATE_SECONDS = 15 * 60


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


@never_cache
def healthz(request):
    """For operators and monitoring, as JSON: the database answers, and the outbox's oldest
    unsent email, its failed emails and the beat's last sweep. Three small queries."""
    from .outbox import outbox_health

    try:
        health = outbox_health(now=timezone.now())
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    warnings = []
    if health["beat_last_sweep_seconds_ago"] is None:
        warnings.append("Celery beat has never swept the outbox.")
    elif health["beat_last_sweep_seconds_ago"] > SWEEP_LATE_SECONDS:
        warnings.append("Celery beat has not swept the outbox for "
                        f"{_count(health['beat_last_sweep_seconds_ago'] // 60, 'minute')}.")
    if health["outbox_oldest_unsent_seconds"] > OUTBOX_LATE_SECONDS:
        warnings.append("An email has waited "
                        f"{_count(health['outbox_oldest_unsent_seconds'] // 60, 'minute')} "
                        "to be sent.")
    if health["outbox_failed"]:
        warnings.append(f"{_count(health['outbox_failed'], 'email')} failed: see Emails in "
                        "the management pages.")
    return JsonResponse({"status": "ok", "database": "ok", **health, "warnings": warnings})


class HomeView(page_cache.AnonymousPageCacheMixin, TemplateView):
    """The home page: for anonymous visitors the same page for everyone, cached until the
    partnership's details change (core.page_cache)."""

    template_name = "core/home.html"
    page_cache_name = "home"

    def page_cache_scopes(self):
        return [page_cache.SITE]


class PartnershipUpdateView(PermissionMixin, UpdateView):
    """Officers edit the partnership's details and policy numbers."""

    permission_required = "core.change_partnership"
    form_class = PartnershipForm
    template_name = "core/partnership_update.html"

    def get_object(self, queryset=None):
        return Partnership.load()

    def form_valid(self, form):
        from .services import partnership_update

        partnership_update(partnership=self.object, by=self.request.user, form=form)
        messages.success(self.request, "The partnership settings are saved.")
        return redirect("core:partnership-update")


def _audit_filtered(request):
    """The audit log's filter form and the entries it chooses (the page and the download)."""
    from .forms_audit import AuditFilterForm, audit_object_types
    from .selectors import audit_entries

    form = AuditFilterForm(request.GET or None, object_types=list(audit_object_types()))
    # The filters that make sense are used even when another is wrong (and says so).
    form.is_valid()
    filters = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    if "object_type" in filters:
        filters["object_type"] = int(filters["object_type"])
    return form, bool(filters), audit_entries(**filters)


class AuditEntryListView(PermissionMixin, ListView):
    permission_required = "core.view_auditentry"
    template_name = "core/auditentry_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.form, self.filtered, entries = _audit_filtered(self.request)
        return entries

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, filtered=self.filtered, **kwargs)


class AuditEntryExportView(PermissionMixin, View):
    """The entries the audit log's filters choose, as CSV or a spreadsheet (?format=csv or
    xlsx), streamed: a log of years is never held in memory (core.audit_export)."""

    permission_required = "core.view_auditentry"

    def get(self, request):
        from django.http import Http404

        from . import audit_export

        kind = request.GET.get("format", "csv")
        if kind not in ("csv", "xlsx"):
            raise Http404("Choose CSV or a spreadsheet (XLSX).")
        form, _, entries = _audit_filtered(request)
        filename = f"audit-log-{timezone.localdate():%Y-%m-%d}"
        # The log names everyone: who took a copy, and of what, is itself on the record.
        from .audit import audit_record

        record = audit_record(actor=request.user, action="audit.export", details={
            "format": kind, "filters": {key: str(value) for key, value
                                        in getattr(form, "cleaned_data", {}).items() if value}})
        entries = entries.exclude(pk=record.pk)
        if kind == "xlsx":
            return audit_export.xlsx_response(entries, filename=filename)
        return audit_export.csv_response(entries, filename=filename)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors that could fail again: the page stands on its own.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())


class OutgoingEmailListView(PermissionMixin, ListView):
    """The outbox: every email the site owes or has sent, with failed ones to send again."""

    permission_required = "core.view_outgoingemail"
    template_name = "core/outgoingemail_list.html"
    paginate_by = 50

    def get_queryset(self):
        from .forms_outbox import OutgoingEmailFilterForm
        from .selectors import outgoing_emails

        self.form = OutgoingEmailFilterForm(self.request.GET or None)
        filters = self.form.cleaned_data if self.form.is_valid() else {}
        if not self.may_see_addresses():
            filters = {**filters, "recipient": ""}
        return outgoing_emails(**filters)

    def may_see_addresses(self):
        return self.request.user.has_perm("accounts.view_user")

    def get_context_data(self, **kwargs):
        from .selectors import outgoing_email_counts

        ctx = super().get_context_data(
            form=self.form, counts=outgoing_email_counts(),
            may_see_addresses=self.may_see_addresses(), **kwargs)
        if not ctx["may_see_addresses"]:
            for email in ctx["object_list"]:
                _addresses_hide(email)
        return ctx


def _addresses_hide(email):
    """For a role that may see that an email went but not to whom (business support): the
    addresses in its subject and in the mail server's answer are masked too (shown only,
    never saved)."""
    from .templatetags.partnership import addresses_masked

    email.subject = addresses_masked(email.subject)
    email.last_error = addresses_masked(email.last_error)
    return email


class OutgoingEmailDetailView(PermissionMixin, DetailView):
    permission_required = "core.view_outgoingemail"
    template_name = "core/outgoingemail_detail.html"
    context_object_name = "email"

    def get_queryset(self):
        from .selectors import outgoing_emails

        return outgoing_emails()

    def get_context_data(self, **kwargs):
        may_see_addresses = self.request.user.has_perm("accounts.view_user")
        # allauth's emails (accounts.adapters: purpose "account:...") carry a password reset
        # or confirmation link: whoever read it could take over the account, a site
        # administrator's too, which officers may never touch. Their words are never shown.
        carries_key = _carries_key(self.object.purpose)
        if not may_see_addresses:
            _addresses_hide(self.object)
        return super().get_context_data(
            may_see_addresses=may_see_addresses, carries_key=carries_key,
            may_read=may_see_addresses and not carries_key, **kwargs)


def _carries_key(purpose):
    """allauth's emails (sign in, confirm an address, reset a password) and the line manager's
    approval request (bookings.emails, ``booking:<uid>:approval_requested:<n>``: its signed
    link agrees to the training as the line manager, without an account) carry a key to act
    as the person they are sent to; so do a newsletter's signed opt-out link and a colleague's
    invitation to take over a place."""
    return (purpose.startswith(("account:", "newsletter:"))
            or any(kind in purpose for kind in (":approval_requested:",
                                                 ":substitution_invitation:")))


class OutgoingEmailResendView(PermissionMixin, View):
    """POST: a failed email goes back to the queue (officers)."""

    permission_required = "core.change_outgoingemail"

    def post(self, request, pk):
        from django.shortcuts import get_object_or_404
        from django.utils import timezone

        from .exceptions import DomainError
        from .outbox import outgoing_email_resend
        from .selectors import outgoing_emails

        email = get_object_or_404(outgoing_emails(), pk=pk)
        try:
            outgoing_email_resend(email=email, by=request.user, now=timezone.now())
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The email is queued to be sent again.")
        return redirect("core:outgoingemail-detail", pk=email.pk)
