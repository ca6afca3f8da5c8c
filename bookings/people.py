"""A person's bookings, waiting lists and training record on the officers' person page
(accounts/people.py: accounts shows what the bookings app registers here, and never imports
it). Every booking the person has, in every state, in four groups: coming up, waiting lists,
past (the events that took place) and cancelled or ended."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.people import PersonSection, register_person_sections
from courses.selectors import training_record_of

from .models import HOLDS_PLACE, Booking, BookingStatus

# Places given up or never taken: cancelled (in time or late), left or declined, not agreed,
# moved to another date.
ENDED = (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED, BookingStatus.LEFT_WAITING_LIST,
         BookingStatus.OFFER_DECLINED, BookingStatus.OFFER_EXPIRED, BookingStatus.NOT_APPROVED,
         BookingStatus.APPROVAL_EXPIRED, BookingStatus.MOVED)


def _bookings_of(person):
    return (Booking.objects.filter(delegate=person)
            .select_related("event", "event__course", "event__venue", "organisation"))


def person_bookings(*, person, now):
    """The person's bookings by group: {"upcoming", "waiting", "past", "cancelled"}, each a
    queryset (one query per page shown)."""
    upcoming = Q(status__in=HOLDS_PLACE, event__end__gt=now)
    waiting = Q(status=BookingStatus.WAITLISTED, event__start__gt=now)
    # A waiting list whose event has started ended with it.
    cancelled = Q(status__in=ENDED) | Q(status=BookingStatus.WAITLISTED, event__start__lte=now)
    ahead = (Booking.objects.filter(event=OuterRef("event"), status=BookingStatus.WAITLISTED)
             .filter(Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
                     | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk")))
             .order_by().values("event").annotate(n=Count("pk")).values("n"))
    base = _bookings_of(person)
    return {
        "upcoming": base.filter(upcoming).order_by("event__start", "pk"),
        "waiting": (base.filter(waiting)
                    .annotate(ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), 0))
                    .order_by("event__start", "pk")),
        "past": base.exclude(upcoming | waiting | cancelled).order_by("-event__start", "-pk"),
        "cancelled": base.filter(cancelled).order_by("-event__start", "-pk"),
    }


GROUPS = (
    ("upcoming", "Coming up", "No places on events coming up."),
    ("waiting", "Waiting lists", "Not on any waiting list."),
    ("past", "Past events", "No events attended or missed yet."),
    ("cancelled", "Cancelled and ended", "No cancelled places."),
)


@register_person_sections
def bookings_sections(*, person, viewer, now, paginate):
    groups = person_bookings(person=person, now=now)
    sections = [
        PersonSection(key=key, title=title, template="bookings/people/_bookings.html",
                      context={"section": paginate(key, groups[key]), "empty": empty,
                               "group": key})
        for key, title, empty in GROUPS
    ]
    sections.append(PersonSection(
        key="record", title="Training record", template="bookings/people/_training_record.html",
        context={"section": paginate("record", training_record_of(user=person))}))
    return sections
