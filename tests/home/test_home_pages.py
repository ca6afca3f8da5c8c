"""The home page of tasks (issue 11): after sign-in each person sees, for each role they hold,
what is waiting for them as a count and a link, and nothing another role should see."""

import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MembershipRequest, OrganisationRequest
from accounts.roles import Role
from bookings.models import Booking
from charging.models import Charge, Invoice, InvoiceLine
from core.calendar import LONDON
from core.home import home_sections
from core.models import OutgoingEmail, Partnership
from courses.home import expected_last_day
from courses.models import Completion, CourseStatus, Format
from evaluations.models import EvaluationRequest, RequestKind, SummaryReport
from reports.models import Report
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("accounts:dashboard")


def page(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def tasks(response):
    """{section key: {label: count}} as the page shows them."""
    return {section.key: {item.label: item.count for item in section.items}
            for section in response.context["home_sections"]}


def text(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def ahead(**kwargs):
    return timezone.now() + timedelta(**kwargs)


OFFICER_WORDS = ("waiting for a decision", "less than half full", "content review",
                 "could not be delivered", "registers still to mark", "organisation request")


# Delegate ------------------------------------------------------------------------------------

def test_a_delegate_with_nothing_waiting_is_told_so(client, delegate):
    response = page(client, delegate)
    assert tasks(response) == {"delegate": {}}
    assert "Nothing waiting for you." in text(response)
    # The useful links of the old dashboard stay.
    assert reverse("accounts:profile") in response.content.decode()
    assert reverse("bookings:my-training") in response.content.decode()


def delegate_with_tasks(delegate):
    """Next event online in 2 days, an offer, an evaluation, a prerequisite, a refresher."""
    online = EventFactory(start=ahead(days=2), joining_link="https://meet.example/abc",
                          course=CourseFactory(title="Neglect awareness"))
    BookingFactory(event=online, delegate=delegate)
    BookingFactory(event=EventFactory(start=ahead(days=40)), delegate=delegate)  # later one
    BookingFactory(event=EventFactory(), delegate=delegate, status="offered",
                   offered_at=timezone.now(), offer_expires_at=ahead(hours=30))
    past = BookingFactory(event=EventFactory(start=ago(days=5)), delegate=delegate,
                          status="attended")
    EvaluationRequest.objects.create(kind=RequestKind.STAGE_1, user=delegate,
                                     course=past.event.course, event=past.event, booking=past,
                                     due_at=ago(days=1), requested_at=ago(days=1))
    module = CourseFactory(title="Child exploitation e-learning", format=Format.E_LEARNING)
    level_3 = CourseFactory(title="Child exploitation level 3")
    level_3.prerequisites.add(module)
    BookingFactory(event=EventFactory(course=level_3), delegate=delegate, status="waitlisted",
                   waitlisted_at=timezone.now())
    old = CourseFactory(title="Safeguarding basics")
    Completion.objects.create(user=delegate, course=old, source=Completion.Source.RECORDED,
                              completed_on=timezone.localdate() - timedelta(days=3 * 365 + 5))
    return online, module


def test_a_delegate_sees_their_next_event_offers_evaluations_prerequisites_refreshers(
        client, delegate):
    online, module = delegate_with_tasks(delegate)
    response = page(client, delegate)
    shown = tasks(response)
    assert set(shown) == {"delegate"}
    assert shown["delegate"] == {
        "Your next event: Neglect awareness": None,
        "offer of a place waiting for your answer": 1,
        "evaluation to complete": 1,
        "course to complete before an event you are booked on or waiting for": 1,
        "course due to be refreshed": 1,
    }
    html, words = response.content.decode(), text(response)
    # Within joining_link_reminder_days (3): the joining link, as the email would send it.
    assert 'href="https://meet.example/abc"' in html
    assert "Join the event online" in words
    booking = Booking.objects.get(event=online, delegate=delegate)
    assert reverse("bookings:booking-detail", args=[booking.uid]) in html
    assert reverse("courses:elearning-module", args=[module.slug]) in html
    assert "Answer by" in words
    for word in OFFICER_WORDS:
        assert word not in words


def test_the_joining_link_waits_until_the_partnership_would_send_it(client, delegate):
    venue = VenueFactory(name="Council House", postcode="DY1 1HF")
    event = EventFactory(start=ahead(days=10), joining_link="https://meet.example/later",
                         venue=venue)
    BookingFactory(event=event, delegate=delegate)
    response = page(client, delegate)
    assert "https://meet.example/later" not in response.content.decode()
    assert "Council House, DY1 1HF" in text(response)


def test_another_delegates_tasks_are_not_counted(client, delegate):
    delegate_with_tasks(UserFactory())
    assert tasks(page(client, delegate)) == {"delegate": {}}


# Facilitator ---------------------------------------------------------------------------------

def test_a_facilitator_with_nothing_waiting(client, make_user):
    facilitator = make_user(Role.FACILITATOR)
    EventFactory(facilitators=[make_user(Role.FACILITATOR)], prep_meeting_at=ahead(days=3))
    response = page(client, facilitator)
    assert tasks(response) == {"facilitator": {}}
    assert "Nothing waiting for you." in text(response)


def facilitator_with_tasks(facilitator):
    coming = EventFactory(facilitators=[facilitator], prep_meeting_at=ahead(days=3),
                          course=CourseFactory(title="Domestic abuse"))
    ended = EventFactory(facilitators=[facilitator], start=ago(days=2))
    BookingFactory(event=ended)  # still "booked": the register is not marked
    marked = EventFactory(facilitators=[facilitator], start=ago(days=3))
    BookingFactory(event=marked, status="attended")
    reported = EventFactory(facilitators=[facilitator], start=ago(days=12))
    SummaryReport.objects.create(event=reported, due_on=timezone.localdate(),
                                 sent_at=ago(days=1))
    EvaluationRequest.objects.create(kind=RequestKind.FACILITATOR, user=facilitator,
                                     course=ended.course, event=ended, due_at=ago(hours=1),
                                     requested_at=ago(hours=1))
    return coming, ended, reported


def test_a_facilitator_sees_events_prep_registers_feedback_and_summaries(client, make_user):
    facilitator = make_user(Role.FACILITATOR)
    coming, ended, reported = facilitator_with_tasks(facilitator)
    # Someone else's event needing a register is not theirs.
    BookingFactory(event=EventFactory(facilitators=[make_user(Role.FACILITATOR)],
                                      start=ago(days=2)))
    response = page(client, facilitator)
    assert tasks(response) == {"facilitator": {
        "event coming up that you deliver": 1,
        "prep meeting to come": 1,
        "register still to mark after the event": 1,
        "facilitator feedback form to complete": 1,
        "summary evaluation report ready to read": 1,
    }}
    html, words = response.content.decode(), text(response)
    assert reverse("bookings:event-register", args=[ended.pk]) in html
    assert reverse("evaluations:summary-detail", args=[reported.pk]) in html
    assert "Next: Domestic abuse" in words
    for word in ("waiting for a decision", "less than half full", "content review"):
        assert word not in words


# L&D officer ---------------------------------------------------------------------------------

def test_an_officer_with_nothing_waiting(client, make_user):
    officer = make_user(Role.OFFICER)
    response = page(client, officer)
    assert tasks(response) == {"officer": {}}
    assert "Nothing waiting for you." in text(response)


def charge_for(booking, *, kind="late_cancellation", status="pending", amount="100.00"):
    return Charge.objects.create(booking=booking, organisation=booking.organisation,
                                 sector=booking.organisation.sector, kind=kind,
                                 amount=Decimal(amount), reason="Cancelled late",
                                 status=status)


def officer_tasks():
    charge_for(BookingFactory(status="late_cancelled"))
    charge_for(BookingFactory(status="no_show"), kind="no_show")
    OrganisationRequest.objects.create(requested_by=UserFactory(), name="Acorn Nursery",
                                       sector="private")
    MembershipRequest.objects.create(user=UserFactory(), organisation=OrganisationFactory(),
                                     from_organisation=None)
    # Full, with somebody waiting; not within 10 working days.
    full = EventFactory(capacity=1)
    full.places_taken = 1
    full.save(update_fields=["places_taken"])
    BookingFactory(event=full)
    BookingFactory(event=full, status="waitlisted", waitlisted_at=timezone.now())
    # Ended with a delegate not marked.
    BookingFactory(event=EventFactory(start=ago(days=1)))
    # Coming soon, expected in 2020: passed. Reviewed two years ago: due a content review.
    CourseFactory(status=CourseStatus.COMING_SOON, expected="August 2020")
    CourseFactory(status=CourseStatus.COMING_SOON, expected="TBC")
    CourseFactory(last_reviewed=timezone.localdate() - timedelta(days=800))
    OutgoingEmail.objects.create(purpose=f"test:{uuid.uuid4()}", recipient="x@example.org",
                                 from_email="t@example.org", subject="Hello", body_text="Hi",
                                 status=OutgoingEmail.Status.FAILED)
    return full


def test_an_officer_sees_every_queue_as_a_count_and_a_link(client, make_user):
    officer = make_user(Role.OFFICER)
    full = officer_tasks()
    response = page(client, officer)
    assert tasks(response) == {"officer": {
        "late cancellation waiting for a decision on its charge": 1,
        "other charge waiting for a decision (did not attend, arrived late)": 1,
        "organisation request waiting for a decision": 1,
        "request to join an organisation waiting for a decision": 1,
        "full event with people on its waiting list": 1,
        "register still to mark after the event": 1,
        "course due a content review": 1,
        "course coming soon whose expected date has passed": 1,
        "email that could not be delivered": 1,
    }}
    html = response.content.decode()
    assert reverse("bookings:event-waiting-list", args=[full.pk]) in html
    assert reverse("charging:charge-list") + "?tab=pending&amp;kind=late_cancellation" in html
    assert reverse("core:outgoingemail-list") + "?status=failed" in html


def test_this_weeks_events_and_events_with_few_bookings_at_their_boundaries(make_user):
    """Monday 1 March 2027, 9am: this week runs to the end of Sunday 7 March; 10 working days
    ahead is Monday 15 March (no bank holiday between)."""
    officer = make_user(Role.OFFICER)
    now = datetime(2027, 3, 1, 9, 0, tzinfo=LONDON)

    def event(day, taken=0):
        made = EventFactory(start=datetime(2027, 3, day, 9, 30, tzinfo=LONDON), capacity=10)
        made.places_taken = taken
        made.save(update_fields=["places_taken"])
        return made

    event(7, taken=5)       # this week, exactly half full: not "few"
    event(8, taken=6)       # next week
    event(15, taken=4)      # 10th working day, under half full: few
    event(16, taken=0)      # 11th working day: not yet

    def counts():
        section = next(s for s in home_sections(user=officer, now=now) if s.key == "officer")
        return {item.label: item.count for item in section.items}

    assert counts() == {"event this week": 1,
                        "event in the next 10 working days less than half full": 1}


@pytest.mark.parametrize("typed, expected", [
    ("26/06/2020", date(2020, 6, 26)),
    ("2020-06-26", date(2020, 6, 26)),
    ("August 2020", date(2020, 8, 31)),
    ("Feb 2028", date(2028, 2, 29)),
    ("Imminent", None),
    ("TBC", None),
    ("31/02/2027", None),
    # Words that are no month still name a year (like "Summer 2020"): its end (review).
    ("Smarch 2027", date(2027, 12, 31)),
], ids=["day", "iso", "month", "short-month-leap", "imminent", "tbc", "no-such-day",
        "no-such-month"])
def test_the_expected_date_an_officer_typed(typed, expected):
    assert expected_last_day(typed) == expected


# Business support ----------------------------------------------------------------------------

def test_business_support_with_nothing_waiting(client, make_user):
    from newsletter.models import Newsletter

    business = make_user(Role.BUSINESS_SUPPORT)
    EventFactory(created_at=ago(days=3))
    Newsletter.objects.create(subject="November", status=Newsletter.Status.SENT,
                              send_requested_at=ago(days=1), sent_at=ago(days=1))
    response = page(client, business)
    assert tasks(response) == {"business_support": {}}
    assert "Nothing waiting for you." in text(response)


def test_business_support_sees_new_events_invoices_to_issue_and_payments_overdue(
        client, make_user):
    from newsletter.models import Newsletter

    business = make_user(Role.BUSINESS_SUPPORT)
    Newsletter.objects.create(subject="November", status=Newsletter.Status.SENT,
                              send_requested_at=ago(days=5), sent_at=ago(days=5))
    EventFactory(created_at=ago(days=10))
    EventFactory(created_at=ago(days=1))
    EventFactory(created_at=ago(hours=1))
    ended = EventFactory(start=ago(days=2), created_at=ago(days=20))
    charge_for(BookingFactory(event=ended, status="attended"), kind="attendance",
               status="applied", amount="75.00")
    overdue = charge_for(BookingFactory(event=ended, status="late_cancelled"), status="applied")
    invoice = Invoice.objects.create(
        number="SP-2026-00001", organisation=overdue.organisation,
        issued_on=timezone.localdate() - timedelta(days=40),
        due_on=timezone.localdate() - timedelta(days=10),
        organisation_name=overdue.organisation.name, partnership_name="Partnership",
        total=overdue.amount)
    InvoiceLine.objects.create(invoice=invoice, charge=overdue, delegate_name="Someone",
                               course_title="Course", event_date=timezone.localdate(),
                               reason=overdue.reason, amount=overdue.amount)
    charge_for(BookingFactory(event=ended, status="late_cancelled"))  # pending: not theirs yet
    response = page(client, business)
    assert tasks(response) == {"business_support": {
        "events added since the last newsletter": 2,
        "charge to invoice (applied, not invoiced yet)": 1,
        "invoice past its due date, not paid": 1,
    }}
    for word in ("waiting for a decision", "content review", "less than half full"):
        assert word not in text(response)


# LOD Group -----------------------------------------------------------------------------------

def test_a_lod_member_sees_the_latest_reports(client, make_user):
    member = make_user(Role.LOD_MEMBER)
    response = page(client, member)
    assert tasks(response) == {"lod_member": {}}
    for quarter in range(4):
        start = date(2026, 1 + 3 * quarter, 1)
        Report.objects.create(kind=Report.Kind.QUARTERLY, period_start=start,
                              period_end=start + timedelta(days=89))
    labels = list(tasks(page(client, member))["lod_member"])
    assert len(labels) == 3
    assert labels[0] == "Quarterly training report (LOD Group): Thu 1 Oct 2026 to Tue 29 Dec 2026"
    assert reverse("reports:report-list") in page(client, member).content.decode()


# Organisation safeguarding lead and finance contact ------------------------------------------

def due_completion(user):
    return Completion.objects.create(
        user=user, course=CourseFactory(), source=Completion.Source.RECORDED,
        completed_on=timezone.localdate() - timedelta(days=3 * 365 - 10))


def test_a_lead_sees_only_their_own_organisations_staff_and_requests(client, make_user):
    school, nursery = OrganisationFactory(name="Castle High"), OrganisationFactory(name="Acorns")
    lead = make_user(Role.SAFEGUARDING_LEAD, organisation=school)
    assert tasks(page(client, lead)) == {"safeguarding_lead": {}}

    teacher = UserFactory(organisation=school)
    due_completion(teacher)
    due_completion(teacher)  # two courses due: one member of staff
    refreshed = UserFactory(organisation=school)
    done = due_completion(refreshed)
    Completion.objects.create(user=refreshed, course=done.course, completed_on=timezone.localdate(),
                              source=Completion.Source.RECORDED)
    due_completion(UserFactory(organisation=nursery))
    MembershipRequest.objects.create(user=UserFactory(), organisation=school)
    MembershipRequest.objects.create(user=UserFactory(), organisation=nursery)
    response = page(client, lead)
    assert tasks(response) == {"safeguarding_lead": {
        "member of staff due a refresher": 1,
        "request to join your organisation waiting for approval": 1,
    }}
    assert reverse("accounts:organisation-staff") in response.content.decode()


def test_a_finance_contact_sees_only_their_own_organisations_account(client, make_user):
    school, nursery = OrganisationFactory(name="Castle High"), OrganisationFactory(name="Acorns")
    contact = make_user(Role.FINANCE_CONTACT, organisation=school)
    assert tasks(page(client, contact)) == {"finance_contact": {}}

    def invoice(org, number, due_days):
        return Invoice.objects.create(
            number=number, organisation=org, issued_on=timezone.localdate() - timedelta(days=40),
            due_on=timezone.localdate() + timedelta(days=due_days), organisation_name=org.name,
            partnership_name="Partnership", total=Decimal("100.00"))

    invoice(school, "SP-1", -5)
    invoice(school, "SP-2", 20)
    invoice(nursery, "SP-3", -5)
    invoice(nursery, "SP-4", -6)
    response = page(client, contact)
    assert tasks(response) == {"finance_contact": {
        "invoice past its due date": 1,
        "unpaid invoices": 2,
    }}
    assert reverse("charging:statement") in response.content.decode()


# Several roles, and bounded queries ----------------------------------------------------------

def test_a_person_with_several_roles_gets_a_section_for_each(client, make_user):
    person = make_user(Role.DELEGATE, Role.FACILITATOR, Role.SAFEGUARDING_LEAD)
    keys = [s.key for s in page(client, person).context["home_sections"]]
    assert keys == ["delegate", "facilitator", "safeguarding_lead"]


@pytest.mark.parametrize("roles, setup, most", [
    ((Role.DELEGATE,), "delegate", 30),
    ((Role.FACILITATOR,), "facilitator", 30),
    ((Role.OFFICER,), "officer", 40),
    ((Role.BUSINESS_SUPPORT,), "", 30),
    ((Role.LOD_MEMBER,), "", 25),
    ((Role.SAFEGUARDING_LEAD,), "", 25),
    ((Role.FINANCE_CONTACT,), "", 25),
], ids=["delegate", "facilitator", "officer", "business", "lod", "lead", "finance"])
def test_the_home_page_runs_a_bounded_number_of_queries(client, make_user,
                                                        django_assert_max_num_queries,
                                                        roles, setup, most):
    user = make_user(*roles)

    def build(times):
        for _ in range(times):
            if setup == "delegate":
                delegate_with_tasks(user)
            elif setup == "facilitator":
                facilitator_with_tasks(user)
            elif setup == "officer":
                officer_tasks()
            for org_user in UserFactory.create_batch(2, organisation=user.organisation):
                due_completion(org_user)

    build(2)  # two of each: the "one item links straight to it" shortcut is not taken
    Partnership.load()
    client.force_login(user)
    client.get(HOME)
    with django_assert_max_num_queries(most) as few:
        client.get(HOME)
    build(3)  # more of everything: not one more query
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).status_code == 200
