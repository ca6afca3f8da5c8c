"""PDFs (WeasyPrint) from templates: registers, certificates, summaries, invoices."""

from django.conf import settings
from django.template.loader import render_to_string


def pdf_render(template, context):
    """Render `template` with `context` and return the PDF's bytes. Static files (the site's
    CSS and images) are found from the project folder, so a PDF needs no web request.
    WeasyPrint is imported here, on first use, to keep it out of every web worker's start."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
