"""The pages anonymous visitors see are cached (core.page_cache), and a change shows at once:
a booking, a cancellation, an event or course edit make the cached catalogue, course and
event pages say the new thing on the very next visit. A signed-in visitor never gets (nor
leaves) the anonymous page. The real cache backend of the test settings (Redis), emptied
around each test."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import services as booking_services
from bookings.models import Booking
from courses import services as course_services
from tests.factories import CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    cache = caches[settings.PAGE_CACHE_ALIAS]
    cache.clear()
    yield cache
    cache.clear()


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def officer_user(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def event(db):
    course = CourseFactory(title="Neglect and the child's lived experience")
    event = EventFactory(course=course, capacity=4)
    event.places_taken = 1
    event.save(update_fields=["places_taken"])
    return event


def urls(event):
    return {
        "event": reverse("courses:event-detail", kwargs={"pk": event.pk}),
        "course": reverse("courses:course-detail", kwargs={"slug": event.course.slug}),
        "catalogue": reverse("courses:course-list"),
    }


def warm(client, event, django_assert_num_queries):
    """Each page drawn once, then served from the cache without a single query."""
    for url in urls(event).values():
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content


def shown(client, event):
    return {name: text(client.get(url)) for name, url in urls(event).items()}


def test_a_booking_shows_on_the_cached_pages_at_once(
        client, event, django_assert_num_queries, django_capture_on_commit_callbacks):
    warm(client, event, django_assert_num_queries)
    assert all("3 places left" in page for page in shown(client, event).values())

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_create(event=event, delegate=UserFactory(),
                                        now=timezone.now())

    pages = shown(client, event)
    assert all("2 places left" in page for page in pages.values()), pages
    assert not any("3 places left" in page for page in pages.values())


def test_a_cancellation_gives_the_place_back_on_the_cached_pages_at_once(
        client, event, django_assert_num_queries, django_capture_on_commit_callbacks):
    delegate = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_services.booking_create(event=event, delegate=delegate,
                                                  now=timezone.now())
    warm(client, event, django_assert_num_queries)
    assert all("2 places left" in page for page in shown(client, event).values())

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=Booking.objects.get(pk=booking.pk), by=delegate,
                                        now=timezone.now())

    assert all("3 places left" in page for page in shown(client, event).values())


def test_the_last_place_taken_says_full_at_once(
        client, event, django_assert_num_queries, django_capture_on_commit_callbacks):
    event.places_taken = 3
    event.save(update_fields=["places_taken"])
    warm(client, event, django_assert_num_queries)
    assert "1 place left" in shown(client, event)["event"]

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_create(event=event, delegate=UserFactory(),
                                        now=timezone.now())

    page = shown(client, event)["event"]
    assert "1 place left" not in page
    assert "Full" in page


def test_an_event_edit_shows_at_once(client, event, officer_user, django_assert_num_queries,
                                     django_capture_on_commit_callbacks):
    warm(client, event, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.event_update(event=event, by=officer_user, start=event.start,
                                     end=event.end, capacity=10, now=timezone.now(),
                                     joining_link="https://teams.example.org/meet/neglect")
    pages = shown(client, event)
    assert all("9 places left" in page for page in pages.values()), pages
    assert "of 10" in pages["event"]


def test_a_course_edit_shows_at_once(client, event, officer_user, django_assert_num_queries,
                                     django_capture_on_commit_callbacks):
    warm(client, event, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_update(course=event.course, by=officer_user,
                                      title="Neglect: seeing the child")
    pages = shown(client, event)
    assert all("Neglect: seeing the child" in page for page in pages.values()), pages


def test_a_new_event_shows_in_the_cached_catalogue_at_once(
        client, event, django_assert_num_queries, django_capture_on_commit_callbacks):
    warm(client, event, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        other = EventFactory(course=CourseFactory(title="Exploitation and county lines"),
                             start=timezone.now() + timedelta(days=3))
    assert "Exploitation and county lines" in shown(client, other)["catalogue"]


def test_a_signed_in_visitor_never_gets_nor_leaves_the_anonymous_page(
        client, event, django_assert_num_queries):
    warm(client, event, django_assert_num_queries)
    delegate = UserFactory(first_name="Sasha", last_name="Signedin")
    client.force_login(delegate)
    for page in shown(client, event).values():
        assert "Signed in as Sasha Signedin" in page
        assert "Sign out" in page

    client.logout()
    for url in urls(event).values():
        with django_assert_num_queries(0):  # still the anonymous page, from the cache
            page = text(client.get(url))
        assert "Sasha" not in page
        assert "Sign in" in page


def test_the_cached_page_is_the_page_anyone_would_get(client, event, settings):
    """Nothing per visitor in it (no CSRF token, no CSP nonce), and the same bytes as a page
    drawn with the cache off."""
    cached = {name: client.get(url).content for name, url in urls(event).items()}
    settings.PAGE_CACHE_ENABLED = False
    for name, url in urls(event).items():
        fresh = client.get(url).content
        assert fresh == cached[name], name
        assert b"csrfmiddlewaretoken" not in fresh
        assert b"nonce" not in fresh


@pytest.mark.parametrize("query", ["?utm_source=newsletter", "?page=abc",
                                   "?with_places=on&with_places=on", "?q=" + "neglect " * 13])
def test_a_query_the_page_does_not_know_is_not_cached(client, event, query):
    """Its links keep every parameter, and made-up queries must not fill the cache: it is
    drawn each time (it runs its queries)."""
    url = urls(event)["catalogue"] + query
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx) > 0


def test_each_filter_has_its_own_cached_page(client, event, django_assert_num_queries):
    catalogue = urls(event)["catalogue"]
    everything = client.get(catalogue)
    nothing = client.get(catalogue + "?q=zzzz-no-such-course")
    assert "Neglect and the child" in text(everything)
    assert "No course matches" in text(nothing)
    with django_assert_num_queries(0):
        assert client.get(catalogue + "?q=zzzz-no-such-course").content == nothing.content
        assert client.get(catalogue).content == everything.content


def test_a_cached_event_page_is_drawn_again_when_the_event_starts(client, db):
    """No change is saved when an event starts, yet its page must stop offering places: the
    entry lives only until the start (here a few seconds away)."""
    start = timezone.now() + timedelta(seconds=3)
    event = EventFactory(course=CourseFactory(title="Starting now"), start=start,
                         end=start + timedelta(hours=3))
    url = urls(event)["event"]
    assert "Sign in" in text(client.get(url))
    time.sleep(max(0.0, (start - timezone.now()).total_seconds()) + 0.3)
    page = text(client.get(url))
    assert "This event has started: booking is closed" in page


def test_the_anonymous_home_page_is_cached_and_a_new_partnership_name_shows_at_once(
        client, django_capture_on_commit_callbacks):
    from core.models import Partnership

    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert len(queries) == 0  # drawn once, then served from the cache

    partnership = Partnership.load()
    partnership.name = "Dudley Safeguarding People Partnership"
    with django_capture_on_commit_callbacks(execute=True):
        partnership.save()
    assert "Dudley Safeguarding People Partnership" in text(client.get("/"))
