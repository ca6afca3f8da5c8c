"""A training record downloaded as CSV or XLSX: the delegate's own (from their training
record), or any person's for an L&D officer (from the person's page, People)."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views import View

from accounts.selectors import person_for_officer
from core.permissions import PermissionMixin, SignedInMixin

from .selectors import training_record_of
from .training_record_export import training_record_csv, training_record_xlsx

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(*, person, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    lines = list(training_record_of(user=person))
    body = training_record_csv(lines) if fmt == "csv" else training_record_xlsx(lines)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    # No name in the header: the account number and the day are enough to tell files apart.
    filename = f"training-record-{person.pk}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class TrainingRecordExportView(SignedInMixin, View):
    """The signed-in delegate's own record: the URL names no person, so nobody else's."""

    def get(self, request, fmt):
        return _download(person=request.user, fmt=fmt)


class PersonTrainingRecordExportView(PermissionMixin, View):
    permission_required = "accounts.view_user"

    def get(self, request, pk, fmt):
        person = person_for_officer(pk=pk)
        if person is None:
            raise Http404("No person here")
        return _download(person=person, fmt=fmt)
