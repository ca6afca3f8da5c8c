"""Certificates: the public verification page (no login), a delegate's own PDF, and the
officers' list, issue by hand and revoke. Thin views: a selector scoped to the user fetches,
a form parses, one service writes."""

from functools import cached_property

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView

from accounts.models import User
from core.dates import day
from core.exceptions import DomainError
from core.forms_mixins import FieldMessagesMixin
from core.permissions import PermissionMixin, SignedInMixin

from ..pdf import certificate_pdf
from ..selectors import certificates as selectors
from ..services.certificates import certificate_issue_by_officer, certificate_revoke

# Forms ---------------------------------------------------------------------------------------


class CertificateVerifyForm(FieldMessagesMixin, forms.Form):
    code = forms.CharField(
        label="Verification code", max_length=40,
        help_text="The 12 letters and numbers printed under the QR code, for example "
                  "ABCD2345EFGH.",
        error_messages={"required": "Enter the verification code printed on the certificate."})

    def clean_code(self):
        code = selectors.certificate_code_clean(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(
                "Enter the verification code as it is printed on the certificate: "
                "12 letters and numbers.")
        return code


class CertificateSearchForm(FieldMessagesMixin, forms.Form):
    q = forms.CharField(label="Code, delegate or course", max_length=200, required=False)


class DelegateFindForm(FieldMessagesMixin, forms.Form):
    delegate = forms.EmailField(
        label="Delegate's email address", max_length=254,
        error_messages={"required": "Enter the email address of the delegate.",
                        "invalid": "Enter an email address like name@example.org."})

    def clean_delegate(self):
        email = self.cleaned_data["delegate"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError("No one has an account with that email address.")
        return user


class CertificateIssueForm(FieldMessagesMixin, forms.Form):
    training = forms.ChoiceField(
        label="Training the certificate is for", widget=forms.RadioSelect,
        error_messages={"required": "Choose the training the certificate is for.",
                        "invalid_choice": "Choose the training the certificate is for."})
    reason = forms.CharField(
        label="Why you are issuing it by hand", max_length=2000, widget=forms.Textarea(
            attrs={"rows": 3}),
        error_messages={"required": "Enter why you are issuing this certificate by hand."})

    def __init__(self, *args, bookings, completions, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {}
        choices = []
        for booking in bookings:
            key = f"b{booking.pk}"
            self.targets[key] = {"booking": booking}
            choices.append((key, f"{booking.event.course.title}, attended "
                                 f"{day(booking.event.start)}"))
        for completion in completions:
            key = f"c{completion.pk}"
            self.targets[key] = {"completion": completion}
            choices.append((key, f"{completion.course.title}, "
                                 f"{completion.get_source_display().lower()} "
                                 f"{day(completion.completed_on)}"))
        self.fields["training"].choices = choices

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you are issuing this certificate by hand.")
        return reason


class CertificateRevokeForm(FieldMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="Why you are revoking it", max_length=2000, widget=forms.Textarea(
            attrs={"rows": 3}),
        error_messages={"required": "Enter why you are revoking this certificate."})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you are revoking this certificate.")
        return reason


# Public verification -------------------------------------------------------------------------

# Failed lookups a visitor may make before waiting: enough for someone checking a few
# certificates by hand, far too few to guess 32^12 codes.
VERIFY_FAILURES_ALLOWED = 20
VERIFY_WINDOW_SECONDS = 3600


def _client_key(request):
    """Per visitor: behind the reverse proxy REMOTE_ADDR is the proxy's for everyone, so the
    address comes from allauth (ALLAUTH_TRUSTED_PROXY_COUNT, settings/production.py), never
    one budget for the whole site that anyone could spend."""
    try:
        address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        address = "unknown"
    return "certificate-verify-failures:" + address


class CertificateVerifyView(FormView):
    """Anyone (no login): type the code from a certificate. A GET form, so the address of the
    result can be shared; the code's own page says whether it is genuine."""

    template_name = "evaluations/certificate_verify.html"
    form_class = CertificateVerifyForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "code" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_bound and form.is_valid():
            return redirect("evaluations:certificate-verify-code",
                            code=form.cleaned_data["code"])
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})


class CertificateVerifyCodeView(View):
    """The public page of one code: a valid certificate's name, course and date, nothing
    more. A made-up, mistyped or revoked code gets the same "Certificate not found" (404).
    Failed lookups are counted per address: past VERIFY_FAILURES_ALLOWED in an hour, 429."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, code):
        key = _client_key(request)
        if (cache.get(key) or 0) >= VERIFY_FAILURES_ALLOWED:
            return render(request, "429.html", status=429)
        certificate = selectors.certificate_verified(code=code)
        if certificate is None:
            if cache.add(key, 1, VERIFY_WINDOW_SECONDS) is False:
                try:
                    cache.incr(key)
                except ValueError:  # expired in between
                    cache.set(key, 1, VERIFY_WINDOW_SECONDS)
            return render(request, "evaluations/certificate_not_found.html",
                          {"form": CertificateVerifyForm()}, status=404)
        return render(request, "evaluations/certificate_verified.html",
                      {"certificate": certificate})


# A delegate's own certificate ----------------------------------------------------------------


class CertificateDownloadView(SignedInMixin, View):
    """The PDF of the delegate's own certificate (officers: any). Another's code: 404."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, code):
        certificate = selectors.certificate_for_download(user=request.user, code=code)
        response = HttpResponse(certificate_pdf(certificate=certificate),
                                content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="certificate-{certificate.code}.pdf"')
        response["Cache-Control"] = "private, no-store"
        return response


# Officers ------------------------------------------------------------------------------------


class CertificateListView(PermissionMixin, ListView):
    """Every certificate issued, newest first; search by code, delegate or course."""

    permission_required = "evaluations.view_certificate"
    template_name = "evaluations/certificate_list.html"
    paginate_by = 25
    context_object_name = "certificates"

    @cached_property
    def search_form(self):
        return CertificateSearchForm(self.request.GET or None)

    def get_queryset(self):
        form = self.search_form
        query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
        return selectors.certificates_for_officers(user=self.request.user, query=query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(search_form=self.search_form,
                       query=self.request.GET.get("q", "").strip()[:200])
        return context


class CertificateIssueView(PermissionMixin, FormView):
    """Issue a certificate by hand, with a reason: find the delegate by email, choose the
    attended event or the training record line, say why."""

    permission_required = "evaluations.issue_certificate"
    template_name = "evaluations/certificate_issue.html"
    form_class = CertificateIssueForm

    @cached_property
    def find_form(self):
        return DelegateFindForm(self.request.GET if "delegate" in self.request.GET else None)

    @cached_property
    def delegate(self):
        form = self.find_form
        return form.cleaned_data["delegate"] if form.is_bound and form.is_valid() else None

    @cached_property
    def training(self):
        if self.delegate is None:
            return [], []
        return selectors.training_to_certify(delegate=self.delegate)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        bookings, completions = self.training
        kwargs.update(bookings=bookings, completions=completions)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(find_form=self.find_form, delegate=self.delegate)
        return context

    def post(self, request, *args, **kwargs):
        if self.delegate is None:
            return redirect("evaluations:certificate-issue")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        target = form.targets[form.cleaned_data["training"]]
        try:
            certificate = certificate_issue_by_officer(
                **target, by=self.request.user, reason=form.cleaned_data["reason"],
                now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Certificate {certificate.code} issued to "
                                       f"{certificate.delegate_name}; it is on its way by email.")
        return redirect(reverse("evaluations:certificate-list") + f"?q={certificate.code}")


class CertificateRevokeView(PermissionMixin, FormView):
    """Revoke a certificate, with a reason: its verification page then says "not found"."""

    permission_required = "evaluations.issue_certificate"
    template_name = "evaluations/certificate_revoke.html"
    form_class = CertificateRevokeForm

    @cached_property
    def certificate(self):
        return selectors.certificate_for_officer(user=self.request.user, code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["certificate"] = self.certificate
        return context

    def form_valid(self, form):
        try:
            certificate_revoke(certificate=self.certificate, by=self.request.user,
                               reason=form.cleaned_data["reason"], now=timezone.now())
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Certificate {self.certificate.code} revoked: its "
                                       "verification page now says it is not found.")
        return redirect(reverse("evaluations:certificate-list") + f"?q={self.certificate.code}")

