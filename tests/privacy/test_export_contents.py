"""Your data: the ZIP holds every row about the person, found by id and by value, and nothing
of another person's; the officer's subject access download is the same file."""
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from core.models import AuditEntry, OutgoingEmail
from privacy.export import person_data
from tests.helpers import TOTP_SECRET

from .export_data import _model, an_invoice, person_with_everything

pytestmark = pytest.mark.django_db


def _open(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = "\n".join(archive.read(name).decode() for name in archive.namelist())
    return archive, json.loads(archive.read("data.json")), text


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, first_name="Olive", last_name="Officer",
                     email="olive.officer@example.org")


@pytest.fixture
def two_people(officer):
    invoice = an_invoice()
    person = person_with_everything("Zebedee", officer=officer, bookings=2, invoice=invoice)
    other = person_with_everything("Ophelia", officer=officer, bookings=1, invoice=invoice)
    return person, other


def _assert_holds(data, text, person):
    for section, ids in person.ids.items():
        found = {row.get("id", row.get("event_id")) for row in data[section]}
        assert set(ids) <= found, f"{section}: {sorted(set(ids) - found)} missing"
    for value in person.values:
        assert value in text, f"{value!r} is not in the export"


def _assert_nothing_of(text, data, other):
    assert other.tag not in text  # their name, organisation, answers, emails, notes...
    assert other.user.email not in text
    for booking in other.user.bookings.all():
        assert str(booking.uid) not in text
    other_ids = {section: set(ids) for section, ids in other.ids.items()}
    for section, rows in data.items():
        clash = {row.get("id") for row in rows} & other_ids.get(section, set())
        assert not clash, f"{section} holds the other person's rows {clash}"


def test_a_delegate_downloads_every_row_about_them_and_nothing_of_anyone_else(client, two_people):
    person, other = two_people
    client.force_login(person.user)
    page = client.get(reverse("privacy:your-data"))
    assert page.status_code == 200
    assert reverse("privacy:your-data-download") in page.content.decode()

    archive, data, text = _open(client.post(reverse("privacy:your-data-download")))

    assert {"README.txt", "data.json", "profile.csv", "bookings.csv", "answers.csv"} <= set(
        archive.namelist())
    _assert_holds(data, text, person)
    _assert_nothing_of(text, data, other)
    # The charges' invoice lines are theirs alone: not the other lines of the same invoice.
    assert [row["delegate_name"] for row in data["invoice_lines"]] == ["Zebedee Zebedeeson"] * 2
    # Never a secret: the password hash, the TOTP secret, the session key.
    assert person.user.password not in text
    assert TOTP_SECRET not in text
    UserSession = _model("accounts.UserSession")
    if UserSession is not None:  # signing in recorded the session (accounts.sessions)
        keys = list(UserSession.objects.filter(user=person.user).values_list("session_key",
                                                                             flat=True))
        assert keys and len(data["sessions"]) == len(keys)
        assert not any(key in text for key in keys)
    # The colleague a place was offered to is theirs to know, not ours to hand out.
    assert "zebedee.colleague@example.org" not in text
    assert data["profile"][0]["roles"]
    assert "bookings.csv" in archive.read("README.txt").decode()


def test_the_download_is_post_only_and_audited(client, two_people):
    person, _ = two_people
    client.force_login(person.user)
    assert client.get(reverse("privacy:your-data-download")).status_code == 405
    response = client.post(reverse("privacy:your-data-download"))
    assert response["Content-Disposition"].startswith('attachment; filename="your-data-')
    entry = AuditEntry.objects.filter(action="personal_data.export").get()
    assert (entry.actor, entry.target_id) == (person.user, str(person.user.pk))


def test_an_officer_downloads_the_same_data_for_a_subject_access_request(client, officer,
                                                                         two_people):
    person, other = two_people
    client.force_login(officer)
    url = reverse("privacy:person-export", args=[person.user.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Zebedee Zebedeeson" in page.content.decode()
    detail = client.get(reverse("accounts:person-detail", args=[person.user.pk]))
    assert url in detail.content.decode()

    _, data, text = _open(client.post(url))
    _assert_holds(data, text, person)
    _assert_nothing_of(text, data, other)
    entry = AuditEntry.objects.filter(action="personal_data.export").get()
    assert (entry.actor, entry.target_id) == (officer, str(person.user.pk))
    assert entry.on_behalf_of is None


@pytest.mark.parametrize("roles", [[Role.DELEGATE], [Role.FACILITATOR], [Role.BUSINESS_SUPPORT],
                                   [Role.SAFEGUARDING_LEAD]],
                         ids=["delegate", "facilitator", "business-support", "safeguarding-lead"])
def test_only_officers_may_download_someone_elses_data(client, make_user, roles):
    person = make_user()
    client.force_login(make_user(*roles))
    url = reverse("privacy:person-export", args=[person.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not AuditEntry.objects.filter(action="personal_data.export").exists()


def test_an_unknown_person_is_not_found(client, officer):
    client.force_login(officer)
    assert client.get(reverse("privacy:person-export", args=[999999])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, make_user):
    person = make_user()
    for url in (reverse("privacy:your-data"),
                reverse("privacy:person-export", args=[person.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(reverse("privacy:your-data-download")).status_code == 302


def test_an_officers_own_work_on_others_is_named_but_not_whose(officer, two_people):
    person, _ = two_people
    data = person_data(officer)
    cancel = [row for row in data["audit_entries"] if row["action"] == "booking.cancel"]
    assert cancel and all(row["target_label"] == "(another record)" for row in cancel)
    assert "Zebedee" not in json.dumps(data)


def test_emails_are_matched_by_address_in_any_case_but_not_another_persons(officer, two_people):
    person, other = two_people
    subjects = {row["subject"] for row in person_data(person.user)["emails"]}
    assert subjects == {"Zebedee your booking", "Zebedee newsletter email"}
    assert OutgoingEmail.objects.filter(subject__startswith="Ophelia").count() == 2


def test_building_the_export_takes_the_same_queries_for_many_bookings(officer):
    invoice = an_invoice()
    few = person_with_everything("Fewbookings", officer=officer, bookings=1, invoice=invoice)
    many = person_with_everything("Manybookings", officer=officer, bookings=6, invoice=invoice)
    with CaptureQueriesContext(connection) as one:
        person_data(few.user)
    with CaptureQueriesContext(connection) as six:
        person_data(many.user)
    assert len(six) == len(one) <= 40


def test_the_pages_take_a_bounded_number_of_queries(client, officer, two_people,
                                                    django_assert_max_num_queries):
    person, _ = two_people
    client.force_login(person.user)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("privacy:your-data")).status_code == 200
    with django_assert_max_num_queries(60):
        assert client.post(reverse("privacy:your-data-download")).status_code == 200
    client.force_login(officer)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("privacy:person-export",
                                  args=[person.user.pk])).status_code == 200
