"""Who may open the programme management and facilitator pages, and how to build each
page's address (tests/accounts/test_roles.py reads both)."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"

PROGRAMME_PAGES = {
    "courses:manage-event-list": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:manage-event-calendar": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:manage-event-create": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-event-update": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-event-duplicate": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-event-cancel": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-course-list": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-course-create": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-course-update": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-pool": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-venue-list": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-venue-create": {Role.OFFICER, SITE_ADMIN},
    "courses:manage-venue-update": {Role.OFFICER, SITE_ADMIN},
    # Facilitators see their own events; officers any event.
    "bookings:facilitator-event-list": {Role.FACILITATOR, Role.OFFICER, SITE_ADMIN},
    "bookings:facilitator-event-detail": {Role.FACILITATOR, Role.OFFICER, SITE_ADMIN},
    # Exports (issue 11): the programme as the programme page; an event's delegates as its
    # facilitator page.
    "courses:manage-event-export": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "bookings:event-delegates-export": {Role.FACILITATOR, Role.OFFICER, SITE_ADMIN},
}


def programme_page_url(name):
    """The address of one of PROGRAMME_PAGES, creating what it shows. The facilitator page of
    an event is made for an event every facilitator who exists at that moment delivers (the
    person signed in for the test included)."""
    from accounts.models import User
    from accounts.roles import group_name
    from tests.factories import CourseFactory, EventFactory, VenueFactory

    if name in ("courses:manage-event-update", "courses:manage-event-duplicate",
                "courses:manage-event-cancel"):
        return reverse(name, kwargs={"pk": EventFactory().pk})
    if name in ("courses:manage-course-update", "courses:manage-pool"):
        return reverse(name, kwargs={"pk": CourseFactory().pk})
    if name == "courses:manage-venue-update":
        return reverse(name, kwargs={"pk": VenueFactory().pk})
    if name == "bookings:facilitator-event-detail":
        event = EventFactory()
        event.facilitators.set(User.objects.filter(groups__name=group_name(Role.FACILITATOR)))
        return reverse(name, kwargs={"pk": event.pk})
    if name == "bookings:event-delegates-export":
        event = EventFactory()
        event.facilitators.set(User.objects.filter(groups__name=group_name(Role.FACILITATOR)))
        return reverse(name, kwargs={"event_pk": event.pk, "kind": "csv"})
    if name == "courses:manage-event-export":
        return reverse(name, kwargs={"kind": "xlsx"})
    return reverse(name)
