"""The newsletter app's task on the home page (core.home): business support's events added
since the last newsletter."""

from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.home import BUSINESS_SUPPORT, HomeItem, home_section


@home_section(BUSINESS_SUPPORT)
def business_new_events(user, now):
    """Upcoming events created since the last newsletter went out: the same events the
    "new newsletter" page ticks (newsletter_new_event_ids: since the last one was sent, or
    every upcoming event before the first)."""
    if (not holds(user, Role.BUSINESS_SUPPORT)
            or not user.has_perm("newsletter.add_newsletter")):
        return None
    from .selectors import newsletter_new_events

    events = newsletter_new_events(now=now)
    return [HomeItem(url=reverse("courses:newsletter-create"), count=events.count(),
                     singular="event added since the last newsletter",
                     plural="events added since the last newsletter", order=10)]
