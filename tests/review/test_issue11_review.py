"""Review of issue 11 (home pages, People, acting for a delegate, event changes, exports) as a
user and as an attacker would try it: edges the builders' own tests do not walk."""

import csv
import io
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import MembershipRequest
from accounts.roles import Role, user_roles
from bookings import services
from bookings.models import Booking, BookingStatus
from charging.models import Charge, ChargeStatus
from core.exceptions import DomainError
from core.models import AuditEntry
from courses import services as course_services
from courses.models import Completion, Event, EventStatus, Format
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("accounts:dashboard")


def tasks(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return {s.key: {i.label: i.count for i in s.items}
            for s in response.context["home_sections"]}


def _roles(user):
    user.__dict__.pop("_roles_cache", None)
    return set(user_roles(user))


def _due(user):
    return Completion.objects.create(
        user=user, course=CourseFactory(), source=Completion.Source.RECORDED,
        completed_on=timezone.localdate() - timedelta(days=3 * 365 - 10))


# Home pages ----------------------------------------------------------------------------------

def test_an_officer_who_is_also_a_lead_counts_each_section_by_its_own_scope(client, make_user):
    mine, theirs = OrganisationFactory(name="Mine"), OrganisationFactory(name="Theirs")
    person = make_user(Role.OFFICER, Role.SAFEGUARDING_LEAD, organisation=mine)
    MembershipRequest.objects.create(user=UserFactory(), organisation=mine)
    MembershipRequest.objects.create(user=UserFactory(), organisation=theirs)
    MembershipRequest.objects.create(user=UserFactory(), organisation=theirs)
    _due(UserFactory(organisation=theirs))
    _due(UserFactory(organisation=theirs, is_active=True))
    found = tasks(client, person)
    assert found["officer"]["requests to join an organisation waiting for a decision"] == 3
    assert found["safeguarding_lead"] == {
        "request to join your organisation waiting for approval": 1}


def test_a_lead_without_the_officer_role_never_sees_officer_words(client, make_user):
    org = OrganisationFactory()
    lead = make_user(Role.SAFEGUARDING_LEAD, organisation=org)
    _due(UserFactory(organisation=org, is_active=False))  # left: not counted
    MembershipRequest.objects.create(user=UserFactory(), organisation=OrganisationFactory())
    assert tasks(client, lead) == {"safeguarding_lead": {}}


def test_a_facilitator_never_sees_officer_counts(client, make_user):
    facilitator = make_user(Role.FACILITATOR)
    ended = EventFactory(start=timezone.now() - timedelta(days=3),
                         end=timezone.now() - timedelta(days=3) + timedelta(hours=7))
    BookingFactory(event=ended)  # a register nobody marked: not theirs
    full = EventFactory(capacity=1)
    Event.objects.filter(pk=full.pk).update(places_taken=1)
    BookingFactory(event=full, status=BookingStatus.WAITLISTED)
    MembershipRequest.objects.create(user=UserFactory(), organisation=OrganisationFactory())
    found = tasks(client, facilitator)
    assert set(found) == {"facilitator"}
    assert found["facilitator"] == {}


# People --------------------------------------------------------------------------------------

@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, first_name="Olu", last_name="Officer")


@pytest.mark.parametrize("search", ["%", "_", "' OR 1=1 --", "\\", "a%b_c", "(*)"],
                         ids=["percent", "underscore", "sql", "backslash", "mixed", "regex"])
def test_people_search_with_wildcards_finds_only_literal_matches(client, officer, search):
    UserFactory(first_name="Plain", last_name="Person", email="plain@example.org")
    client.force_login(officer)
    response = client.get(reverse("accounts:person-list"), {"q": search})
    assert response.status_code == 200
    assert "plain@example.org" not in response.content.decode()


def test_people_page_number_out_of_range_or_words_is_not_a_500(client, officer):
    client.force_login(officer)
    for page in ("999", "abc", "-1", "0", "1" * 40):
        assert client.get(reverse("accounts:person-list"), {"page": page}).status_code in (
            200, 404)


@pytest.mark.parametrize("field, value", [("is_superuser", "on"), ("is_staff", "on"),
                                          ("groups", "1"), ("user_permissions", "1")])
def test_a_tampered_roles_post_gives_nothing_but_roles(client, officer, field, value):
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(officer)
    response = client.post(reverse("accounts:person-roles", args=[person.pk]),
                           {"roles": [Role.LOD_MEMBER.value], field: value})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_superuser and not person.is_staff
    assert not person.user_permissions.exists()
    assert _roles(person) == {Role.DELEGATE, Role.LOD_MEMBER}


@pytest.mark.parametrize("value", ["superuser", "admin", "Learning and Development officer",
                                   "OFFICER", ""], ids=["superuser", "admin", "label", "upper",
                                                        "empty"])
def test_roles_not_in_the_list_are_refused_and_nothing_changes(client, officer, value):
    person = UserFactory(roles=[Role.DELEGATE, Role.FACILITATOR])
    client.force_login(officer)
    response = client.post(reverse("accounts:person-roles", args=[person.pk]),
                           {"roles": [value]})
    assert response.status_code == 200
    assert _roles(person) == {Role.DELEGATE, Role.FACILITATOR}


def test_an_officer_cannot_strip_their_own_officer_role_by_posting_nothing(client, officer):
    client.force_login(officer)
    response = client.post(reverse("accounts:person-roles", args=[officer.pk]), {})
    assert response.status_code == 200
    assert Role.OFFICER in _roles(officer)


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.SAFEGUARDING_LEAD, Role.DELEGATE])
def test_nobody_but_an_officer_gives_roles(client, make_user, role):
    person = UserFactory(roles=[Role.DELEGATE])
    client.force_login(make_user(role))
    response = client.post(reverse("accounts:person-roles", args=[person.pk]),
                           {"roles": [Role.OFFICER.value]})
    assert response.status_code == 403
    assert _roles(person) == {Role.DELEGATE}


# Event changes -------------------------------------------------------------------------------

def _change(event, *, by, now=None, **overrides):
    values = {"start": event.start, "end": event.end, "venue": event.venue,
              "joining_link": event.joining_link, "capacity": event.capacity,
              "facilitators": list(event.facilitators.all()), "officer": event.officer,
              "prep_meeting_at": event.prep_meeting_at,
              "notes_for_delegates": event.notes_for_delegates}
    values.update(overrides)
    return course_services.event_update(event=event, by=by, now=now, **values)


@pytest.fixture
def changing(make_user, django_capture_on_commit_callbacks):
    now = timezone.now()
    officer = make_user(Role.OFFICER)
    facilitators = [UserFactory(email="fac.one@example.org"),
                    UserFactory(email="fac.two@example.org")]
    event = EventFactory(course=CourseFactory(format=Format.VIRTUAL), capacity=1,
                         joining_link="https://teams.example/meet/1", facilitators=facilitators)
    org = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        booked = services.booking_create(event=event, delegate=UserFactory(organisation=org),
                                         now=now)
        asked = services.waitlist_join(event=event, delegate=UserFactory(organisation=org),
                                       now=now, wants_change_emails=True)
        silent = services.waitlist_join(event=event, delegate=UserFactory(organisation=org),
                                        now=now)
        cancelled = BookingFactory(event=event, status=BookingStatus.CANCELLED)
    event.refresh_from_db()
    mail.outbox.clear()
    return {"officer": officer, "event": event, "booked": booked, "asked": asked,
            "silent": silent, "cancelled": cancelled, "facilitators": facilitators}


def _sent_to(booking_or_user, subject="Changed"):
    person = getattr(booking_or_user, "delegate", booking_or_user)
    return [m for m in mail.outbox if person.email in m.to and subject in m.subject]


def test_a_change_reaches_the_booked_the_asking_every_facilitator_and_nobody_else(changing):
    event = changing["event"]
    _change(event, by=changing["officer"], joining_link="https://teams.example/meet/2")
    assert len(_sent_to(changing["booked"])) == 1
    assert len(_sent_to(changing["asked"])) == 1
    assert _sent_to(changing["silent"]) == []
    assert _sent_to(changing["cancelled"]) == []
    for person in changing["facilitators"]:
        assert len([m for m in mail.outbox if person.email in m.to]) == 1
    # The waiting list never gets the link itself; the booked delegate does.
    waiting_text = _sent_to(changing["asked"])[0].body
    assert "https://teams.example/meet/2" not in waiting_text
    assert "https://teams.example/meet/2" in _sent_to(changing["booked"])[0].body


def test_a_change_of_notes_or_places_only_sends_nothing(changing):
    event = changing["event"]
    _change(event, by=changing["officer"], notes_for_delegates="Bring a pen", capacity=2)
    assert [m for m in mail.outbox if "Changed" in m.subject] == []
    assert Booking.objects.get(pk=changing["booked"].pk).ics_sequence == 0


def test_two_changes_give_two_invitations_each_replacing_the_last(changing):
    event, officer = changing["event"], changing["officer"]
    _change(event, by=officer, start=event.start + timedelta(minutes=30),
            end=event.end + timedelta(minutes=30))
    event.refresh_from_db()
    _change(event, by=officer, start=event.start + timedelta(minutes=15),
            end=event.end + timedelta(minutes=15))
    messages = _sent_to(changing["booked"])
    assert len(messages) == 2
    found = []
    for message in messages:
        [(name, content, mimetype)] = [a for a in message.attachments
                                       if a[2].startswith("text/calendar")]
        [vevent] = icalendar.Calendar.from_ical(content).walk("VEVENT")
        found.append((str(vevent["UID"]), int(vevent["SEQUENCE"])))
    assert found[0][0] == found[1][0]
    assert sorted(s for _, s in found) == [1, 2]
    # Two small moves (45 minutes in all) are not a move that makes cancelling free.
    assert Booking.objects.get(pk=changing["booked"].pk).free_cancellation_reason == ""


# Exports -------------------------------------------------------------------------------------

NASTY_NAMES = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(1)", "\t=1",
               "\r=1"]


@pytest.fixture
def export_world(make_user):
    facilitator = make_user(Role.FACILITATOR)
    event = EventFactory(facilitators=[facilitator], joining_link="https://teams.example/1")
    org = OrganisationFactory(name="=cmd|' /C calc'!A0", sector="private")
    for n, name in enumerate(NASTY_NAMES):
        person = UserFactory(first_name=name, last_name=f"Zed{n}", organisation=org)
        BookingFactory(event=event, delegate=person, access_needs=name)
    return {"facilitator": facilitator, "event": event}


def _delegates_export(client, event, kind):
    return client.get(reverse("bookings:event-delegates-export",
                              kwargs={"event_pk": event.pk, "kind": kind}))


def test_no_cell_of_the_delegates_csv_starts_like_a_formula(client, export_world):
    client.force_login(export_world["facilitator"])
    response = _delegates_export(client, export_world["event"], "csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + len(NASTY_NAMES)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_no_cell_of_the_delegates_xlsx_is_a_formula(client, export_world):
    client.force_login(export_world["facilitator"])
    response = _delegates_export(client, export_world["event"], "xlsx")
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for row in book.active.iter_rows(min_row=2) for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert any(cell.value == "=cmd|' /C calc'!A0" for cell in cells)


def test_text_pasted_from_word_with_control_characters_still_exports(client, export_world):
    """A vertical tab (Word's line break) or a bell in what a delegate typed: openpyxl refuses
    such characters in a cell; the export must not fail (500) because of them."""
    event = export_world["event"]
    BookingFactory(event=event, access_needs="Wheelchair\x0bramp\x07 please",
                   delegate=UserFactory(first_name="Ann\x0b", last_name="Lee"))
    client.force_login(export_world["facilitator"])
    for kind in ("xlsx", "csv"):
        response = _delegates_export(client, event, kind)
        assert response.status_code == 200


def test_a_facilitator_of_one_event_cannot_export_another(client, export_world, make_user):
    other = EventFactory(facilitators=[make_user(Role.FACILITATOR)])
    client.force_login(export_world["facilitator"])
    for kind in ("csv", "xlsx"):
        assert _delegates_export(client, other, kind).status_code == 404


def test_a_delegate_record_export_is_their_own_whatever_the_address(client, make_user):
    me, other = make_user(Role.DELEGATE), make_user(Role.DELEGATE)
    Completion.objects.create(user=other, course=CourseFactory(title="Not mine"),
                              source=Completion.Source.RECORDED,
                              completed_on=timezone.localdate())
    client.force_login(me)
    url = reverse("courses:training-record-export", kwargs={"fmt": "csv"})
    body = client.get(url, {"user": other.pk, "pk": other.pk}).content.decode("utf-8-sig")
    assert "Not mine" not in body
    assert client.get(reverse("courses:person-training-record-export",
                              kwargs={"pk": other.pk, "fmt": "csv"})).status_code == 403
