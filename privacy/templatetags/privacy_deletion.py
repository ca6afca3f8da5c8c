"""The deletion panel of the "Your data" page (templates/privacy/_deletion_panel.html): the
page's own view (privacy.views_export) does not need to know about deletion requests."""

from django import template
from django.utils import timezone

from ..services import deletion_request_open, person_deletion_refusals

register = template.Library()


@register.inclusion_tag("privacy/deletion_panel_body.html", takes_context=True)
def deletion_panel(context):
    user = context["request"].user
    return {
        "open_request": deletion_request_open(person=user),
        "refusals": person_deletion_refusals(person=user, now=timezone.now()),
        "csrf_token": context.get("csrf_token"),
    }
