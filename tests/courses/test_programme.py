"""Programme management pages for L&D officers: the programme list and calendar, adding,
changing, running again and cancelling events, courses, Training Pools and venues. Each bad
input is refused with a message on the page and nothing saved."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import Booking, BookingStatus
from core.calendar import LONDON
from core.models import AuditEntry
from courses.models import Course, Event, EventStatus, Format, TrainingPoolMembership, Venue
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    UserFactory,
    VenueFactory,
)
from tests.helpers import working_day


def day(n):
    return timezone.localdate() + timedelta(days=n)


def at(n, hour=9, minute=30):
    d = day(n)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=LONDON)


def text(response):
    """The page's visible words, tags removed and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?span\b[^>]*>", "", html)  # inline: no space where a span starts
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


def error_summary(response):
    match = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert match, "no error summary on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).replace("&#x27;", "'").split())


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER, first_name="Olive", last_name="Officer")
    client.force_login(user)
    return user


@pytest.fixture
def pool_member(make_user):
    def make(course, **kwargs):
        person = make_user(Role.FACILITATOR, **kwargs)
        TrainingPoolMembership.objects.create(course=course, facilitator=person)
        return person

    return make


def event_data(**overrides):
    data = {
        "date": working_day(30).isoformat(), "start_time": "09:30", "end_time": "16:30",
        "end_date": "", "venue": "", "joining_link": "https://teams.example/j/neglect",
        "capacity": "", "officer": "", "prep_meeting_date": "", "prep_meeting_time": "",
        "notes_for_delegates": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create_url(course):
    return f"{reverse('courses:manage-event-create')}?course={course.pk}"


# Adding an event -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_event_form_has_date_and_time_fields_and_offers_only_the_training_pool(
        client, officer, pool_member, make_user):
    course = CourseFactory(title="Neglect: level 2")
    pool_member(course, first_name="Priya", last_name="Pool")
    make_user(Role.FACILITATOR, first_name="Oscar", last_name="Outside")

    response = client.get(create_url(course))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input type="date" name="date"[^>]*id="id_date"', html)
    assert re.search(r'<input type="time" name="start_time"', html)
    assert re.search(r'<input type="time" name="end_time"', html)
    assert re.search(r'<label\s+for="id_date"[^>]*>\s*Date', html)
    assert re.search(r'<label\s+for="id_start_time"[^>]*>\s*Starts at', html)
    page = text(response)
    assert "Priya Pool" in page
    assert "Oscar Outside" not in page
    assert "Leave empty for 30" in page
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_an_officer_adds_an_event_and_it_is_in_the_programme(client, officer, pool_member):
    course = CourseFactory(title="Neglect: level 2", format=Format.VIRTUAL)
    priya = pool_member(course, first_name="Priya", last_name="Pool")

    response = client.post(create_url(course), event_data(
        facilitators=[priya.pk], officer=officer.pk, prep_meeting_date=day(20).isoformat(),
        prep_meeting_time="14:00", notes_for_delegates="Have your camera on."))

    assert response.status_code == 302
    event = Event.objects.get()
    start, end = event.start.astimezone(LONDON), event.end.astimezone(LONDON)
    assert (start.date(), start.hour, start.minute) == (working_day(30), 9, 30)
    assert (end.hour, end.minute) == (16, 30)
    assert event.capacity == 30  # the virtual default
    assert list(event.facilitators.all()) == [priya]
    assert event.officer == officer
    assert event.prep_meeting_at == at(20, 14, 0)
    assert AuditEntry.objects.filter(action="event.create", actor=officer).count() == 1

    listing = client.get(response["Location"])
    page = text(listing)
    assert "The event is added: Neglect: level 2" in page
    assert "Neglect: level 2" in page and "Priya Pool" in page
    assert "0 of 30" in page and "Online" in page


@pytest.mark.django_db
def test_a_classroom_event_takes_its_places_from_the_room(client, officer):
    course = CourseFactory(format=Format.CLASSROOM)
    room = VenueFactory(name="Council House, Room 4", capacity=18)
    response = client.post(create_url(course), event_data(venue=room.pk, joining_link=""))
    assert response.status_code == 302
    assert Event.objects.get().capacity == 18


BAD_EVENTS = [
    ("virtual", {"end_time": "09:00"}, "The event must end after it starts"),
    ("virtual", {"end_time": "09:30"}, "The event must end after it starts"),
    ("virtual", {"capacity": "0"}, "An event needs at least 1 place."),
    ("virtual", {"capacity": "31"}, "A virtual event has at most 30 places. Enter 30 or fewer."),
    ("conference", {"capacity": "251"},
     "A conference has at most 250 places. Enter 250 or fewer."),
    ("virtual", {"joining_link": ""}, "A virtual event needs its online joining link"),
    ("virtual", {"date": "2027-02-30"}, "Enter a real date"),
    ("virtual", {"start_time": "9.30am"}, "Enter a time on the 24-hour clock"),
    ("virtual", {"capacity": "thirty"}, "Enter the number of places as a whole number"),
    ("virtual", {"prep_meeting_date": "2027-01-01"}, "Enter the time of the prep meeting too."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "course_format, changes, message", BAD_EVENTS,
    ids=["ends-before-start", "ends-when-it-starts", "no-places", "31-on-a-virtual-event",
         "251-at-a-conference", "virtual-without-link", "no-such-date", "not-a-time",
         "places-in-words", "prep-date-without-time"],
)
def test_bad_event_input_is_explained_on_the_page_and_nothing_is_saved(
        client, officer, course_format, changes, message):
    course = CourseFactory(format=course_format)
    data = event_data(**changes)

    response = client.post(create_url(course), data)

    assert response.status_code == 200
    assert message in error_summary(response)
    assert "Error:" in response.content.decode().split("</title>")[0]
    assert not Event.objects.exists()
    # What was typed is still there to correct.
    assert f'value="{data["date"]}"' in response.content.decode()


@pytest.mark.django_db
def test_a_facilitator_outside_the_pool_is_refused_by_name(client, officer, pool_member, make_user):
    course = CourseFactory(title="Neglect: level 2")
    inside = pool_member(course)
    outsider = make_user(Role.FACILITATOR, first_name="Oscar", last_name="Outside")

    response = client.post(create_url(course),
                           event_data(facilitators=[inside.pk, outsider.pk]))

    assert response.status_code == 200
    assert ("Oscar Outside is not in the Training Pool for Neglect: level 2: add them to the "
            "pool first.") in error_summary(response)
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_made_up_facilitator_id_is_refused(client, officer):
    course = CourseFactory()
    response = client.post(create_url(course), event_data(facilitators=["999999"]))
    assert response.status_code == 200
    assert "Choose facilitators from the Training Pool list." in error_summary(response)
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_an_e_learning_course_is_not_offered_and_is_refused_if_asked_for(client, officer):
    CourseFactory(title="Classroom course", format=Format.CLASSROOM)
    module = CourseFactory(title="Child exploitation e-learning", format=Format.E_LEARNING)

    chooser = client.get(reverse("courses:manage-event-create"))
    assert "Classroom course" in text(chooser)
    assert "Child exploitation e-learning" not in text(chooser)

    for response in (client.get(create_url(module)), client.post(create_url(module),
                                                                  event_data())):
        assert response.status_code == 200
        assert ("Child exploitation e-learning is e-learning: delegates take it online, so it "
                "cannot have events.") in error_summary(response)
    assert not Event.objects.exists()

    nonsense = client.get(reverse("courses:manage-event-create") + "?course=abc")
    assert nonsense.status_code == 200
    assert "Choose a course from the list." in error_summary(nonsense)


# Changing, running again, cancelling ---------------------------------------------------------

@pytest.mark.django_db
def test_an_officer_changes_an_event(client, officer, pool_member):
    course = CourseFactory(format=Format.VIRTUAL)
    before, after = pool_member(course), pool_member(course)
    event = EventFactory(course=course, joining_link="https://teams.example/1",
                         facilitators=[before])
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})

    form = client.get(url)
    assert f'value="{event.start.astimezone(LONDON):%Y-%m-%d}"' in form.content.decode()
    assert 'value="09:30"' in form.content.decode()

    n = (working_day(45) - day(0)).days  # never a bank holiday (the form would ask)
    response = client.post(url, event_data(date=day(n).isoformat(), start_time="13:00",
                                           end_time="16:00", capacity="20",
                                           facilitators=[after.pk]))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == at(n, 13, 0) and event.end == at(n, 16, 0)
    assert event.capacity == 20
    assert list(event.facilitators.all()) == [after]
    entry = AuditEntry.objects.get(action="event.update")
    assert entry.details["capacity"] == ["30", "20"]


@pytest.mark.django_db
def test_places_cannot_drop_below_those_taken(client, officer):
    event = EventFactory(joining_link="https://teams.example/1", capacity=30)
    Event.objects.filter(pk=event.pk).update(places_taken=12)
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})
    response = client.post(url, event_data(capacity="10"))
    assert response.status_code == 200
    assert "12 places are already taken, so the event needs at least 12 places." in (
        error_summary(response))
    event.refresh_from_db()
    assert event.capacity == 30


@pytest.mark.django_db
def test_a_cancelled_event_cannot_be_changed(client, officer):
    event = EventFactory(status=EventStatus.CANCELLED, cancellation_reason="Trainer ill",
                         joining_link="https://teams.example/1")
    url = reverse("courses:manage-event-update", kwargs={"pk": event.pk})
    assert "This event is cancelled" in text(client.get(url))
    response = client.post(url, event_data(capacity="12"))
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.capacity == 30


@pytest.mark.django_db
def test_an_officer_runs_an_event_again(client, officer, pool_member):
    course = CourseFactory(title="Neglect: level 2")
    person = pool_member(course)
    event = EventFactory(course=course, start=at(5, 10, 0), end=at(5, 12, 30), capacity=24,
                         joining_link="https://teams.example/1", facilitators=[person])
    Event.objects.filter(pk=event.pk).update(places_taken=24)
    url = reverse("courses:manage-event-duplicate", kwargs={"pk": event.pk})

    past = client.post(url, {"date": day(-1).isoformat()})
    assert past.status_code == 200
    assert "Choose today or a date in the future." in error_summary(past)
    assert Event.objects.count() == 1

    n = (working_day(40) - day(0)).days  # never a bank holiday (the form would ask)
    response = client.post(url, {"date": day(n).isoformat()})

    copy = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:manage-event-update", kwargs={"pk": copy.pk})
    assert (copy.start, copy.end) == (at(n, 10, 0), at(n, 12, 30))
    assert (copy.capacity, copy.places_taken, copy.status) == (24, 0, EventStatus.SCHEDULED)
    assert list(copy.facilitators.all()) == [person]
    assert "The event is copied: Neglect: level 2" in text(client.get(response["Location"]))


@pytest.mark.django_db
def test_cancelling_from_the_page_tells_the_delegates(client, officer,
                                                      django_capture_on_commit_callbacks):
    course = CourseFactory(title="Neglect: level 2")
    event = EventFactory(course=course)
    BookingFactory(event=event, delegate=UserFactory(email="ann@example.org"))
    BookingFactory(event=event, delegate=UserFactory(email="bob@example.org"),
                   status=BookingStatus.WAITLISTED)
    Event.objects.filter(pk=event.pk).update(places_taken=1)
    url = reverse("courses:manage-event-cancel", kwargs={"pk": event.pk})

    page = client.get(url)
    assert "2 delegates have a place or a place on the waiting list" in text(page)

    no_reason = client.post(url, {"reason": "  "})
    assert no_reason.status_code == 200
    assert "Give the reason" in error_summary(no_reason)
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "The venue is closed for repairs."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CANCELLED}
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "bob@example.org"]
    assert all("The venue is closed for repairs." in m.body for m in mail.outbox)
    listing = text(client.get(response["Location"] + "?start_from="))
    assert "is cancelled. 2 delegates are emailed" in listing
    assert "Cancelled" in listing

    again = client.get(url)
    assert "there is nothing to cancel" in text(again)
    twice = client.post(url, {"reason": "Again"})
    assert "This event is already cancelled." in error_summary(twice)


# The programme list and calendar -------------------------------------------------------------

@pytest.mark.django_db
def test_the_programme_list_filters_by_date_course_format_and_status(client, officer):
    neglect = CourseFactory(title="Neglect", format=Format.VIRTUAL)
    conference = CourseFactory(title="Annual conference", format=Format.CONFERENCE)
    soon = EventFactory(course=neglect, start=at(3))
    later = EventFactory(course=conference, start=at(60))
    past = EventFactory(course=neglect, start=at(-10))
    gone = EventFactory(course=neglect, start=at(20), status=EventStatus.CANCELLED)
    url = reverse("courses:manage-event-list")

    def listed(**params):
        return list(client.get(url, params).context["object_list"])

    assert listed() == [soon, gone, later]  # from today by default
    assert listed(start_from="") == [past, soon, gone, later]
    assert listed(course=conference.pk) == [later]
    assert listed(format=Format.CONFERENCE) == [later]
    assert listed(status=EventStatus.CANCELLED) == [gone]
    assert listed(start_from=day(30).isoformat()) == [later]

    bad = client.get(url, {"start_from": "31/31/2027", "course": neglect.pk})
    assert bad.status_code == 200
    assert "Enter a real date" in error_summary(bad)
    assert list(bad.context["object_list"]) == [past, soon, gone]  # the good filter still applies

    row = text(client.get(url))
    assert "Edit Neglect" in row and "Run again: Neglect" in row and "Cancel Neglect" in row


@pytest.mark.django_db
def test_the_calendar_shows_a_month_with_events_in_their_days(client, officer):
    course = CourseFactory(title="Neglect: level 2")
    EventFactory(course=course, start=datetime(2027, 3, 17, 9, 30, tzinfo=LONDON))
    EventFactory(course=course, start=datetime(2027, 3, 31, 23, 30, tzinfo=LONDON),
                 end=datetime(2027, 4, 1, 2, 0, tzinfo=LONDON))
    EventFactory(course=CourseFactory(title="Other month"),
                 start=datetime(2027, 4, 1, 9, 30, tzinfo=LONDON))

    response = client.get(reverse("courses:manage-event-calendar"), {"month": "2027-03"})

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<caption>March 2027<span[^>]*>: 2 events</span></caption>", html)
    assert html.count('<th scope="col"><abbr title="Monday">Mon</abbr></th>') == 1
    assert html.count('<th scope="col">') == 7
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    seventeenth = next(c for c in cells if re.search(r'calendar-day">17<', c))
    # One date style (core.dates.clock): "9:30am", not "09:30".
    assert "Neglect: level 2" in seventeenth and "9:30am" in seventeenth
    thirty_first = next(c for c in cells if re.search(r'calendar-day">31<', c))
    assert "11:30pm" in thirty_first
    assert "Other month" not in html
    assert '?month=2027-02' in html and '?month=2027-04' in html
    event = Event.objects.filter(start__day=17).get()
    assert reverse("courses:manage-event-update", kwargs={"pk": event.pk}) in seventeenth


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2027-13", "March", "2027-3", "0000-01", "2027-03-01"])
def test_a_month_that_is_not_one_is_explained(client, officer, month):
    response = client.get(reverse("courses:manage-event-calendar"), {"month": month})
    assert response.status_code == 200
    today = timezone.localdate()
    assert f"“{month}” is not a month" in error_summary(response)
    assert f"<caption>{today:%B %Y}" in response.content.decode()


@pytest.mark.django_db
def test_december_links_to_january(client, officer):
    html = client.get(reverse("courses:manage-event-calendar"),
                      {"month": "2027-12"}).content.decode()
    assert "?month=2027-11" in html and "?month=2028-01" in html


def many_events(n, **kwargs):
    """n events of different courses, venues and facilitators (each row its own)."""
    from accounts.roles import Role
    from tests.factories import UserFactory

    events = []
    for _ in range(n):
        facilitators = [UserFactory(roles=[Role.FACILITATOR]) for _ in range(2)]
        events.append(EventFactory(course=CourseFactory(format=Format.CLASSROOM),
                                   venue=VenueFactory(), facilitators=facilitators,
                                   officer=UserFactory(), **kwargs))
    return events


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["courses:manage-event-list", "courses:manage-event-calendar"])
def test_the_programme_pages_cost_the_same_for_1_or_30_events(client, officer, name):
    start = at(40) if day(40).month == day(41).month else at(42)
    params = {"month": f"{start:%Y-%m}"} if name.endswith("calendar") else {}
    url = reverse(name)
    many_events(1, start=start)
    client.get(url, params)  # warm up: session, permissions, the partnership row
    _, one = count_queries(client, url, params)
    many_events(29, start=start)
    response, thirty = count_queries(client, url, params)
    assert response.content.decode().count("Safeguarding course") >= 30
    assert one == thirty


@pytest.mark.django_db
def test_the_programme_list_is_paginated(client, officer):
    course = CourseFactory()
    for i in range(26):
        EventFactory(course=course, start=at(1 + i))
    url = reverse("courses:manage-event-list")
    first = client.get(url)
    assert len(first.context["object_list"]) == 25
    assert "page=2" in first.content.decode()
    assert len(client.get(url, {"page": 2}).context["object_list"]) == 1


@pytest.mark.django_db
def test_business_support_sees_the_programme_but_no_actions(client, make_user):
    EventFactory(course=CourseFactory(title="Neglect"))
    client.force_login(make_user(Role.BUSINESS_SUPPORT))
    page = text(client.get(reverse("courses:manage-event-list")))
    assert "Neglect" in page
    assert "Edit Neglect" not in page and "Add an event" not in page


@pytest.mark.django_db
def test_the_navbar_links_the_programme_pages(client, officer):
    html = client.get(reverse("accounts:dashboard")).content.decode()
    for name in ("courses:manage-event-list", "courses:manage-event-calendar",
                 "courses:manage-course-list", "courses:manage-venue-list"):
        assert f'href="{reverse(name)}"' in html


# Courses, Training Pools, venues --------------------------------------------------------------

def course_data(**overrides):
    data = {"title": "Harmful sexual behaviour", "summary": "Recognise and respond.",
            "description": "", "learning_outcomes": "Recognise it\n\n- Respond to it\n",
            "level": "3", "audience": "children", "category": "", "format": Format.CLASSROOM,
            "length": "full_day", "status": "live", "expected": "", "refresher_years": "",
            "last_reviewed": "", "active": "on"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_officer_adds_a_course_with_its_learning_outcomes(client, officer):
    prerequisite = CourseFactory(title="Child exploitation e-learning", format=Format.E_LEARNING)
    response = client.post(reverse("courses:manage-course-create"),
                           course_data(prerequisites=[prerequisite.pk],
                                       last_reviewed="2026-09-01"))
    course = Course.objects.get(title="Harmful sexual behaviour")
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:manage-pool", kwargs={"pk": course.pk})
    assert course.learning_outcomes == ["Recognise it", "Respond to it"]
    assert list(course.prerequisites.all()) == [prerequisite]
    assert course.last_reviewed == date(2026, 9, 1)
    assert AuditEntry.objects.filter(action="course.create").count() == 1

    form = client.get(reverse("courses:manage-course-update", kwargs={"pk": course.pk}))
    assert "Recognise it\nRespond to it</textarea>" in form.content.decode()


@pytest.mark.django_db
def test_bad_course_input_is_explained_and_nothing_is_saved(client, officer):
    response = client.post(reverse("courses:manage-course-create"),
                           course_data(status="coming_soon", expected=""))
    assert response.status_code == 200
    assert "Say when a course coming soon is expected" in error_summary(response)
    assert not Course.objects.exists()

    course = CourseFactory(title="Neglect", format=Format.VIRTUAL)
    EventFactory(course=course)
    url = reverse("courses:manage-course-update", kwargs={"pk": course.pk})
    response = client.post(url, course_data(title="Neglect online", format=Format.E_LEARNING))
    assert response.status_code == 200
    assert "an e-learning course cannot have events" in error_summary(response)
    course.refresh_from_db()
    assert (course.title, course.format) == ("Neglect", Format.VIRTUAL)


@pytest.mark.django_db
def test_the_training_pool_takes_only_people_with_the_facilitator_role(client, officer,
                                                                       make_user):
    course = CourseFactory(title="Neglect")
    facilitator = make_user(Role.FACILITATOR, first_name="Fay", last_name="Cilitator")
    delegate = make_user(Role.DELEGATE, first_name="Dee", last_name="Legate")
    url = reverse("courses:manage-pool", kwargs={"pk": course.pk})

    page = text(client.get(url))
    assert "Fay Cilitator" in page and "Dee Legate" not in page

    refused = client.post(url, {"action": "add", "facilitator": delegate.pk})
    assert refused.status_code == 200
    assert "Choose a facilitator from the list." in error_summary(refused)
    assert not TrainingPoolMembership.objects.exists()

    added = client.post(url, {"action": "add", "facilitator": facilitator.pk})
    assert added.status_code == 302
    assert TrainingPoolMembership.objects.filter(course=course, facilitator=facilitator).exists()
    assert "Fay Cilitator is added to the Training Pool for Neglect." in text(client.get(url))

    EventFactory(course=course, facilitators=[facilitator])
    kept = client.post(url, {"action": "remove", "facilitator": facilitator.pk}, follow=True)
    assert "Fay Cilitator facilitates an event of Neglect still to come" in text(kept)
    assert TrainingPoolMembership.objects.filter(facilitator=facilitator).exists()

    Event.objects.update(status=EventStatus.CANCELLED)
    removed = client.post(url, {"action": "remove", "facilitator": facilitator.pk}, follow=True)
    assert "Fay Cilitator is removed from the Training Pool for Neglect." in text(removed)
    assert not TrainingPoolMembership.objects.exists()


@pytest.mark.django_db
def test_an_officer_adds_and_changes_a_venue(client, officer):
    response = client.post(reverse("courses:manage-venue-create"), {
        "name": "Dudley Council House", "address": "Priory Road", "postcode": "DY1 1HF",
        "capacity": "40", "access_information": "Step-free entrance.", "active": "on"})
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert "Dudley Council House" in text(client.get(reverse("courses:manage-venue-list")))

    EventFactory(course=CourseFactory(format=Format.CLASSROOM), venue=venue, capacity=35)
    url = reverse("courses:manage-venue-update", kwargs={"pk": venue.pk})
    refused = client.post(url, {"name": "Dudley Council House", "capacity": "30",
                                "active": "on"})
    assert refused.status_code == 200
    assert "has 35 places at Dudley Council House" in error_summary(refused)
    venue.refresh_from_db()
    assert venue.capacity == 40

    zero = client.post(url, {"name": "Dudley Council House", "capacity": "0", "active": "on"})
    assert zero.status_code == 200 and "greater than or equal to 1" in error_summary(zero)

    saved = client.post(url, {"name": "Dudley Council House", "capacity": "36", "active": "on"})
    assert saved.status_code == 302
    venue.refresh_from_db()
    assert venue.capacity == 36


@pytest.mark.django_db
def test_an_id_that_does_not_exist_is_not_found(client, officer):
    for name in ("courses:manage-event-update", "courses:manage-event-cancel",
                 "courses:manage-course-update", "courses:manage-pool",
                 "courses:manage-venue-update"):
        assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


def _courses(n, course):
    for _ in range(n):
        c = CourseFactory()
        EventFactory(course=c)
        TrainingPoolMembership.objects.create(course=c,
                                              facilitator=UserFactory(roles=[Role.FACILITATOR]))


def _venues(n, course):
    for _ in range(n):
        EventFactory(course=course, venue=VenueFactory())


def _pool(n, course):
    for _ in range(n):
        TrainingPoolMembership.objects.create(course=course,
                                              facilitator=UserFactory(roles=[Role.FACILITATOR]))


@pytest.mark.django_db
@pytest.mark.parametrize("name, add", [("courses:manage-course-list", _courses),
                                       ("courses:manage-venue-list", _venues),
                                       ("courses:manage-pool", _pool)],
                         ids=["courses", "venues", "training-pool"])
def test_the_other_programme_lists_cost_the_same_for_1_or_30_rows_and_are_paginated(
        client, officer, name, add):
    course = CourseFactory(format=Format.CLASSROOM)
    url = (reverse(name, kwargs={"pk": course.pk}) if name == "courses:manage-pool"
           else reverse(name))
    add(1, course)
    client.get(url)
    _, one = count_queries(client, url)
    add(29, course)
    response, thirty = count_queries(client, url)
    assert one == thirty
    assert response.context["paginator"].count >= 30
    assert response.context["is_paginated"] and "page=2" in response.content.decode()
    assert client.get(url, {"page": 2}).status_code == 200
