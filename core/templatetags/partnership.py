"""The partnership for templates rendered without a request (allauth's emails, tasks):
`{% load partnership %}{% get_partnership as partnership %}`."""

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
