"""The annual content review (DSPP: "The content of all safeguarding courses is reviewed at
least annually"): officers see what is due, most overdue first, and mark a course reviewed."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry, Partnership
from courses import selectors, services
from courses.models import Course
from courses.policies import review_due_on
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)
URL = "/courses/manage/review/"


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


def created(day):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12, 0))


def test_the_url():
    assert reverse("courses:manage-review") == URL


@pytest.mark.parametrize(
    "last_reviewed, months, due",
    [
        (date(2025, 3, 10), 12, date(2026, 3, 10)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 9, 1), 6, date(2026, 3, 1)),
        (None, 12, date(2025, 1, 15)),  # never reviewed: counts from when it was created
    ],
    ids=["a-year", "leap-day", "six-months", "never-reviewed"],
)
def test_review_due_date(last_reviewed, months, due):
    assert review_due_on(last_reviewed=last_reviewed, months=months,
                         created=date(2024, 1, 15)) == due


def test_courses_most_overdue_first_with_their_due_dates():
    recent = CourseFactory(title="Recently reviewed", last_reviewed=date(2026, 1, 5))
    overdue = CourseFactory(title="Reviewed long ago", last_reviewed=date(2024, 11, 1))
    never = CourseFactory(title="Never reviewed", created_at=created(date(2025, 2, 1)))
    due_today = CourseFactory(title="Due today", last_reviewed=date(2025, 3, 10))
    CourseFactory(title="Withdrawn", last_reviewed=date(2020, 1, 1), active=False)

    lines = list(selectors.courses_for_review(today=TODAY))

    assert [(line.course, line.due_on, line.overdue) for line in lines] == [
        (overdue, date(2025, 11, 1), True),
        (never, date(2026, 2, 1), True),
        (due_today, date(2026, 3, 10), False),
        (recent, date(2027, 1, 5), False),
    ]
    assert selectors.courses_overdue_for_review_count(today=TODAY) == 2


def test_the_review_period_is_the_partnerships_setting():
    partnership = Partnership.load()
    partnership.content_review_months = 6
    partnership.save()
    course = CourseFactory(last_reviewed=date(2025, 9, 1))

    [line] = selectors.courses_for_review(today=TODAY)

    assert line.course == course and line.due_on == date(2026, 3, 1) and line.overdue
    assert selectors.courses_overdue_for_review_count(today=TODAY) == 1


def test_marking_reviewed_records_today_and_who(make_user):
    officer = make_user(Role.OFFICER)
    course = CourseFactory(last_reviewed=date(2024, 5, 1))

    services.course_mark_reviewed(course=course, by=officer, today=TODAY)

    course.refresh_from_db()
    assert course.last_reviewed == TODAY
    entry = AuditEntry.objects.get(action="course.reviewed")
    assert entry.actor == officer and entry.target_id == str(course.pk)
    assert entry.details == {"last_reviewed": ["2024-05-01", "2026-03-10"]}


def test_the_page_lists_overdue_courses_first_and_says_how_many(officer_client):
    CourseFactory(title="Working Together", last_reviewed=timezone.localdate())
    CourseFactory(title="Graded Care Profile 2",
                  last_reviewed=timezone.localdate() - timedelta(days=800))

    response = officer_client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Graded Care Profile 2") < page.index("Working Together")
    assert "1 course is overdue for review" in page
    assert page.count('<strong class="tag tag-red">Overdue</strong>') == 1
    assert "Reviewed today" in page  # Working Together: no button
    assert page.count("Mark reviewed today") == 1


def test_the_button_marks_the_course_reviewed_today(officer_client):
    course = CourseFactory(title="Graded Care Profile 2", last_reviewed=date(2023, 1, 1))

    response = officer_client.post(URL, {"course": course.pk, "page": "2"})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?page=2#course-{course.pk}"
    course.refresh_from_db()
    assert course.last_reviewed == timezone.localdate()
    page = officer_client.get(URL).content.decode()
    assert "“Graded Care Profile 2” is marked as reviewed on" in page
    assert "No course is overdue for review" in page


@pytest.mark.parametrize("value", ["", "abc", "999999"], ids=["empty", "not-a-number", "unknown"])
def test_a_bad_course_is_a_message_and_changes_nothing(officer_client, value):
    course = CourseFactory(last_reviewed=date(2023, 1, 1))

    response = officer_client.post(URL, {"course": value}, follow=True)

    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    course.refresh_from_db()
    assert course.last_reviewed == date(2023, 1, 1)
    assert not AuditEntry.objects.filter(action="course.reviewed").exists()


def test_a_withdrawn_course_cannot_be_marked(officer_client):
    course = CourseFactory(last_reviewed=date(2023, 1, 1), active=False)
    response = officer_client.post(URL, {"course": course.pk}, follow=True)
    assert "That course is no longer active: nothing was marked." in response.content.decode()
    course.refresh_from_db()
    assert course.last_reviewed == date(2023, 1, 1)


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT],
                         ids=["delegate", "facilitator", "business-support"])
def test_only_officers_may_mark_a_course_reviewed(client, make_user, role):
    course = CourseFactory(last_reviewed=date(2023, 1, 1))
    client.force_login(make_user(role))
    assert client.post(URL, {"course": course.pk}).status_code == 403
    course.refresh_from_db()
    assert course.last_reviewed == date(2023, 1, 1)


def test_the_page_costs_the_same_for_one_course_or_a_full_page(officer_client):
    CourseFactory(last_reviewed=date(2024, 1, 1))
    officer_client.get(URL)
    with CaptureQueriesContext(connection) as one:
        officer_client.get(URL)
    for n in range(40):
        CourseFactory(last_reviewed=date(2024, 1, 1) + timedelta(days=n * 9) if n % 4 else None)
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(URL)
    assert len(many) == len(one)
    assert len(response.context["object_list"]) == 25
    assert Course.objects.count() == 41
