"""The printable register and sign-in sheet of an event, as PDF (WeasyPrint), from the
templates in templates/pdf/."""

from core.models import Partnership
from core.pdf import pdf_render

TEMPLATES = {"register": "pdf/register.html", "signin": "pdf/signin.html"}


def event_sheet_pdf(*, kind, event, bookings, now):
    """`kind` is "register" (each delegate with organisation, status and minutes late) or
    "signin" (names, organisations and a blank column to sign). Returns the PDF's bytes."""
    return pdf_render(TEMPLATES[kind], {
        "event": event, "course": event.course, "bookings": bookings, "now": now,
        "facilitators": list(event.facilitators.all()), "partnership": Partnership.load(),
    })
