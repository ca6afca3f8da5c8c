"""Invoices and credit notes as PDF (WeasyPrint), from the copies kept on the documents
themselves: an issued document never changes, so it prints the same whenever it is printed
(templates charging/invoice_pdf.html and charging/credit_note_pdf.html). The one exception is
the partnership's logo: letterhead, not a fact of the document, so today's logo is printed
(the settings keep one logo, not its history)."""

from core.models import Partnership
from core.pdf import pdf_render
from core.uploads import image_data_uri


def logo_data_uri():
    """The partnership's logo as a data: URI for WeasyPrint (no file path, no request), or
    None when there is none."""
    return image_data_uri(Partnership.load().logo)


def invoice_pdf(*, invoice, lines=None):
    """The invoice: number, dates, the organisation billed (as copied when issued), each
    line (delegate, course, event date, reason, amount) and the total. Returns bytes."""
    if lines is None:
        lines = list(invoice.lines.order_by("position", "id"))
    return pdf_render("charging/invoice_pdf.html", {"invoice": invoice, "lines": lines,
                                                    "logo": logo_data_uri()})


def credit_note_pdf(*, credit_note, lines=None):
    """The credit note: its number, the invoice it refers to, the reason, each line credited
    (the invoice line's words and the amount taken off) and the total."""
    if lines is None:
        lines = list(credit_note.lines.select_related("invoice_line")
                     .order_by("invoice_line__position", "id"))
    return pdf_render("charging/credit_note_pdf.html", {
        "credit_note": credit_note, "invoice": credit_note.invoice, "lines": lines,
        "logo": logo_data_uri()})
