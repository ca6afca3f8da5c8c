"""Exports (issue 11): an event's delegates (name, organisation, sector, access needs, status;
the event's facilitators and officers only) and the programme, as CSV and XLSX. Each file
reopens in csv / openpyxl with the same rows as the page; numbers are numbers in the XLSX; a
cell a spreadsheet would read as a formula is written as text."""

import csv
import html as html_lib
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from bookings.models import BookingStatus
from courses.models import Event
from tests.factories import BookingFactory, CourseFactory, EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def xlsx_rows(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)], book


def page_cells(response, column=0):
    """The first cell (th or td) of each body row of the page's table."""
    html = response.content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    cells = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        cells.append(html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", found[column]).split())))
    return cells


@pytest.fixture
def event_world(make_user):
    facilitator = make_user(Role.FACILITATOR)
    other = make_user(Role.FACILITATOR)
    officer = make_user(Role.OFFICER)
    event = EventFactory(course=CourseFactory(title="Neglect"), facilitators=[facilitator],
                         joining_link="https://teams.example/1")
    EventFactory(facilitators=[other], joining_link="https://teams.example/2")
    private = OrganisationFactory(name="Sunny Days Nursery", sector="private")
    statutory = OrganisationFactory(name="Dudley MBC", sector="statutory")
    rows = [
        ("Amira", "Khan", statutory, "Step-free access", BookingStatus.BOOKED),
        ("=HYPERLINK(\"http://evil\")", "Jones", private, "@SUM(1)", BookingStatus.BOOKED),
        ("Ben", "Ash", private, "", BookingStatus.ATTENDED),
    ]
    for first, last, organisation, needs, status in rows:
        person = make_user(first_name=first, last_name=last, organisation=organisation)
        BookingFactory(event=event, delegate=person, organisation=organisation,
                       access_needs=needs, status=status)
    BookingFactory(event=event, status=BookingStatus.WAITLISTED)  # not on the page
    return {"facilitator": facilitator, "other": other, "officer": officer, "event": event}


def _export(client, event, kind):
    return client.get(reverse("bookings:event-delegates-export",
                              kwargs={"event_pk": event.pk, "kind": kind}))


def test_a_facilitator_exports_their_event_delegates_with_the_rows_of_the_page(
        client, event_world, django_assert_max_num_queries):
    event = event_world["event"]
    client.force_login(event_world["facilitator"])
    page = client.get(reverse("bookings:facilitator-event-detail", kwargs={"pk": event.pk}))
    names = page_cells(page)
    names = [n.replace(" Attended", "") for n in names]
    assert len(names) == 3

    with django_assert_max_num_queries(12):
        response = _export(client, event, "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Organisation", "Sector", "Access needs", "Status"]
    assert [r[0].lstrip("'") for r in rows[1:]] == names
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Amira Khan"] == ["Amira Khan", "Dudley MBC", "Statutory agency",
                                     "Step-free access", "Booked"]
    # Formula injection: what a delegate typed starts with an apostrophe in the CSV.
    assert "'=HYPERLINK(\"http://evil\") Jones" in by_name
    assert by_name["'=HYPERLINK(\"http://evil\") Jones"][3] == "'@SUM(1)"
    assert by_name["Ben Ash"][4] == "Attended"

    response = _export(client, event, "xlsx")
    sheet_rows, book = xlsx_rows(response)
    assert sheet_rows[0] == rows[0]
    assert [r[0] for r in sheet_rows[1:]] == names
    # Written as text, never as a formula.
    for row in book.active.iter_rows(min_row=2):
        assert row[0].data_type == "s"


def test_a_facilitator_cannot_export_another_event(client, event_world):
    client.force_login(event_world["other"])
    for kind in ("csv", "xlsx"):
        assert _export(client, event_world["event"], kind).status_code == 404
    # The same answer as their other pages of that event.
    assert client.get(reverse("bookings:facilitator-event-detail",
                              kwargs={"pk": event_world["event"].pk})).status_code == 404


def test_an_officer_exports_any_event_and_a_delegate_none(client, event_world, make_user):
    client.force_login(event_world["officer"])
    assert len(csv_rows(_export(client, event_world["event"], "csv"))) == 4
    client.force_login(make_user(Role.DELEGATE))
    assert _export(client, event_world["event"], "csv").status_code == 403


def test_an_unknown_format_is_not_found(client, event_world):
    client.force_login(event_world["officer"])
    assert _export(client, event_world["event"], "pdf").status_code == 404
    assert client.get(reverse("courses:manage-event-export",
                              kwargs={"kind": "exe"})).status_code == 404


def test_the_programme_exports_the_events_of_the_page_numbers_as_numbers(
        client, make_user, django_assert_max_num_queries):
    officer = make_user(Role.OFFICER, first_name="Olive", last_name="Officer")
    events = [EventFactory(course=CourseFactory(title=f"Course {i}"), capacity=20 + i,
                           officer=officer, joining_link="https://teams.example/x")
              for i in range(3)]
    Event.objects.filter(pk=events[0].pk).update(places_taken=7)
    past = EventFactory(course=CourseFactory(title="Long ago"), joining_link="https://t.example")
    Event.objects.filter(pk=past.pk).update(start=past.start - timedelta(days=400),
                                            end=past.end - timedelta(days=400))
    client.force_login(officer)
    page = client.get(reverse("courses:manage-event-list"))
    page_rows = page_cells(page)
    assert len(page_rows) == 3

    with django_assert_max_num_queries(12):
        response = client.get(reverse("courses:manage-event-export", kwargs={"kind": "xlsx"}))
    rows, _ = xlsx_rows(response)
    header = rows[0]
    assert header[:2] == ["Course", "Date"]
    assert len(rows) - 1 == len(page_rows)
    assert sorted(r[0] for r in rows[1:]) == ["Course 0", "Course 1", "Course 2"]
    for row in rows[1:]:
        assert row[0] in page.content.decode()
    first = next(r for r in rows if r[0] == "Course 0")
    assert first[header.index("Places")] == 20 and isinstance(first[header.index("Places")], int)
    assert first[header.index("Places taken")] == 7
    assert first[header.index("L&D officer")] == "Olive Officer"

    rows = csv_rows(client.get(reverse("courses:manage-event-export", kwargs={"kind": "csv"})))
    assert [r[0] for r in rows[1:]] == [r[0] for r in xlsx_rows(client.get(reverse(
        "courses:manage-event-export", kwargs={"kind": "xlsx"})))[0][1:]]
    # The page's filters apply: every event from a date.
    rows = csv_rows(client.get(reverse("courses:manage-event-export", kwargs={"kind": "csv"})
                               + "?start_from="))
    assert "Long ago" in [r[0] for r in rows]


def test_business_support_exports_the_programme_a_facilitator_cannot(client, make_user):
    EventFactory(joining_link="https://teams.example/x")
    client.force_login(make_user(Role.BUSINESS_SUPPORT))
    url = reverse("courses:manage-event-export", kwargs={"kind": "csv"})
    assert client.get(url).status_code == 200
    client.force_login(make_user(Role.FACILITATOR))
    assert client.get(url).status_code == 403
