"""seed_bench (issue 14): the benchmark's data set is the same twice, holds every booking
state, and is refused with production settings or over a database with other data."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from demo.bench_data import BENCH_DOMAIN, counts_for

TODAY = date(2026, 11, 30)
pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _snapshot():
    """What a reader of the data would notice: counts and the first rows, by value."""
    from accounts.models import Organisation, User
    from bookings.models import Booking
    from charging.models import Invoice
    from courses.models import Event
    from evaluations.models import Answer, Response

    return {
        "counts": {m.__name__: m.objects.count()
                   for m in (Organisation, User, Event, Booking, Response, Answer, Invoice)},
        "users": list(User.objects.order_by("pk").values_list(
            "email", "first_name", "last_name", "organisation__name")[:5]),
        "bookings": list(Booking.objects.order_by("pk").values_list(
            "uid", "status", "delegate__email", "event__start", "created_at")[:8]),
        "answers": list(Answer.objects.order_by("pk").values_list(
            "question__key", "outcome_text", "value_int", "value_text")[:12]),
        "invoices": list(Invoice.objects.order_by("pk").values_list(
            "number", "organisation_name", "total", "issued_on")[:3]),
        "states": sorted(set(Booking.objects.values_list("status", flat=True))),
    }


def _build_and_undo(scale):
    from demo.bench_data import build

    try:
        with transaction.atomic():
            build(scale, today=TODAY)
            seen = _snapshot()
            raise _Undo
    except _Undo:
        return seen


def test_the_same_data_twice_with_every_booking_state():
    from bookings.models import BookingStatus

    first = _build_and_undo(0.001)
    second = _build_and_undo(0.001)
    assert first == second
    # The minimum sizes of a tiny scale: 60 people, 60 bookings.
    assert first["counts"]["User"] == 60
    assert first["counts"]["Booking"] == 60
    assert first["counts"]["Answer"] > first["counts"]["Response"] > 0
    assert first["counts"]["Invoice"] >= 1
    assert first["states"] == sorted(BookingStatus.values)
    assert all(email.endswith(BENCH_DOMAIN) for email, *_ in first["users"])


def test_no_event_holds_more_than_its_places():
    from django.db.models import F

    from courses.models import Event
    from demo.bench_data import build

    build(0.002, today=TODAY)
    assert Event.objects.exists()
    assert not Event.objects.filter(places_taken__gt=F("capacity")).exists()
    assert Event.objects.filter(start__date__gt=TODAY).exists()


def test_scale_ten_has_ten_times_the_rows():
    assert counts_for(1)["bookings"] == 60_000
    assert counts_for(10)["bookings"] == 600_000
    assert counts_for(10)["users"] == 10 * counts_for(1)["users"]
    assert counts_for(0.001)["bookings"] == 60  # the floor


def test_refused_with_production_settings(settings, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "ddscp_training.settings.production")
    with pytest.raises(CommandError, match="production settings"):
        call_command("seed_bench", scale=0.001)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "ddscp_training.settings.test")
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production settings"):
        call_command("seed_bench", scale=0.001)


def test_refused_over_other_data_unless_flushed():
    from accounts.models import User
    from tests.factories import UserFactory

    UserFactory(email="someone@dudley.gov.uk")
    with pytest.raises(CommandError, match="not bench accounts"):
        call_command("seed_bench", scale=0.001)
    assert User.objects.count() == 1


def test_the_sweeps_find_no_backlog_in_five_years_of_history():
    """Every request due has been sent and reminded as often as it will be: the email
    benchmark measures only the requests it makes due."""
    from datetime import datetime, time

    from django.utils import timezone

    from demo.bench_data import build
    from evaluations.services.requests import evaluation_requests_send

    build(0.002, today=TODAY)
    result = evaluation_requests_send(now=timezone.make_aware(datetime.combine(TODAY, time(7))))
    assert (result.requests_sent, result.reminders_sent, result.facilitator_requests) == (0, 0, 0)
