"""A booking changes the places left of its event, on the event's page, its course's page
and the catalogue (core.page_cache): any booking saved or deleted (booked, waiting list,
offer, cancellation, move, substitution, attendance) draws them again. The services change
Event.places_taken with a queryset update (no signal) always beside a saved booking."""

from core import page_cache

from .models import Booking


def _scopes(booking):
    return [page_cache.CATALOGUE, page_cache.event_scope(booking.event_id)]


page_cache.watch(Booking, _scopes)
