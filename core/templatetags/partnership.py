"""The partnership for templates rendered without a request (allauth's emails, tasks):
`{% load partnership %}{% get_partnership as partnership %}`."""

import re

from django import template
from django.conf import settings

from core.models import Partnership

register = template.Library()


@register.simple_tag
def get_partnership():
    return Partnership.load()


@register.simple_tag
def site_url():
    """The public address of the site, without a trailing slash (settings.SITE_URL)."""
    return settings.SITE_URL.rstrip("/")


@register.filter
def day_and_time(moment):
    """{{ value|day_and_time }}: "Tuesday 8 December 2026, 9:30am"."""
    from core.dates import day_and_time as fmt

    return fmt(moment) if moment else ""


@register.simple_tag
def outbox_failed_count():
    """Failed emails waiting for an officer (the dashboard shows them when there are any)."""
    from core.models import OutgoingEmail

    return OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()


@register.filter
def masked_email(address):
    """p•••@example.org: for roles that may see that an email went, not to whom."""
    local, _, domain = (address or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


_ADDRESS = re.compile(r"[^\s@<>()\[\],;:'\"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@register.filter
def addresses_masked(text):
    """Every email address in `text` masked like masked_email: a subject ("We have invited
    sam@example.org ...") or a mail server's answer names people, too."""
    return _ADDRESS.sub(lambda m: masked_email(m.group(0)), str(text or ""))
