"""The printable register and sign-in sheet of an event, as PDF (WeasyPrint), from the
templates in templates/pdf/."""

from django.conf import settings
from django.template.loader import render_to_string

from core.models import Partnership

TEMPLATES = {"register": "pdf/register.html", "signin": "pdf/signin.html"}


def event_sheet_pdf(*, kind, event, bookings, now):
    """`kind` is "register" (each delegate with organisation, status and minutes late) or
    "signin" (names, organisations and a blank column to sign). Returns the PDF's bytes."""
    from weasyprint import HTML

    html = render_to_string(TEMPLATES[kind], {
        "event": event, "course": event.course, "bookings": bookings, "now": now,
        "facilitators": list(event.facilitators.all()), "partnership": Partnership.load(),
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
