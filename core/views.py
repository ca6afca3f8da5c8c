from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.generic import ListView, TemplateView, UpdateView

from .forms import PartnershipForm
from .models import AuditEntry, Partnership
from .permissions import PermissionMixin


def healthz(request):
    """For load balancers and the benchmark's floor: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


class HomeView(TemplateView):
    template_name = "core/home.html"


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


class AuditEntryListView(PermissionMixin, ListView):
    permission_required = "core.view_auditentry"
    template_name = "core/auditentry_list.html"
    paginate_by = 50

    def get_queryset(self):
        from .selectors import audit_entries

        # A NUL byte cannot go to PostgreSQL in a text value (a 500): drop it.
        return audit_entries(action=self.request.GET.get("action", "").replace("\x00", ""))


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors that could fail again: the page stands on its own.
    from django.template import loader
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500.html").render())
