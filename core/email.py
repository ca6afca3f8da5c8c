"""Rendering for every email the site sends: HTML with a plain-text part, from templates
(core.outbox queues and delivers them).

`templates/email/<name>_subject.txt`, `<name>.txt` and `<name>.html` make one message; the
partnership's name and contact details are always in the context."""

from django.conf import settings
from django.template.loader import render_to_string

from .models import Partnership


def email_render(*, template, context, partnership=None):
    """Subject, text and HTML; `partnership` if the caller has the row already (a sweep)."""
    partnership = partnership or Partnership.load()
    ctx = {"partnership": partnership, "site_url": settings.SITE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"email/{template}_subject.txt", ctx).split())
    text = render_to_string(f"email/{template}.txt", ctx)
    html = render_to_string(f"email/{template}.html", ctx)
    return subject, text, html
