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
from courses.models import Completion, Event, Format, TrainingPoolMembership
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
    course = CourseFactory(format=Format.VIRTUAL)
    for person in facilitators:
        TrainingPoolMembership.objects.create(course=course, facilitator=person)
    event = EventFactory(course=course, capacity=1,
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


def test_a_course_title_with_a_control_character_still_exports_in_the_training_record(
        client, make_user):
    me = make_user(Role.DELEGATE)
    Completion.objects.create(user=me, course=CourseFactory(title="Neglect\x0b level 2"),
                              source=Completion.Source.RECORDED,
                              completed_on=timezone.localdate())
    client.force_login(me)
    response = client.get(reverse("courses:training-record-export", kwargs={"fmt": "xlsx"}))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.active["A2"].value == "Neglect  level 2"


# Acting for a delegate -----------------------------------------------------------------------

def _start(days):
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


@pytest.fixture
def acting(make_user, django_capture_on_commit_callbacks):
    officer = make_user(Role.OFFICER, first_name="Olu", last_name="Officer")
    person = make_user(Role.DELEGATE, first_name="Priya", last_name="Shah")
    course = CourseFactory(title="Neglect: level 2")
    event = EventFactory(course=course, start=_start(30), capacity=5,
                         joining_link="https://teams.example/meet/a")
    later = EventFactory(course=course, start=_start(44), capacity=5,
                         joining_link="https://teams.example/meet/b")
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=person, now=timezone.now())
    mail.outbox.clear()
    return {"officer": officer, "person": person, "course": course, "event": event,
            "later": later, "booking": booking}


def _unchanged(world):
    booking = Booking.objects.get(pk=world["booking"].pk)
    assert booking.status == BookingStatus.BOOKED and booking.moved_to is None
    assert Event.objects.get(pk=world["event"].pk).places_taken == 1
    assert Event.objects.get(pk=world["later"].pk).places_taken == 0
    assert not AuditEntry.objects.filter(action="booking.move").exists()


def _move_url(world, booking=None):
    booking = booking or world["booking"]
    return reverse("bookings:acting-booking-move",
                   args=[world["person"].pk, booking.uid])


def test_a_move_posted_with_another_courses_event_is_refused(client, acting):
    other = EventFactory(course=CourseFactory(), start=_start(40))
    client.force_login(acting["officer"])
    response = client.post(_move_url(acting), {"event": other.pk})
    assert response.status_code == 200
    assert "Choose one of the dates listed." in response.content.decode()
    _unchanged(acting)
    with pytest.raises(DomainError, match="same course"):
        services.booking_move(booking=acting["booking"], to_event=other, by=acting["officer"],
                              now=timezone.now())
    _unchanged(acting)


@pytest.mark.parametrize("action", ["move", "cancel", "late-cancel", "substitute"])
def test_another_persons_booking_under_this_persons_address_is_a_404(client, acting, action,
                                                                      make_user):
    stranger = make_user(Role.DELEGATE)
    theirs = BookingFactory(event=acting["later"], delegate=stranger)
    client.force_login(acting["officer"])
    url = reverse(f"bookings:acting-booking-{action}", args=[acting["person"].pk, theirs.uid])
    assert client.get(url).status_code == 404
    assert client.post(url, {"event": acting["event"].pk, "reason": "illness",
                             "reported_by": "phone", "confirm": "on"}).status_code == 404
    assert Booking.objects.get(pk=theirs.pk).status == BookingStatus.BOOKED


@pytest.mark.parametrize("state", [BookingStatus.CANCELLED, BookingStatus.WAITLISTED,
                                   BookingStatus.LATE_CANCELLED])
def test_a_place_that_is_not_booked_cannot_be_moved_even_by_a_post(client, acting, state):
    Booking.objects.filter(pk=acting["booking"].pk).update(status=state)
    client.force_login(acting["officer"])
    response = client.post(_move_url(acting), {"event": acting["later"].pk})
    assert response.status_code == 200
    assert "Only a confirmed place can be moved" in response.content.decode()
    assert not Booking.objects.filter(event=acting["later"]).exists()


def test_a_place_on_an_event_that_has_started_cannot_be_moved(acting):
    Event.objects.filter(pk=acting["event"].pk).update(start=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError, match="has started"):
        services.booking_move(booking=acting["booking"], to_event=acting["later"],
                              by=acting["officer"], now=timezone.now())
    assert not Booking.objects.filter(event=acting["later"]).exists()


@pytest.mark.parametrize("target", ["started", "cancelled"])
def test_a_place_cannot_move_onto_a_started_or_cancelled_date(acting, target):
    later = acting["later"]
    if target == "started":
        Event.objects.filter(pk=later.pk).update(start=timezone.now() - timedelta(hours=1))
    else:
        Event.objects.filter(pk=later.pk).update(status="cancelled")
    later.refresh_from_db()
    with pytest.raises(DomainError):
        services.booking_move(booking=acting["booking"], to_event=later, by=acting["officer"],
                              now=timezone.now())
    _unchanged(acting)


def test_a_move_onto_a_date_the_delegate_already_holds_is_refused_not_a_500(client, acting):
    BookingFactory(event=acting["later"], delegate=acting["person"])
    Event.objects.filter(pk=acting["later"].pk).update(places_taken=1)
    client.force_login(acting["officer"])
    response = client.post(_move_url(acting), {"event": acting["later"].pk})
    assert response.status_code == 200
    booking = Booking.objects.get(pk=acting["booking"].pk)
    assert booking.status == BookingStatus.BOOKED and booking.moved_to is None
    assert Event.objects.get(pk=acting["later"].pk).places_taken == 1


def test_after_an_event_change_the_moves_cancel_outranks_the_invitation_held(
        acting, django_capture_on_commit_callbacks):
    """The delegate's calendar holds SEQUENCE 1 after the event changed: the move's CANCEL
    must carry a higher one, or calendars keep the old (changed) place."""
    event, officer = acting["event"], acting["officer"]
    with django_capture_on_commit_callbacks(execute=True):
        _change(event, by=officer, start=event.start + timedelta(minutes=30),
                end=event.end + timedelta(minutes=30))
    held = Booking.objects.get(pk=acting["booking"].pk).ics_sequence
    assert held == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = services.booking_move(booking=acting["booking"], to_event=acting["later"],
                                    by=officer, now=timezone.now())
    [message] = [m for m in mail.outbox if acting["person"].email in m.to]
    found = {}
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            calendar = icalendar.Calendar.from_ical(content)
            [vevent] = calendar.walk("VEVENT")
            found[str(calendar["METHOD"])] = (str(vevent["UID"]), int(vevent["SEQUENCE"]),
                                              vevent.decoded("dtstart"))
    assert found["CANCEL"][0].startswith(f"booking-{acting['booking'].uid}@")
    assert found["CANCEL"][1] > held
    assert found["REQUEST"][0].startswith(f"booking-{new.uid}@")
    assert found["REQUEST"][2] == acting["later"].start


def test_a_phoned_late_cancellation_waits_in_the_charges_queue_by_the_officer_for_the_delegate(
        client, make_user, django_capture_on_commit_callbacks):
    officer = make_user(Role.OFFICER)
    person = make_user(Role.DELEGATE, first_name="Zainab", last_name="Phoned")
    soon = EventFactory(start=_start(2))
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=soon, delegate=person, now=timezone.now())
    client.force_login(officer)
    url = reverse("bookings:acting-booking-late-cancel", args=[person.pk, booking.uid])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reported_by": "phone", "reason": "illness",
                                     "detail": "Flu"})
    assert response.status_code == 302
    charge = Charge.objects.get(booking=booking)
    assert charge.status == ChargeStatus.PENDING
    queue = client.get(reverse("charging:charge-list"), {"tab": "pending"})
    assert "Zainab" in queue.content.decode()
    entry = AuditEntry.objects.get(action="booking.late_cancel")
    assert (entry.actor_id, entry.on_behalf_of_id) == (officer.pk, person.pk)
    log = client.get(reverse("core:auditentry-list")).content.decode()
    assert "for " in log and ("Zainab" in log or person.email in log)
    # The training team hears of it too, with how it was reported.
    from core.models import Partnership

    team = [m for m in mail.outbox if Partnership.load().contact_email in m.to]
    assert len(team) == 1
    assert "Zainab" in team[0].body and "hone" in team[0].body


def test_a_person_holding_every_role_costs_the_same_queries_with_more_tasks(
        client, make_user, django_assert_max_num_queries):
    from tests.home.test_home_pages import (
        delegate_with_tasks,
        facilitator_with_tasks,
        officer_tasks,
    )

    person = make_user(*Role, organisation=OrganisationFactory())

    def build():
        delegate_with_tasks(person)
        facilitator_with_tasks(person)
        officer_tasks()
        _due(UserFactory(organisation=person.organisation))

    build()
    build()
    client.force_login(person)
    client.get(HOME)
    with django_assert_max_num_queries(80) as few:
        sections = client.get(HOME).context["home_sections"]
    assert [s.key for s in sections] == ["delegate", "facilitator", "officer",
                                         "business_support", "lod_member",
                                         "safeguarding_lead", "finance_contact"]
    build()
    build()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("code, words", [
    ("booking.move", "Booking moved to another date"),
    ("booking.free_cancellation", "Free cancellation allowed: the event moved"),
    ("event.change_told", "Event change emailed to the people on it"),
], ids=["move", "free-cancellation", "change-told"])
def test_issue_11s_actions_read_in_words_in_the_audit_log(code, words):
    from core.audit_words import action_words

    assert action_words(code) == words


def test_the_event_form_counts_exactly_who_a_change_emails(client, changing):
    client.force_login(changing["officer"])
    page = client.get(reverse("courses:manage-event-update",
                              kwargs={"pk": changing["event"].pk})).content.decode()
    words = " ".join(page.split())
    assert ("1 delegate with a place or an offer, 1 person on the waiting list who asked to be "
            "told and 2 facilitators") in words


def test_a_place_waiting_for_approval_when_the_event_moves_day_is_free_to_cancel_once_agreed(
        make_user, django_capture_on_commit_callbacks):
    """The delegate asked for the old date; the line manager agrees after the event moved to
    another day: the delegate did not choose the new date, so cancelling is free whatever the
    notice (DOMAIN.md, "Event changes"), as for one already booked."""
    from bookings.services.approval import line_manager_decide
    from core.models import Partnership

    Partnership.objects.filter(pk=Partnership.load().pk).update(
        line_manager_approval_required=True)
    officer = make_user(Role.OFFICER)
    person = make_user(Role.DELEGATE, line_manager_email="boss@example.org",
                       line_manager_name="Boss")
    event = EventFactory(start=_start(30), joining_link="https://teams.example/meet/p")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=person, now=now)
    assert booking.status == BookingStatus.PENDING_APPROVAL
    with django_capture_on_commit_callbacks(execute=True):
        _change(event, by=officer, start=_start(3), end=_start(3) + timedelta(hours=7))
        line_manager_decide(booking=Booking.objects.get(pk=booking.pk), approve=True,
                            now=timezone.now())
    booking = Booking.objects.get(pk=booking.pk)
    assert booking.status == BookingStatus.BOOKED
    assert booking.free_cancellation_reason
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, by=person, now=timezone.now())
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert not Charge.objects.filter(booking=booking).exists()


@pytest.mark.parametrize("code", [
    "booking.approval_expire", "booking.substitute_offer", "booking.substitute_withdraw",
    "booking.substitute_decline", "booking.substitute_on_the_day", "account.invite_on_the_day"])
def test_issue_12s_actions_read_in_words_in_the_audit_log(code):
    from core.audit_words import action_words

    words = action_words(code)
    assert "." not in words and "_" not in words and not words.lower().startswith("booking:")
