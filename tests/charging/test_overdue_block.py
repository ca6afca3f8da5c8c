"""The overdue block (DOMAIN.md, Invoices; issue 10): an organisation with an invoice unpaid
more than `invoice_overdue_months` CALENDAR months after its issue date cannot book or join a
waiting list until it is paid or credited; its delegates see why (the invoice number, never
the amount) and whom to contact; places already held are kept."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Sector
from accounts.roles import Role
from bookings.checks import booking_refusals
from bookings.models import Booking, BookingStatus
from bookings.services import booking_create, waitlist_join
from charging.checks import overdue_block_for, overdue_from
from charging.models import Invoice
from core.exceptions import DomainError
from core.models import Partnership
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

from .test_payments import invoice_make, london, pay

# The rule, without a database: the boundary days ------------------------------------------------

@pytest.mark.parametrize("issued_on, months, blocked_from", [
    (date(2026, 10, 1), 1, date(2026, 11, 2)),
    (date(2027, 1, 31), 1, date(2027, 3, 1)),  # 31 January + 1 month = 28 February
    (date(2027, 1, 28), 1, date(2027, 3, 1)),
    (date(2028, 1, 31), 1, date(2028, 3, 1)),  # leap year: 29 February 2028 still allowed
    (date(2026, 12, 31), 2, date(2027, 3, 1)),
    (date(2026, 8, 31), 1, date(2026, 10, 1)),  # 30 September is the last day allowed
], ids=["1-oct", "31-jan", "28-jan", "31-jan-leap-year", "two-months", "31-aug"])
def test_blocked_from_the_day_after_issue_plus_calendar_months(issued_on, months, blocked_from):
    assert overdue_from(issued_on=issued_on, months=months) == blocked_from


# The check bookings asks, at the seeds' dates ---------------------------------------------------

@pytest.fixture
def nursery(db):
    return OrganisationFactory(name="Little Stars Nursery Ltd", sector=Sector.PRIVATE,
                               invoice_email="pay@littlestars.example")


@pytest.fixture
def delegate(nursery):
    return UserFactory(organisation=nursery, roles=[Role.DELEGATE])


@pytest.fixture
def event(db):
    return EventFactory(start=london(2027, 4, 20, 9, 30))


@pytest.mark.parametrize("issued_on, allowed, refused", [
    (date(2026, 10, 1), london(2026, 11, 1, 23, 59), london(2026, 11, 2, 0, 1)),
    (date(2027, 1, 31), london(2027, 2, 28, 23, 59), london(2027, 3, 1, 0, 1)),
], ids=["issued-1-october-2026", "issued-31-january-2027"])
def test_booking_allowed_on_the_last_day_and_refused_the_next(nursery, delegate, event,
                                                              issued_on, allowed, refused):
    invoice = invoice_make(organisation=nursery, issued_on=issued_on, amounts=["75.00"])
    assert booking_refusals(delegate=delegate, event=event, now=allowed) == []
    reasons = booking_refusals(delegate=delegate, event=event, now=refused)
    assert len(reasons) == 1
    reason = reasons[0]
    assert invoice.number in reason
    assert "75" not in reason and "£" not in reason  # the number, never the amount
    assert Partnership.load().contact_email in reason  # whom to contact


def test_the_delegate_is_told_whom_to_contact(nursery, delegate, event):
    invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    finance = UserFactory(organisation=nursery, first_name="Gary", last_name="Price",
                          email="gary.price@littlestars.example",
                          roles=[Role.FINANCE_CONTACT])
    reason = booking_refusals(delegate=delegate, event=event, now=london(2026, 11, 2))[0]
    assert "finance contact, Gary Price (gary.price@littlestars.example)" in reason
    assert finance.email in reason


def test_the_overdue_months_setting_is_read(nursery, delegate, event):
    partnership = Partnership.load()
    partnership.invoice_overdue_months = 2
    partnership.save()
    invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    assert booking_refusals(delegate=delegate, event=event, now=london(2026, 12, 1)) == []
    assert booking_refusals(delegate=delegate, event=event, now=london(2026, 12, 2))


def test_booking_and_waiting_list_are_refused_and_nothing_is_saved(nursery, delegate, event):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    now = london(2026, 11, 2, 9)
    with pytest.raises(DomainError) as refused:
        booking_create(event=event, delegate=delegate, now=now)
    assert invoice.number in refused.value.message
    event.capacity, event.places_taken = 1, 1
    event.save(update_fields=["capacity", "places_taken"])
    with pytest.raises(DomainError) as refused:
        waitlist_join(event=event, delegate=delegate, now=now)
    assert invoice.number in refused.value.message
    assert not Booking.objects.filter(delegate=delegate).exists()


def test_another_organisations_invoice_or_a_settled_one_blocks_nobody(nursery, delegate, event):
    other = OrganisationFactory(name="Elsewhere Ltd", sector=Sector.PRIVATE)
    invoice_make(organisation=other, issued_on=date(2026, 9, 1))
    settled = invoice_make(organisation=nursery, issued_on=date(2026, 9, 1))
    Invoice.objects.filter(pk=settled.pk).update(settled_at=london(2026, 9, 20))
    assert booking_refusals(delegate=delegate, event=event, now=london(2026, 11, 20)) == []
    no_organisation = UserFactory(organisation=None)
    assert booking_refusals(delegate=no_organisation, event=event, now=london(2026, 11, 20)) == []


def test_a_part_payment_keeps_the_block_and_the_rest_lifts_it_at_once(nursery, delegate,
                                                                      event, make_user):
    business = make_user(Role.BUSINESS_SUPPORT)
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1),
                           amounts=["75.00", "100.00"])
    now = london(2026, 11, 20)
    pay(invoice, Decimal("100.00"), by=business, now=now)
    assert booking_refusals(delegate=delegate, event=event, now=now)
    pay(invoice, Decimal("75.00"), by=business, now=now)
    assert booking_refusals(delegate=delegate, event=event, now=now) == []
    booking = booking_create(event=event, delegate=delegate, now=now)
    assert booking.status == BookingStatus.BOOKED


def test_a_credit_note_lifts_the_block_at_once(nursery, delegate, event, make_user):
    from charging.services.credit_notes import credit_note_issue

    business = make_user(Role.BUSINESS_SUPPORT)
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1),
                           amounts=["75.00", "100.00"])
    now = london(2026, 11, 20)
    pay(invoice, Decimal("100.00"), by=business, now=now)
    assert booking_refusals(delegate=delegate, event=event, now=now)
    first_line = invoice.lines.order_by("position").first()
    credit_note_issue(invoice=invoice, lines={first_line.pk: "75.00"},
                      reason="Charged in error: the delegate attended for the council.",
                      by=business, now=now)
    invoice.refresh_from_db()
    assert invoice.settled_at == now
    assert booking_refusals(delegate=delegate, event=event, now=now) == []


def test_places_already_held_are_kept(nursery, delegate, event):
    booking = BookingFactory(event=event, delegate=delegate, status=BookingStatus.BOOKED)
    invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    other_event = EventFactory(start=london(2027, 5, 4, 9, 30))
    assert booking_refusals(delegate=delegate, event=other_event, now=london(2026, 11, 20))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_a_place_held_passes_to_a_colleague_and_is_cancelled_despite_the_block(nursery,
                                                                              delegate, event):
    """The block refuses new places only: the place the organisation holds can still be handed
    to a colleague (free, same organisation) or cancelled; refusing the hand-over would leave
    only a late cancellation or a no-show, which cost the organisation more."""
    from bookings.services import booking_cancel, booking_substitute, substitution_accept

    booking = booking_create(event=event, delegate=delegate, now=london(2026, 10, 20))
    invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    colleague = UserFactory(organisation=nursery, roles=[Role.DELEGATE])
    now = london(2026, 11, 20)
    assert booking_refusals(delegate=colleague, event=EventFactory(
        start=london(2027, 5, 4, 9, 30)), now=now)  # a new place: refused
    offer = booking_substitute(booking=booking, by=delegate, to_email=colleague.email, now=now)
    substitution_accept(substitution=offer, user=colleague, now=now)
    booking.refresh_from_db()
    assert booking.delegate == colleague and booking.status == BookingStatus.BOOKED
    booking_cancel(booking=booking, by=colleague, now=now)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_accepting_a_waiting_list_offer_is_a_new_place_and_is_refused(nursery, delegate, event):
    from bookings.services import offer_accept

    now = london(2026, 11, 20)
    offer = BookingFactory(event=event, delegate=delegate, status=BookingStatus.OFFERED,
                           offer_expires_at=now + timedelta(days=2))
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    with pytest.raises(DomainError) as refused:
        offer_accept(booking=offer, by=delegate, now=now)
    assert invoice.number in refused.value.message
    offer.refresh_from_db()
    assert offer.status == BookingStatus.OFFERED


def test_a_freed_place_passes_over_a_blocked_delegate_who_keeps_their_place_in_the_queue(
        nursery, delegate, make_user):
    """An offer the delegate could not accept would hold the place for hours: the place goes to
    the next in the queue; the blocked delegate stays first in it, offered once paid."""
    from bookings.services import offer_next

    event = EventFactory(start=london(2027, 4, 20, 9, 30), capacity=1)
    holder = BookingFactory(event=event, status=BookingStatus.BOOKED)
    event.places_taken = 1
    event.save(update_fields=["places_taken"])
    first = BookingFactory(event=event, delegate=delegate, status=BookingStatus.WAITLISTED,
                           waitlisted_at=london(2026, 11, 1, 9, 0))
    second = BookingFactory(event=event, status=BookingStatus.WAITLISTED,
                            waitlisted_at=london(2026, 11, 2, 9, 0))
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    now = london(2026, 11, 20)
    Booking.objects.filter(pk=holder.pk).update(status=BookingStatus.CANCELLED)
    event.places_taken = 0
    event.save(update_fields=["places_taken"])

    offered = offer_next(event=event, now=now)

    assert [b.pk for b in offered] == [second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BookingStatus.WAITLISTED and second.status == BookingStatus.OFFERED
    # Paid: the next freed place is theirs, ahead of anyone who joined after them.
    pay(invoice, invoice.total, by=make_user(Role.BUSINESS_SUPPORT), now=now)
    Booking.objects.filter(pk=second.pk).update(status=BookingStatus.OFFER_DECLINED)
    event.places_taken = 0
    event.save(update_fields=["places_taken"])
    assert [b.pk for b in offer_next(event=event, now=now)] == [first.pk]


def test_a_check_on_the_person_still_stops_a_hand_over(nursery, delegate, event):
    """Only checks registered with new_places_only=True are skipped for a place held."""
    from bookings import checks
    from bookings.services import booking_substitute

    booking = booking_create(event=event, delegate=delegate, now=london(2026, 10, 20))
    colleague = UserFactory(organisation=nursery, roles=[Role.DELEGATE])

    def suspended(*, delegate, event, now):
        return "This account is suspended from training." if delegate == colleague else None

    checks.register_booking_check(suspended)
    try:
        with pytest.raises(DomainError, match="suspended from training"):
            booking_substitute(booking=booking, by=delegate, to_email=colleague.email,
                               now=london(2026, 11, 20))
    finally:
        checks.unregister_booking_check(suspended)
    booking.refresh_from_db()
    assert booking.delegate == delegate


def test_the_check_costs_one_query(nursery, delegate, django_assert_num_queries):
    now = london(2026, 11, 20)
    with django_assert_num_queries(1):
        assert overdue_block_for(organisation_id=nursery.pk, now=now) is None
    invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    with django_assert_num_queries(1):
        block = overdue_block_for(organisation_id=nursery.pk, now=now)
    assert block.blocked_from == date(2026, 11, 2)
    for n in range(5):  # many unpaid invoices: still one query
        invoice_make(organisation=nursery, issued_on=date(2026, 11, 1) + timedelta(days=n))
    with django_assert_num_queries(1):
        assert overdue_block_for(organisation_id=nursery.pk, now=now).blocked_from == date(
            2026, 11, 2)


# What people see ---------------------------------------------------------------------------------

def _blocking_invoice(nursery):
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    return invoice_make(organisation=nursery,
                        issued_on=timezone.localdate() - relativedelta(months=1, days=3))


def test_the_delegate_sees_why_on_the_event_page(client, nursery, delegate):
    event = EventFactory()  # a month ahead of today
    invoice = _blocking_invoice(nursery)
    client.force_login(delegate)
    text = client.get(reverse("courses:event-detail", args=[event.pk])).content.decode()
    assert invoice.number in text and "cannot book training" in text
    assert ">Book a place</button>" not in text


def test_the_finance_contact_and_safeguarding_lead_see_the_block(client, nursery, make_user):
    invoice = _blocking_invoice(nursery)
    finance = make_user(Role.FINANCE_CONTACT, organisation=nursery)
    lead = make_user(Role.SAFEGUARDING_LEAD, organisation=nursery)
    client.force_login(finance)
    for url in (reverse("accounts:organisation-account"), reverse("charging:statement")):
        text = client.get(url).content.decode()
        assert "Bookings stopped" in text and invoice.number in text, url
    client.force_login(lead)
    text = client.get(reverse("accounts:organisation-staff")).content.decode()
    assert "Bookings stopped" in text and invoice.number in text

    Invoice.objects.filter(pk=invoice.pk).update(settled_at=london(2026, 11, 20))
    assert "Bookings stopped" not in client.get(
        reverse("accounts:organisation-staff")).content.decode()
    client.force_login(finance)
    for url in (reverse("accounts:organisation-account"), reverse("charging:statement")):
        assert "Bookings stopped" not in client.get(url).content.decode(), url


def test_another_organisations_lead_sees_no_block(client, nursery, make_user):
    _blocking_invoice(nursery)
    other = OrganisationFactory(name="Other Nursery Ltd", sector=Sector.PRIVATE)
    client.force_login(make_user(Role.SAFEGUARDING_LEAD, organisation=other))
    assert "Bookings stopped" not in client.get(
        reverse("accounts:organisation-staff")).content.decode()
