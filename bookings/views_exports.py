"""An event's delegates as a spreadsheet (issue 11, exports): the rows of the facilitator's
event page (bookings.selectors.event_delegates_with_access_needs), for the facilitators of
that event and officers only, since it holds access needs. Another facilitator's event is a
404, as for their other pages."""

from django.utils import timezone
from django.http import Http404
from django.views import View

from core.calendar import london_date
from core.exports import FORMATS, export_response
from core.permissions import AnyPermissionMixin
from courses.services import person_name

from . import selectors
from .views_facilitator import FACILITATOR_PERMISSIONS

DELEGATE_COLUMNS = ["Name", "Organisation", "Sector", "Access needs", "Status"]


def event_delegate_rows(bookings):
    for booking in bookings:
        person = booking.delegate
        organisation = booking.organisation or person.organisation
        yield [person_name(person),
               organisation.name if organisation else "",
               organisation.get_sector_display() if organisation else "",
               booking.shared_access_needs, booking.get_status_display()]


class EventDelegatesExportView(AnyPermissionMixin, View):
    permission_required = FACILITATOR_PERMISSIONS

    def get(self, request, event_pk, kind):
        if kind not in FORMATS:
            raise Http404("No such format.")
        event = selectors.facilitator_event(user=request.user, pk=event_pk)
        if event is None:
            raise Http404("Not one of your events.")
        delegates = selectors.event_delegates_with_access_needs(event=event, now=timezone.now())
        rows = event_delegate_rows(delegates.iterator(chunk_size=500))
        start = london_date(event.start).isoformat()
        return export_response(kind=kind, filename=f"delegates-{event.pk}-{start}",
                               columns=DELEGATE_COLUMNS, rows=rows, title="Delegates")
