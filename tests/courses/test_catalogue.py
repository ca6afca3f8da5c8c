"""The public course catalogue (search, filters, dates with places), the course and event
pages, and a facilitator's Training Pool."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import Partnership
from courses.models import (
    Audience,
    Completion,
    Course,
    CourseStatus,
    Event,
    EventStatus,
    Format,
    Length,
    Level,
    TrainingPoolMembership,
)
from courses.policies import places_left_words
from courses.templatetags.catalogue import ONLINE, clock, when
from tests.factories import CategoryFactory, CourseFactory, EventFactory, VenueFactory

CATALOGUE = reverse("courses:course-list")


def page_text(response):
    return response.content.decode()


def results(response):
    """Every course the search found, on every page, in order."""
    return list(response.context["paginator"].object_list)


# The catalogue list --------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_catalogue_shows_live_and_coming_soon_courses_to_anyone(client):
    live = CourseFactory(title="Working Together: the essentials")
    soon = CourseFactory(title="Child on child abuse", status=CourseStatus.COMING_SOON,
                         expected="August 2027")
    CourseFactory(title="Withdrawn course", active=False)

    response = client.get(CATALOGUE)

    assert response.status_code == 200
    assert set(response.context["object_list"]) == {live, soon}
    page = page_text(response)
    assert "Working Together: the essentials" in page
    assert "Coming soon: August 2027" in page
    assert "Withdrawn course" not in page
    assert "2 courses" in page


@pytest.mark.django_db
def test_live_courses_come_first_then_those_coming_soon(client):
    soon = CourseFactory(title="Adolescent neglect", status=CourseStatus.COMING_SOON,
                         expected="TBC")
    live_b = CourseFactory(title="Bullying and child on child abuse")
    live_z = CourseFactory(title="Zero tolerance: domestic abuse")

    response = client.get(CATALOGUE)

    assert list(response.context["object_list"]) == [live_b, live_z, soon]
    page = page_text(response)
    assert page.index("Zero tolerance") < page.index("Adolescent neglect")


@pytest.mark.django_db
def test_each_result_shows_its_facts_and_next_dates_with_places_in_words(client):
    category = CategoryFactory(name="Contextual Safeguarding - Child on Child Abuse")
    course = CourseFactory(title="Harmful sexual behaviour", level=Level.LEVEL_2,
                           audience=Audience.JOINT, format=Format.CLASSROOM,
                           length=Length.HALF_DAY, category=category)
    nearly_full = EventFactory(course=course, start=timezone.now() + timedelta(days=10),
                               capacity=30)
    Event.objects.filter(pk=nearly_full.pk).update(places_taken=27)
    full = EventFactory(course=course, start=timezone.now() + timedelta(days=20), capacity=12)
    Event.objects.filter(pk=full.pk).update(places_taken=12)
    EventFactory(course=course, start=timezone.now() + timedelta(days=30), capacity=1)
    module = CourseFactory(title="Introduction to Modern Slavery", format=Format.E_LEARNING)

    response = client.get(CATALOGUE)
    page = page_text(response)

    for fact in ("Level 2", "Joint (children and adults)", "Classroom", "Half day or less",
                 "Contextual Safeguarding - Child on Child Abuse"):
        assert fact in page, fact
    assert "3 places left" in page
    assert "Full: join the waiting list" in page
    assert "1 place left" in page
    assert reverse("courses:event-detail", kwargs={"pk": nearly_full.pk}) in page
    assert reverse("courses:course-detail", kwargs={"slug": course.slug}) in page
    assert reverse("courses:course-detail", kwargs={"slug": module.slug}) in page
    assert "Online module: start it when you like." in page


@pytest.mark.django_db
def test_a_course_with_only_full_dates_says_so(client):
    course = CourseFactory(title="Graded Care Profile 2")
    event = EventFactory(course=course, capacity=5)
    Event.objects.filter(pk=event.pk).update(places_taken=5)
    page = page_text(client.get(CATALOGUE))
    assert "Full: join the waiting list" in page
    assert "Every date is full at the moment." in page


LEVELS = [Level.LEVEL_1, Level.LEVEL_2, Level.LEVEL_3, Level.ALL]
AUDIENCES = [Audience.CHILDREN, Audience.ADULTS, Audience.JOINT]
FORMATS = [Format.VIRTUAL, Format.CLASSROOM, Format.CONFERENCE, Format.E_LEARNING]
# What each course's dates are, by i % 5: only "places" gives a date with places left.
DATES = ["places", "full", "past", "cancelled", "none"]
SEARCHABLE = {
    7: {"description": "How county lines gangs recruit children."},
    13: {"learning_outcomes": ["Recognise County Lines grooming", "Refer to the NRM"]},
    21: {"summary": "Exploitation of children and young people online."},
    30: {"title": "Course 30: Child Exploitation"},
}


def _spec(i):
    fmt = FORMATS[(i // 4) % 4]
    return {
        "i": i, "level": LEVELS[i % 4], "audience": AUDIENCES[i % 3], "format": fmt,
        "category": i % 2, "status": CourseStatus.COMING_SOON if i % 7 == 6 else CourseStatus.LIVE,
        "dates": "none" if fmt == Format.E_LEARNING else DATES[i % 5],
    }


SPECS = [_spec(i) for i in range(60)]


@pytest.fixture
def many_courses(db):
    """60 courses with every mix of level, audience, format, category and kind of dates."""
    categories = [CategoryFactory(name="Understanding Safeguarding Risks"),
                  CategoryFactory(name="Working Together to Safeguard and Protect Children")]
    now = timezone.now()
    courses = Course.objects.bulk_create([
        Course(**{
            "title": f"Course {s['i']:02d}", "slug": f"course-{s['i']:02d}",
            "summary": "A course.", "learning_outcomes": ["Understand the basics"],
            "level": s["level"], "audience": s["audience"], "format": s["format"],
            "category": categories[s["category"]], "status": s["status"],
            "expected": "Spring 2027" if s["status"] == CourseStatus.COMING_SOON else "",
            **SEARCHABLE.get(s["i"], {}),
        })
        for s in SPECS
    ])
    events = []
    for spec, course in zip(SPECS, courses, strict=True):
        start = now + timedelta(days=14 + spec["i"])
        kind = spec["dates"]
        if kind == "none":
            continue
        if kind == "past":
            start = now - timedelta(days=3)
        events.append(Event(
            course=course, start=start, end=start + timedelta(hours=3), capacity=10,
            places_taken=10 if kind == "full" else 4,
            status=EventStatus.CANCELLED if kind == "cancelled" else EventStatus.SCHEDULED,
        ))
    Event.objects.bulk_create(events)
    return {"courses": courses, "categories": categories}


def _expected(**f):
    def keep(s):
        return all([
            not f.get("level") or s["level"] == f["level"],
            not f.get("audience") or s["audience"] == f["audience"],
            not f.get("format") or s["format"] == f["format"],
            "category" not in f or s["category"] == f["category"],
            not f.get("with_places") or s["dates"] == "places",
        ])
    specs = [s for s in SPECS if keep(s)]
    live_first = sorted(specs, key=lambda s: (s["status"] != CourseStatus.LIVE, s["i"]))
    return [f"Course {s['i']:02d}" for s in live_first]


FILTERS = [
    ({"level": "2"}, {"level": Level.LEVEL_2}),
    ({"audience": "joint"}, {"audience": Audience.JOINT}),
    ({"format": "classroom"}, {"format": Format.CLASSROOM}),
    ({"with_places": "on"}, {"with_places": True}),
    ({"level": "2", "audience": "joint"}, {"level": Level.LEVEL_2, "audience": Audience.JOINT}),
    ({"format": "virtual", "with_places": "on"}, {"format": Format.VIRTUAL, "with_places": True}),
    ({"level": "1", "audience": "children", "format": "conference", "with_places": "on"},
     {"level": Level.LEVEL_1, "audience": Audience.CHILDREN, "format": Format.CONFERENCE,
      "with_places": True}),
    ({"category": 1, "with_places": "on"}, {"category": 1, "with_places": True}),
    ({"level": "all", "format": "e_learning", "with_places": "on"},
     {"level": Level.ALL, "format": Format.E_LEARNING, "with_places": True}),
]


@pytest.mark.parametrize("query, expected", FILTERS,
                         ids=["level", "audience", "format", "with-places", "level+audience",
                              "virtual+places", "four-filters", "category+places",
                              "e-learning-has-no-dates"])
def test_filters_and_their_combinations_find_exactly_the_matching_courses(
        client, many_courses, query, expected):
    if "category" in query:
        query = {**query, "category": many_courses["categories"][query["category"]].slug}

    response = client.get(CATALOGUE, query)

    assert response.status_code == 200
    titles = [c.title.split(":")[0] for c in results(response)]
    assert titles == _expected(**expected)
    n = len(titles)
    says = {0: "No courses match", 1: "1 course matches"}.get(n, f"{n} courses match")
    assert says in page_text(response)


def test_has_dates_with_places_ignores_full_past_and_cancelled_events(client, many_courses):
    response = client.get(CATALOGUE, {"with_places": "on"})
    found = {c.title.split(":")[0] for c in results(response)}
    by_kind = {kind: {f"Course {s['i']:02d}" for s in SPECS if s["dates"] == kind}
               for kind in DATES}
    assert found == by_kind["places"]
    for kind in ("full", "past", "cancelled", "none"):
        assert not found & by_kind[kind], kind


def test_the_results_are_paginated_by_twenty_and_keep_the_filters(client, many_courses):
    first = client.get(CATALOGUE, {"audience": "joint"})
    assert first.context["paginator"].count == 20
    assert len(first.context["object_list"]) == 20
    everyone = client.get(CATALOGUE)
    assert len(everyone.context["object_list"]) == 20
    assert "page=2" in page_text(everyone)
    second = client.get(CATALOGUE, {"page": 3})
    assert len(second.context["object_list"]) == 20
    shown = set()
    for n in (1, 2, 3):
        shown |= {c.pk for c in client.get(CATALOGUE, {"page": n}).context["object_list"]}
    assert len(shown) == 60


@pytest.mark.parametrize("q, expected", [
    ("county lines", {"Course 07", "Course 13"}),           # description, learning outcome
    ("COUNTY", {"Course 07", "Course 13"}),                 # any case
    ("exploitation", {"Course 21", "Course 30"}),           # summary, title
    ("exploitation online", {"Course 21"}),                 # every word must match
    ("nothing-like-this", set()),
], ids=["two-words", "case", "summary-and-title", "all-words", "no-match"])
def test_search_looks_in_title_summary_description_and_learning_outcomes(
        client, many_courses, q, expected):
    response = client.get(CATALOGUE, {"q": q})
    assert {c.title.split(":")[0] for c in results(response)} == expected
    if not expected:
        assert "No course matches your search and filters." in page_text(response)


def test_search_and_filters_combine(client, many_courses):
    response = client.get(CATALOGUE, {"q": "county", "level": LEVELS[13 % 4]})
    assert [c.title for c in results(response)] == ["Course 13"]


def test_the_filter_form_keeps_what_was_chosen(client, many_courses):
    page = page_text(client.get(CATALOGUE, {"q": "county", "level": "2", "with_places": "on"}))
    assert 'value="county"' in page
    assert '<option value="2" selected>Level 2</option>' in page
    assert re.search(r'<input type="checkbox" name="with_places"[^>]*\bchecked\b', page)


@pytest.mark.django_db
def test_bad_filter_input_is_explained_and_never_breaks_the_page(client):
    joint = CourseFactory(title="Joint course", audience=Audience.JOINT)
    CourseFactory(title="Adults course", audience=Audience.ADULTS)

    response = client.get(CATALOGUE, {
        "level": "99", "page": "abc", "format": "<script>alert(1)</script>",
        "category": "no-such-category", "audience": "joint",
    })

    assert response.status_code == 200
    page = page_text(response)
    assert "There is a problem" in page
    assert "Level: Choose a level from the list." in page
    assert "Format: Choose a format from the list." in page
    assert "Category: Choose a category from the list." in page
    assert "<script>alert(1)</script>" not in page
    # What was valid still applies; the page number that is not a number shows page 1.
    assert list(response.context["object_list"]) == [joint]
    assert response.context["page_obj"].number == 1
    assert "Error: Find a course" in page  # the title says so too


@pytest.mark.django_db
def test_a_search_that_is_too_long_is_explained(client):
    CourseFactory()
    response = client.get(CATALOGUE, {"q": "x" * 101})
    assert response.status_code == 200
    assert "Search courses: Enter 100 characters or fewer." in page_text(response)


@pytest.mark.django_db
def test_a_page_past_the_end_is_not_found_like_every_list(client):
    CourseFactory()
    assert client.get(CATALOGUE, {"page": "0"}).status_code == 200
    assert client.get(CATALOGUE, {"page": "99"}).status_code == 404


@pytest.mark.django_db
def test_htmx_gets_only_the_results_and_the_count(client):
    CourseFactory(title="Neglect", level=Level.LEVEL_3)
    CourseFactory(title="Prevent", level=Level.LEVEL_1)

    response = client.get(CATALOGUE, {"level": "3"}, headers={"HX-Request": "true"})

    page = page_text(response)
    assert response.status_code == 200
    assert "<html" not in page and "<form" not in page
    assert "Neglect" in page and "Prevent" not in page
    assert 'id="result-count" hx-swap-oob="innerHTML"' in page
    assert "1 course matches" in page
    assert "HX-Request" in response["Vary"]

    # Going back in the browser asks for the whole page again.
    restore = client.get(CATALOGUE, {"level": "3"},
                         headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in page_text(restore)


@pytest.mark.django_db
def test_the_full_page_works_without_javascript(client):
    page = page_text(client.get(CATALOGUE))
    assert '<form method="get" action="/courses/"' in page
    assert "<fieldset" in page and "<legend" in page and "Filter courses" in page
    assert 'type="submit"' in page


def _add_courses_with_events(n_courses, events_each):
    for _ in range(n_courses):
        course = CourseFactory(category=CategoryFactory(), format=Format.CLASSROOM)
        for day in range(events_each):
            EventFactory(course=course, venue=VenueFactory(),
                         start=timezone.now() + timedelta(days=5 + day))


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db
def test_catalogue_queries_do_not_grow_with_courses_or_events(client):
    _add_courses_with_events(1, 1)
    params = {"q": "safeguarding", "with_places": "on", "level": "2"}
    client.get(CATALOGUE, params)  # warm up
    one, _ = _count(client, CATALOGUE, params)

    _add_courses_with_events(24, 2)  # 49 more events, more than a page of courses
    many, sql = _count(client, CATALOGUE, params)

    assert many == one, "\n".join(sql)


# The course page ------------------------------------------------------------------------------

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def london(y, m, d, hh, mm):
    return timezone.make_aware(datetime(y, m, d, hh, mm))


@pytest.mark.django_db
def test_the_course_page_says_what_it_is_who_it_is_for_and_its_upcoming_dates(client, frozen_now):
    category = CategoryFactory(name="Understanding Safeguarding Risks")
    course = CourseFactory(
        title="Child Exploitation: Multi-Agency Response", level=Level.LEVEL_3,
        audience=Audience.CHILDREN, format=Format.CLASSROOM, length=Length.FULL_DAY,
        category=category, summary="In-depth group work on child exploitation.",
        description="A day of case studies.\n\nBring a recent case.",
        learning_outcomes=["Analyse exploitation risk", "Plan a multi-agency response"],
    )
    venue = VenueFactory(name="Dudley Council House, Committee Room 2",
                         address="Priory Road\nDudley", postcode="DY1 1HF")
    later = EventFactory(course=course, venue=venue, start=london(2027, 3, 3, 9, 30),
                         end=london(2027, 3, 3, 16, 30))
    sooner = EventFactory(course=course, venue=venue, start=london(2027, 2, 2, 9, 30),
                          end=london(2027, 2, 2, 16, 30), capacity=24)
    Event.objects.filter(pk=sooner.pk).update(places_taken=21)
    full = EventFactory(course=course, venue=venue, start=london(2027, 4, 6, 9, 30),
                        end=london(2027, 4, 6, 16, 30), capacity=20)
    Event.objects.filter(pk=full.pk).update(places_taken=20)
    EventFactory(course=course, start=london(2027, 5, 4, 9, 30), end=london(2027, 5, 4, 12, 0),
                 status=EventStatus.CANCELLED)
    EventFactory(course=course, start=london(2027, 1, 5, 9, 30), end=london(2027, 1, 5, 12, 0),
                 status=EventStatus.COMPLETED)

    response = client.get(reverse("courses:course-detail", kwargs={"slug": course.slug}))

    assert response.status_code == 200
    page = page_text(response)
    assert "<h1>Child Exploitation: Multi-Agency Response</h1>" in page
    assert "In-depth group work on child exploitation." in page
    assert "<p>Bring a recent case.</p>" in page
    assert "<li>Analyse exploitation risk</li>" in page
    assert "<li>Plan a multi-agency response</li>" in page
    for fact in ("Level 3", "Children", "Classroom", "Full day", "Understanding Safeguarding Risks",
                 "Refresh this training every 3 years"):
        assert fact in page, fact
    assert list(response.context["object_list"]) == [sooner, later, full]
    assert page.index("Tuesday 2 February 2027, 9:30am to 4:30pm") < page.index(
        "Wednesday 3 March 2027, 9:30am to 4:30pm")
    assert "Dudley Council House, Committee Room 2" in page
    assert "3 places left" in page and "30 places left" in page
    assert "Join the waiting list" in page
    assert "4 May 2027" not in page and "5 January 2027" not in page  # cancelled, past
    for event in (sooner, later, full):
        assert reverse("courses:event-detail", kwargs={"pk": event.pk}) in page


@pytest.mark.django_db
def test_an_online_event_never_shows_its_joining_link_in_public(client, frozen_now):
    course = CourseFactory(format=Format.VIRTUAL)
    event = EventFactory(course=course, start=london(2027, 2, 9, 13, 0),
                         end=london(2027, 2, 9, 16, 0),
                         joining_link="https://teams.example/meet/secret-room-42")

    course_page = page_text(client.get(reverse("courses:course-detail",
                                               kwargs={"slug": course.slug})))
    event_page = page_text(client.get(reverse("courses:event-detail", kwargs={"pk": event.pk})))

    for page in (course_page, event_page):
        assert ONLINE in page
        assert "secret-room-42" not in page
    assert "Tuesday 9 February 2027, 1pm to 4pm" in course_page


@pytest.mark.django_db
def test_the_refresher_period_comes_from_the_course_or_the_partnership(client):
    partnership = Partnership.load()
    partnership.refresher_years = 2
    partnership.save()
    usual = CourseFactory()
    own = CourseFactory(refresher_years=5)
    assert "every 2 years" in page_text(client.get(
        reverse("courses:course-detail", kwargs={"slug": usual.slug})))
    assert "every 5 years" in page_text(client.get(
        reverse("courses:course-detail", kwargs={"slug": own.slug})))


@pytest.fixture
def pathway(db):
    module = CourseFactory(title="Child Exploitation", format=Format.E_LEARNING,
                           level=Level.LEVEL_1)
    course = CourseFactory(title="Child Exploitation: Multi-Agency Response",
                           level=Level.LEVEL_3, format=Format.CLASSROOM)
    course.prerequisites.add(module)
    return module, course


def test_prerequisites_link_to_their_courses_and_ask_visitors_to_sign_in(client, pathway):
    module, course = pathway
    page = page_text(client.get(reverse("courses:course-detail", kwargs={"slug": course.slug})))
    assert "Before you book" in page
    assert f'href="{reverse("courses:course-detail", kwargs={"slug": module.slug})}"' in page
    assert "to see whether you have completed it" in page


def test_a_delegate_who_has_not_completed_the_prerequisite_is_told(client, pathway, delegate):
    module, course = pathway
    client.force_login(delegate)
    page = page_text(client.get(reverse("courses:course-detail", kwargs={"slug": course.slug})))
    assert "Not completed yet" in page
    assert "Complete “Child Exploitation” before you book this course." in page


def test_a_delegate_who_completed_the_prerequisite_is_not_warned(client, pathway, delegate):
    module, course = pathway
    Completion.objects.create(user=delegate, course=module, completed_on=timezone.localdate(),
                              source=Completion.Source.E_LEARNING, score=100)
    client.force_login(delegate)
    page = page_text(client.get(reverse("courses:course-detail", kwargs={"slug": course.slug})))
    assert "Completed" in page
    assert "before you book this course" not in page
    assert "You have completed what this course requires first." in page


def test_an_e_learning_course_page_starts_the_module(client, pathway):
    module, _ = pathway
    EventFactory(course=module)  # never listed: e-learning has no dates
    response = client.get(reverse("courses:course-detail", kwargs={"slug": module.slug}))
    page = page_text(response)
    assert "Start the e-learning module" in page
    assert f'href="/courses/{module.slug}/e-learning/"' in page
    assert "Upcoming dates" not in page


@pytest.mark.django_db
def test_an_e_learning_module_coming_soon_cannot_be_started_yet(client):
    module = CourseFactory(title="Understanding Thresholds", format=Format.E_LEARNING,
                           status=CourseStatus.COMING_SOON, expected="August 2027")
    page = page_text(client.get(reverse("courses:course-detail", kwargs={"slug": module.slug})))
    assert "This e-learning module is not open yet (expected: August 2027)." in page
    assert "Start the e-learning module" not in page
    assert "Online module: start it when you like." not in page_text(client.get(CATALOGUE))


@pytest.mark.django_db
def test_a_coming_soon_course_page_says_when(client):
    course = CourseFactory(status=CourseStatus.COMING_SOON, expected="September 2027")
    page = page_text(client.get(reverse("courses:course-detail", kwargs={"slug": course.slug})))
    assert "Coming soon: September 2027" in page
    assert "Dates will be published when the course is ready (expected: September 2027)." in page


@pytest.mark.django_db
def test_an_inactive_or_unknown_course_is_not_found(client):
    hidden = CourseFactory(active=False)
    assert client.get(reverse("courses:course-detail",
                              kwargs={"slug": hidden.slug})).status_code == 404
    assert client.get(reverse("courses:course-detail",
                              kwargs={"slug": "no-such-course"})).status_code == 404


@pytest.mark.django_db
def test_course_page_queries_do_not_grow_with_events(client, delegate, pathway):
    _, course = pathway
    client.force_login(delegate)
    url = reverse("courses:course-detail", kwargs={"slug": course.slug})
    EventFactory(course=course, venue=VenueFactory())
    client.get(url)
    one, _ = _count(client, url)

    for day in range(49):
        EventFactory(course=course, venue=VenueFactory(),
                     start=timezone.now() + timedelta(days=40 + day))
    many, sql = _count(client, url)

    assert many == one, "\n".join(sql)
    response = client.get(url)
    assert response.context["paginator"].count == 50
    assert len(response.context["object_list"]) == 20


# The event page --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_event_page_says_when_where_and_how_many_places(client, frozen_now):
    venue = VenueFactory(name="Himley Hall", address="Himley Park\nDudley", postcode="DY3 4DF",
                         access_information="Step-free access to the ballroom.", capacity=120)
    event = EventFactory(course=CourseFactory(title="Domestic Homicide Reviews",
                                              format=Format.CONFERENCE),
                         venue=venue, capacity=100, start=london(2027, 6, 15, 13, 30),
                         end=london(2027, 6, 15, 16, 30))
    Event.objects.filter(pk=event.pk).update(places_taken=97)

    response = client.get(reverse("courses:event-detail", kwargs={"pk": event.pk}))

    page = page_text(response)
    assert response.status_code == 200
    assert "<h1>Domestic Homicide Reviews</h1>" in page
    assert "Tuesday 15 June 2027, 1:30pm to 4:30pm" in page
    assert "Himley Hall" in page and "DY3 4DF" in page and "Step-free access" in page
    assert "3 places left" in page
    assert "Book a place" in page
    assert reverse("courses:event-ics", kwargs={"pk": event.pk}) in page


@pytest.mark.django_db
def test_a_full_event_offers_the_waiting_list(client):
    event = EventFactory(capacity=8)
    Event.objects.filter(pk=event.pk).update(places_taken=8)
    page = page_text(client.get(reverse("courses:event-detail", kwargs={"pk": event.pk})))
    assert "Full" in page and "join the waiting list" in page
    assert "Join the waiting list" in page


@pytest.mark.django_db
def test_a_cancelled_event_page_says_it_is_cancelled(client):
    event = EventFactory(status=EventStatus.CANCELLED, cancelled_at=timezone.now())
    page = page_text(client.get(reverse("courses:event-detail", kwargs={"pk": event.pk})))
    assert "This event has been cancelled." in page
    assert "Choose another date" in page
    assert "Book a place" not in page and "places left" not in page


@pytest.mark.django_db
def test_a_past_event_page_says_it_has_taken_place(client):
    start = timezone.now() - timedelta(days=3)
    event = EventFactory(start=start, end=start + timedelta(hours=3),
                         status=EventStatus.COMPLETED)
    page = page_text(client.get(reverse("courses:event-detail", kwargs={"pk": event.pk})))
    assert "This event has taken place." in page
    assert "Book a place" not in page


@pytest.mark.django_db
def test_an_event_of_an_inactive_course_is_not_found(client):
    event = EventFactory(course=CourseFactory(active=False))
    assert client.get(reverse("courses:event-detail", kwargs={"pk": event.pk})).status_code == 404
    assert client.get(reverse("courses:event-detail", kwargs={"pk": 987654})).status_code == 404


# Words and times --------------------------------------------------------------------------------

@pytest.mark.parametrize("left, words", [
    (-2, "Full: join the waiting list"), (0, "Full: join the waiting list"),
    (1, "1 place left"), (2, "2 places left"), (3, "3 places left"),
], ids=["overfull", "full", "one", "two", "three"])
def test_places_left_in_words(left, words):
    assert places_left_words(places_left=left) == words


@pytest.mark.parametrize("start, end, words", [
    (datetime(2027, 3, 2, 9, 30, tzinfo=UTC), datetime(2027, 3, 2, 16, 30, tzinfo=UTC),
     "Tuesday 2 March 2027, 9:30am to 4:30pm"),
    # British Summer Time: 08:30 UTC is 9:30am in London.
    (datetime(2027, 7, 6, 8, 30, tzinfo=UTC), datetime(2027, 7, 6, 11, 0, tzinfo=UTC),
     "Tuesday 6 July 2027, 9:30am to midday"),
    (datetime(2027, 1, 4, 13, 0, tzinfo=UTC), datetime(2027, 1, 5, 12, 15, tzinfo=UTC),
     "Monday 4 January 2027, 1pm to Tuesday 5 January 2027, 12:15pm"),
], ids=["winter", "summer-midday", "two-days"])
def test_event_times_are_written_in_london_time(start, end, words):
    assert when(start, end) == words


def test_midnight_is_written_as_a_word():
    assert clock(datetime(2027, 1, 1, 0, 0)) == "midnight"


# Addresses -------------------------------------------------------------------------------------

def test_no_page_of_the_courses_app_is_taken_for_a_course():
    """`<slug>/` matches any one path segment: every fixed page must resolve to itself."""
    _, resolver = get_resolver().namespace_dict["courses"]
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if "<" in route or not route:
            continue
        match = resolve(f"/courses/{route}")
        assert match.url_name == pattern.name, (route, match.url_name)


# The Training Pool ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_facilitator_sees_only_their_own_training_pool(client, make_user):
    me, colleague = make_user(Role.FACILITATOR), make_user(Role.FACILITATOR)
    mine = CourseFactory(title="Neglect: level 2")
    theirs = CourseFactory(title="Domestic abuse: level 3")
    TrainingPoolMembership.objects.create(facilitator=me, course=mine)
    TrainingPoolMembership.objects.create(facilitator=colleague, course=theirs)

    client.force_login(me)
    response = client.get(reverse("courses:trainingpool-list"))

    assert response.status_code == 200
    assert [m.course for m in response.context["object_list"]] == [mine]
    assert "Neglect: level 2" in response.content.decode()
    assert "Domestic abuse: level 3" not in response.content.decode()


@pytest.mark.django_db
def test_a_facilitator_with_no_courses_is_told_who_to_contact(client, make_user):
    client.force_login(make_user(Role.FACILITATOR))
    response = client.get(reverse("courses:trainingpool-list"))
    assert response.status_code == 200
    assert "not in the Training Pool for any course yet" in response.content.decode()
