"""The facilitator's area: "My events" and, for each of their events, the delegates with the
access needs they chose to share. Another facilitator's event is not found; officers can open
any event's page."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from core.calendar import LONDON
from courses.models import Event, EventStatus, Format
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)


def at(days, hour=9, minute=30):
    d = timezone.localdate() + timedelta(days=days)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=LONDON)


def text(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    html = re.sub(r"</?span\b[^>]*>", "", html)  # inline: no space where a span starts
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


@pytest.fixture
def facilitator(client, make_user):
    user = make_user(Role.FACILITATOR, first_name="Fay", last_name="Cilitator")
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_my_events_lists_the_events_i_facilitate_with_what_i_need(client, facilitator,
                                                                  make_user):
    colleague = make_user(Role.FACILITATOR)
    online = EventFactory(course=CourseFactory(title="Neglect: level 2", format=Format.VIRTUAL),
                          start=at(7), joining_link="https://teams.example/j/neglect",
                          prep_meeting_at=at(2, 14, 0), capacity=30, facilitators=[facilitator])
    Event.objects.filter(pk=online.pk).update(places_taken=12)
    room = EventFactory(course=CourseFactory(title="Domestic abuse", format=Format.CLASSROOM),
                        venue=VenueFactory(name="Council House, Room 4"), start=at(14),
                        capacity=20, facilitators=[facilitator, colleague])
    EventFactory(course=CourseFactory(title="Not mine"), facilitators=[colleague])
    EventFactory(course=CourseFactory(title="Long ago"), start=at(-200),
                 facilitators=[facilitator])
    past = EventFactory(course=CourseFactory(title="Last week"), start=at(-7),
                        facilitators=[facilitator])

    response = client.get(reverse("bookings:facilitator-event-list"))

    assert response.status_code == 200
    assert list(response.context["object_list"]) == [online, room]
    page = text(response)
    assert "Neglect: level 2" in page and "Domestic abuse" in page
    assert "Not mine" not in page and "Last week" not in page
    assert "Online" in page and "Council House, Room 4" in page
    assert 'href="https://teams.example/j/neglect"' in response.content.decode()
    assert f"{at(2):%a} {at(2).day} {at(2):%b %Y}, 2pm" in page  # the prep meeting
    assert "12 of 30" in page and "0 of 20" in page

    recent = client.get(reverse("bookings:facilitator-event-list"), {"show": "recent"})
    assert list(recent.context["object_list"]) == [past]  # not the one 200 days ago


@pytest.mark.django_db
def test_the_event_page_lists_delegates_and_the_access_needs_they_shared(client, facilitator):
    event = EventFactory(course=CourseFactory(title="Neglect: level 2"),
                         facilitators=[facilitator])
    council = OrganisationFactory(name="Dudley Council")
    nursery = OrganisationFactory(name="Little Acorns Nursery")
    BookingFactory(event=event, organisation=council, access_needs="BSL interpreter, please.",
                   delegate=UserFactory(first_name="Ann", last_name="Able", organisation=council,
                                        access_needs="Profile says: hearing loop"))
    BookingFactory(event=event, organisation=nursery,
                   delegate=UserFactory(first_name="Bo", last_name="Baker", organisation=nursery,
                                        access_needs="Breaks every hour (ADHD)."))
    BookingFactory(event=event, delegate=UserFactory(first_name="Cy", last_name="Clark"))
    BookingFactory(event=event, status=BookingStatus.CANCELLED,
                   delegate=UserFactory(first_name="Gone", last_name="Away"))
    BookingFactory(event=event, status=BookingStatus.WAITLISTED,
                   delegate=UserFactory(first_name="Wai", last_name="Ting"))

    response = client.get(reverse("bookings:facilitator-event-detail",
                                  kwargs={"pk": event.pk}))

    assert response.status_code == 200
    rows = re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)[1:]
    cells = [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]
    assert cells[0].startswith("Ann Able Dudley Council")
    assert cells[0].endswith("BSL interpreter, please.")  # this booking's, not the profile's
    assert cells[1].startswith("Bo Baker Little Acorns Nursery")
    assert cells[1].endswith("Breaks every hour (ADHD).")  # from the profile
    assert cells[2].startswith("Cy Clark") and cells[2].endswith("None shared")
    assert len(cells) == 3
    page = text(response)
    assert "Gone Away" not in page and "Wai Ting" not in page


@pytest.mark.django_db
def test_another_facilitators_event_is_not_found(client, facilitator, make_user):
    theirs = EventFactory(facilitators=[make_user(Role.FACILITATOR)])
    response = client.get(reverse("bookings:facilitator-event-detail", kwargs={"pk": theirs.pk}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_officer_opens_any_events_facilitator_page(client, make_user):
    event = EventFactory(course=CourseFactory(title="Neglect: level 2"),
                         facilitators=[make_user(Role.FACILITATOR)])
    BookingFactory(event=event, delegate=UserFactory(first_name="Ann", last_name="Able"))
    client.force_login(make_user(Role.OFFICER))
    response = client.get(reverse("bookings:facilitator-event-detail", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    assert "Ann Able" in text(response)


@pytest.mark.django_db
def test_the_officer_of_an_event_sees_it_in_my_events(client, make_user):
    officer = make_user(Role.OFFICER)
    mine = EventFactory(officer=officer)
    EventFactory()
    client.force_login(officer)
    response = client.get(reverse("bookings:facilitator-event-list"))
    assert list(response.context["object_list"]) == [mine]
    assert "You are the L&amp;D officer" in response.content.decode()


@pytest.mark.django_db
def test_a_cancelled_event_says_so(client, facilitator):
    event = EventFactory(facilitators=[facilitator], status=EventStatus.CANCELLED,
                         cancellation_reason="Trainer ill", cancelled_at=timezone.now())
    page = text(client.get(reverse("bookings:facilitator-event-detail", kwargs={"pk": event.pk})))
    assert "This event is cancelled" in page and "Trainer ill" in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


@pytest.mark.django_db
def test_my_events_costs_the_same_for_1_or_30_events(client, facilitator):
    def add(n):
        for i in range(n):
            EventFactory(course=CourseFactory(), venue=VenueFactory(), officer=UserFactory(),
                         start=at(1 + i), facilitators=[facilitator, UserFactory()])

    url = reverse("bookings:facilitator-event-list")
    add(1)
    client.get(url)
    _, one = count_queries(client, url)
    add(29)
    response, thirty = count_queries(client, url)
    assert response.context["paginator"].count == 30
    assert len(response.context["object_list"]) == 20  # a page
    assert response.context["is_paginated"]
    assert one == thirty


@pytest.mark.django_db
def test_the_event_page_costs_the_same_for_1_or_30_delegates(client, facilitator):
    event = EventFactory(facilitators=[facilitator], officer=UserFactory(),
                         venue=VenueFactory())

    def add(n):
        for _ in range(n):
            BookingFactory(event=event, delegate=UserFactory(organisation=OrganisationFactory()))

    url = reverse("bookings:facilitator-event-detail", kwargs={"pk": event.pk})
    add(1)
    client.get(url)
    _, one = count_queries(client, url)
    add(29)
    response, thirty = count_queries(client, url)
    assert response.context["paginator"].count == 30
    assert one == thirty


@pytest.mark.django_db
@pytest.mark.parametrize("days_after, shown", [(30, True), (31, False)])
def test_access_needs_are_shown_for_the_retention_period_after_the_event_only(
        client, facilitator, days_after, shown):
    """Access needs are for the session (issue 15): once `access_needs_retention_days` have
    passed since the event's last day, the retention sweep deletes a booking's; the page must
    not show the profile's in their place either, nor those of a booking not yet swept."""
    event = EventFactory(start=at(-days_after, 9, 30), end=at(-days_after, 16, 30),
                         facilitators=[facilitator])
    BookingFactory(event=event, status=BookingStatus.ATTENDED, access_needs="",
                   delegate=UserFactory(first_name="Bo", last_name="Baker",
                                        access_needs="Breaks every hour (ADHD)."))
    BookingFactory(event=event, status=BookingStatus.ATTENDED, access_needs="BSL, please.",
                   delegate=UserFactory(first_name="Ann", last_name="Able"))
    url = reverse("bookings:facilitator-event-detail", kwargs={"pk": event.pk})

    page = text(client.get(url))
    export = client.get(reverse("bookings:event-delegates-export",
                                kwargs={"event_pk": event.pk, "kind": "csv"}))
    exported = b"".join(export.streaming_content if export.streaming else [export.content])

    assert "Bo Baker" in page and "Ann Able" in page
    assert ("Breaks every hour (ADHD)." in page) is shown
    assert ("BSL, please." in page) is shown
    assert (b"Breaks every hour" in exported) is shown
