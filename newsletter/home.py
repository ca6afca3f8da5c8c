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
    from .models import Newsletter
    from .selectors import newsletter_event_choices

    last = (Newsletter.objects.exclude(status=Newsletter.Status.DRAFT)
            .exclude(send_requested_at=None).order_by("-send_requested_at")
            .values_list("send_requested_at", flat=True).first())
    events = newsletter_event_choices(now=now)
    if last is not None:
        events = events.filter(created_at__gt=last)
    return [HomeItem(url=reverse("courses:newsletter-create"), count=events.count(),
                     singular="event added since the last newsletter",
                     plural="events added since the last newsletter", order=10)]
