"""The resources library (DSPP "Additional Training Resources": leaflets and resources for
professionals, professional briefings, SAR and CSPR executive summaries): a public page, file
downloads that check who may see them, and the officers' pages to publish, edit and delete."""

import copy

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.exceptions import DomainError
from core.permissions import PermissionMixin
from core.uploads import KINDS, stored_kind

from . import selectors, services
from .forms import ResourceFilterForm, ResourceForm
from .models import Resource


class ResourceListView(ListView):
    """Everyone sees the public resources; signed-in users also see those for them only."""

    template_name = "resources/resource_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form = ResourceFilterForm(
            self.request.GET or None,
            categories=selectors.resource_categories_visible_to(user=self.request.user),
        )
        return selectors.resources_visible_to(user=self.request.user,
                                              **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter_form"] = self.filter_form
        ctx["filtered"] = any(self.filter_form.filters().values())
        return ctx


class ResourceDownloadView(View):
    """A resource's file, only to someone who may see the resource: a file for signed-in
    users is never reachable by its storage address."""

    def get(self, request, pk):
        resource = selectors.resources_visible_to(user=request.user).filter(pk=pk).first()
        if resource is None:
            if not request.user.is_authenticated and Resource.objects.filter(pk=pk).exists():
                return redirect_to_login(request.get_full_path())
            raise Http404("No such resource.")
        if not resource.file:
            if resource.url:
                return redirect(resource.url)
            raise Http404("This resource has no file.")
        try:
            handle = resource.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing: tell the training team.") from None
        # The type is the one the upload's content was checked as (core.uploads: stored under
        # its extension), never the type the uploader's browser claimed. A file whose first
        # bytes disagree (stored before the checks) goes out as plain bytes, to be saved.
        kind = stored_kind(resource.file.name, handle.read(16))
        handle.seek(0)
        known = KINDS.get(kind)
        response = FileResponse(
            handle, content_type=known.content_type if known else "application/octet-stream",
            as_attachment=not (known and known.inline),
            filename=f"{slugify(resource.title) or 'resource'}"
                     f"{known.extension if known else '.bin'}",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = ("public, max-age=3600" if resource.public
                                     else "private, no-store")
        return response


class ResourceManageListView(PermissionMixin, ListView):
    permission_required = "resources.view_resource"
    template_name = "resources/resource_manage_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.resources_for_management()


class ResourceCreateView(PermissionMixin, FormView):
    permission_required = "resources.add_resource"
    form_class = ResourceForm
    template_name = "resources/resource_form.html"

    def form_valid(self, form):
        try:
            resource = services.resource_publish(by=self.request.user, now=timezone.now(),
                                                 **form.resource_data())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"“{resource.title}” is published.")
        return redirect("courses:manage-resource-list")


class ResourceObjectMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.user.has_perm(self.permission_required):
            self.resource = get_object_or_404(selectors.resources_for_management(),
                                              pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["resource"] = self.resource
        return ctx


class ResourceUpdateView(PermissionMixin, ResourceObjectMixin, FormView):
    permission_required = "resources.change_resource"
    form_class = ResourceForm
    template_name = "resources/resource_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A copy: the form writes its values on its instance, and a refused save must not
        # change what the rest of the page shows.
        kwargs["instance"] = copy.copy(self.resource)
        return kwargs

    def form_valid(self, form):
        try:
            resource = services.resource_update(resource=self.resource, by=self.request.user,
                                                data=form.resource_data())
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"“{resource.title}” is saved.")
        return redirect("courses:manage-resource-list")


class ResourceDeleteView(PermissionMixin, ResourceObjectMixin, TemplateView):
    permission_required = "resources.delete_resource"
    template_name = "resources/resource_confirm_delete.html"

    def post(self, request, *args, **kwargs):
        title = self.resource.title
        services.resource_delete(resource=self.resource, by=request.user)
        messages.success(request, f"“{title}” is deleted.")
        return redirect("courses:manage-resource-list")
