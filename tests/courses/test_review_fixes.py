"""Fixes from the code review (courses): odd input on the officers' programme pages is
answered with a message, never a 500 (a non-ASCII digit for the course, a NUL byte in the
search, a course refresher period or a copy date beyond the calendar)."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.calendar import LONDON
from courses.models import Course, Event, Format
from tests.courses.test_programme import course_data
from tests.factories import CourseFactory, EventFactory


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER)
    client.force_login(user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A3x", "1%C2%B2"], ids=["superscript-2",
                                                                         "arabic-digit",
                                                                         "digit-superscript"])
def test_adding_an_event_for_an_odd_course_number_asks_for_a_course(client, officer, value):
    CourseFactory(format=Format.CLASSROOM)

    response = client.get(reverse("courses:manage-event-create") + f"?course={value}")

    assert response.status_code == 200
    assert "Choose a course from the list." in response.content.decode()


@pytest.mark.django_db
def test_the_officers_course_list_ignores_a_nul_byte_in_the_search(client, officer):
    CourseFactory(title="Neglect")

    response = client.get(reverse("courses:manage-course-list") + "?q=Neg%00lect")

    assert response.status_code == 200
    assert "Neglect" in response.content.decode()


@pytest.mark.django_db
def test_a_course_refresher_period_beyond_the_calendar_is_refused(client, officer):
    response = client.post(reverse("courses:manage-course-create"),
                           course_data(refresher_years="9000"))

    assert response.status_code == 200
    assert response.context["form"].errors["refresher_years"]
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_a_course_refresher_period_of_ten_years_is_accepted(client, officer):
    response = client.post(reverse("courses:manage-course-create"),
                           course_data(refresher_years="10"))

    assert response.status_code == 302
    assert Course.objects.get().refresher_years == 10


@pytest.mark.django_db
def test_copying_a_two_day_event_to_the_last_day_of_the_calendar_is_refused(client, officer):
    start = datetime.combine(timezone.localdate() + timedelta(days=30),
                             datetime.min.time(), tzinfo=LONDON) + timedelta(hours=9)
    event = EventFactory(start=start, end=start + timedelta(days=1, hours=7))

    response = client.post(reverse("courses:manage-event-duplicate", kwargs={"pk": event.pk}),
                           {"date": "9999-12-31"})

    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert Event.objects.count() == 1
