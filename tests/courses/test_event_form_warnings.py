"""The event form's warnings (issue 12: an event on a bank holiday is asked about, "Check the
joining link" only after copying an online event; issue 11: before a change of date, time,
venue or joining link is saved, the form says how many people it emails and asks to confirm).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import services as booking_services
from core.calendar import bank_holiday_name
from courses.models import Event, Format
from tests.courses.test_programme import create_url, error_summary, event_data, text
from tests.factories import (
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER)
    client.force_login(user)
    return user


def next_bank_holiday(after_days=7):
    day = timezone.localdate() + timedelta(days=after_days)
    while not bank_holiday_name(day):
        day += timedelta(days=1)
    return day


def test_an_event_on_a_bank_holiday_is_asked_about_then_added_when_confirmed(client, officer):
    course = CourseFactory(format=Format.VIRTUAL)
    holiday = next_bank_holiday()
    data = event_data(date=holiday.isoformat())
    response = client.post(create_url(course), data)
    assert response.status_code == 200
    assert f"is a bank holiday ({bank_holiday_name(holiday)})" in error_summary(response)
    assert 'name="confirm_bank_holiday"' in response.content.decode()
    assert not Event.objects.exists()

    response = client.post(create_url(course), {**data, "confirm_bank_holiday": "on"})
    assert response.status_code == 302
    assert Event.objects.get().start.date() == holiday


def test_a_working_day_is_not_asked_about(client, officer):
    course = CourseFactory(format=Format.VIRTUAL)
    day = next_bank_holiday() + timedelta(days=1)
    while bank_holiday_name(day) or day.weekday() >= 5:
        day += timedelta(days=1)
    response = client.post(create_url(course), event_data(date=day.isoformat()))
    assert response.status_code == 302
    assert "confirm_bank_holiday" not in client.get(
        reverse("courses:manage-event-update", kwargs={"pk": Event.objects.get().pk})
    ).content.decode()


def _booked_event(count=2):
    now = timezone.now()
    event = EventFactory(course=CourseFactory(format=Format.VIRTUAL, title="Neglect"),
                         joining_link="https://teams.example/j/neglect")
    organisation = OrganisationFactory()
    for i in range(count):
        booking_services.booking_create(
            event=event, delegate=UserFactory(organisation=organisation,
                                              email=f"formwarn{i}@example.org"), now=now)
    event.refresh_from_db()
    return event


def _same(event, **overrides):
    """The form's values for the event as it is, with `overrides`."""
    from core.calendar import LONDON

    start, end = event.start.astimezone(LONDON), event.end.astimezone(LONDON)
    values = {"date": start.date().isoformat(), "start_time": f"{start:%H:%M}",
              "end_time": f"{end:%H:%M}", "capacity": str(event.capacity),
              "joining_link": event.joining_link}
    values.update(overrides)
    return event_data(**values)


def test_the_form_says_how_many_delegates_a_change_emails(client, officer):
    event = _booked_event()
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})
    page = text(client.get(url))
    assert ("Changing the date, times, venue or joining link emails 2 delegates with a place "
            "or an offer") in page


def test_a_change_of_time_is_confirmed_before_the_delegates_are_emailed(client, officer):
    event = _booked_event()
    mail.outbox.clear()
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})
    data = _same(event, start_time="10:30")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Saving this change emails 2 delegates with a place or an offer" in error_summary(
        response)
    assert "Now:" in text(response) and "10:30am" in text(response)
    event.refresh_from_db()
    assert f"{event.start.astimezone():%H:%M}" != "10:30"
    assert not [m for m in mail.outbox if "Changed" in m.subject]

    response = client.post(url, {**data, "confirm_change": "on"}, follow=True)
    assert "We are emailing 2 delegates with a place or an offer about the change" in text(
        response)
    assert len([m for m in mail.outbox if m.subject.startswith("Changed")]) == 2


def test_a_change_nobody_is_told_of_needs_no_confirmation(client, officer):
    event = _booked_event()
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})
    response = client.post(url, _same(event, notes_for_delegates="Bring a pen"))
    assert response.status_code == 302


@pytest.mark.parametrize("course_format, says_link", [(Format.VIRTUAL, True),
                                                      (Format.CLASSROOM, False)],
                         ids=["virtual", "classroom"])
def test_check_the_joining_link_only_after_copying_an_online_event(client, officer,
                                                                    course_format, says_link):
    venue = VenueFactory() if course_format == Format.CLASSROOM else None
    event = EventFactory(course=CourseFactory(format=course_format), venue=venue,
                         joining_link="https://teams.example/j/1" if says_link else "")
    day = timezone.localdate() + timedelta(days=50)
    while bank_holiday_name(day):
        day += timedelta(days=1)
    response = client.post(reverse("courses:manage-event-duplicate", kwargs={"pk": event.pk}),
                           {"date": day.isoformat()}, follow=True)
    page = text(response)
    assert "The event is copied" in page
    assert ("Check the joining link" in page) is says_link


def test_running_an_event_again_on_a_bank_holiday_is_asked_about(client, officer):
    event = EventFactory(course=CourseFactory(format=Format.VIRTUAL),
                         joining_link="https://teams.example/j/1")
    holiday = next_bank_holiday()
    url = reverse("courses:manage-event-duplicate", kwargs={"pk": event.pk})
    response = client.post(url, {"date": holiday.isoformat()})
    assert response.status_code == 200
    assert f"is a bank holiday ({bank_holiday_name(holiday)})" in error_summary(response)
    assert Event.objects.count() == 1
    response = client.post(url, {"date": holiday.isoformat(), "confirm_bank_holiday": "on"})
    assert response.status_code == 302
    assert Event.objects.count() == 2
