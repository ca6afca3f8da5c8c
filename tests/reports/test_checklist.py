"""The Training Checklist page (officers): requirements by staff group, added, changed and
deleted (with a confirmation), audited; forms that say what to fix."""

import pytest
from django.urls import reverse

from accounts.models import StaffGroup
from accounts.roles import Role
from core.models import AuditEntry
from reports.models import ChecklistRequirement
from tests.factories import CourseFactory


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def test_an_officer_adds_a_course_requirement_and_sees_it_under_its_staff_group(
        officer_client, officer):
    course = CourseFactory(title="Safer Recruitment")
    response = officer_client.post(reverse("reports:checklist-create"), {
        "staff_group": StaffGroup.GROUP_3, "course": course.pk, "level": "", "audience": "",
        "note": "Managers who recruit"}, follow=True)
    assert response.status_code == 200
    requirement = ChecklistRequirement.objects.get()
    assert (requirement.staff_group, requirement.course, requirement.level) == (
        StaffGroup.GROUP_3, course, "")
    page = response.content.decode()
    assert "The requirement is added" in page
    group_3 = page.index(StaffGroup.GROUP_3.label)
    assert page.index("Safer Recruitment", group_3) > group_3
    assert "Managers who recruit" in page
    entry = AuditEntry.objects.get(action="checklist.add")
    assert entry.actor == officer and entry.details["course"] == "Safer Recruitment"


def test_an_officer_adds_a_level_requirement_for_an_audience(officer_client):
    officer_client.post(reverse("reports:checklist-create"), {
        "staff_group": StaffGroup.GROUP_2, "course": "", "level": "2", "audience": "children",
        "note": ""})
    requirement = ChecklistRequirement.objects.get()
    assert (requirement.course, requirement.level, requirement.audience) == (
        None, "2", "children")
    page = officer_client.get(reverse("reports:checklist-list")).content.decode()
    assert "Any Level 2 course (children)" in page


def test_an_empty_form_says_to_select_a_staff_group_and_a_course_or_a_level(officer_client):
    response = officer_client.post(reverse("reports:checklist-create"), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a staff group" in page
    assert "Select a course or a level" in page
    assert not ChecklistRequirement.objects.exists()


def test_a_course_and_a_level_together_are_refused(officer_client):
    course = CourseFactory()
    response = officer_client.post(reverse("reports:checklist-create"), {
        "staff_group": StaffGroup.GROUP_1, "course": course.pk, "level": "1"})
    assert "Select a course or a level, not both" in response.content.decode()
    assert not ChecklistRequirement.objects.exists()


def test_a_course_that_does_not_exist_is_refused_not_an_error(officer_client):
    response = officer_client.post(reverse("reports:checklist-create"), {
        "staff_group": "group_9", "course": "99999", "level": "7"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a staff group from the list" in page
    assert "Select a course from the list" in page
    assert "Select a level from the list" in page


def test_the_same_requirement_twice_is_refused(officer_client):
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_1, level="1")
    response = officer_client.post(reverse("reports:checklist-create"), {
        "staff_group": StaffGroup.GROUP_1, "level": "1"})
    assert "Group 1 already has this requirement" in response.content.decode()
    assert ChecklistRequirement.objects.count() == 1


def test_an_officer_changes_a_requirement_and_the_change_is_audited(officer_client, officer):
    requirement = ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_1, level="1")
    url = reverse("reports:checklist-update", args=[requirement.pk])
    assert "Change a requirement" in officer_client.get(url).content.decode()
    response = officer_client.post(url, {"staff_group": StaffGroup.GROUP_2, "level": "2",
                                         "note": "Changed"})
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert (requirement.staff_group, requirement.level, requirement.note) == (
        StaffGroup.GROUP_2, "2", "Changed")
    entry = AuditEntry.objects.get(action="checklist.change")
    assert entry.details["level"] == ["1", "2"]
    assert entry.details["staff_group"] == ["group_1", "group_2"]


def test_deleting_asks_first_then_deletes_and_is_audited(officer_client):
    requirement = ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_3, level="3")
    url = reverse("reports:checklist-delete", args=[requirement.pk])
    page = officer_client.get(url).content.decode()
    assert "Delete “Group 3" in page and "You cannot undo this" in page
    assert ChecklistRequirement.objects.exists()
    response = officer_client.post(url)
    assert response.status_code == 302
    assert not ChecklistRequirement.objects.exists()
    assert AuditEntry.objects.get(action="checklist.delete").details["level"] == "3"


def test_a_requirement_that_does_not_exist_is_not_found(officer_client):
    assert officer_client.get(reverse("reports:checklist-update", args=[99999])).status_code == 404
    assert officer_client.post(reverse("reports:checklist-delete", args=[99999])).status_code == 404


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.SAFEGUARDING_LEAD, Role.LOD_MEMBER,
                                  Role.FACILITATOR, Role.BUSINESS_SUPPORT])
def test_only_officers_keep_the_checklist(client, make_user, role):
    requirement = ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_1, level="1")
    client.force_login(make_user(role))
    for url in (reverse("reports:checklist-list"), reverse("reports:checklist-create"),
                reverse("reports:checklist-update", args=[requirement.pk]),
                reverse("reports:checklist-delete", args=[requirement.pk])):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reports:checklist-delete", args=[requirement.pk])).status_code \
        == 403
    assert ChecklistRequirement.objects.exists()


def test_the_checklist_page_runs_a_fixed_number_of_queries(officer_client,
                                                           django_assert_max_num_queries):
    for _ in range(30):
        ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2,
                                            course=CourseFactory())
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("reports:checklist-list"))
    assert response.status_code == 200
