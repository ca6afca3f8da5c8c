import pytest

from courses.models import RESERVED_COURSE_SLUGS

from ..factories import CourseFactory


@pytest.mark.django_db
@pytest.mark.parametrize("title", ["Resources", "Manage", "My record", "Events"])
def test_a_course_named_like_another_page_still_gets_its_own_page(client, title):
    course = CourseFactory(title=title)
    assert course.slug not in RESERVED_COURSE_SLUGS
    response = client.get(f"/courses/{course.slug}/")
    assert response.status_code == 200
    assert title in response.content.decode()


@pytest.mark.django_db
def test_two_courses_with_one_title_get_different_pages():
    a, b = CourseFactory(title="Neglect"), CourseFactory(title="Neglect")
    assert a.slug == "neglect" and b.slug == "neglect-2"
