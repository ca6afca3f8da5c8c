"""The charge pages: the decision queue (tabs, search, pagination, bounded queries), one
charge's decision (officers decide, business support reads, an invoiced charge says to issue a
credit note), the public charging policy written from the current settings, and what the
booking and cancellation pages tell a delegate before they act."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector
from accounts.roles import Role
from bookings.models import BookingStatus
from charging.models import Charge, ChargeStatus
from core.models import OutgoingEmail, Partnership
from courses.models import Length
from tests.charging.test_charges import invoice_for
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def text(response):
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER, first_name="Olive", last_name="Officer")
    client.force_login(user)
    return user


def charge_for(first, last, org_name, *, status=ChargeStatus.PENDING, kind="late_cancellation",
               days_ago=1, detail="", sector=Sector.STATUTORY, decided_by=None):
    organisation = OrganisationFactory(name=org_name, sector=sector)
    delegate = UserFactory(first_name=first, last_name=last, organisation=organisation)
    booking = BookingFactory(
        delegate=delegate, status=BookingStatus.LATE_CANCELLED, notice_working_days=2,
        cancelled_at=timezone.now() - timedelta(days=days_ago),
        late_cancellation_reason="illness", late_cancellation_detail=detail)
    return Charge.objects.create(
        booking=booking, organisation=organisation, sector=sector, kind=kind,
        amount=Decimal("100.00"), status=status,
        created_at=timezone.now() - timedelta(days=days_ago),
        reason="Late cancellation: 2 working days' notice, fewer than 5 (full day)",
        waiver_reason="illness" if status == ChargeStatus.WAIVED else "",
        decided_by=decided_by, decided_at=timezone.now() if decided_by else None)


LIST = reverse("charging:charge-list")


def decide_url(charge):
    return reverse("charging:charge-decide", kwargs={"uid": charge.booking.uid})


# The queue ---------------------------------------------------------------------------------------

def test_the_queue_lists_those_waiting_oldest_first_and_keeps_decided_ones(client, officer):
    charge_for("Ann", "Archer", "Happy Days Nurseries Ltd", days_ago=3,
               detail="A child protection conference was called at short notice.")
    charge_for("Bob", "Baker", "Dudley Council", days_ago=1)
    charge_for("Cat", "Done", "Dudley Council", status=ChargeStatus.WAIVED, decided_by=officer)
    charge_for("Dan", "Applied", "Dudley Council", status=ChargeStatus.APPLIED,
               decided_by=officer)

    page = text(client.get(LIST))
    assert "2 waiting for a decision" in page
    assert page.index("Ann Archer") < page.index("Bob Baker")  # oldest first
    assert "A child protection conference was called at short notice." in page
    assert "Cat Done" not in page and "Dan Applied" not in page
    assert "Waiting for a decision 2" in page and "Applied 1" in page and "Waived 1" in page

    waived = text(client.get(LIST, {"tab": "waived"}))
    assert "Cat Done" in waived and "Olive Officer" in waived and "Illness" in waived
    assert "Ann Archer" not in waived
    assert "Dan Applied" in text(client.get(LIST, {"tab": "applied"}))


def test_the_queue_searches_by_delegate_or_organisation_and_filters_by_kind(client, officer):
    charge_for("Ann", "Archer", "Happy Days Nurseries Ltd")
    charge_for("Bob", "Baker", "Dudley Council")
    charge_for("Cy", "NoShow", "Dudley Council", kind="no_show")

    assert "Ann Archer" in text(client.get(LIST, {"q": "ann archer"}))
    found = text(client.get(LIST, {"q": "happy days"}))
    assert "Ann Archer" in found and "Bob Baker" not in found
    no_shows = text(client.get(LIST, {"kind": "no_show"}))
    assert "Cy NoShow" in no_shows and "Bob Baker" not in no_shows
    assert "No charge waiting for a decision matches the search." in text(
        client.get(LIST, {"q": "nobody-like-this"}))
    # Bad input: a clear message, never a 500.
    response = client.get(LIST, {"q": "x" * 500, "kind": "bribe", "tab": "nope"})
    assert response.status_code == 200
    assert "Search for 100 characters or fewer." in text(response)
    assert "Choose a kind of charge from the list." in text(response)


def test_the_queue_is_paginated_and_costs_the_same_for_one_or_many(
        client, officer, django_assert_max_num_queries):
    charge_for("Ann", "Archer", "Org A")
    client.get(LIST)
    with django_assert_max_num_queries(20) as one:
        client.get(LIST)
    for i in range(30):
        charge_for(f"P{i}", "Person", f"Org {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = text(client.get(LIST))
    assert "Showing 1 to 25 of 31" in page
    assert "P29 Person" not in page  # the newest is on page 2
    assert "P29 Person" in text(client.get(LIST, {"page": 2}))


def test_a_delegate_cannot_see_the_queue(client):
    client.force_login(UserFactory())
    assert client.get(LIST).status_code == 403


# One charge's decision --------------------------------------------------------------------------

def test_the_officer_waives_a_charge_and_it_stays_findable(client, officer,
                                                          django_assert_max_num_queries):
    charge = charge_for("Ann", "Archer", "Happy Days Nurseries Ltd", detail="Train cancelled")
    url = decide_url(charge)
    with django_assert_max_num_queries(25):
        page = text(client.get(url))
    assert "Train cancelled" in page and "2 working days" in page and "£100" in page

    response = client.post(url, {"decision": "waive", "waiver_reason": "other",
                                 "note": "Strike on the railway: accepted."}, follow=True)

    assert ("Decision saved for Ann Archer: the charge is waived (other). We have emailed "
            "them.") in text(response)
    assert "No charge is waiting for a decision." in text(response)
    charge.refresh_from_db()
    assert (charge.status, charge.waiver_reason, charge.decided_by) == ("waived", "other",
                                                                        officer)
    assert charge.decision_note == "Strike on the railway: accepted."
    assert OutgoingEmail.objects.filter(purpose=f"charge:{charge.pk}:decided:waived").exists()
    again = text(client.get(url))
    assert "Waived: other, by Olive Officer" in again and "Change the decision" in again
    assert "Ann Archer" in text(client.get(LIST, {"tab": "waived", "q": "archer"}))


@pytest.mark.parametrize("data, message", [
    ({}, "Choose whether to apply or waive the charge."),
    ({"decision": "waive"}, "Choose why the charge is waived."),
    ({"decision": "waive", "waiver_reason": "other", "note": "  "},
     "a note is needed when the reason is other"),
    ({"decision": "maybe"}, "Choose whether to apply or waive the charge."),
    ({"decision": "waive", "waiver_reason": "illness", "note": "x" * 2001},
     "Keep the note to 2,000 characters or fewer."),
], ids=["nothing", "no-reason", "other-without-note", "unknown-decision", "note-too-long"])
def test_a_decision_that_cannot_be_saved_says_why(client, officer, data, message):
    charge = charge_for("Ann", "Archer", "Org")
    response = client.post(decide_url(charge), data)
    assert response.status_code == 200
    assert "There is a problem" in text(response) and message in text(response)
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.PENDING and charge.decided_by is None


def test_an_invoiced_charge_says_to_issue_a_credit_note(client, officer):
    charge = charge_for("Ann", "Archer", "Org", status=ChargeStatus.APPLIED, decided_by=officer)
    invoice_for(charge, number="SP-2026-00007")
    page = text(client.get(decide_url(charge)))
    assert "This charge is on invoice SP-2026-00007 ; issue a credit note instead" in page
    assert "Save the decision" not in page
    response = client.post(decide_url(charge), {"decision": "waive", "waiver_reason": "illness"})
    assert "issue a credit note instead" in text(response)
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.APPLIED


def test_business_support_reads_but_does_not_decide(client, make_user):
    charge = charge_for("Ann", "Archer", "Org")
    client.force_login(make_user(Role.BUSINESS_SUPPORT))
    assert "Ann Archer" in text(client.get(LIST))
    page = text(client.get(decide_url(charge)))
    assert "Ann Archer" in page and "Save the decision" not in page
    response = client.post(decide_url(charge), {"decision": "apply"})
    assert response.status_code == 403
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.PENDING


def test_a_booking_without_a_charge_is_not_found(client, officer):
    url = reverse("charging:charge-decide", kwargs={"uid": BookingFactory().uid})
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "apply"}).status_code == 404


# The charging policy ----------------------------------------------------------------------------

def test_the_policy_page_is_public_and_written_from_the_current_settings(client):
    page = text(client.get(reverse("charging:policy")))
    assert "Attending a course £75 £25" in page
    assert "less than 5 working days' notice (a late cancellation) £100 £50" in page
    assert "more than 30 minutes late for a full day (15 for half a day or less)" in page

    partnership = Partnership.load()
    partnership.fee_attendance_full_day = Decimal("80.50")
    partnership.notice_working_days = 7
    partnership.late_minutes_full_day = 45
    partnership.save()
    page = text(client.get(reverse("charging:policy")))
    assert "Attending a course £80.50 £25" in page
    assert "less than 7 working days' notice" in page
    assert "more than 45 minutes late for a full day" in page
    assert "£75" not in page
    # The worked example follows the notice too (7 working days before Tuesday 29 December
    # 2026, with 25 and 28 December bank holidays, is Wednesday 16 December).
    assert ("cancelling on Wednesday 16 December 2026 is in time, and on Thursday 17 December "
            "2026 is late") in page
    assert "Friday 18 December 2026 is in time" not in page


def test_the_policy_pages_worked_example_at_the_seeds_notice(client):
    page = text(client.get(reverse("charging:policy")))
    assert ("For example, for an event on Tuesday 29 December 2026, cancelling on Friday 18 "
            "December 2026 is in time, and on Monday 21 December 2026 is late (25 and 28 "
            "December are bank holidays).") in page


# Before the delegate acts -----------------------------------------------------------------------

def booking_soon(client, *, sector, days=1, length=Length.FULL_DAY):
    organisation = OrganisationFactory(name="Bright Futures Nurseries Ltd", sector=sector)
    delegate = UserFactory(organisation=organisation)
    event = EventFactory(course=CourseFactory(length=length),
                         start=timezone.now() + timedelta(days=days))
    booking = BookingFactory(event=event, delegate=delegate)
    client.force_login(delegate)
    return booking


def test_the_late_cancellation_page_says_what_cancelling_now_costs(client):
    booking = booking_soon(client, sector=Sector.VOLUNTARY)
    response = client.get(reverse("bookings:booking-late-cancel", kwargs={"uid": booking.uid}))
    page = text(response)
    assert ("Less than 5 working days before the event: Bright Futures Nurseries Ltd may be "
            "charged £100, decided by the training team.") in page
    assert f'href="{reverse("charging:policy")}"' in response.content.decode()


def test_the_cancellation_page_says_cancelling_now_is_free(client):
    booking = booking_soon(client, sector=Sector.PRIVATE, days=30)
    response = client.get(reverse("bookings:booking-cancel", kwargs={"uid": booking.uid}))
    assert "cancelling now is free" in text(response)
    assert f'href="{reverse("charging:policy")}"' in response.content.decode()


def test_a_private_delegate_sees_the_attendance_fee_before_booking(client):
    organisation = OrganisationFactory(name="Bright Futures Nurseries Ltd",
                                       sector=Sector.PRIVATE)
    client.force_login(UserFactory(organisation=organisation))
    event = EventFactory(course=CourseFactory(length=Length.HALF_DAY))
    for url in (reverse("bookings:booking-create", kwargs={"event_pk": event.pk}),
                reverse("courses:event-detail", kwargs={"pk": event.pk})):
        response = client.get(url)
        assert ("Bright Futures Nurseries Ltd is a private or profit-making organisation, so "
                "it is charged £25 for this half day or less course") in text(response)
        assert f'href="{reverse("charging:policy")}"' in response.content.decode()


def test_a_statutory_delegate_is_told_attending_is_free(client):
    client.force_login(UserFactory(organisation=OrganisationFactory(sector=Sector.STATUTORY)))
    event = EventFactory()
    page = text(client.get(reverse("bookings:booking-create", kwargs={"event_pk": event.pk})))
    assert "is not charged for attending" in page and "charged £" not in page


def test_the_booking_page_shows_the_charge_and_its_decision(client, make_user):
    booking = booking_soon(client, sector=Sector.PRIVATE, days=30)
    url = reverse("bookings:booking-detail", kwargs={"uid": booking.uid})
    assert "charged £75 for this full day course" in text(client.get(url))
    charge = Charge.objects.create(
        booking=booking, organisation=booking.organisation, sector="private",
        kind="late_cancellation", amount=Decimal("100.00"), status=ChargeStatus.PENDING,
        reason="Late cancellation: 2 working days' notice, fewer than 5 (full day)")
    booking.status = BookingStatus.LATE_CANCELLED
    booking.save()
    page = text(client.get(url))
    assert "Bright Futures Nurseries Ltd may be charged £100. The training team has not " \
        "decided yet" in page
    Charge.objects.filter(pk=charge.pk).update(status=ChargeStatus.WAIVED,
                                               waiver_reason="illness")
    assert "the training team waived the £100 charge (illness)" in text(client.get(url))
