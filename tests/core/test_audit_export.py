"""The audit log downloads as CSV and as a spreadsheet (issue 15: "exportable"), the entries the
filters choose, with before and after in words, and nothing a spreadsheet would run as a
formula. Searching by a person finds what they did, what was done for them and what is about
them."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from core.audit import audit_entry, audit_record
from core.audit_words import value_words
from tests.factories import BookingFactory, CourseFactory, UserFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, first_name="Olivia", last_name="Officer",
                     email="olivia@partnership.example")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _export(client, **params):
    response = client.get(reverse("core:auditentry-export"), params)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_the_filtered_log_downloads_as_csv_with_before_and_after(officer_client, officer):
    delegate = UserFactory(first_name="Dana", last_name="Delegate", email="dana@school.example")
    booking = BookingFactory(delegate=delegate)
    audit_record(actor=officer, action="booking.cancel", target=booking, on_behalf_of=delegate,
                 details={"notice_working_days": 9},
                 changes={"status": ["booked", "cancelled"]})
    audit_record(actor=officer, action="course.create", target=CourseFactory(title="Other"))
    response = _export(officer_client, format="csv", action="booking")
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="audit-log-' in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:5] == ["When", "Who", "Who (email at the time)", "For", "Action"]
    [row] = rows  # the course entry is filtered out
    data = dict(zip(header, row, strict=True))
    assert data["Who"] == "Olivia Officer (olivia@partnership.example)"
    assert data["For"] == "Dana Delegate (dana@school.example)"
    assert data["Action"] == "Booking cancelled"
    assert "Status: Booked → Cancelled" in data["Details"]
    assert "Notice (working days): 9" in data["Details"]


@pytest.mark.django_db
def test_the_log_downloads_as_a_spreadsheet(officer_client, officer):
    entry = audit_entry(actor=officer, action="charge.decide", target=CourseFactory(
        title="=HYPERLINK(\"http://evil.example\")"),
        details={"changes": {"status": ["pending", "waived"]}})
    entry.at = datetime(2026, 12, 8, 9, 30, tzinfo=LONDON)
    entry.save(force_insert=True)
    response = _export(officer_client, format="xlsx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    header, row = ([c.value for c in r] for r in sheet.iter_rows())
    data = dict(zip(header, row, strict=True))
    assert data["When"] == datetime(2026, 12, 8, 9, 30)  # a date, London time
    assert data["Record"] == "=HYPERLINK(\"http://evil.example\")"
    assert sheet.cell(row=2, column=header.index("Record") + 1).data_type == "s"
    assert (f"Status: {value_words('pending')} → {value_words('waived')}"
            == data["Details"])


@pytest.mark.django_db
def test_a_csv_cell_is_never_a_formula(officer_client, officer):
    audit_record(actor=officer, action="course.create",
                 target=CourseFactory(title="=cmd|' /C calc'!A0"))
    header, row = _csv(_export(officer_client, format="csv"))
    assert dict(zip(header, row, strict=True))["Record"].startswith("'=")


@pytest.mark.django_db
def test_the_download_and_the_page_need_the_audit_permission(client, make_user):
    client.force_login(make_user(Role.DELEGATE))
    assert client.get(reverse("core:auditentry-export"), {"format": "csv"}).status_code == 403
    client.logout()
    response = client.get(reverse("core:auditentry-export"), {"format": "csv"})
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_an_unknown_format_is_not_found(officer_client):
    assert officer_client.get(reverse("core:auditentry-export"),
                              {"format": "exe"}).status_code == 404


@pytest.mark.django_db
def test_the_page_links_to_both_downloads_with_its_filters(officer_client, officer):
    audit_record(actor=officer, action="course.create", target=CourseFactory())
    page = officer_client.get(reverse("core:auditentry-list"),
                              {"action": "course", "page": 1}).content.decode()
    url = reverse("core:auditentry-export")
    assert f'href="{url}?action=course&amp;format=csv"' in page
    assert f'href="{url}?action=course&amp;format=xlsx"' in page


@pytest.mark.django_db
def test_a_large_log_downloads_in_a_bounded_number_of_queries(
        officer_client, officer, django_assert_max_num_queries):
    from core.models import AuditEntry

    courses = [CourseFactory() for _ in range(3)]
    AuditEntry.objects.bulk_create([
        audit_entry(actor=officer, action="course.update", target=courses[i % 3],
                    details={"title": ["a", "b"]}) for i in range(120)])
    with django_assert_max_num_queries(20):
        header, *rows = _csv(_export(officer_client, format="csv"))
    assert len(rows) == 120


@pytest.mark.django_db
def test_searching_for_a_person_finds_what_is_about_them(officer_client, officer):
    """Not only what they did or what was done for them: their account, their bookings."""
    dana = UserFactory(first_name="Dana", last_name="Delegate", email="dana@school.example")
    other = UserFactory(first_name="Omar", last_name="Other", email="omar@school.example")
    audit_record(actor=dana, action="booking.create", target=BookingFactory(delegate=dana,
                 event__course__title="Acted"))
    audit_record(actor=officer, action="booking.cancel", on_behalf_of=dana,
                 target=BookingFactory(delegate=dana, event__course__title="ActedFor"))
    audit_record(actor=None, action="booking.offer_expire",
                 target=BookingFactory(delegate=dana, event__course__title="AboutHerBooking"))
    audit_record(actor=officer, action="user.roles_set", target=dana)
    audit_record(actor=None, action="booking.offer_expire",
                 target=BookingFactory(delegate=other, event__course__title="NotHers"))
    for search in ("Dana Delegate", "dana@school"):
        header, *rows = _csv(_export(officer_client, format="csv", person=search))
        records = {dict(zip(header, r, strict=True))["Action"] for r in rows}
        assert len(rows) == 4, (search, rows)
        assert "Roles changed" in records
        assert not any("NotHers" in ",".join(r) for r in rows)
    page = officer_client.get(reverse("core:auditentry-list"),
                              {"person": "Dana"}).content.decode()
    assert "4 entries matching the filters" in page


@pytest.mark.django_db
def test_downloading_the_log_is_itself_audited(officer_client, officer):
    """The log names everyone: who took a copy of it, with which filters, is on the record
    (and the copy being made does not list its own entry)."""
    from core.models import AuditEntry

    audit_record(actor=officer, action="course.create", target=CourseFactory(title="Neglect"))
    response = _export(officer_client, format="csv", object="Neglect")
    header, *rows = _csv(response)
    assert len(rows) == 1
    entry = AuditEntry.objects.get(action="audit.export")
    assert entry.actor == officer
    assert entry.details == {"format": "csv", "filters": {"object": "Neglect"}}
