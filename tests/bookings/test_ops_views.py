"""Officers' pages: an event's waiting list, and the late-cancellation queue with the review
that records whether the charge applies."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from core.audit import AuditEntry
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

def late(first, last, org, *, reason="illness", detail="", days_ago=1, reviewed=False):
    booking = BookingFactory(
        delegate=person(first, last, org), status=BookingStatus.LATE_CANCELLED,
        cancelled_at=timezone.now() - timedelta(days=days_ago), notice_working_days=2,
        late_cancellation_reason=reason, late_cancellation_detail=detail)
    if reviewed:
        booking.late_cancellation_reviewed_at = timezone.now()
        booking.save()
    return booking


def test_late_cancellation_queue_lists_those_waiting_for_a_decision(client, officer):
    late("Ann", "Archer", "Happy Days Nurseries Ltd", reason="service_users",
         detail="A child protection conference was called at short notice.", days_ago=3)
    late("Bob", "Baker", "Dudley Council", days_ago=1)
    late("Cat", "Done", "Dudley Council", reviewed=True)
    BookingFactory(status=BookingStatus.CANCELLED, delegate=person("Dan", "InTime", "X"))

    page = text(client.get(reverse("bookings:late-cancellation-list")))

    assert "2 waiting for a decision" in page
    assert page.index("Ann Archer") < page.index("Bob Baker")  # oldest first
    assert "Happy Days Nurseries Ltd" in page
    assert "Reasons relating to service users" in page
    assert "A child protection conference was called at short notice." in page
    assert "Cat Done" not in page and "Dan InTime" not in page


def test_late_cancellation_queue_costs_the_same_for_one_or_many(client, officer):
    url = reverse("bookings:late-cancellation-list")
    late("Ann", "Archer", "Org A")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(10):
        late(f"P{i}", "Person", f"Org {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


def test_the_officer_decides_the_charge_and_it_leaves_the_queue(client, officer):
    booking = late("Ann", "Archer", "Happy Days Nurseries Ltd", reason="other",
                   detail="Train cancelled")
    url = reverse("bookings:late-cancellation-review", kwargs={"uid": booking.uid})

    page = client.get(url)
    assert "Train cancelled" in text(page) and "2 working days" in text(page)

    response = client.post(url, {"charge_recommended": "yes", "note": "Not a reason we accept."},
                           follow=True)

    assert "Decision saved for Ann Archer: the charge applies." in text(response)
    assert "No late cancellation is waiting for a decision." in text(response)
    booking.refresh_from_db()
    assert booking.late_cancellation_charge_recommended is True
    assert booking.late_cancellation_reviewed_by == officer
    assert booking.late_cancellation_review_note == "Not a reason we accept."
    assert AuditEntry.objects.filter(action="booking.late_cancel_review", actor=officer).exists()
    # Decided once: the page now shows the decision, and a second one is refused.
    again = client.get(url)
    assert "the charge applies" in text(again) and "Save the decision" not in text(again)
    response = client.post(url, {"charge_recommended": "no", "note": "Changed my mind"})
    assert "already reviewed" in text(response)
    booking.refresh_from_db()
    assert booking.late_cancellation_charge_recommended is True


def test_waiving_the_charge_needs_a_reason(client, officer):
    booking = late("Ann", "Archer", "Org")
    url = reverse("bookings:late-cancellation-review", kwargs={"uid": booking.uid})

    response = client.post(url, {"charge_recommended": "no", "note": "  "})
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "Give the reason for waiving the charge." in text(response)
    response = client.post(url, {})
    assert "Choose whether the late cancellation charge applies." in text(response)
    booking.refresh_from_db()
    assert booking.late_cancellation_reviewed_at is None

    client.post(url, {"charge_recommended": "no", "note": "Sick child: accepted."})
    booking.refresh_from_db()
    assert booking.late_cancellation_charge_recommended is False


def test_only_late_cancellations_can_be_reviewed(client, officer):
    booked = BookingFactory()
    url = reverse("bookings:late-cancellation-review", kwargs={"uid": booked.uid})
    assert client.get(url).status_code == 404
    assert client.post(url, {"charge_recommended": "yes"}).status_code == 404


def test_a_delegate_cannot_review_even_their_own(client):
    booking = late("Ann", "Archer", "Org")
    client.force_login(booking.delegate)
    url = reverse("bookings:late-cancellation-review", kwargs={"uid": booking.uid})
    assert client.post(url, {"charge_recommended": "no", "note": "x"}).status_code == 403
    booking.refresh_from_db()
    assert booking.late_cancellation_reviewed_at is None
