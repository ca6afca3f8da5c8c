"""Deletion requests: a delegate asks from "Your data"; an officer lists the requests and, on
a person's deletion page, downloads their data and then deletes (anonymises) the account."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, ListView

from core.exceptions import DomainError
from core.permissions import PermissionMixin, SignedInMixin

from .forms import DeletionRequestForm, PersonDeleteForm
from .models import DeletionRequest
from .selectors import person_for_subject_access
from .services import (
    deletion_carry_out,
    deletion_export,
    deletion_request_create,
    deletion_request_open,
    person_deletion_refusals,
)
from .views_export import _zip_response

# Deleting an account changes a person (accounts.change_user: officers); seeing them and
# their data needs accounts.view_user, as the People pages and the subject access export.
DELETE_PERMISSIONS = ("accounts.view_user", "accounts.change_user")


class DeletionRequestView(SignedInMixin, FormView):
    """A delegate asks for their account to be deleted (UK GDPR art. 17)."""

    form_class = DeletionRequestForm
    template_name = "privacy/deletion_request_confirm.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            open_request=deletion_request_open(person=user),
            refusals=getattr(self, "refusals", None)
            or person_deletion_refusals(person=user, now=timezone.now()), **kwargs)

    def form_valid(self, form):
        try:
            deletion_request_create(person=self.request.user, by=self.request.user,
                                    now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, "We have your request to delete your account. The "
                         "training team will do it within one month and you will not be able "
                         "to sign in after that.")
        return redirect("privacy:your-data")


class DeletionRequestListView(PermissionMixin, ListView):
    """Officers: every deletion request, those waiting first."""

    permission_required = DELETE_PERMISSIONS
    template_name = "privacy/deletion_request_list.html"
    paginate_by = 25

    def get_queryset(self):
        self.status = self.request.GET.get("status", DeletionRequest.Status.OPEN)
        if self.status not in DeletionRequest.Status.values:
            self.status = DeletionRequest.Status.OPEN
        return (DeletionRequest.objects.filter(status=self.status)
                .select_related("user", "user__organisation", "requested_by")
                .order_by("requested_at", "pk") if self.status == DeletionRequest.Status.OPEN
                else DeletionRequest.objects.filter(status=self.status)
                .select_related("user", "user__organisation", "requested_by", "completed_by")
                .order_by("-completed_at", "-pk"))

    def get_context_data(self, **kwargs):
        return super().get_context_data(status=self.status, statuses=DeletionRequest.Status,
                                        **kwargs)


class PersonDeleteView(PermissionMixin, FormView):
    """An officer deletes a person's account (pretix's data shredder): first download their
    data (the export's fingerprint is kept), then confirm; refused if anything about the
    person changed since the download, or while privacy.policies refuses."""

    permission_required = DELETE_PERMISSIONS
    form_class = PersonDeleteForm
    template_name = "privacy/deletion_person.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            self.person = person_for_subject_access(viewer=request.user, pk=kwargs["pk"])
            if self.person is None:
                raise Http404("No person here")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person, open_request=deletion_request_open(person=self.person),
            refusals=person_deletion_refusals(person=self.person, now=timezone.now()),
            **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "download":
            now = timezone.now()
            try:
                content = deletion_export(person=self.person, by=request.user, now=now)
            except DomainError:
                # Refused: nothing exported or recorded; the page lists the reasons.
                form = self.get_form_class()()
                form.cleaned_data = {}  # unbound: only this error, not the box's
                form.add_error(None, "This account cannot be deleted yet, so its data was not "
                               "downloaded for a deletion. The reasons are below.")
                return self.render_to_response(self.get_context_data(form=form))
            return _zip_response(
                content,
                f"personal-data-{self.person.pk}-{timezone.localdate(now).isoformat()}.zip")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            deletion_carry_out(person=self.person, by=self.request.user, now=timezone.now())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        # No name in the message: the account no longer has one.
        messages.success(self.request, "The account is deleted: the person's details are "
                         "removed and their records kept anonymously.")
        return redirect("privacy:deletion-request-list")
