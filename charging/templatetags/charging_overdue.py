"""The overdue block on an organisation's own pages (its safeguarding lead's "Our staff", its
finance contact's "Our account"), without accounts importing charging: the project's
templates load this library, so the dependency stays one way (charging reads accounts).

    {% load charging_overdue %}{% organisation_overdue_notice user.organisation "lead" %}
"""

from django import template
from django.utils import timezone

from ..checks import overdue_block_for

register = template.Library()


@register.inclusion_tag("charging/overdue_notice.html", takes_context=True)
def organisation_overdue_notice(context, organisation, audience="lead"):
    """The "bookings stopped" banner when `organisation` has an overdue invoice (one query),
    nothing otherwise. audience: "finance" (how to lift it, a link to the statement) or
    "lead"."""
    block = None
    if organisation is not None:
        block = overdue_block_for(organisation_id=organisation.pk, now=timezone.now())
    return {"overdue": block, "audience": audience, "partnership": context.get("partnership"),
            "block_organisation_name": getattr(organisation, "name", ""),
            "statement_link": audience == "finance"}
