"""Who may open the register, waiting-list and My training pages, and how
to build each page's address (tests/accounts/test_roles.py reads both)."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])
REGISTER_KEEPERS = {Role.FACILITATOR, Role.OFFICER, SITE_ADMIN}

OPS_PAGES = {
    "bookings:my-training": EVERYONE,
    # A facilitator for the events they deliver (the event is made theirs below); officers any.
    "bookings:event-register": REGISTER_KEEPERS,
    "bookings:event-register-pdf": REGISTER_KEEPERS,
    "bookings:event-signin-pdf": REGISTER_KEEPERS,
    "bookings:register-substitute": REGISTER_KEEPERS,
    "bookings:event-waiting-list": {Role.OFFICER, SITE_ADMIN},
}
# The late-cancellation queue is the charging app's now (tests/charging/charge_pages.py).


def ops_page_url(name):
    """The address of one of OPS_PAGES, creating what it shows. The register is made for an
    event every facilitator who exists at that moment delivers (the person signed in for the
    test included)."""
    from accounts.models import User
    from accounts.roles import group_name
    from tests.factories import EventFactory

    if name in ("bookings:event-register", "bookings:event-register-pdf",
                "bookings:event-signin-pdf", "bookings:event-waiting-list",
                "bookings:register-substitute"):
        event = EventFactory()
        event.facilitators.set(User.objects.filter(groups__name=group_name(Role.FACILITATOR)))
        return reverse(name, kwargs={"event_pk": event.pk})
    return reverse(name)
