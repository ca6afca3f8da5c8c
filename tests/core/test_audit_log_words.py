"""The audit log in words (issue 12): "Register marked", "Did not attend", "Contacted the team:
no"; "by the officer for the delegate"; filters by person, record and date; one date style."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.audit import audit_entry, audit_record
from core.audit_words import action_words, register_action_words, value_words
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


def _log(client, **params):
    response = client.get(reverse("core:auditentry-list"), params)
    assert response.status_code == 200
    return response.content.decode()


def _rows(page):
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [row for row in body.split("<tr>")[1:]]


@pytest.mark.django_db
def test_a_register_mark_reads_in_words(officer_client, officer):
    booking = BookingFactory()
    audit_record(actor=officer, action="booking.attendance_mark", target=booking, details={
        "outcome": "no_show", "status": "no_show", "minutes_late": None,
        "contacted_team": False, "was": "booked", "reason": ""})
    [row] = _rows(_log(officer_client))
    assert "Register marked" in row
    assert "booking.attendance_mark" not in row
    assert "<strong>Contacted the team</strong>: no" in row
    assert "<strong>Outcome</strong>: Did not attend" in row
    assert "<strong>Before</strong>: Booked" in row
    assert "no_show" not in row and "contacted team" not in row


@pytest.mark.parametrize("code, words", [
    ("booking.attendance_mark", "Register marked"),
    ("booking.late_cancel", "Booking cancelled late"),
    ("user.roles_set", "Roles changed"),
    ("invoice.write_off", "Invoice: write off"),  # nobody named it: still words
], ids=["register", "late cancellation", "roles", "unknown"])
def test_actions_in_words(code, words):
    assert action_words(code) == words


@pytest.mark.parametrize("value, words", [
    (True, "yes"), (False, "no"), (None, "–"), ("no_show", "Did not attend"),
    (["officer", "delegate"], "Learning and Development officer, Delegate"),
    ("Car broke down", "Car broke down"), (3, "3"),
    # Dates a service stored as ISO 8601 read in the one date style (an invoice settled).
    ("2026-11-10T11:00:00+00:00", "Tuesday 10 November 2026, 11am"),
    ("2026-10-22T11:00:00+01:00", "Thursday 22 October 2026, 11am"),
    ("2026-07-01", "Wednesday 1 July 2026"),
], ids=["true", "false", "none", "status", "roles", "free text", "number", "datetime GMT",
        "datetime BST", "date"])
def test_values_in_words(value, words):
    assert value_words(value) == words


@pytest.mark.django_db
def test_another_app_registers_its_actions(officer_client, officer):
    register_action_words({"booking.move_test": "Booking moved to another date"})
    audit_record(actor=officer, action="booking.move_test", target=BookingFactory())
    assert "Booking moved to another date" in _log(officer_client)


@pytest.mark.django_db
def test_an_officer_acting_for_a_delegate_shows_by_and_for(officer_client, officer):
    delegate = UserFactory(first_name="Dana", last_name="Delegate", email="dana@example.org")
    audit_record(actor=officer, action="booking.create", target=BookingFactory(delegate=delegate),
                 on_behalf_of=delegate)
    [row] = _rows(_log(officer_client))
    assert "Olivia Officer (olivia@partnership.example)" in row
    assert "for Dana Delegate (dana@example.org)" in row


@pytest.mark.django_db
def test_the_system_and_a_deleted_account_are_named(officer_client):
    audit_record(actor=None, action="booking.offer_expire", target=BookingFactory())
    gone = UserFactory(email="gone@example.org")
    audit_record(actor=gone, action="profile.update", target=gone)
    gone.delete()
    page = _log(officer_client)
    assert "The system" in page and "gone@example.org" in page


@pytest.mark.django_db
def test_filter_by_person_who_acted_or_was_acted_for(officer_client, officer):
    dana = UserFactory(first_name="Dana", last_name="Delegate", email="dana@example.org")
    sam = UserFactory(first_name="Sam", last_name="Other", email="sam@example.org")
    audit_record(actor=officer, action="booking.create", target=CourseFactory(title="For Dana"),
                 on_behalf_of=dana)
    audit_record(actor=dana, action="profile.update", target=CourseFactory(title="By Dana"))
    audit_record(actor=sam, action="profile.update", target=CourseFactory(title="By Sam"))
    for search in ("Dana", "dana@example", "Dana Delegate"):
        page = _log(officer_client, person=search)
        assert "For Dana" in page and "By Dana" in page and "By Sam" not in page, search
    assert "2 entries matching the filters" in _log(officer_client, person="Dana")


@pytest.mark.django_db
def test_filter_by_kind_of_record_and_its_name(officer_client, officer):
    course = CourseFactory(title="Domestic abuse awareness")
    audit_record(actor=officer, action="course.update", target=course)
    audit_record(actor=officer, action="course.update", target=CourseFactory(title="Neglect"))
    audit_record(actor=officer, action="profile.update", target=officer)
    from django.contrib.contenttypes.models import ContentType

    course_type = ContentType.objects.get_for_model(course)
    page = _log(officer_client, object_type=course_type.pk)
    assert "Domestic abuse awareness" in page and "Neglect" in page
    assert "Profile updated" not in page.split("<tbody>")[1]
    page = _log(officer_client, object_type=course_type.pk, object="domestic")
    assert "Domestic abuse awareness" in page and "Neglect" not in page
    # The kind is chosen from the kinds the log holds, by name.
    assert f'<option value="{course_type.pk}">Course</option>' in _log(officer_client)


@pytest.mark.django_db
def test_filter_by_action(officer_client, officer):
    audit_record(actor=officer, action="course.update", target=CourseFactory(title="Changed"))
    audit_record(actor=officer, action="course.create", target=CourseFactory(title="Added"))
    page = _log(officer_client, action="course.create")
    assert "Added" in page and "Changed" not in page
    page = _log(officer_client, action="course")  # the beginning of a code, as before
    assert "Added" in page and "Changed" in page


@pytest.mark.django_db
def test_filter_by_london_days(officer_client, officer):
    def at(day, hour):
        return datetime(2026, 6, day, hour, 30, tzinfo=LONDON)

    for title, when in (("Before", at(1, 12)), ("First day early", at(2, 0)),
                        ("Last day late", at(3, 23)), ("After", at(4, 0))):
        # Written at that time (entries cannot be changed afterwards).
        entry = audit_entry(actor=officer, action="course.update",
                            target=CourseFactory(title=title))
        entry.at = when
        entry.save(force_insert=True)
    page = _log(officer_client, date_from="2026-06-02", date_to="2026-06-03")
    assert "First day early" in page and "Last day late" in page
    assert ">Before<" not in page and ">After<" not in page
    # One date style: "Tue 2 Jun 2026, 12:30am", never "02 Jun 2026 00:30" or "a.m.".
    import re

    shown = re.sub(r'datetime="[^"]*"', "", page)  # the machine-readable time aside
    assert "Tue 2 Jun 2026, 12:30am" in shown
    assert "a.m." not in shown and "00:30" not in shown


@pytest.mark.django_db
@pytest.mark.parametrize("params, message", [
    ({"date_from": "2026-06-05", "date_to": "2026-06-01"},
     "The last day must be the same as or after the first day"),
    ({"date_from": "2026-02-30"}, "Enter the first day as a real date"),
    ({"object_type": "999999"}, "Select a valid choice"),
], ids=["backwards", "no such day", "unknown kind"])
def test_a_wrong_filter_says_so_and_the_rest_still_applies(officer_client, officer, params,
                                                           message):
    audit_record(actor=officer, action="course.update", target=CourseFactory(title="Kept"))
    page = _log(officer_client, person="Olivia", **params)
    assert message in page and "There is a problem" in page
    assert "Kept" in page


@pytest.mark.django_db
def test_a_nul_byte_in_any_filter_is_no_500(officer_client):
    for name in ("person", "object", "action"):
        assert officer_client.get(reverse("core:auditentry-list"),
                                  {name: "a\x00b"}).status_code == 200


@pytest.mark.django_db
def test_the_filtered_log_costs_a_few_queries(officer_client, officer,
                                              django_assert_max_num_queries):
    delegate = UserFactory()
    for _ in range(60):
        audit_record(actor=officer, action="booking.create", on_behalf_of=delegate,
                     target=BookingFactory(delegate=delegate))
    with django_assert_max_num_queries(14):
        page = _log(officer_client, person=officer.last_name, date_from="2000-01-01")
    assert "Showing 1 to 50 of 60" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.LOD_MEMBER, Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT])
def test_only_officers_read_the_log(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("core:auditentry-list")).status_code == 403
