"""Which changes alter the public catalogue, course and event pages (core.page_cache).

The partnership's settings (its name, fees, notice), categories, venues and courses are
edited rarely and show on every public page: a change draws every page again. An event
changes the lists (catalogue, its course's dates) and its own page. Bookings change places
left: bookings/page_cache.py."""

from core import page_cache
from core.models import Partnership

from .models import Category, Course, Event, TrainingPoolMembership, Venue


def _site(instance):
    return [page_cache.SITE]


def _event(event):
    return [page_cache.CATALOGUE, page_cache.event_scope(event.pk)]


for _model in (Partnership, Category, Venue, Course, TrainingPoolMembership):
    page_cache.watch(_model, _site)
page_cache.watch(Event, _event)


def next_start(now):
    """When the next scheduled event starts: it leaves the lists then (one query, on a page
    drawn afresh only)."""
    return (Event.objects.filter(status="scheduled", start__gt=now).order_by("start")
            .values_list("start", flat=True).first())
