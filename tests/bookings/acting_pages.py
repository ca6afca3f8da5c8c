"""Who may open the pages where an officer acts for a delegate (issue 11), and how to build
each page's address (tests/accounts/test_roles.py reads both): officers only."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
ACTING = {Role.OFFICER, SITE_ADMIN}

ACTING_PAGES = {
    "bookings:acting-person": ACTING,
    "bookings:acting-event-list": ACTING,
    "bookings:acting-booking-create": ACTING,
    "bookings:acting-waitlist-join": ACTING,
    "bookings:acting-booking-cancel": ACTING,
    "bookings:acting-booking-late-cancel": ACTING,
    "bookings:acting-booking-move": ACTING,
    "bookings:acting-booking-substitute": ACTING,
}


def acting_page_url(name):
    """A delegate with a booking: in time to cancel for most pages, two days away for the late
    cancellation form."""
    from bookings.models import Booking, BookingStatus
    from tests.factories import EventFactory, OrganisationFactory, UserFactory

    person = UserFactory(organisation=OrganisationFactory())
    days = 2 if name == "bookings:acting-booking-late-cancel" else 60
    start = timezone.now() + timedelta(days=days)
    event = EventFactory(start=start, end=start + timedelta(hours=3), capacity=10)
    if name in ("bookings:acting-person", "bookings:acting-event-list"):
        return reverse(name, kwargs={"person_pk": person.pk})
    if name in ("bookings:acting-booking-create", "bookings:acting-waitlist-join"):
        return reverse(name, kwargs={"person_pk": person.pk, "event_pk": event.pk})
    booking = Booking.objects.create(event=event, delegate=person,
                                     organisation=person.organisation,
                                     status=BookingStatus.BOOKED, booked_at=timezone.now())
    event.places_taken = 1
    event.save(update_fields=["places_taken"])
    return reverse(name, kwargs={"person_pk": person.pk, "uid": booking.uid})
