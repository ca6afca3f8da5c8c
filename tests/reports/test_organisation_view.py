"""The organisation view: a safeguarding lead sees their own organisation's delegates against
the Training Checklist (summary, table, filters, CSV and XLSX), never another organisation's;
officers pick any organisation; the lead sets a missing staff group; the lead's home page
says who needs attention."""

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
from core.models import AuditEntry
from courses.models import Completion
from reports.models import ChecklistRequirement
from tests.factories import CourseFactory, OrganisationFactory, UserFactory

URL = reverse("reports:organisation-training")


def csv_url(**query):
    return _with(reverse("reports:organisation-training-export", args=["csv"]), query)


def xlsx_url(**query):
    return _with(reverse("reports:organisation-training-export", args=["xlsx"]), query)


def _with(url, query):
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def complete(person, course, on):
    Completion.objects.create(user=person, course=course, completed_on=on, source="attendance")


class World:
    pass


@pytest.fixture
def world(make_user):
    """Riverside Council: five delegates in every state, and its lead (group 3: nothing
    required). Hillside Nursery: one delegate and its own lead. Group 2 needs Safer
    Recruitment and any level 1 course; refreshed every 3 years, reminded 30 days before."""
    w = World()
    w.today = today = london_date(timezone.now())
    w.org_a = OrganisationFactory(name="Riverside Council")
    w.org_b = OrganisationFactory(name="Hillside Nursery")
    w.course = CourseFactory(title="Safer Recruitment", level="2", audience="joint")
    w.level_1 = CourseFactory(title="Introduction to Modern Slavery", level="1",
                              audience="joint")
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2, course=w.course,
                                        position=1)
    ChecklistRequirement.objects.create(staff_group=StaffGroup.GROUP_2, level="1", position=2)

    def person(first, last, org, group=StaffGroup.GROUP_2, **kwargs):
        return UserFactory(first_name=first, last_name=last, organisation=org,
                           staff_group=group, job_title=f"{first}'s job", **kwargs)

    three_years = relativedelta(years=3)
    w.ada = person("Ada", "Alder", w.org_a)  # up to date
    complete(w.ada, w.course, today - relativedelta(years=1))
    complete(w.ada, w.level_1, today - relativedelta(years=1))
    w.ben = person("Ben", "Birch", w.org_a)  # Safer Recruitment due again in 10 days
    w.ben_due = today + timedelta(days=10)
    complete(w.ben, w.course, w.ben_due - three_years)
    complete(w.ben, w.level_1, today - relativedelta(months=2))
    w.cal = person("Cal", "Cedar", w.org_a)  # Safer Recruitment was due 5 days ago
    complete(w.cal, w.course, today - timedelta(days=5) - three_years)
    complete(w.cal, w.level_1, today - relativedelta(months=2))
    w.dee = person("Dee", "Dogwood", w.org_a)  # never did Safer Recruitment
    complete(w.dee, w.level_1, today - relativedelta(months=2))
    w.eve = person("Eve", "Elm", w.org_a, group="")  # no staff group yet
    w.gone = person("Gus", "Gone", w.org_a, is_active=False)  # left: not listed
    w.lead_a = make_user(Role.DELEGATE, Role.SAFEGUARDING_LEAD, organisation=w.org_a,
                         staff_group=StaffGroup.GROUP_3, first_name="Lee",
                         last_name="Larch")
    w.zed = person("Zed", "Zelkova", w.org_b)
    complete(w.zed, w.course, today - relativedelta(months=1))
    w.lead_b = make_user(Role.DELEGATE, Role.SAFEGUARDING_LEAD, organisation=w.org_b,
                         first_name="Lou", last_name="Lime")
    return w


def text(page):
    """The page's words, without tags, one space between them."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def page_of(client, user, url=URL):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_sees_a_summary_and_each_delegates_state(client, world):
    page = page_of(client, world.lead_a)
    # 6 active members: Ada and the lead up to date, Ben due soon, Cal overdue, Dee not
    # completed, Eve without a staff group (Gus has left).
    words = text(page)
    assert "Summary 6 delegates 2 fully up to date 1 due a refresher 1 overdue " \
        "1 not completed required training 1 staff group not set" in words
    for name in ("Ada Alder", "Ben Birch", "Cal Cedar", "Dee Dogwood", "Eve Elm", "Lee Larch"):
        assert name in page
    assert "Gus Gone" not in page
    assert "Zed Zelkova" not in page
    from core.dates import long_date

    page = page[page.index("<tbody>"):]
    ben = page[page.index("Ben Birch"):page.index("Cal Cedar")]
    assert "Due soon" in ben and f"due again on {long_date(world.ben_due)}" in ben
    cal = page[page.index("Cal Cedar"):page.index("Dee Dogwood")]
    assert "Overdue" in cal
    dee = page[page.index("Dee Dogwood"):page.index("Eve Elm")]
    assert "Not completed" in dee
    assert "Introduction to Modern Slavery" in dee  # latest training
    eve = page[page.index("Eve Elm"):page.index("Lee Larch")]
    assert "Not set" in eve
    assert reverse("reports:organisation-staff-group", args=[world.eve.pk]) in eve


def test_the_status_filter_lists_only_those_delegates(client, world):
    page = page_of(client, world.lead_a, URL + "?status=not_completed")
    assert "Dee Dogwood" in page
    assert "Ada Alder" not in page and "Ben Birch" not in page
    page = page_of(client, world.lead_a, URL + "?status=due_soon")
    assert "Ben Birch" in page and "Cal Cedar" not in page and "Dee Dogwood" not in page


def test_the_staff_group_filter_narrows_the_summary_and_the_table(client, world):
    page = page_of(client, world.lead_a, URL + "?staff_group=none")
    assert "Eve Elm" in page and "Ada Alder" not in page
    assert "Summary 1 delegate in the staff group chosen 0 fully up to date" in text(page)


def test_a_filter_that_does_not_exist_says_so(client, world):
    page = page_of(client, world.lead_a, URL + "?status=everyone&staff_group=group_9")
    assert "Select a status from the list" in page
    assert "Select a staff group from the list" in page
    assert "Ada Alder" not in page


def test_a_lead_never_sees_another_organisation(client, world):
    page = page_of(client, world.lead_b)
    assert "Zed Zelkova" in page
    for name in ("Ada Alder", "Ben Birch", "Riverside Council"):
        assert name not in page
    # Naming organisation A in the address changes nothing: still their own, page and exports.
    for url in (URL, csv_url(), xlsx_url()):
        for named in (world.org_a.pk, "x"):
            response = client.get(_with(url, {"organisation": named}))
            assert response.status_code == 200
            body = response.content.decode("utf-8", "replace") if "xlsx" not in url else \
                " ".join(str(c) for row in openpyxl.load_workbook(
                    io.BytesIO(response.content)).active.iter_rows(values_only=True)
                    for c in row)
            assert "Zed Zelkova" in body
            assert "Ada Alder" not in body and "Riverside" not in body
            assert world.ada.email not in body
    assert "hillside-nursery" in client.get(
        csv_url(organisation=world.org_a.pk))["Content-Disposition"]
    # Another organisation's person's staff group: not found.
    url = reverse("reports:organisation-staff-group", args=[world.eve.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"staff_group": "group_1"}).status_code == 404
    world.eve.refresh_from_db()
    assert world.eve.staff_group == ""


def test_the_csv_export_holds_the_whole_organisation_and_only_it(client, world):
    client.force_login(world.lead_a)
    response = client.get(csv_url())
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="training-records-riverside-council-'
        f'{world.today.isoformat()}.csv"')
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:7] == ["Name", "Email", "Job title", "Staff group", "Overall",
                           "Requirement", "Status"]
    names = {row[0] for row in rows[1:]}
    assert names == {"Ada Alder", "Ben Birch", "Cal Cedar", "Dee Dogwood", "Eve Elm",
                     "Lee Larch"}
    ben = [row for row in rows if row[0] == "Ben Birch" and row[5] == "Safer Recruitment"]
    assert ben[0][4] == "Due a refresher"
    assert ben[0][6] == "Due a refresher"
    assert ben[0][7] == world.ben_due.isoformat()
    eve = [row for row in rows if row[0] == "Eve Elm"]
    assert len(eve) == 1 and eve[0][3] == "Not set"


def test_the_xlsx_export_follows_the_filters_and_reopens(client, world):
    client.force_login(world.lead_a)
    response = client.get(xlsx_url(status="overdue"))
    assert response.status_code == 200
    assert "riverside-council" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Training records"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Name"
    assert {row[0] for row in rows[1:]} == {"Cal Cedar"}
    safer = [row for row in rows[1:] if row[5] == "Safer Recruitment"][0]
    assert safer[6] == "Overdue"
    assert safer[7].date() == world.today - timedelta(days=5)  # a date, not text


def test_a_name_that_looks_like_a_formula_is_text_in_the_csv(client, world):
    world.ada.first_name = "=HYPERLINK(1)"
    world.ada.save()
    client.force_login(world.lead_a)
    body = client.get(csv_url()).content.decode("utf-8")
    assert "'=HYPERLINK(1) Alder" in body


def test_an_officer_picks_any_organisation(client, world, make_user):
    officer = make_user(Role.OFFICER, organisation=None)
    page = page_of(client, officer)
    assert "Choose an organisation to see its staff" in page and "Zed Zelkova" not in page
    page = page_of(client, officer, _with(URL, {"organisation": world.org_b.pk}))
    assert "Zed Zelkova" in page and "Ada Alder" not in page
    page = page_of(client, officer, _with(URL, {"organisation": "99999"}))
    assert "Select an organisation from the list" in page
    response = client.get(xlsx_url(organisation=world.org_b.pk))
    assert "hillside-nursery" in response["Content-Disposition"]
    # No organisation chosen (and none of their own): back to the page, nothing exported.
    assert client.get(csv_url()).status_code == 302


def test_an_officer_starts_from_their_own_organisation(client, world, make_user):
    officer = make_user(Role.OFFICER, organisation=world.org_b)
    assert "Zed Zelkova" in page_of(client, officer)
    assert "hillside-nursery" in client.get(csv_url())["Content-Disposition"]
    assert "Ada Alder" in page_of(client, officer, _with(URL, {"organisation": world.org_a.pk}))


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.LOD_MEMBER, Role.FINANCE_CONTACT])
def test_other_roles_are_refused(client, world, make_user, role):
    client.force_login(make_user(role, organisation=world.org_a))
    for url in (URL, csv_url(), xlsx_url(),
                reverse("reports:organisation-staff-group", args=[world.eve.pk])):
        assert client.get(url).status_code == 403, url


def test_the_lead_sets_a_missing_staff_group(client, world):
    client.force_login(world.lead_a)
    url = reverse("reports:organisation-staff-group", args=[world.eve.pk])
    assert "Choose their staff group" in client.get(url).content.decode()
    response = client.post(url, {})
    assert "Select a staff group" in response.content.decode()
    response = client.post(url, {"staff_group": StaffGroup.GROUP_2})
    assert response.status_code == 302 and response["Location"] == URL
    world.eve.refresh_from_db()
    assert world.eve.staff_group == StaffGroup.GROUP_2
    entry = AuditEntry.objects.get(action="checklist.staff_group_set")
    assert entry.actor == world.lead_a and entry.details["staff_group"] == ["", "group_2"]
    # Eve now needs group 2's training, and has none.
    page = page_of(client, world.lead_a, URL + "?status=not_completed")
    assert "Eve Elm" in page


def test_the_leads_home_page_says_who_needs_attention(world):
    [section] = [s for s in home_sections(user=world.lead_a, now=timezone.now())
                 if s.key == SAFEGUARDING_LEAD]
    items = {item.label: (item.count, item.url) for item in section.items}
    assert items["of your staff has Training Checklist training falling due soon"] == (
        1, URL + "?status=due_soon")
    assert items["of your staff has overdue Training Checklist training"] == (
        1, URL + "?status=overdue")
    assert items["of your staff has not completed required training"] == (
        1, URL + "?status=not_completed")


def _queries_for_the_page(client, lead, org, how_many):
    for n in range(how_many):
        person = UserFactory(organisation=org, staff_group=StaffGroup.GROUP_2,
                             last_name=f"Person{n:03d}")
        complete(person, ChecklistRequirement.objects.filter(
            course__isnull=False).first().course, london_date(timezone.now()))
    client.force_login(lead)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_the_page_runs_the_same_queries_for_5_and_50_delegates(client, world, make_user):
    from core.models import Partnership

    Partnership.load()  # the settings row exists before either page is measured
    small_org, large_org = OrganisationFactory(name="Small"), OrganisationFactory(name="Large")
    small_lead = make_user(Role.SAFEGUARDING_LEAD, organisation=small_org)
    large_lead = make_user(Role.SAFEGUARDING_LEAD, organisation=large_org)
    small = _queries_for_the_page(client, small_lead, small_org, 5)
    large = _queries_for_the_page(client, large_lead, large_org, 50)
    assert small == large


def test_the_reminder_period_and_refresher_years_are_the_partnerships(client, world):
    from core.models import Partnership

    partnership = Partnership.load()
    # Ben's Safer Recruitment falls due in 10 days: with a 5-day reminder it is still met.
    partnership.refresher_reminder_days = 5
    partnership.save()
    page = page_of(client, world.lead_a, URL + "?status=up_to_date")
    assert "Ben Birch" in page
    # Refreshed every 4 years instead of 3: Cal's (due 5 days ago) is met for another year.
    partnership.refresher_years = 4
    partnership.save()
    page = page_of(client, world.lead_a, URL + "?status=overdue")
    assert "Cal Cedar" not in page
    # A course's own refresher years win: 1 year makes Ada's (a year ago today) overdue.
    world.course.refresher_years = 1
    world.course.save()
    page = page_of(client, world.lead_a, URL + "?status=overdue")
    assert "Ada Alder" in page
