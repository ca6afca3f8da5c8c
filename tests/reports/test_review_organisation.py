"""Review (R2) of the organisation view and the Training Checklist, as a user and as an
attacker: a lead sees and exports only their own organisation (the page, CSV and XLSX hold the
same people), a delegate who moved organisation is listed by the new one with their own
completions, requirements by level and audience, the refresher rules of DOMAIN.md, the lead's
home page does not give two different counts of staff due a refresher, bounded queries for
the exports, user text escaped, LOD members and others refused."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.roles import Role
from core.calendar import london_date
from core.home import SAFEGUARDING_LEAD, home_sections
from courses.models import Completion
from reports.models import ChecklistRequirement
from tests.factories import CourseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("reports:organisation-training")


def export(fmt, **query):
    url = reverse("reports:organisation-training-export", args=[fmt])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def words(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def complete(person, course, on):
    Completion.objects.create(user=person, course=course, completed_on=on, source="attendance")


def csv_names(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return {row[0] for row in list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]}


def xlsx_names(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}


@pytest.fixture
def today():
    return london_date(timezone.now())


@pytest.fixture
def orgs():
    return OrganisationFactory(name="Riverside Council"), OrganisationFactory(
        name="Hillside Nursery")


@pytest.fixture
def lead(make_user):
    def make(org):
        return make_user(Role.DELEGATE, Role.SAFEGUARDING_LEAD, organisation=org,
                         staff_group=StaffGroup.GROUP_3, first_name="Lee", last_name=org.name)
    return make


def test_the_page_and_both_exports_hold_the_same_people_of_the_leads_own_organisation(
        client, orgs, lead):
    a, b = orgs
    for n in range(3):
        UserFactory(organisation=a, first_name="Ann", last_name=f"A{n}")
    UserFactory(organisation=b, first_name="Bob", last_name="B0")
    UserFactory(organisation=a, first_name="Gone", last_name="A9", is_active=False)
    client.force_login(lead(a))
    page = words(client.get(URL + f"?organisation={b.pk}"))
    on_page = {name for name in ("Ann A0", "Ann A1", "Ann A2", "Lee Riverside Council",
                                 "Bob B0", "Gone A9") if name in page}
    assert on_page == {"Ann A0", "Ann A1", "Ann A2", "Lee Riverside Council"}
    assert csv_names(client.get(export("csv", organisation=b.pk))) == on_page
    assert xlsx_names(client.get(export("xlsx", organisation=b.pk))) == on_page


def test_a_delegate_who_moved_is_listed_by_their_new_organisation_with_their_training(
        client, orgs, lead, today):
    a, b = orgs
    course = CourseFactory(title="Safer Recruitment", level="2", audience="joint")
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2, course=course)
    mover = UserFactory(organisation=a, first_name="Mo", last_name="Mover",
                        staff_group=StaffGroup.GROUP_2)
    complete(mover, course, today - relativedelta(years=1))
    mover.organisation = b
    mover.save()
    client.force_login(lead(a))
    assert "Mo Mover" not in words(client.get(URL))
    assert "Mo Mover" not in csv_names(client.get(export("csv")))
    client.force_login(lead(b))
    page = words(client.get(URL + "?status=up_to_date"))
    assert "Mo Mover" in page and "Safer Recruitment" in page


@pytest.mark.parametrize("course_level, course_audience, status", [
    ("2", "children", "up_to_date"),
    ("2", "joint", "up_to_date"),       # a joint course counts for children
    ("2", "adults", "not_completed"),   # the wrong audience
    ("1", "children", "not_completed"),  # the wrong level
])
def test_a_requirement_by_level_and_audience(client, orgs, lead, today, course_level,
                                             course_audience, status):
    a, _ = orgs
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_1, level="2",
                                        audience="children")
    person = UserFactory(organisation=a, first_name="Pat", last_name="Person",
                         staff_group=StaffGroup.GROUP_1)
    complete(person, CourseFactory(level=course_level, audience=course_audience),
             today - timedelta(days=30))
    client.force_login(lead(a))
    assert "Pat Person" in words(client.get(URL + f"?status={status}"))


@pytest.mark.parametrize("course_years, years_ago, days_later, status", [
    (None, 3, 31, "up_to_date"),  # falls due in 31 days: after the 30 reminder days
    (None, 3, 30, "due_soon"),    # falls due in 30 days: a refresher is due
    (None, 3, 0, "overdue"),      # three years ago today: due again today
    (5, 4, 0, "up_to_date"),      # the course's own 5 years win over the partnership's 3
    (1, 1, 0, "overdue"),         # ... and a 1-year course is due again after a year
])
def test_refreshers_follow_domain_md(client, orgs, lead, today, course_years, years_ago,
                                     days_later, status):
    a, _ = orgs
    course = CourseFactory(title="Safeguarding Children Level 2", level="2",
                           refresher_years=course_years)
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2, course=course)
    person = UserFactory(organisation=a, first_name="Ria", last_name="Refresher",
                         staff_group=StaffGroup.GROUP_2)
    complete(person, course, today - relativedelta(years=years_ago)
             + timedelta(days=days_later))
    client.force_login(lead(a))
    assert "Ria Refresher" in words(client.get(URL + f"?status={status}"))


def test_the_leads_home_page_gives_one_count_of_staff_due_a_refresher(orgs, lead, today):
    """The courses app already tells the lead how many of their staff are due a refresher
    (any course, overdue included); the checklist's own item must not give a second,
    different count under the same words."""
    a, _ = orgs
    course = CourseFactory(title="Safer Recruitment", level="2")
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2, course=course)
    soon = UserFactory(organisation=a, staff_group=StaffGroup.GROUP_2)
    complete(soon, course, today - relativedelta(years=3) + timedelta(days=10))
    late = UserFactory(organisation=a, staff_group=StaffGroup.GROUP_2)
    complete(late, course, today - relativedelta(years=3) - timedelta(days=5))
    the_lead = lead(a)
    [section] = [s for s in home_sections(user=the_lead, now=timezone.now())
                 if s.key == SAFEGUARDING_LEAD]
    refresher_counts = {item.count for item in section.items
                        if "due a refresher" in item.label and item.count}
    assert len(refresher_counts) <= 1, [(i.count, i.label) for i in section.items]


def _export_queries(client, org, the_lead, how_many, fmt):
    course = ChecklistRequirement.objects.get().course
    for n in range(how_many):
        person = UserFactory(organisation=org, staff_group=StaffGroup.GROUP_2,
                             last_name=f"Person{n:03d}")
        complete(person, course, london_date(timezone.now()) - timedelta(days=n))
    client.force_login(the_lead)
    client.get(URL)  # the first page of a session warms its caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(export(fmt))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_cost_the_same_queries_for_5_and_50_delegates(client, lead, fmt):
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2,
                                        course=CourseFactory(level="2"))
    small, large = OrganisationFactory(name="Small"), OrganisationFactory(name="Large")
    assert _export_queries(client, small, lead(small), 5, fmt) == _export_queries(
        client, large, lead(large), 50, fmt)


def test_user_text_is_escaped_on_the_page(client, orgs, lead, today):
    a, _ = orgs
    a.name = "<b>Riverside</b>"
    a.save()
    course = CourseFactory(title="<script>alert(1)</script>", level="2")
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2, course=course,
                                        note="<img src=x onerror=alert(2)>")
    person = UserFactory(organisation=a, first_name="<i>Ivy</i>", job_title="<u>Nurse</u>",
                         staff_group=StaffGroup.GROUP_2)
    complete(person, course, today)
    client.force_login(lead(a))
    page = client.get(URL).content.decode()
    for raw in ("<b>Riverside", "<script>alert", "<img src=x", "<i>Ivy", "<u>Nurse"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("role", [Role.LOD_MEMBER, Role.DELEGATE, Role.FACILITATOR,
                                  Role.BUSINESS_SUPPORT])
def test_lod_members_and_others_are_refused_and_change_nothing(client, orgs, make_user, role):
    a, _ = orgs
    person = UserFactory(organisation=a, staff_group="")
    client.force_login(make_user(role, organisation=a))
    for url in (URL, export("csv"), export("xlsx"), reverse("reports:checklist-list"),
                reverse("reports:checklist-create")):
        assert client.get(url).status_code == 403, url
    staff_group = reverse("reports:organisation-staff-group", args=[person.pk])
    assert client.post(staff_group, {"staff_group": "group_1"}).status_code == 403
    assert client.post(reverse("reports:checklist-create"), {
        "staff_group": "group_1", "level": "1"}).status_code == 403
    person.refresh_from_db()
    assert person.staff_group == "" and not ChecklistRequirement.objects.exists()


def test_a_lead_cannot_change_the_checklist_or_another_organisations_person(
        client, orgs, lead):
    a, b = orgs
    requirement = ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_1,
                                                      level="1")
    other = UserFactory(organisation=b, staff_group="")
    client.force_login(lead(a))
    assert client.post(reverse("reports:checklist-delete", args=[requirement.pk])
                       ).status_code == 403
    url = reverse("reports:organisation-staff-group", args=[other.pk])
    assert client.post(url + f"?organisation={b.pk}", {"staff_group": "group_1"}
                       ).status_code == 404
    other.refresh_from_db()
    assert other.staff_group == "" and ChecklistRequirement.objects.count() == 1


def test_a_lead_without_two_factor_authentication_is_sent_to_set_it_up(client, orgs):
    the_lead = UserFactory(roles=[Role.DELEGATE, Role.SAFEGUARDING_LEAD],
                           organisation=orgs[0])
    client.force_login(the_lead)
    for url in (URL, export("csv")):
        assert client.get(url)["Location"].startswith(reverse("mfa_activate_totp"))


def test_an_officer_changes_the_note_of_a_requirement_whose_course_was_withdrawn(
        client, make_user):
    """A course no longer offered (inactive) is still required until an officer says
    otherwise: its requirement's form must still show it, so the officer can change the note
    or move it to another course, not meet "Select a course or a level"."""
    course = CourseFactory(title="Old Safer Recruitment", level="2", active=False)
    requirement = ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2,
                                                      course=course)
    client.force_login(make_user(Role.OFFICER))
    url = reverse("reports:checklist-update", args=[requirement.pk])
    form = client.get(url).content.decode()
    assert re.search(rf'<option value="{course.pk}" selected>Old Safer Recruitment', form)
    saved = client.post(url, {"staff_group": "group_2", "course": str(course.pk),
                              "note": "Until the new course starts"})
    assert saved.status_code == 302
    requirement.refresh_from_db()
    assert (requirement.course_id, requirement.note) == (course.pk, "Until the new course starts")
    # A new requirement cannot name a withdrawn course.
    refused = client.post(reverse("reports:checklist-create"),
                          {"staff_group": "group_1", "course": str(course.pk)})
    assert "Select a course from the list" in words(refused)
