"""Your data: a person downloads everything held about them; an officer downloads it for any
person (a subject access request). Downloads are POST only, so that no link or prefetch can
start one, and each is audited (privacy.export.personal_data_export)."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.permissions import PermissionMixin, SignedInMixin

from .export import SECTION_DESCRIPTIONS, personal_data_export
from .selectors import person_for_subject_access


def _zip_response(content, filename):
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


def _sections():
    return [(f"{name}.csv", words) for name, words in SECTION_DESCRIPTIONS.items()]


class YourDataView(SignedInMixin, TemplateView):
    template_name = "privacy/your_data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=_sections(), **kwargs)


class YourDataDownloadView(SignedInMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        now = timezone.now()
        content = personal_data_export(person=request.user, by=request.user, now=now)
        return _zip_response(content, f"your-data-{timezone.localdate(now).isoformat()}.zip")


class PersonExportView(PermissionMixin, TemplateView):
    """An officer's subject access request for one person: the same ZIP as Your data."""

    permission_required = "accounts.view_user"
    template_name = "privacy/person_export.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            self.person = person_for_subject_access(viewer=request.user, pk=kwargs["pk"])
            if self.person is None:
                raise Http404("No person here")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, sections=_sections(), **kwargs)

    def post(self, request, pk):
        now = timezone.now()
        content = personal_data_export(person=self.person, by=request.user, now=now)
        return _zip_response(
            content, f"personal-data-{self.person.pk}-{timezone.localdate(now).isoformat()}.zip")
