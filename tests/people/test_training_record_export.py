"""A training record as CSV and XLSX (issue 11): the same rows as the page, numbers as numbers,
dates as dates, nothing a spreadsheet would run; a delegate gets only their own."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from courses.models import Completion
from courses.training_record_export import COLUMNS
from tests.factories import CourseFactory, UserFactory


@pytest.fixture
def record(db):
    person = UserFactory()
    safe = CourseFactory(title="Safer recruitment")
    sneaky = CourseFactory(title="=HYPERLINK(\"http://evil.example\",\"x\")")
    Completion.objects.create(user=person, course=safe, completed_on=date(2025, 6, 2),
                              source=Completion.Source.E_LEARNING, score=90)
    Completion.objects.create(user=person, course=sneaky, completed_on=date(2024, 1, 15),
                              source=Completion.Source.ATTENDANCE)
    # An older completion of the same course, refreshed since.
    Completion.objects.create(user=person, course=safe, completed_on=date(2021, 5, 1),
                              source=Completion.Source.RECORDED)
    return person


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _xlsx(response):
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)], book.active


def test_the_delegate_exports_their_own_record_as_csv(client, record):
    client.force_login(record)
    rows = _csv(client.get(reverse("courses:training-record-export", args=["csv"])))
    assert rows[0] == COLUMNS
    assert rows[1] == ["Safer recruitment", "Level 2", rows[1][2], "2025-06-02",
                       "E-learning knowledge check passed", "90", "2028-06-02", "No"]
    # A title that starts like a formula is text in the spreadsheet, not a formula.
    assert rows[2][0] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert rows[2][5] == ""
    assert rows[3][3] == "2021-05-01" and rows[3][6] == "" and rows[3][7] == "Yes"
    assert len(rows) == 4


def test_the_xlsx_has_dates_as_dates_and_numbers_as_numbers(client, record):
    client.force_login(record)
    response = client.get(reverse("courses:training-record-export", args=["xlsx"]))
    assert "attachment" in response["Content-Disposition"]
    rows, sheet = _xlsx(response)
    assert rows[0] == COLUMNS
    assert rows[1][0] == "Safer recruitment"
    assert rows[1][3].date() == date(2025, 6, 2)  # openpyxl reads a date cell as a datetime
    assert rows[1][5] == 90 and isinstance(rows[1][5], int)
    assert rows[1][6].date() == date(2028, 6, 2)
    # Written as text: the cell holds the characters, no formula runs.
    assert sheet.cell(row=3, column=1).data_type == "s"
    assert rows[2][0] == "=HYPERLINK(\"http://evil.example\",\"x\")"
    assert len(rows) == 4


def test_the_export_has_the_rows_of_the_page(client, record):
    client.force_login(record)
    page = client.get(reverse("courses:training-record")).content.decode()
    rows = _csv(client.get(reverse("courses:training-record-export", args=["csv"])))[1:]
    assert [r[0].lstrip("'") for r in rows] == [
        "Safer recruitment", "=HYPERLINK(\"http://evil.example\",\"x\")", "Safer recruitment"]
    assert "Safer recruitment" in page and "=HYPERLINK(&quot;http://evil.example&quot;" in page
    assert reverse("courses:training-record-export", args=["xlsx"]) in page
    for day in ("Mon 2 Jun 2025", "Mon 15 Jan 2024", "Sat 1 May 2021"):
        assert day in page or day.replace("Mon ", "").replace("Sat ", "") in page


def test_an_officer_exports_a_persons_record_from_their_page(client, record, make_user):
    client.force_login(make_user(Role.OFFICER))
    url = reverse("courses:person-training-record-export", args=[record.pk, "xlsx"])
    assert url in client.get(reverse("accounts:person-detail", args=[record.pk])).content.decode()
    rows, _ = _xlsx(client.get(url))
    assert [r[0] for r in rows[1:]] == [
        "Safer recruitment", "=HYPERLINK(\"http://evil.example\",\"x\")", "Safer recruitment"]


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.SAFEGUARDING_LEAD,
                                  Role.FINANCE_CONTACT, Role.BUSINESS_SUPPORT])
def test_nobody_else_exports_someone_elses_record(client, record, make_user, role):
    other = make_user(role, organisation=record.organisation)
    client.force_login(other)
    url = reverse("courses:person-training-record-export", args=[record.pk, "csv"])
    assert client.get(url).status_code == 403
    # Their own export holds their own record (empty), never the person's.
    rows = _csv(client.get(reverse("courses:training-record-export", args=["csv"])))
    assert rows == [COLUMNS]


def test_an_unknown_format_or_person_is_a_404(client, record, make_user):
    client.force_login(record)
    assert client.get(reverse("courses:training-record-export", args=["pdf"])).status_code == 404
    client.force_login(make_user(Role.OFFICER))
    assert client.get(reverse("courses:person-training-record-export",
                              args=[999999, "csv"])).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("courses:training-record-export", args=["csv"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_export_costs_a_few_queries_whatever_its_length(client, record,
                                                            django_assert_max_num_queries):
    for _ in range(40):
        Completion.objects.create(user=record, course=CourseFactory(),
                                  completed_on=date(2025, 1, 1), source=Completion.Source.RECORDED)
    client.force_login(record)
    with django_assert_max_num_queries(10):
        rows, _ = _xlsx(client.get(reverse("courses:training-record-export", args=["xlsx"])))
    assert len(rows) == 44
