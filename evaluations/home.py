"""The evaluations app's tasks on the home page (core.home): a delegate's evaluations to
complete; a facilitator's feedback to give and the summaries that are ready."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.home import DELEGATE, FACILITATOR, HomeItem, home_section
from courses.models import Event

from .models import RequestKind, SummaryReport
from .selectors.requests import requests_open_for

# A summary stays on the facilitator's home page this long after it is sent to them.
SUMMARY_SHOWN_DAYS = 30


@home_section(DELEGATE)
def delegate_evaluations(user, now):
    if not holds(user, Role.DELEGATE):
        return None
    count = requests_open_for(user=user, now=now).exclude(kind=RequestKind.FACILITATOR).count()
    return [HomeItem(url=reverse("evaluations:request-list"), count=count,
                     singular="evaluation to complete", plural="evaluations to complete",
                     order=30)]


@home_section(FACILITATOR)
def facilitator_feedback(user, now):
    if not holds(user, Role.FACILITATOR) or not user.has_perm("courses.facilitate"):
        return None
    count = requests_open_for(user=user, now=now).filter(kind=RequestKind.FACILITATOR).count()
    return [HomeItem(url=reverse("evaluations:request-list"), count=count,
                     singular="facilitator feedback form to complete",
                     plural="facilitator feedback forms to complete", order=40)]


@home_section(FACILITATOR)
def facilitator_summaries(user, now):
    """Summary reports sent in the last SUMMARY_SHOWN_DAYS days for events the person
    delivers (the summary is emailed 10 days after the event)."""
    if not holds(user, Role.FACILITATOR) or not user.has_perm("courses.facilitate"):
        return None
    delivered = Event.objects.filter(Q(facilitators=user) | Q(officer=user)).values("pk")
    reports = SummaryReport.objects.filter(event__in=delivered, event__end__lte=now,
                                           sent_at__gt=now - timedelta(days=SUMMARY_SHOWN_DAYS))
    found = list(reports.order_by("-sent_at", "-pk").values_list("event_id", flat=True)[:2])
    if not found:
        return []
    count = len(found) if len(found) < 2 else reports.count()
    url = (reverse("evaluations:summary-detail", args=[found[0]]) if count == 1
           else reverse("bookings:facilitator-event-list") + "?show=recent")
    return [HomeItem(url=url, count=count, singular="summary evaluation report ready to read",
                     plural="summary evaluation reports ready to read", order=50)]
