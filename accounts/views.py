from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, ListView, TemplateView

from core.exceptions import DomainError
from core.home import home_sections
from core.permissions import AnyPermissionMixin, PermissionMixin, SignedInMixin

from . import selectors, services
from .forms import (
    MembershipRequestDecisionForm,
    OrganisationBillingForm,
    OrganisationDomainsForm,
    OrganisationRequestDecisionForm,
    ProfileForm,
)
from .models import OrganisationRequest
from .roles import user_roles


class DashboardView(SignedInMixin, TemplateView):
    """Where a signed-in person starts: the tasks waiting for each role they hold (a count
    and a link each), then everything their roles let them do."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["roles"] = sorted(user_roles(self.request.user), key=lambda r: r.label)
        # The tasks of each role the person holds (core.home: each app registers its own).
        ctx["home_sections"] = home_sections(user=self.request.user, now=timezone.now())
        ctx["pending_request"] = self.request.user.organisation_requests.filter(
            status=OrganisationRequest.Status.PENDING
        ).first()
        ctx["pending_membership"] = selectors.membership_request_pending_of(
            user=self.request.user)
        ctx["membership_requests_waiting"] = (
            selectors.membership_requests_for(user=self.request.user).count()
            if _may_decide_membership(self.request.user) else None)
        return ctx


def _may_decide_membership(user):
    return any(user.has_perm(p) for p in MEMBERSHIP_PERMISSIONS)


MEMBERSHIP_PERMISSIONS = ("accounts.decide_membership",
                          "accounts.decide_own_organisation_membership")


class ProfileView(SignedInMixin, FormView):
    form_class = ProfileForm
    template_name = "accounts/profile_update.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["organisations"] = selectors.organisations_for_choice()
        ctx["pending_request"] = self.request.user.organisation_requests.filter(
            status=OrganisationRequest.Status.PENDING
        ).first()
        ctx["pending_membership"] = selectors.membership_request_pending_of(
            user=self.request.user)
        return ctx

    def form_valid(self, form):
        try:
            user, request, membership = services.profile_update(
                user=self.request.user, data=form.cleaned_data, now=timezone.now())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        if request:
            messages.info(
                self.request,
                f"Your profile is saved. We have asked the training team to add “{request.name}”; "
                "we will email you when they have.",
            )
        elif membership:
            stay = (f"Until then you stay with {user.organisation.name}." if user.organisation
                    else "Until then you cannot book training.")
            messages.info(
                self.request,
                f"Your profile is saved. You have asked to join {membership.organisation.name}: "
                f"its safeguarding lead or the training team must approve this, and we will "
                f"email you when they have decided. {stay}",
            )
        else:
            messages.success(self.request, "Your profile is saved.")
        # "Complete your profile" from an event page comes back to the event (a safe `next`
        # only: a path on this site, never another host).
        back = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if back and url_has_allowed_host_and_scheme(
                back, allowed_hosts={self.request.get_host()},
                require_https=self.request.is_secure()):
            return redirect(back)
        return redirect("accounts:dashboard")


class OrganisationRequestListView(PermissionMixin, ListView):
    permission_required = "accounts.approve_organisation"
    template_name = "accounts/organisationrequest_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.organisation_requests_pending()


class OrganisationRequestDecideView(PermissionMixin, FormView):
    permission_required = "accounts.approve_organisation"
    form_class = OrganisationRequestDecisionForm
    template_name = "accounts/organisationrequest_decide.html"

    def dispatch(self, request, *args, **kwargs):
        self.request_obj = None
        if request.user.has_perm(self.permission_required):
            self.request_obj = get_object_or_404(
                OrganisationRequest.objects.select_related("requested_by__organisation"),
                pk=kwargs["pk"],
            )
            if self.request_obj.status != OrganisationRequest.Status.PENDING:
                # Another officer decided it first: say so rather than "page not found".
                messages.info(request, f"The request for “{self.request_obj.name}” was already "
                                       f"{self.request_obj.get_status_display().lower()}.")
                return redirect("accounts:organisationrequest-list")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"name": self.request_obj.name, "sector": self.request_obj.sector,
                "decision": "approve"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["request_obj"] = self.request_obj
        return ctx

    def form_valid(self, form):
        try:
            req = services.organisation_request_decide(
                organisation_request=self.request_obj, by=self.request.user,
                now=timezone.now(), **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"“{req.name}” is {req.get_status_display().lower()}; "
                                       f"{req.requested_by} has been emailed.")
        return redirect("accounts:organisationrequest-list")


class OrganisationDirectoryView(PermissionMixin, ListView):
    """Business support and officers: every organisation with its sector and billing contact."""

    permission_required = "accounts.view_organisation"
    template_name = "accounts/organisation_list.html"
    paginate_by = 50

    def get_queryset(self):
        # A NUL byte cannot go to PostgreSQL in a text value (a 500): drop it.
        search = self.request.GET.get("q", "").replace("\x00", "").strip()
        return selectors.organisations_directory(search=search)


class OrganisationStaffView(PermissionMixin, ListView):
    """A safeguarding lead sees the delegates of their own organisation only."""

    permission_required = "accounts.view_own_organisation_staff"
    template_name = "accounts/organisation_staff.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.staff_of_organisation(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        # Their own organisation's requests only (an officer's count would be everyone's).
        ctx["membership_requests_waiting"] = (
            selectors.membership_requests_for(user=user)
            .filter(organisation_id=user.organisation_id).count()
            if user.organisation_id and _may_decide_membership(user) else 0)
        return ctx


class OrganisationAccountView(PermissionMixin, FormView):
    """A finance contact keeps their own organisation's billing details right."""

    permission_required = "accounts.manage_own_organisation_account"
    form_class = OrganisationBillingForm
    template_name = "accounts/organisation_account.html"

    def get_form_kwargs(self):
        organisation = self.request.user.organisation
        if organisation is None:
            raise PermissionDenied("You are not linked to an organisation.")
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = organisation
        return kwargs

    def form_valid(self, form):
        services.organisation_billing_update(
            organisation=form.instance, by=self.request.user, data=form.cleaned_data
        )
        messages.success(self.request, "Your organisation's billing details are saved.")
        return redirect("accounts:organisation-account")


# Requests to join an organisation: its safeguarding lead (own organisation) or an officer --------

class MembershipRequestListView(AnyPermissionMixin, ListView):
    """The requests to join an organisation waiting for the person's decision: a safeguarding
    lead sees those to their own organisation, an officer every one."""

    permission_required = MEMBERSHIP_PERMISSIONS
    template_name = "accounts/membershiprequest_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.membership_requests_queue(user=self.request.user)


class MembershipRequestDecideView(AnyPermissionMixin, FormView):
    permission_required = MEMBERSHIP_PERMISSIONS
    form_class = MembershipRequestDecisionForm
    template_name = "accounts/membershiprequest_decide.html"

    def dispatch(self, request, *args, **kwargs):
        if self.has_permission():
            # Scoped to the user: another organisation's request is a 404.
            self.request_obj = (
                selectors.membership_requests_for(user=request.user, pending_only=False)
                .select_related("user", "organisation", "from_organisation", "decided_by")
                .filter(pk=kwargs["pk"]).first())
            if self.request_obj is None:
                raise Http404("No request here")
            if self.request_obj.status != self.request_obj.Status.PENDING:
                # Someone else decided it first (or the delegate withdrew it): say so.
                messages.info(request, f"The request from {self.request_obj.user} to join "
                                       f"{self.request_obj.organisation.name} was already "
                                       f"{self.request_obj.get_status_display().lower()}.")
                return redirect("accounts:membershiprequest-list")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["request_obj"] = self.request_obj
        return ctx

    def form_valid(self, form):
        try:
            req = services.membership_request_decide(
                membership_request=self.request_obj, by=self.request.user, now=timezone.now(),
                decision=form.cleaned_data["decision"], note=form.cleaned_data["note"])
        except DomainError as exc:
            if exc.code == "decided":
                messages.info(self.request, exc.message)
                return redirect("accounts:membershiprequest-list")
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        verb = "joins" if req.status == req.Status.APPROVED else "does not join"
        messages.success(self.request, f"{req.user} {verb} {req.organisation.name}; they have "
                                       "been emailed.")
        return redirect("accounts:membershiprequest-list")


class OrganisationDomainsView(PermissionMixin, FormView):
    """An L&D officer keeps an organisation's email domains."""

    permission_required = "accounts.change_organisationdomain"
    form_class = OrganisationDomainsForm
    template_name = "accounts/organisation_domains.html"

    def dispatch(self, request, *args, **kwargs):
        if self.has_permission():
            self.organisation = selectors.organisation_for_domains(pk=kwargs["pk"])
            if self.organisation is None:
                raise Http404("No organisation here")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"domains": "\n".join(d.domain for d in self.organisation.domains.all())}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["organisation"] = self.organisation
        return ctx

    def form_valid(self, form):
        try:
            services.organisation_domains_set(organisation=self.organisation,
                                              domains=form.cleaned_data["domains"],
                                              by=self.request.user)
        except DomainError as exc:
            form.add_error("domains", exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.organisation.name}'s email domains are saved.")
        return redirect("accounts:organisation-list")
