"""Plurals right everywhere (issue 12: "1 working day' notice" on the booking page): the
booking page and a cancelled booking say "1 working day" / "2 working days", and the
possessive follows the plural ("1 working day's notice", "2 working days' notice")."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Partnership
from core.words import notice, plural
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_plural_and_notice_words():
    assert plural(1, "working day") == "1 working day"
    assert plural(2, "working day") == "2 working days"
    assert plural(0, "person", "people") == "0 people"
    assert notice(1) == "1 working day's notice"
    assert notice(2) == "2 working days' notice"


def page_text(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode()).replace("’", "'")


@pytest.mark.parametrize("days, words", [(1, "up to 1 working day before the event"),
                                         (2, "up to 2 working days before the event")],
                         ids=["one day", "two days"])
def test_the_booking_page_counts_the_free_cancellation_days(client, days, words):
    Partnership.objects.filter(pk=Partnership.load().pk).update(notice_working_days=days)
    event = EventFactory(start=timezone.now() + timedelta(days=30))
    client.force_login(UserFactory())
    text = page_text(client.get(reverse("bookings:booking-create", args=[event.pk])))
    assert words in text
    assert "1 working days" not in text


@pytest.mark.parametrize("days, words", [(1, "1 working day's notice"),
                                         (2, "2 working days' notice")],
                         ids=["one day", "two days"])
def test_a_cancelled_booking_says_the_notice_given(client, days, words):
    delegate = UserFactory()
    booking = BookingFactory(delegate=delegate, status="cancelled",
                             event=EventFactory(start=timezone.now() + timedelta(days=30)),
                             cancelled_at=timezone.now(), notice_working_days=days)
    client.force_login(delegate)
    text = page_text(client.get(reverse("bookings:booking-detail", args=[booking.uid])))
    assert words in text
    assert "day' notice" not in text


@pytest.mark.parametrize("hours, words", [(1, "1 hour to accept"), (2, "2 hours to accept")],
                         ids=["one hour", "two hours"])
def test_the_waiting_list_offer_time_is_counted(client, hours, words):
    Partnership.objects.filter(pk=Partnership.load().pk).update(waiting_list_offer_hours=hours)
    event = EventFactory(start=timezone.now() + timedelta(days=30), capacity=1)
    BookingFactory(event=event)
    event.places_taken = 1
    event.save(update_fields=["places_taken"])
    client.force_login(UserFactory())
    text = page_text(client.get(reverse("bookings:waitlist-join", args=[event.pk])))
    assert words in text
