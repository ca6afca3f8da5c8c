"""The Training Checklist (officers) and the organisation view (a safeguarding lead's own
organisation; an officer picks any). Thin: selectors read, services write."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.calendar import london_date
from core.exceptions import DomainError
from core.exports import FORMATS, export_response
from core.permissions import AnyPermissionMixin, PermissionMixin

from . import exports, selectors, services
from .forms import OrganisationFilterForm, RequirementForm, StaffGroupForm
from .policies import DELEGATE_STATUS_LABELS, DelegateStatus

CHECKLIST_PAGE_SIZE = 50
DELEGATES_PAGE_SIZE = 25


def _refused(form, exc):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# The Training Checklist (officers) ------------------------------------------------------------

class ChecklistListView(PermissionMixin, TemplateView):
    permission_required = "reports.view_checklistrequirement"
    template_name = "reports/checklist/checklist_list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.checklist_requirements(), CHECKLIST_PAGE_SIZE).get_page(
            self.request.GET.get("page"))
        groups = []
        for requirement in page.object_list:
            if not groups or groups[-1]["value"] != requirement.staff_group:
                groups.append({"value": requirement.staff_group,
                               "label": requirement.get_staff_group_display(), "rows": []})
            groups[-1]["rows"].append((requirement, selectors.rule_of(requirement)))
        return super().get_context_data(page_obj=page, paginator=page.paginator,
                                        is_paginated=page.has_other_pages(), groups=groups,
                                        **kwargs)


class _RequirementMixin:
    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.requirement = selectors.requirement_for_officer(user=request.user,
                                                             pk=kwargs["pk"])
        if self.requirement is None:
            raise Http404("No such requirement.")
        return super().dispatch(request, *args, **kwargs)


FORM_TEMPLATE = "reports/checklist/requirement_form.html"


class RequirementCreateView(PermissionMixin, View):
    permission_required = "reports.add_checklistrequirement"

    def get(self, request):
        initial = {"staff_group": request.GET.get("staff_group", "")}
        return render(request, FORM_TEMPLATE, {"form": RequirementForm(initial=initial)})

    def post(self, request):
        form = RequirementForm(request.POST)
        if form.is_valid():
            try:
                requirement = services.requirement_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"The requirement is added: {requirement}.")
                return redirect(reverse("reports:checklist-list") + f"#{requirement.staff_group}")
        return render(request, FORM_TEMPLATE, {"form": form})


class RequirementUpdateView(PermissionMixin, _RequirementMixin, View):
    permission_required = "reports.change_checklistrequirement"

    def get(self, request, pk):
        r = self.requirement
        form = RequirementForm(initial={"staff_group": r.staff_group, "course": r.course_id,
                                        "level": r.level, "audience": r.audience,
                                        "note": r.note}, current_course_id=r.course_id)
        return render(request, FORM_TEMPLATE, {"form": form, "requirement": r})

    def post(self, request, pk):
        form = RequirementForm(request.POST, current_course_id=self.requirement.course_id)
        if form.is_valid():
            try:
                requirement = services.requirement_update(
                    requirement=self.requirement, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"The requirement is saved: {requirement}.")
                return redirect(reverse("reports:checklist-list") + f"#{requirement.staff_group}")
        return render(request, FORM_TEMPLATE, {"form": form, "requirement": self.requirement})


class RequirementDeleteView(PermissionMixin, _RequirementMixin, View):
    permission_required = "reports.delete_checklistrequirement"

    def get(self, request, pk):
        return render(request, "reports/checklist/requirement_confirm_delete.html",
                      {"requirement": self.requirement})

    def post(self, request, pk):
        words = str(self.requirement)
        services.requirement_delete(requirement=self.requirement, by=request.user)
        messages.success(request, f"The requirement is deleted: {words}.")
        return redirect("reports:checklist-list")


# The organisation view -------------------------------------------------------------------------

class _OrganisationMixin(AnyPermissionMixin):
    """A safeguarding lead's own organisation, whatever the address names (?organisation= is
    an officer's choice only); an officer's chosen one."""

    permission_required = (selectors.LEAD_PERMISSION, selectors.OFFICER_PERMISSION)

    def load(self, request):
        user = request.user
        self.may_pick = selectors.may_pick_organisation(user)
        self.form = OrganisationFilterForm(
            request.GET or None,
            organisations=selectors.organisations_to_pick(user) if self.may_pick else None)
        valid = self.form.is_valid() if request.GET else True
        data = self.form.cleaned_data if request.GET and valid else {}
        if self.may_pick:
            # The one chosen; until they choose, their own (if they have one).
            chosen = data.get("organisation") if valid else None
            pk = chosen.pk if chosen else (user.organisation_id if valid else None)
            self.organisation = selectors.organisation_for(user=user, pk=pk)
            if self.organisation is not None and not request.GET.get("organisation"):
                self.form.initial["organisation"] = self.organisation.pk
        else:
            self.organisation = selectors.organisation_for(user=user)
        self.staff_group = data.get("staff_group", "")
        self.status = data.get("status", "")
        self.today = london_date(timezone.now())
        self.training = (selectors.organisation_training(
            organisation=self.organisation, today=self.today, staff_group=self.staff_group,
            status=self.status) if self.organisation is not None and valid else None)


class OrganisationTrainingView(_OrganisationMixin, TemplateView):
    template_name = "reports/organisation/training.html"

    def get(self, request, *args, **kwargs):
        self.load(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(form=self.form, may_pick=self.may_pick,
                                       organisation=self.organisation, training=self.training,
                                       today=self.today, **kwargs)
        if self.training is not None:
            page = Paginator(self.training.rows, DELEGATES_PAGE_SIZE).get_page(
                self.request.GET.get("page"))
            counts = self.training.counts
            ctx.update(
                page_obj=page, paginator=page.paginator, is_paginated=page.has_other_pages(),
                summary=[(DELEGATE_STATUS_LABELS[s], counts[s], s) for s in (
                    DelegateStatus.UP_TO_DATE, DelegateStatus.DUE_SOON, DelegateStatus.OVERDUE,
                    DelegateStatus.NOT_COMPLETED, DelegateStatus.NO_STAFF_GROUP)],
                delegates=counts["delegates"],
                checklist=[(label, self.training.rules.get(value, []))
                           for value, label in self.training.staff_group_labels.items()],
                filtered=bool(self.staff_group or self.status),
                may_set_staff_group=(self.request.user.has_perm("accounts.change_user")
                                     or self.request.user.has_perm(selectors.LEAD_PERMISSION)),
                query=self.request.GET.urlencode(),
            )
        return ctx


class OrganisationTrainingExportView(_OrganisationMixin, View):
    def get(self, request, fmt):
        if fmt not in FORMATS:
            raise Http404("No such format.")
        self.load(request)
        if self.training is None:
            messages.error(request, "Choose an organisation to export its training records."
                           if self.organisation is None else
                           "Check the filters: the export uses the same ones as the page.")
            return redirect(reverse("reports:organisation-training") + (
                f"?{request.GET.urlencode()}" if request.GET else ""))
        return export_response(
            kind=fmt, filename=exports.export_filename(self.organisation, self.today),
            columns=exports.COLUMNS, rows=exports.organisation_rows(self.training.rows),
            title="Training records")


class StaffGroupSetView(AnyPermissionMixin, View):
    """A safeguarding lead places a member of their own staff in a staff group (an officer
    anyone): the checklist then knows what they need."""

    permission_required = (selectors.LEAD_PERMISSION, "accounts.change_user")
    template_name = "reports/organisation/staff_group_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.person = selectors.member_for_staff_group(user=request.user, pk=kwargs["pk"])
        if self.person is None:
            raise Http404("No such person in your organisation.")
        return super().dispatch(request, *args, **kwargs)

    def _back(self):
        back = reverse("reports:organisation-training")
        if selectors.may_pick_organisation(self.request.user) and self.person.organisation_id:
            back += f"?organisation={self.person.organisation_id}"
        return back

    def get(self, request, pk):
        form = StaffGroupForm(initial={"staff_group": self.person.staff_group})
        return render(request, self.template_name,
                      {"form": form, "person": self.person, "back": self._back()})

    def post(self, request, pk):
        form = StaffGroupForm(request.POST)
        if form.is_valid():
            try:
                services.staff_group_set(person=self.person, by=request.user,
                                         staff_group=form.cleaned_data["staff_group"])
            except DomainError as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"{self.person}'s staff group is saved.")
                return redirect(self._back())
        return render(request, self.template_name,
                      {"form": form, "person": self.person, "back": self._back()})
