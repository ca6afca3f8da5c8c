"""One helper for every email the site sends: HTML with a plain-text part, from templates.

`templates/email/<name>_subject.txt`, `<name>.txt` and `<name>.html` make one message; the
partnership's name and contact details are always in the context."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Partnership


def email_render(*, template, context):
    partnership = Partnership.load()
    ctx = {"partnership": partnership, "site_url": settings.SITE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"email/{template}_subject.txt", ctx).split())
    text = render_to_string(f"email/{template}.txt", ctx)
    html = render_to_string(f"email/{template}.html", ctx)
    return subject, text, html


def email_send(*, to, template, context, attachments=(), reply_to=None, headers=None):
    """Render and send one message to the addresses in `to` (a list). Attachments are
    (filename, content, mimetype) triples, e.g. an .ics invite. `headers` adds message headers,
    e.g. List-Unsubscribe on the newsletter."""
    subject, text, html = email_render(template=template, context=context)
    partnership = Partnership.load()
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=f"{partnership.name} <{settings.DEFAULT_FROM_EMAIL}>",
        to=list(to),
        reply_to=[reply_to or partnership.contact_email],
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
    return message
