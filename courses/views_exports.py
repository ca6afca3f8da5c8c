"""The programme as a spreadsheet (issue 11, exports): the events of the programme page with
the same filters (courses.selectors.events_for_programme), for those who see that page."""

from django.http import Http404
from django.utils import timezone
from django.views import View

from core.calendar import LONDON
from core.exports import FORMATS, export_response
from core.permissions import PermissionMixin

from . import selectors
from .forms import ProgrammeFilterForm
from .services import person_name

PROGRAMME_COLUMNS = ["Course", "Date", "Starts", "Ends", "Format", "Venue", "Places",
                     "Places taken", "Status", "L&D officer", "Facilitators"]


def _name(person):
    return person_name(person) if person else ""


def programme_rows(events):
    for event in events:
        start, end = event.start.astimezone(LONDON), event.end.astimezone(LONDON)
        yield [event.course.title, start.date(), start.strftime("%H:%M"), end.strftime("%H:%M"),
               event.course.get_format_display(),
               event.venue.name if event.venue_id else "Online",
               event.capacity, event.places_taken, event.get_status_display(),
               _name(event.officer),
               ", ".join(_name(p) for p in event.facilitators.all())]


class ProgrammeExportView(PermissionMixin, View):
    permission_required = "courses.view_event"

    def get(self, request, kind):
        if kind not in FORMATS:
            raise Http404("No such format.")
        data = request.GET.copy()
        if "start_from" not in data:
            data["start_from"] = timezone.localdate().isoformat()
        form = ProgrammeFilterForm(data)
        events = selectors.events_for_programme(user=request.user, **form.filters())
        return export_response(
            kind=kind, filename=f"programme-{timezone.localdate().isoformat()}",
            columns=PROGRAMME_COLUMNS, rows=programme_rows(events.iterator(chunk_size=200)),
            title="Programme")
