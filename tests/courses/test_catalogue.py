"""The public course catalogue and a facilitator's Training Pool."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from courses.models import CourseStatus, TrainingPoolMembership
from tests.factories import CourseFactory


@pytest.mark.django_db
def test_the_catalogue_shows_live_and_coming_soon_courses_to_anyone(client):
    live = CourseFactory(title="Working Together: the essentials")
    soon = CourseFactory(title="Child on child abuse", status=CourseStatus.COMING_SOON,
                         expected="August 2027")
    CourseFactory(title="Withdrawn course", active=False)

    response = client.get(reverse("courses:course-list"))

    assert response.status_code == 200
    assert set(response.context["object_list"]) == {live, soon}
    page = response.content.decode()
    assert "Working Together: the essentials" in page
    assert "Coming soon: August 2027" in page
    assert "Withdrawn course" not in page


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
