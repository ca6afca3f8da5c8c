"""Who may open the booking pages (book, waiting list, booking, cancel, substitute, offer,
calendar invitation, a colleague's invitation) and the line manager's page, and how to build
each page's address (tests/accounts/test_roles.py reads both).

Every signed-in person can book, so each page is theirs to open – for their own booking: the
booking is made for whoever is signed in for the test. Someone else's booking is a 404
(tests/bookings/test_booking_views.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])

CORE_PAGES = {
    "bookings:booking-create": EVERYONE,
    "bookings:waitlist-join": EVERYONE,
    "bookings:booking-detail": EVERYONE,
    "bookings:booking-cancel": EVERYONE,
    "bookings:booking-late-cancel": EVERYONE,
    "bookings:waitlist-leave": EVERYONE,
    "bookings:offer-respond": EVERYONE,
    "bookings:booking-substitute": EVERYONE,
    "bookings:booking-ics": EVERYONE,
    "bookings:substitution-accept": EVERYONE,
    "bookings:substitution-withdraw": EVERYONE,
}
# The line manager agrees from a signed link, without an account.
CORE_PUBLIC_PAGES = ["bookings:line-manager-approval"]

# The state each booking page needs to show itself (rather than send the person elsewhere).
_STATE = {
    "bookings:booking-detail": ("booked", 30),
    "bookings:booking-cancel": ("booked", 30),
    "bookings:booking-late-cancel": ("booked", 1),
    "bookings:waitlist-leave": ("waitlisted", 30),
    "bookings:offer-respond": ("offered", 30),
    "bookings:booking-substitute": ("booked", 30),
    "bookings:booking-ics": ("booked", 30),
}


def _signed_in(request):
    """The person the test signed in (the page matrix logs them in before asking for the
    address), or a new delegate for the anonymous test."""
    from accounts.models import User
    from tests.factories import UserFactory

    user_id = request.getfixturevalue("client").session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else UserFactory()


def booking_for(user, *, status, days_ahead=30):
    """A booking in `status` on an event `days_ahead` days away, counted in places_taken as
    the services would."""
    from bookings.models import HOLDS_PLACE, Booking
    from tests.factories import EventFactory

    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=days_ahead))
    booking = Booking.objects.create(
        event=event, delegate=user, organisation=user.organisation, status=status,
        booked_at=now if status == "booked" else None,
        waitlisted_at=now if status in ("waitlisted", "offered") else None,
        offered_at=now if status == "offered" else None,
        offer_expires_at=now + timedelta(hours=48) if status == "offered" else None,
        approval_requested_at=now if status == "pending_approval" else None,
    )
    if status in HOLDS_PLACE:
        event.places_taken = 1
        event.save(update_fields=["places_taken"])
    return booking


def core_page_url(name, request):
    from bookings.models import Substitution
    from bookings.policies import SUBSTITUTION_SALT, signed_link_make
    from tests.factories import EventFactory, UserFactory

    if name in ("bookings:booking-create", "bookings:waitlist-join"):
        return reverse(name, kwargs={"event_pk": EventFactory().pk})
    user = _signed_in(request)
    if name in _STATE:
        status, days = _STATE[name]
        return reverse(name, kwargs={"uid": booking_for(user, status=status,
                                                        days_ahead=days).uid})
    if name == "bookings:substitution-withdraw":
        # The page shows itself while an offer of the place waits for the colleague.
        booking = booking_for(user, status="booked")
        Substitution.objects.create(booking=booking, from_delegate=user,
                                    to_email="colleague@example.org", by=user)
        return reverse(name, kwargs={"uid": booking.uid})
    if name == "bookings:substitution-accept":
        colleague = UserFactory(organisation=user.organisation)
        booking = booking_for(colleague, status="booked")
        substitution = Substitution.objects.create(
            booking=booking, from_delegate=colleague, to_email=user.email, by=colleague)
        return reverse(name, kwargs={"token": signed_link_make(value=substitution.pk,
                                                               salt=SUBSTITUTION_SALT)})
    return reverse(name)


def core_public_url(name):
    from bookings.policies import LINE_MANAGER_SALT, signed_link_make
    from tests.factories import UserFactory

    if name == "bookings:line-manager-approval":
        booking = booking_for(UserFactory(), status="pending_approval")
        return reverse(name, kwargs={"token": signed_link_make(value=str(booking.uid),
                                                               salt=LINE_MANAGER_SALT)})
    return reverse(name)
