""""Coming soon" says one thing (issue 12): a course with a date people can book is live
(not "Coming soon: Imminent"), and an expected date that has passed ("26/06/2020" in 2026)
is not shown to the public; officers see it flagged on their course list."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from courses.models import CourseStatus, EventStatus
from tests.factories import CourseFactory, EventFactory

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("courses:course-list")


def text(response):
    assert response.status_code == 200
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(without_tags).split())


def course_page(client, course):
    return text(client.get(reverse("courses:course-detail", kwargs={"slug": course.slug})))


def test_a_course_with_a_bookable_date_is_live(client):
    course = CourseFactory(title="Safer Recruitment", status=CourseStatus.COMING_SOON,
                           expected="Imminent")
    EventFactory(course=course, start=timezone.now() + timedelta(days=20))
    for page in (text(client.get(CATALOGUE)), course_page(client, course)):
        assert "Coming soon" not in page
        assert "Live" in page


def test_a_cancelled_date_does_not_make_a_course_live(client):
    course = CourseFactory(status=CourseStatus.COMING_SOON, expected="Imminent")
    EventFactory(course=course, start=timezone.now() + timedelta(days=20),
                 status=EventStatus.CANCELLED)
    assert "Coming soon: Imminent" in course_page(client, course)


@pytest.mark.parametrize("expected", ["26/06/2020", "August 2020"], ids=["day", "month"])
def test_an_expected_date_that_has_passed_is_not_shown_to_the_public(client, expected):
    course = CourseFactory(status=CourseStatus.COMING_SOON, expected=expected)
    for page in (text(client.get(CATALOGUE)), course_page(client, course)):
        assert "Coming soon" in page
        assert expected not in page
    assert "Dates will be published when the course is ready." in course_page(client, course)


def test_words_and_future_dates_are_still_shown(client):
    CourseFactory(status=CourseStatus.COMING_SOON, expected="Imminent")
    CourseFactory(status=CourseStatus.COMING_SOON, expected="September 2099")
    page = text(client.get(CATALOGUE))
    assert "Coming soon: Imminent" in page
    assert "Coming soon: September 2099" in page


def test_officers_see_a_passed_expected_date_flagged(client, make_user):
    CourseFactory(title="Working Together for Dudley", status=CourseStatus.COMING_SOON,
                  expected="24/07/2020")
    CourseFactory(title="Thresholds", status=CourseStatus.COMING_SOON, expected="Imminent")
    client.force_login(make_user(Role.OFFICER))
    page = text(client.get(reverse("courses:manage-course-list")))
    assert "Coming soon: 24/07/2020 Expected date passed" in page
    assert page.count("Expected date passed") == 1
