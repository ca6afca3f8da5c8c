"""The facilitator's area: the events they deliver, and for each the delegates booked with
the access needs they chose to share, so the session can be planned for them."""

from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from django.views.generic import ListView

from core.permissions import AnyPermissionMixin

from . import selectors

FACILITATOR_PERMISSIONS = ("courses.facilitate", "courses.change_event")
# "Recent" events: those that ended in this many days (evaluation and feedback follow them).
RECENT_DAYS = 90


class FacilitatorEventListView(AnyPermissionMixin, ListView):
    """My events: upcoming ones first (soonest first), or recent ones (latest first)."""

    permission_required = FACILITATOR_PERMISSIONS
    template_name = "bookings/facilitator/event_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.now = timezone.now()
        self.show = "recent" if self.request.GET.get("show") == "recent" else "upcoming"
        events = selectors.events_facilitated_by(user=self.request.user)
        if self.show == "recent":
            return events.filter(end__lt=self.now,
                                 end__gte=self.now - timedelta(days=RECENT_DAYS)).order_by(
                "-start", "-pk")
        return events.filter(end__gte=self.now).order_by("start", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(show=self.show, now=self.now, recent_days=RECENT_DAYS)
        return ctx


class FacilitatorEventDetailView(AnyPermissionMixin, ListView):
    """One event for its facilitators: when, where, the prep meeting, and the delegates."""

    permission_required = FACILITATOR_PERMISSIONS
    template_name = "bookings/facilitator/event_detail.html"
    paginate_by = 50

    def get_queryset(self):
        self.event = selectors.facilitator_event(user=self.request.user, pk=self.kwargs["pk"])
        if self.event is None:
            raise Http404("Not one of your events.")
        return selectors.event_delegates_with_access_needs(event=self.event,
                                                           now=timezone.now())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        # An officer who opened "Delegates" from the programme and does not work on this event
        # sees the officers' way back (the programme), not "My events".
        as_officer = (user.has_perm("courses.change_event") and self.event.officer_id != user.pk
                      and not self.event.facilitators.filter(pk=user.pk).exists())
        ctx.update(event=self.event, now=timezone.now(), as_officer=as_officer)
        return ctx
