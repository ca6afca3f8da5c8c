"""The bookings app's tasks on the home page (core.home): a delegate's next event, offers
and prerequisites; a facilitator's events, prep meetings and registers; the officer's full
events with people waiting and registers not marked. A fixed number of queries each."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.calendar import LONDON, london_date
from core.dates import long_date
from core.home import DELEGATE, FACILITATOR, OFFICER, HomeItem, home_section
from courses.models import Course, Event, EventStatus

from .models import ACTIVE, Booking, BookingStatus


def _day_after(day, days):
    """The first moment (London) after the day `days` days from `day` (as the joining-link
    sweep counts it: the link goes `joining_link_reminder_days` days before the event)."""
    return datetime.combine(day + timedelta(days=days + 1), time(0), tzinfo=LONDON)


# Delegate ------------------------------------------------------------------------------------

@home_section(DELEGATE)
def delegate_next_event(user, now):
    if not holds(user, Role.DELEGATE):
        return None
    booking = (Booking.objects.filter(delegate=user, status=BookingStatus.BOOKED,
                                      event__status=EventStatus.SCHEDULED, event__end__gt=now)
               .select_related("event", "event__course", "event__venue")
               .order_by("event__start", "pk").first())
    if booking is None:
        return []
    from core.models import Partnership

    event = booking.event
    details = [long_date(event.start, event.end)]
    link_url = link_text = ""
    link_due = event.start < _day_after(london_date(now),
                                        Partnership.load().joining_link_reminder_days)
    if event.venue_id:
        venue = event.venue.name
        if event.venue.postcode:
            venue = f"{venue}, {event.venue.postcode}"
        details.append(venue)
    if event.joining_link:
        if link_due:
            # The partnership sends the link this many days before: show it from then too.
            link_url, link_text = event.joining_link, "Join the event online"
        elif not event.venue_id:
            details.append("Online: we email you the joining link before the event")
    return [HomeItem(url=reverse("bookings:booking-detail", args=[booking.uid]),
                     singular=f"Your next event: {event.course.title}", details=tuple(details),
                     link_url=link_url, link_text=link_text, order=10)]


@home_section(DELEGATE)
def delegate_offers(user, now):
    if not holds(user, Role.DELEGATE):
        return None
    offers = Booking.objects.filter(delegate=user, status=BookingStatus.OFFERED,
                                    offer_expires_at__gt=now).aggregate(
        n=Count("pk"), first=Min("offer_expires_at"))
    if not offers["n"]:
        return []
    expiry = long_date(offers["first"])
    return [HomeItem(url=reverse("bookings:my-training"), count=offers["n"],
                     singular="offer of a place waiting for your answer",
                     plural="offers of places waiting for your answer",
                     details=(f"Answer by {expiry}" if offers["n"] == 1
                              else f"The first ends on {expiry}",), order=20)]


@home_section(DELEGATE)
def delegate_prerequisites(user, now):
    """Courses to complete first (e.g. the e-learning before a level 3 course) for the
    events the delegate is booked on or waiting for: each prerequisite not in their
    training record counts once."""
    if not holds(user, Role.DELEGATE):
        return None
    on_event = Booking.objects.filter(
        delegate=user, status__in=ACTIVE, event__start__gt=now,
        event__status=EventStatus.SCHEDULED, event__course__prerequisites=OuterRef("pk"))
    missing = list(Course.objects.filter(Exists(on_event))
                   .exclude(completions__user=user)
                   .order_by("title").values_list("slug", "format")[:2])
    if not missing:
        return []
    count = (len(missing) if len(missing) < 2 else
             Course.objects.filter(Exists(on_event)).exclude(completions__user=user).count())
    slug, fmt = missing[0]
    url = (reverse("courses:elearning-module", args=[slug])
           if count == 1 and fmt == "e_learning" else reverse("bookings:my-training"))
    return [HomeItem(url=url, count=count,
                     singular="course to complete before an event you are booked on or waiting for",
                     plural="courses to complete before events you are booked on or waiting for",
                     order=40)]


# Facilitator ---------------------------------------------------------------------------------

def _delivered_by(user):
    """Events the person delivers (facilitator or the event's L&D officer), as ids: a
    subquery, so no DISTINCT over the joined rows."""
    return Event.objects.filter(Q(facilitators=user) | Q(officer=user)).values("pk")


@home_section(FACILITATOR)
def facilitator_events(user, now):
    if not holds(user, Role.FACILITATOR) or not user.has_perm("courses.facilitate"):
        return None
    url = reverse("bookings:facilitator-event-list")
    upcoming = Event.objects.filter(pk__in=_delivered_by(user), status=EventStatus.SCHEDULED,
                                    end__gt=now)
    items = []
    first = upcoming.select_related("course").order_by("start", "pk").first()
    if first is not None:
        count = upcoming.count()
        items.append(HomeItem(url=url, count=count, singular="event coming up that you deliver",
                              plural="events coming up that you deliver",
                              details=(f"Next: {first.course.title}, "
                                       f"{long_date(first.start, first.end)}",), order=10))
    prep = upcoming.filter(prep_meeting_at__gt=now)
    first_prep = prep.select_related("course").order_by("prep_meeting_at", "pk").first()
    if first_prep is not None:
        items.append(HomeItem(url=url, count=prep.count(), singular="prep meeting to come",
                              plural="prep meetings to come",
                              details=(f"Next: {long_date(first_prep.prep_meeting_at)}, "
                                       f"for {first_prep.course.title}",), order=20))
    return items


def _unmarked(events, now):
    """Events that have ended (not cancelled) with a delegate still "booked": nobody has
    marked them attended, late or absent."""
    unmarked = Booking.objects.filter(event=OuterRef("pk"), status=BookingStatus.BOOKED)
    return events.filter(end__lte=now).exclude(status=EventStatus.CANCELLED).filter(
        Exists(unmarked))


def _register_item(events, *, list_url, order):
    found = list(events.order_by("start", "pk").values_list("pk", flat=True)[:2])
    if not found:
        return []
    count = len(found) if len(found) < 2 else events.count()
    url = reverse("bookings:event-register", args=[found[0]]) if count == 1 else list_url
    return [HomeItem(url=url, count=count, singular="register still to mark after the event",
                     plural="registers still to mark after the event", order=order)]


@home_section(FACILITATOR)
def facilitator_registers(user, now):
    if not holds(user, Role.FACILITATOR) or not user.has_perm("bookings.mark_attendance"):
        return None
    events = _unmarked(Event.objects.filter(pk__in=_delivered_by(user)), now)
    return _register_item(events, order=30,
                          list_url=reverse("bookings:facilitator-event-list") + "?show=recent")


# L&D officer ---------------------------------------------------------------------------------

@home_section(OFFICER)
def officer_full_events(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("bookings.manage_bookings"):
        return None
    waiting = Booking.objects.filter(event=OuterRef("pk"), status=BookingStatus.WAITLISTED)
    events = Event.objects.filter(status=EventStatus.SCHEDULED, start__gt=now,
                                  places_taken__gte=F("capacity")).filter(Exists(waiting))
    found = list(events.order_by("start", "pk").values_list("pk", flat=True)[:2])
    if not found:
        return []
    count = len(found) if len(found) < 2 else events.count()
    url = (reverse("bookings:event-waiting-list", args=[found[0]]) if count == 1
           else reverse("courses:manage-event-list"))
    return [HomeItem(url=url, count=count, singular="full event with people on its waiting list",
                     plural="full events with people on their waiting lists", order=40)]


@home_section(OFFICER)
def officer_registers(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("bookings.manage_bookings"):
        return None
    return _register_item(_unmarked(Event.objects.all(), now), order=60,
                          list_url=reverse("bookings:facilitator-event-list") + "?show=recent")
