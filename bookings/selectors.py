"""Reads of the bookings app, scoped to who asks."""

from django.db.models import F, Prefetch, Q, TextField, Value
from django.db.models.functions import Coalesce, NullIf

from courses.models import Event

from .models import Booking, BookingStatus

# Delegates a facilitator plans for: those with a place, and after the event those marked.
DELEGATE_STATES = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.NOT_ADMITTED,
                   BookingStatus.NO_SHOW)


def _events_with_people():
    from accounts.models import User

    return Event.objects.select_related("course", "venue", "officer").prefetch_related(
        Prefetch("facilitators", queryset=User.objects.order_by("first_name", "last_name")))


def events_facilitated_by(*, user):
    """Events the person delivers: as a facilitator from the Training Pool, or as the event's
    L&D officer (DOMAIN.md: facilitators "plus the L&D officer")."""
    if not user.is_authenticated:
        return Event.objects.none()
    return _events_with_people().filter(Q(facilitators=user) | Q(officer=user)).distinct()


def events_for_facilitator_page(*, user):
    """The events whose facilitator page the person may open: their own, or every event for
    an officer who manages the programme."""
    if user.has_perm("courses.change_event"):
        return _events_with_people()
    if user.has_perm("courses.facilitate"):
        return events_facilitated_by(user=user)
    return Event.objects.none()


def facilitator_event(*, user, pk):
    """One event for its facilitator page; None when it is not theirs to see."""
    return events_for_facilitator_page(user=user).filter(pk=pk).first()


def event_delegates_with_access_needs(*, event, now):
    """The delegates with a place on the event, with their organisation and the access needs
    they chose to share: those given for this booking, else those in their profile
    (`shared_access_needs`); none once the partnership's retention period after the event
    has passed (bookings.policies.access_needs_kept)."""
    from core.models import Partnership

    from .policies import access_needs_kept

    kept = access_needs_kept(event_end=event.end, now=now,
                             days=Partnership.load().access_needs_retention_days)
    shared = (Coalesce(NullIf(F("access_needs"), Value("")),
                       NullIf(F("delegate__access_needs"), Value("")),
                       Value(""), output_field=TextField())
              if kept else Value("", output_field=TextField()))
    return (
        Booking.objects.filter(event=event, status__in=DELEGATE_STATES)
        .select_related("delegate", "delegate__organisation", "organisation")
        .annotate(shared_access_needs=shared)
        .order_by("delegate__last_name", "delegate__first_name", "pk")
    )


# A delegate's bookings (booking-core) ----------------------------------------------------------

def bookings_visible_to(*, user):
    """The bookings a person may open: their own; every booking for an officer who manages
    bookings. A uuid changed in a URL therefore finds nothing (404) for anyone else."""
    if not user.is_authenticated:
        return Booking.objects.none()
    bookings = Booking.objects.select_related(
        "event", "event__course", "event__venue", "delegate", "organisation")
    if user.has_perm("bookings.manage_bookings"):
        return bookings
    return bookings.filter(delegate=user)


def booking_visible_to(*, user, uid):
    """One booking by its uid, if `user` may see it; else None."""
    return bookings_visible_to(user=user).filter(uid=uid).first()


def booking_active_for(*, event, user):
    """The user's booking on the event that still counts (a place, an offer, a place waiting
    for approval, or the waiting list), or None."""
    from .models import ACTIVE

    if not user.is_authenticated:
        return None
    return (Booking.objects.filter(event=event, delegate=user, status__in=ACTIVE)
            .order_by("-created_at", "-pk").first())


def waiting_list_position(*, booking):
    """1 for the head of the waiting list: first come, first served (waitlisted_at, then id)."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    waiting = Booking.objects.filter(event_id=booking.event_id, status=BookingStatus.WAITLISTED)
    ahead = waiting.filter(
        Q(waitlisted_at__lt=booking.waitlisted_at)
        | Q(waitlisted_at=booking.waitlisted_at, pk__lt=booking.pk)
    ).count()
    return ahead + 1


def booking_for_line_manager(*, uid):
    """The booking a line manager's signed link names (the link is the permission)."""
    return (Booking.objects.select_related("event", "event__course", "event__venue", "delegate",
                                           "organisation")
            .filter(uid=uid).first())


def substitution_for_invitation(*, pk):
    """The substitution a colleague's signed invitation names, with its booking."""
    from .models import Substitution

    return (Substitution.objects.select_related(
        "booking", "booking__event", "booking__event__course", "booking__event__venue",
        "booking__organisation", "from_delegate").filter(pk=pk).first())


def _offers_standing(*, now):
    """Offers of a place to a colleague still open: not accepted, withdrawn or declined, the
    link not expired (Partnership.substitution_link_days), the event not started, the place
    still booked by the delegate who offered it, and no newer offer for it."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef

    from core.models import Partnership

    from .models import Substitution

    days = Partnership.load().substitution_link_days
    newer = Substitution.objects.filter(booking_id=OuterRef("booking_id"), at__gt=OuterRef("at"))
    return (Substitution.objects
            .filter(accepted_at__isnull=True, withdrawn_at__isnull=True,
                    declined_at__isnull=True, on_the_day=False, at__gt=now - timedelta(days=days),
                    booking__status=BookingStatus.BOOKED, booking__event__start__gt=now,
                    booking__delegate_id=F("from_delegate_id"))
            .exclude(Exists(newer)))


def booking_substitution_pending(*, booking, now):
    """The offer of this place to a colleague still waiting for their answer, if any."""
    return _offers_standing(now=now).filter(booking_id=booking.pk).order_by("-at", "-pk").first()


def substitutions_offered_to(*, user, now):
    """The places colleagues have offered this person and they have not answered yet (My
    training), soonest event first, with a link to answer each."""
    from .policies import SUBSTITUTION_SALT, signed_link_make

    offers = list(_offers_standing(now=now).filter(to_email__iexact=user.email)
                  .select_related("booking__event__course", "booking__event__venue",
                                  "from_delegate")
                  .order_by("booking__event__start", "pk")[:20])
    for offer in offers:
        offer.token = signed_link_make(value=offer.pk, salt=SUBSTITUTION_SALT)
    return offers


def offers_due_to_expire(*, now):
    """(event id, booking id) of the offers whose time is up, oldest first."""
    return list(Booking.objects.filter(status=BookingStatus.OFFERED, offer_expires_at__lte=now)
                .order_by("offer_expires_at", "pk").values_list("event_id", "pk"))


def events_with_places_and_waiting_list(*, now):
    """Upcoming events with a place free and someone waiting for one (e.g. an officer added
    places): the offer sweep offers them on."""
    from django.db.models import Exists, OuterRef

    waiting = Booking.objects.filter(event=OuterRef("pk"), status=BookingStatus.WAITLISTED)
    return list(Event.objects.filter(status="scheduled", start__gt=now,
                                     places_taken__lt=F("capacity"))
                .filter(Exists(waiting)).order_by("start", "pk").values_list("pk", flat=True))


# Register, waiting lists, late cancellations and My training (booking-ops) ----------------------

def events_for_register(*, user):
    """The events whose register the person may open and mark: every event for an officer who
    manages bookings; for a facilitator, only the events they deliver."""
    if user.has_perm("bookings.manage_bookings"):
        return _events_with_people()
    if user.has_perm("bookings.mark_attendance"):
        return events_facilitated_by(user=user)
    return Event.objects.none()


def register_event(*, user, pk):
    """One event for its register; None when it is not theirs to mark."""
    return events_for_register(user=user).filter(pk=pk).first()


def register_bookings(*, event, now):
    """The register of an event: the delegates with a place, and those already marked, by
    surname, with their organisation (the one they booked for), and for a colleague recorded
    on the day whose place they took (`replaced.from_delegate`)."""
    return event_delegates_with_access_needs(event=event, now=now).select_related(
        "replaced__from_delegate")


def register_substitutable(*, event):
    """The places on an event a colleague may be recorded as having taken on the day (booked,
    or marked as not coming), by surname: at most the event's capacity."""
    return (Booking.objects.filter(event=event,
                                   status__in=(BookingStatus.BOOKED, BookingStatus.NO_SHOW))
            .select_related("delegate", "organisation")
            .order_by("delegate__last_name", "delegate__first_name", "pk"))


def events_for_waiting_list(*, user):
    if not user.has_perm("bookings.manage_bookings"):
        return Event.objects.none()
    return Event.objects.select_related("course", "venue")


def event_waiting_list(*, event):
    """An event's waiting list, first come first served (waitlisted_at, then id): the people
    still waiting and those holding an offer."""
    return (Booking.objects.filter(event=event,
                                   status__in=(BookingStatus.WAITLISTED, BookingStatus.OFFERED))
            .select_related("delegate", "organisation")
            .order_by("waitlisted_at", "pk"))


def _my_bookings(*, user):
    return Booking.objects.filter(delegate=user).select_related("event", "event__course",
                                                                "event__venue")


def _my_sections(*, now):
    """The filters of My training's four lists (upcoming, waiting, past, cancelled)."""
    from .models import HOLDS_PLACE

    upcoming = Q(status__in=HOLDS_PLACE, event__end__gt=now)
    waiting = Q(status=BookingStatus.WAITLISTED, event__start__gt=now)
    cancelled = Q(status__in=ENDED_BEFORE_THE_EVENT)
    return {"upcoming": upcoming, "waiting": waiting,
            "past": ~upcoming & ~waiting & ~cancelled, "cancelled": cancelled}


def my_bookings_counts(*, user, now):
    """How many rows each list of My training has (upcoming, waiting, past, cancelled), in
    one query over the delegate's bookings instead of one count per list."""
    from django.db.models import Count

    return Booking.objects.filter(delegate=user).aggregate(**{
        key: Count("pk", filter=where) for key, where in _my_sections(now=now).items()})


def my_bookings_upcoming(*, user, now):
    """A delegate's places (booked, waiting for approval, or offered) on events still to come
    or under way, soonest first."""
    return (_my_bookings(user=user).filter(_my_sections(now=now)["upcoming"])
            .order_by("event__start", "pk"))


def my_bookings_waiting(*, user, now):
    """A delegate's waiting-list entries for events still to come, soonest first, each with
    its place in the queue (`position`, first come first served) counted in the same query."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery

    ahead = (Booking.objects.filter(event=OuterRef("event"), status=BookingStatus.WAITLISTED)
             .filter(Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
                     | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk")))
             .order_by().values("event").annotate(n=Count("pk")).values("n"))
    return (_my_bookings(user=user).filter(_my_sections(now=now)["waiting"])
            .annotate(ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), 0))
            .order_by("event__start", "pk"))


# Places given up, withdrawn or ended before the event, whenever the event is (or was): a
# cancelled place on an event still to come is not a "past booking".
ENDED_BEFORE_THE_EVENT = (
    BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED, BookingStatus.NOT_APPROVED,
    BookingStatus.APPROVAL_EXPIRED, BookingStatus.MOVED, BookingStatus.LEFT_WAITING_LIST,
    BookingStatus.OFFER_DECLINED, BookingStatus.OFFER_EXPIRED,
)


def my_bookings_past(*, user, now):
    """Events that have taken place: attended, not admitted, did not attend, a colleague
    attended instead, or not marked yet (a place held on an event that has ended, a waiting
    list that never moved); the most recent first. Cancelled places are
    my_bookings_cancelled."""
    sections = _my_sections(now=now)
    return (_my_bookings(user=user).exclude(sections["upcoming"] | sections["waiting"])
            .exclude(sections["cancelled"])
            .order_by("-event__start", "-pk"))


def my_bookings_cancelled(*, user):
    """A delegate's cancelled, withdrawn, moved or lapsed places and waiting-list entries,
    whether the event is still to come or not; the most recently ended first."""
    return (_my_bookings(user=user).filter(status__in=ENDED_BEFORE_THE_EVENT)
            .select_related("moved_to", "moved_to__event")
            .order_by(F("cancelled_at").desc(nulls_last=True), "-event__start", "-pk"))


def register_counts(*, event):
    """How many of the register are not marked yet, attended, not admitted, did not attend."""
    from django.db.models import Count

    return Booking.objects.filter(event=event).aggregate(
        booked=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
        attended=Count("pk", filter=Q(status=BookingStatus.ATTENDED)),
        not_admitted=Count("pk", filter=Q(status=BookingStatus.NOT_ADMITTED)),
        no_show=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )


# Acting for a delegate (officers, issue 11) -----------------------------------------------------

ACTING_PAGE_SIZE = 20


def acting_person(*, user, pk):
    """The person an officer acts for (any account), or None: only an officer who manages
    bookings may act for anyone."""
    from accounts.models import User

    if not user.has_perm("bookings.manage_bookings"):
        return None
    return User.objects.select_related("organisation").filter(pk=pk).first()


def acting_booking(*, user, person, uid):
    """One of `person`'s bookings, for an officer acting for them; None when the booking is
    not theirs (a uuid from someone else's booking finds nothing)."""
    return bookings_visible_to(user=user).filter(delegate=person, uid=uid).first()


def acting_bookings_of(*, person, now):
    """The person's bookings still to come that an officer may act on: places (booked, held
    for the line manager, offered) and waiting-list entries, soonest first."""
    from .models import ACTIVE

    return (Booking.objects.filter(delegate=person, status__in=ACTIVE, event__start__gt=now)
            .select_related("event", "event__course", "event__venue", "organisation")
            .order_by("event__start", "pk"))


def acting_events(*, q, now, course=None, exclude=None):
    """Scheduled events still to come (the programme), soonest first, matching `q` in the
    course title or the venue; of one course when `course` is given."""
    events = (Event.objects.filter(status="scheduled", start__gt=now)
              .select_related("course", "venue").order_by("start", "pk"))
    if course is not None:
        events = events.filter(course=course)
    if exclude is not None:
        events = events.exclude(pk=exclude.pk)
    for word in (q or "").split()[:8]:
        events = events.filter(Q(course__title__icontains=word) | Q(venue__name__icontains=word))
    return events
