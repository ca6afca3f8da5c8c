"""Officers' pages: an event's waiting list (the late-cancellation queue moved to charging)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER, first_name="Olive", last_name="Officer")
    client.force_login(user)
    return user


def person(first, last, org="Dudley Council"):
    return UserFactory(first_name=first, last_name=last,
                       organisation=OrganisationFactory(name=org))


# Waiting list ---------------------------------------------------------------------------------

def test_waiting_list_in_the_order_places_are_offered(client, officer):
    event = EventFactory(capacity=1)
    now = timezone.now()
    BookingFactory(event=event)  # has the place: not on the list
    second = BookingFactory(event=event, delegate=person("Bea", "Second"),
                            status=BookingStatus.WAITLISTED, waitlisted_at=now - timedelta(days=1))
    BookingFactory(event=event, delegate=person("Ali", "First", "Little Acorns Nursery"),
                   status=BookingStatus.OFFERED, waitlisted_at=now - timedelta(days=3),
                   offer_expires_at=now + timedelta(hours=47))
    BookingFactory(event=event, delegate=person("Cy", "Third"), status=BookingStatus.WAITLISTED,
                   waitlisted_at=second.waitlisted_at)  # same moment: the later id is after
    BookingFactory(event=event, delegate=person("Dee", "Left"),
                   status=BookingStatus.LEFT_WAITING_LIST, waitlisted_at=now)

    response = client.get(reverse("bookings:event-waiting-list", kwargs={"event_pk": event.pk}))

    assert response.status_code == 200
    rows = [" ".join(r.split()) for r in re.findall(r"<tr>(.*?)</tr>", response.content.decode(),
                                                    flags=re.S)[1:]]
    names = [re.search(r"(Ali First|Bea Second|Cy Third)", r).group(1) for r in rows]
    assert names == ["Ali First", "Bea Second", "Cy Third"]
    page = text(response)
    assert "1 Ali First" in page and "Little Acorns Nursery" in page
    assert "Offered a place" in page and "Dee Left" not in page
    assert "3 waiting or holding an offer" in page


def test_waiting_list_costs_the_same_for_one_or_many(client, officer):
    event = EventFactory()
    url = reverse("bookings:event-waiting-list", kwargs={"event_pk": event.pk})
    BookingFactory(event=event, status=BookingStatus.WAITLISTED, waitlisted_at=timezone.now())
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(30):
        BookingFactory(event=event, status=BookingStatus.WAITLISTED, waitlisted_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(one)
    assert "Showing 1 to 25 of 31" in text(response)


def test_waiting_list_of_an_unknown_event_is_not_found(client, officer):
    assert client.get(reverse("bookings:event-waiting-list",
                              kwargs={"event_pk": 999999})).status_code == 404


# Late cancellations ---------------------------------------------------------------------------
# The queue and the review are the charging app's now (the review IS the charge decision):
# tests/charging/test_decisions_views.py. The old addresses send officers on.

def test_the_old_late_cancellation_addresses_send_officers_to_the_charges(client, officer):
    response = client.get(reverse("bookings:late-cancellation-list"))
    assert response.status_code == 302 and response["Location"] == reverse("charging:charge-list")
    booking = BookingFactory(status=BookingStatus.LATE_CANCELLED)
    response = client.get(reverse("bookings:late-cancellation-review",
                                  kwargs={"uid": booking.uid}))
    assert response["Location"] == reverse("charging:charge-decide", kwargs={"uid": booking.uid})
