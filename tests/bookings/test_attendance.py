"""The register: who is marked attended, late, not admitted or did not attend, by the DSPP
arrival rule (more than 30 minutes late on a full day, 15 on a half day, without contacting
the team: not admitted; exactly 30/15 is admitted), the training record it feeds, and the
page facilitators and officers mark it on."""

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import policies, services
from bookings.models import BookingStatus
from bookings.signals import attendance_marked
from core.audit import AuditEntry
from core.calendar import LONDON
from core.exceptions import DomainError
from courses.models import Completion, Event, Length
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

FULL, HALF = Length.FULL_DAY, Length.HALF_DAY
DEFAULTS = SimpleNamespace(late_minutes_full_day=30, late_minutes_half_day=15)


# The rule, without a database ----------------------------------------------------------------

@pytest.mark.parametrize(
    "minutes, contacted, length, admitted",
    [
        (0, None, FULL, True),
        (29, False, FULL, True),
        (30, False, FULL, True),
        (31, False, FULL, False),
        (31, True, FULL, True),
        (120, True, FULL, True),
        (15, False, HALF, True),
        (16, False, HALF, False),
        (16, True, HALF, True),
        (30, False, HALF, False),
    ],
    ids=["on-time", "full-29", "full-exactly-30-admitted", "full-31-refused",
         "full-31-contacted", "full-120-contacted", "half-exactly-15-admitted",
         "half-16-refused", "half-16-contacted", "half-30-refused"],
)
def test_arrival_outcome_at_the_boundaries(minutes, contacted, length, admitted):
    outcome = policies.arrival_outcome(minutes_late=minutes, contacted_team=contacted,
                                       length=length, partnership=DEFAULTS)
    assert outcome.admitted is admitted
    assert outcome.reason  # it explains itself
    if not admitted:
        assert "not admitted" in outcome.reason


def test_arrival_outcome_reads_the_partnerships_numbers():
    stricter = SimpleNamespace(late_minutes_full_day=10, late_minutes_half_day=5)
    assert not policies.arrival_outcome(minutes_late=11, contacted_team=False, length=FULL,
                                        partnership=stricter).admitted
    assert policies.arrival_outcome(minutes_late=5, contacted_team=False, length=HALF,
                                    partnership=stricter).admitted
    assert not policies.arrival_outcome(minutes_late=6, contacted_team=False, length=HALF,
                                        partnership=stricter).admitted


@pytest.mark.parametrize(
    "today, status, event_status, problem",
    [
        (date(2026, 3, 9), "booked", "scheduled", "opens on the day"),
        (date(2026, 3, 10), "booked", "scheduled", None),
        (date(2026, 3, 11), "attended", "completed", None),
        (date(2026, 3, 10), "waitlisted", "scheduled", "Only delegates with a place"),
        (date(2026, 3, 10), "cancelled", "scheduled", "Only delegates with a place"),
        (date(2026, 3, 10), "booked", "cancelled", "cancelled"),
    ],
    ids=["day-before", "on-the-day", "re-mark-after", "waitlisted", "cancelled-booking",
         "cancelled-event"],
)
def test_when_the_register_can_be_marked(today, status, event_status, problem):
    found = policies.attendance_marking_problem(status=status, event_status=event_status,
                                                event_starts_on=date(2026, 3, 10), today=today)
    if problem is None:
        assert found is None
    else:
        assert problem in found


# The service ---------------------------------------------------------------------------------

def started(hours_ago=2, **kwargs):
    """An event that started `hours_ago` hours ago, with one place taken per booking made."""
    start = timezone.now() - timedelta(hours=hours_ago)
    return EventFactory(start=start, end=start + timedelta(hours=7), **kwargs)


def booked(event, **kwargs):
    booking = BookingFactory(event=event, **kwargs)
    Event.objects.filter(pk=event.pk).update(places_taken=event.bookings.filter(
        status=BookingStatus.BOOKED).count())
    return booking


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.mark.django_db
def test_attended_adds_the_course_to_the_training_record_once(officer):
    event = started(course=CourseFactory(title="Working Together"))
    booking = booked(event)
    now = timezone.now()

    marked = services.attendance_mark(booking=booking, by=officer, outcome="attended", now=now)
    again = services.attendance_mark(booking=booking, by=officer, outcome="attended", now=now)

    assert marked.status == again.status == BookingStatus.ATTENDED
    completion = Completion.objects.get(user=booking.delegate)
    assert completion.course.title == "Working Together"
    assert completion.event == event
    assert completion.source == Completion.Source.ATTENDANCE
    assert completion.completed_on == event.start.astimezone(LONDON).date()
    marked.refresh_from_db()
    assert marked.attendance_marked_by == officer and marked.attendance_marked_at == now
    # The place was used: it still counts, so "1 of N booked" stays true after the event.
    event.refresh_from_db()
    assert event.places_taken == 1
    assert AuditEntry.objects.filter(action="booking.attendance_mark").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "length, minutes, contacted, status",
    [(FULL, 30, False, BookingStatus.ATTENDED), (FULL, 31, False, BookingStatus.NOT_ADMITTED),
     (FULL, 45, True, BookingStatus.ATTENDED), (HALF, 15, False, BookingStatus.ATTENDED),
     (HALF, 16, False, BookingStatus.NOT_ADMITTED)],
    ids=["full-30", "full-31", "full-45-contacted", "half-15", "half-16"],
)
def test_late_arrival_is_decided_by_the_rule(officer, length, minutes, contacted, status):
    event = started(course=CourseFactory(length=length))
    booking = booked(event)

    marked = services.attendance_mark(booking=booking, by=officer, outcome="late",
                                      minutes_late=minutes, contacted_team=contacted,
                                      now=timezone.now())

    marked.refresh_from_db()
    assert (marked.status, marked.minutes_late, marked.contacted_team) == (
        status, minutes, contacted)
    assert Completion.objects.filter(user=booking.delegate).exists() == (
        status == BookingStatus.ATTENDED)


@pytest.mark.django_db
def test_correcting_attended_to_no_show_takes_the_course_off_the_record(officer):
    event = started()
    booking = booked(event)
    services.attendance_mark(booking=booking, by=officer, outcome="attended", now=timezone.now())
    assert Completion.objects.filter(user=booking.delegate).count() == 1

    services.attendance_mark(booking=booking, by=officer, outcome="no_show",
                             contacted_team=False, now=timezone.now())

    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW and booking.contacted_team is False
    assert not Completion.objects.filter(user=booking.delegate).exists()
    event.refresh_from_db()
    assert event.places_taken == 1  # a used place is never handed out again


@pytest.mark.django_db
def test_a_facilitator_marks_only_the_events_they_deliver(make_user):
    mine, other = make_user(Role.FACILITATOR), make_user(Role.FACILITATOR)
    event = started(facilitators=[mine])
    booking = booked(event)

    with pytest.raises(DomainError, match="only for events you deliver"):
        services.attendance_mark(booking=booking, by=other, outcome="attended",
                                 now=timezone.now())
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED

    services.attendance_mark(booking=booking, by=mine, outcome="attended", now=timezone.now())
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED


@pytest.mark.django_db
def test_the_register_opens_on_the_day_of_the_event(officer):
    tomorrow = timezone.localdate() + timedelta(days=1)
    event = EventFactory(start=datetime(tomorrow.year, tomorrow.month, tomorrow.day, 0, 5,
                                        tzinfo=LONDON))
    booking = booked(event)

    with pytest.raises(DomainError, match="opens on the day of the event"):
        services.attendance_mark(booking=booking, by=officer, outcome="attended",
                                 now=timezone.now())
    # From the event's first minute in London it is open.
    services.attendance_mark(booking=booking, by=officer, outcome="attended", now=event.start)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs, message",
    [({"outcome": "late", "minutes_late": -5, "contacted_team": False}, "cannot be negative"),
     ({"outcome": "late", "minutes_late": None, "contacted_team": False}, "how many minutes"),
     ({"outcome": "late", "minutes_late": 40, "contacted_team": None}, "contacted the training"),
     ({"outcome": "present"}, "Choose attended")],
    ids=["negative", "late-without-minutes", "late-without-contact", "unknown-outcome"],
)
def test_bad_marks_are_refused_with_a_reason(officer, kwargs, message):
    booking = booked(started())
    with pytest.raises(DomainError, match=message):
        services.attendance_mark(booking=booking, by=officer, now=timezone.now(), **kwargs)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


@pytest.mark.django_db
def test_only_delegates_with_a_place_are_marked(officer):
    event = started()
    waiting = BookingFactory(event=event, status=BookingStatus.WAITLISTED,
                             waitlisted_at=timezone.now())
    with pytest.raises(DomainError, match="Only delegates with a place"):
        services.attendance_mark(booking=waiting, by=officer, outcome="attended",
                                 now=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_the_evaluations_hear_of_each_mark_after_it_is_saved(officer):
    booking = booked(started())
    heard = []

    def receiver(sender, booking, previous_status, **kwargs):
        booking.refresh_from_db()  # committed by now
        heard.append((booking.pk, booking.status, previous_status))

    attendance_marked.connect(receiver, dispatch_uid="test-attendance")
    try:
        services.attendance_mark(booking=booking, by=officer, outcome="attended",
                                 now=timezone.now())
    finally:
        attendance_marked.disconnect(dispatch_uid="test-attendance")
    assert heard == [(booking.pk, BookingStatus.ATTENDED, BookingStatus.BOOKED)]


# The page ------------------------------------------------------------------------------------

def text(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


def row(booking, **fields):
    return {f"b{booking.pk}-{name}": value for name, value in fields.items()}


@pytest.fixture
def facilitator(client, make_user):
    user = make_user(Role.FACILITATOR)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_facilitator_marks_the_register_of_their_event(client, facilitator):
    event = started(course=CourseFactory(title="Child exploitation", length=FULL),
                    facilitators=[facilitator])
    ann = booked(event, delegate=UserFactory(first_name="Ann", last_name="Archer"))
    bob = booked(event, delegate=UserFactory(first_name="Bob", last_name="Baker"))
    cat = booked(event, delegate=UserFactory(first_name="Cat", last_name="Cole"))
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert ["Ann Archer", "Bob Baker", "Cat Cole"] == [
        f.delegate_name for f in page.context["forms"]]
    assert "Print the register (PDF)" in text(page)

    response = client.post(url, {
        **row(ann, outcome="attended"),
        **row(bob, outcome="late", minutes_late="45", contacted_team="no"),
        **row(cat, outcome="no_show", contacted_team="yes"),
    }, follow=True)

    assert "Saved: 3 delegates marked on the register." in text(response)
    statuses = dict(event.bookings.values_list("delegate__first_name", "status"))
    assert statuses == {"Ann": BookingStatus.ATTENDED, "Bob": BookingStatus.NOT_ADMITTED,
                        "Cat": BookingStatus.NO_SHOW}
    assert "1 attended, 1 not admitted, 1 did not attend, 0 not marked yet" in text(response)
    # The page shows the marks as saved, ready to correct.
    forms = {f.delegate_name: f for f in response.context["forms"]}
    assert forms["Bob Baker"]["outcome"].value() == "late"
    assert forms["Bob Baker"]["minutes_late"].value() == 45


@pytest.mark.django_db
def test_a_bad_line_is_explained_and_the_others_are_saved(client, facilitator):
    event = started(facilitators=[facilitator])
    ann = booked(event, delegate=UserFactory(first_name="Ann", last_name="Archer"))
    bob = booked(event, delegate=UserFactory(first_name="Bob", last_name="Baker"))
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})

    response = client.post(url, {
        **row(ann, outcome="attended"),
        **row(bob, outcome="late", minutes_late="-10", contacted_team="no"),
    })

    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "Bob Baker: Minutes late cannot be negative: enter 1 or more." in page
    assert f'href="#id_b{bob.pk}-minutes_late"' in response.content.decode()
    # What was typed is still there to correct, and Ann's line is saved.
    assert re.search(rf'id="id_b{bob.pk}-minutes_late"\s+value="-10"', response.content.decode())
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert ann.status == BookingStatus.ATTENDED
    assert bob.status == BookingStatus.BOOKED and bob.minutes_late is None


@pytest.mark.django_db
def test_late_needs_minutes_and_contact(client, facilitator):
    event = started(facilitators=[facilitator])
    ann = booked(event, delegate=UserFactory(first_name="Ann", last_name="Archer"))
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})

    response = client.post(url, row(ann, outcome="late", minutes_late="abc"))

    page = text(response)
    assert "Ann Archer: Enter the minutes late as a whole number, for example 20." in page
    response = client.post(url, row(ann, outcome="late", minutes_late="20"))
    assert "Ann Archer: Say whether the delegate contacted the training team." in text(response)
    ann.refresh_from_db()
    assert ann.status == BookingStatus.BOOKED


@pytest.mark.django_db
def test_before_the_day_the_register_is_shown_but_not_open(client, facilitator):
    event = EventFactory(start=timezone.now() + timedelta(days=3), facilitators=[facilitator])
    ann = booked(event)
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})

    page = client.get(url)
    assert "The register opens on the day of the event" in text(page)
    assert 'name="b' not in page.content.decode()  # no inputs to fill yet

    response = client.post(url, row(ann, outcome="attended"), follow=True)
    assert "The register opens on the day of the event" in text(response)
    ann.refresh_from_db()
    assert ann.status == BookingStatus.BOOKED


@pytest.mark.django_db
def test_another_facilitators_register_is_not_found(client, facilitator, make_user):
    event = started(facilitators=[make_user(Role.FACILITATOR)])
    booking = booked(event)
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})

    assert client.get(url).status_code == 404
    assert client.post(url, row(booking, outcome="no_show")).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


@pytest.mark.django_db
def test_an_officer_marks_any_register(client, officer):
    event = started()
    ann = booked(event)
    client.force_login(officer)
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})
    client.post(url, row(ann, outcome="attended"))
    ann.refresh_from_db()
    assert ann.status == BookingStatus.ATTENDED


@pytest.mark.django_db
def test_the_register_is_paginated_and_costs_the_same_for_one_or_many(client, facilitator):
    event = started(facilitators=[facilitator], capacity=60)
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})
    booked(event)
    client.get(url)  # warm caches (the partnership, content types)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(59):
        booked(event)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(one), [q["sql"] for q in many]
    assert len(response.context["forms"]) == 50
    assert "Showing 1 to 50 of 60" in text(response)
    assert len(client.get(url, {"page": 2}).context["forms"]) == 10


@pytest.mark.django_db
def test_the_register_lines_are_djangos_own_form_html_escaped(client, facilitator):
    """The register writes its lines in Python (bookings_tags.register_row, issue 14): each
    radio is exactly what Django's widget template gives, on a line with errors too, and a
    name is escaped."""
    from bookings.forms_ops import RegisterRowForm
    from bookings.templatetags.bookings_tags import input_tag

    event = started(facilitators=[facilitator])
    odd = booked(event, delegate=UserFactory(first_name="<b>Zoë</b>", last_name="O'Neill"))
    url = reverse("bookings:event-register", kwargs={"event_pk": event.pk})
    for data in (None, row(odd, outcome="late", minutes_late="-3", contacted_team="yes")):
        form = RegisterRowForm(data, booking=odd)
        if data:
            assert not form.is_valid()
        radios = list(form["outcome"])
        assert [input_tag(radio) for radio in radios] == [radio.tag() for radio in radios]

    html = client.get(url).content.decode()
    assert "&lt;b&gt;Zoë&lt;/b&gt; O&#x27;Neill" in html and "<b>Zoë" not in html
    html = client.post(url, row(odd, outcome="late", minutes_late="-3",
                                contacted_team="yes")).content.decode()
    assert re.search(rf'id="id_b{odd.pk}-minutes_late"\s+value="-3" class="form-control '
                     rf'form-control-sm w-6rem is-invalid"\s+aria-invalid="true" '
                     rf'aria-describedby="id_b{odd.pk}-minutes_late_error">', html)
    assert ('<option value="yes" selected>Yes</option>' in html
            and f'id="id_b{odd.pk}-outcome_1" checked>' in html)


@pytest.mark.django_db
def test_before_the_day_each_line_says_the_register_opens_on_the_day(client, facilitator):
    """A register of an event still to come lists the delegates, each with one cell saying when
    attendance can be marked, and no attendance inputs (bookings_tags.register_row)."""
    event = started(hours_ago=-72, facilitators=[facilitator])
    booked(event, delegate=UserFactory(first_name="Ann", last_name="Archer"))
    html = client.get(reverse("bookings:event-register",
                              kwargs={"event_pk": event.pk})).content.decode()
    assert "Ann Archer" in html
    assert '<td colspan="3" class="text-secondary">Opens on the day</td>' in html
    assert 'type="radio"' not in html
