"""Events as iCalendar: one event as an .ics download, and the partnership's programme as a
calendar to subscribe to. Each file is parsed back with icalendar, as a calendar app would."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Partnership
from courses import ics
from courses.models import Event, EventStatus, Format
from tests.factories import CourseFactory, EventFactory, VenueFactory

SITE = "https://training.dspp.example"


def parse(data):
    calendar = icalendar.Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def _london(y, m, d, hh, mm):
    return timezone.make_aware(datetime(y, m, d, hh, mm))


@pytest.fixture
def classroom_event(db):
    course = CourseFactory(title="Child Exploitation: Multi-Agency Response",
                           summary="In-depth group work.", format=Format.CLASSROOM)
    venue = VenueFactory(name="The Saltwells Education Development Centre",
                         address="Bowling Green Road\nNetherton", postcode="DY2 9LY", capacity=60)
    # 9:30am in London in British Summer Time is 08:30 UTC.
    return EventFactory(course=course, venue=venue, start=_london(2027, 6, 8, 9, 30),
                        end=_london(2027, 6, 8, 16, 30))


def test_an_event_file_holds_one_event_in_utc_with_a_stable_uid(classroom_event):
    calendar, (vevent,) = parse(ics.event_ics(classroom_event, site_url=SITE))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(vevent["UID"]) == f"event-{classroom_event.pk}@training.dspp.example"
    assert vevent.decoded("DTSTART") == datetime(2027, 6, 8, 8, 30, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime(2027, 6, 8, 15, 30, tzinfo=UTC)
    assert b"DTSTART:20270608T083000Z" in ics.event_ics(classroom_event, site_url=SITE)
    assert str(vevent["SUMMARY"]) == "Child Exploitation: Multi-Agency Response"
    assert str(vevent["LOCATION"]) == (
        "The Saltwells Education Development Centre, Bowling Green Road, Netherton, DY2 9LY")
    assert str(vevent["URL"]) == f"{SITE}/courses/events/{classroom_event.pk}/"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent.decoded("SEQUENCE") == 0
    assert "In-depth group work." in str(vevent["DESCRIPTION"])
    # The same event built again is the same file: calendars update it rather than add one.
    assert ics.event_ics(classroom_event, site_url=SITE) == ics.event_ics(
        classroom_event, site_url=SITE)


def test_a_cancelled_event_says_so_and_its_sequence_goes_up(classroom_event):
    classroom_event.status = EventStatus.CANCELLED
    classroom_event.cancelled_at = timezone.now()
    _, (vevent,) = parse(ics.event_ics(classroom_event, site_url=SITE))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent.decoded("SEQUENCE") == 1
    assert str(vevent["SUMMARY"]).startswith("Cancelled: ")
    _, (again,) = parse(ics.event_ics(classroom_event, site_url=SITE, sequence=4))
    assert again.decoded("SEQUENCE") == 4


@pytest.mark.django_db
def test_an_online_event_leaves_the_joining_link_out_unless_asked():
    event = EventFactory(course=CourseFactory(format=Format.VIRTUAL),
                         joining_link="https://teams.example/meet/secret-room-7")

    public = ics.event_ics(event, site_url=SITE)
    _, (vevent,) = parse(public)
    assert str(vevent["LOCATION"]) == "Online (Microsoft Teams)"
    assert b"secret-room-7" not in public

    # The bookings app sends booked delegates an invitation with the link in it.
    _, (invite,) = parse(ics.event_ics(event, site_url=SITE, method="REQUEST",
                                       include_joining_link=True))
    assert "https://teams.example/meet/secret-room-7" in str(invite["LOCATION"])
    assert "https://teams.example/meet/secret-room-7" in str(invite["DESCRIPTION"])


@pytest.mark.django_db
def test_the_event_download_is_an_ics_file(client, classroom_event, settings):
    settings.SITE_URL = SITE
    response = client.get(reverse("courses:event-ics", kwargs={"pk": classroom_event.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="child-exploitation-multi-agency-response-2027-06-08.ics"')
    _, (vevent,) = parse(response.content)
    assert str(vevent["UID"]) == f"event-{classroom_event.pk}@training.dspp.example"


@pytest.mark.django_db
def test_a_cancelled_event_can_still_be_downloaded_as_cancelled(client):
    event = EventFactory(status=EventStatus.CANCELLED, cancelled_at=timezone.now())
    response = client.get(reverse("courses:event-ics", kwargs={"pk": event.pk}))
    _, (vevent,) = parse(response.content)
    assert str(vevent["STATUS"]) == "CANCELLED"


@pytest.mark.django_db
def test_no_file_for_an_event_of_an_inactive_course(client):
    event = EventFactory(course=CourseFactory(active=False))
    assert client.get(reverse("courses:event-ics", kwargs={"pk": event.pk})).status_code == 404


@pytest.mark.django_db
def test_the_feed_lists_the_upcoming_scheduled_events_under_the_partnership_name(client,
                                                                                   settings):
    settings.SITE_URL = SITE
    partnership = Partnership.load()
    partnership.name = "Dudley Safeguarding People Partnership"
    partnership.save()
    now = timezone.now()
    soon = EventFactory(start=now + timedelta(days=3))
    later = EventFactory(start=now + timedelta(days=60), course=CourseFactory(
        format=Format.CONFERENCE))
    EventFactory(start=now + timedelta(days=5), status=EventStatus.CANCELLED)
    EventFactory(start=now - timedelta(days=5), status=EventStatus.COMPLETED)
    EventFactory(start=now + timedelta(days=9), course=CourseFactory(active=False))

    response = client.get(reverse("courses:calendar-feed"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar, vevents = parse(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Dudley Safeguarding People Partnership"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT12H" in response.content
    assert b"X-PUBLISHED-TTL:PT12H" in response.content
    assert [str(v["UID"]) for v in vevents] == [
        f"event-{soon.pk}@training.dspp.example", f"event-{later.pk}@training.dspp.example"]
    assert [v.decoded("DTSTART") for v in vevents] == [
        e.start.replace(microsecond=0) for e in (soon, later)]


@pytest.mark.django_db
def test_the_feed_runs_the_same_queries_for_one_event_or_thirty(client):
    url = reverse("courses:calendar-feed")
    EventFactory(venue=VenueFactory())
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for day in range(29):
        EventFactory(venue=VenueFactory(), start=timezone.now() + timedelta(days=day + 1))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(parse(response.content)[1]) == 30
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
def test_the_pages_link_to_the_calendars(client):
    event = EventFactory()
    catalogue = client.get(reverse("courses:course-list")).content.decode()
    assert reverse("courses:calendar-feed") in catalogue
    event_page = client.get(reverse("courses:event-detail", kwargs={"pk": event.pk}))
    assert reverse("courses:event-ics", kwargs={"pk": event.pk}) in event_page.content.decode()
    assert Event.objects.count() == 1
