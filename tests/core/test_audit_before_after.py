"""Issue 15: every change of a booking state, charge, waiver, invoice, payment, role,
organisation membership, setting and questionnaire is audited with who, when, before and
after. Each entry holds its changes as details["changes"] = {"field": [before, after]} (the
settings page's "partnership.update" keeps its own {"field": [before, after]}), and the audit
log shows them as "before → after"."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MembershipRequest, Sector
from accounts.roles import Role
from bookings import services as booking_services
from bookings.models import BookingStatus
from charging.models import Charge, ChargeStatus, Invoice, InvoiceLine
from core.models import AuditEntry
from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _entry(action, target):
    return AuditEntry.objects.filter(action=action, target_id=str(target.pk)).latest("id")


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, email="olivia@partnership.example")


def test_a_booking_made_and_cancelled_records_its_status_before_and_after(officer, client):
    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=40), capacity=3)
    delegate = UserFactory()
    booking = booking_services.booking_create(event=event, delegate=delegate, now=now)
    made = _entry("booking.create", booking)
    assert made.details["changes"] == {"status": [None, booking.status]}

    booking_services.booking_cancel(booking=booking, by=delegate, now=now)
    entry = _entry("booking.cancel", booking)
    assert entry.details["changes"] == {"status": [BookingStatus.BOOKED,
                                                   BookingStatus.CANCELLED]}
    client.force_login(officer)
    page = client.get(reverse("core:auditentry-list"), {"action": "booking.cancel"})
    assert ("<strong>Status</strong>: Booked <span aria-hidden=\"true\">&rarr;</span>"
            '<span class="visually-hidden">changed to</span> Cancelled') in page.content.decode()


@pytest.fixture
def charge():
    organisation = OrganisationFactory(name="Bright Futures Nurseries Ltd",
                                       sector=Sector.PRIVATE)
    booking = BookingFactory(delegate=UserFactory(organisation=organisation),
                             status="late_cancelled", notice_working_days=3,
                             cancelled_at=timezone.now(), late_cancellation_reason="illness")
    return Charge.objects.create(
        booking=booking, organisation=organisation, sector="private",
        kind="late_cancellation", amount=Decimal("100.00"), status=ChargeStatus.PENDING,
        reason="Late cancellation: 3 working days' notice, fewer than 5 (full day)")


def test_a_waiver_records_the_status_and_reason_before_and_after(charge, officer):
    from charging.services.charges import charge_decide

    charge_decide(charge=charge, by=officer, apply=False, waiver_reason="illness",
                  note="Signed off sick", now=timezone.now())
    changes = _entry("charge.decide", charge).details["changes"]
    assert changes["status"] == [ChargeStatus.PENDING, ChargeStatus.WAIVED]
    assert changes["waiver_reason"] == ["", "illness"]
    assert changes["note"] == ["", "Signed off sick"]
    assert changes["decided_by"] == [None, "olivia@partnership.example"]

    charge_decide(charge=charge, by=officer, apply=True, now=timezone.now())
    changes = _entry("charge.decide", charge).details["changes"]
    assert changes["status"] == [ChargeStatus.WAIVED, ChargeStatus.APPLIED]
    assert changes["waiver_reason"] == ["illness", ""]


def test_a_charge_raised_by_the_register_records_what_it_is(officer):
    from charging.services.charges import charge_sync_for_booking

    organisation = OrganisationFactory(sector=Sector.PRIVATE)
    booking = BookingFactory(delegate=UserFactory(organisation=organisation),
                             organisation=organisation, status="no_show")
    charge = charge_sync_for_booking(booking=booking, event=booking.event, by=officer,
                                     now=timezone.now())
    assert charge is not None
    changes = _entry("charge.create", charge).details["changes"]
    assert changes["amount"] == [None, str(charge.amount)]
    assert changes["status"] == [None, charge.status]


def _invoice(organisation, amount):
    invoice = Invoice.objects.create(
        number="TEST-2026-00001", organisation=organisation, issued_on=date(2026, 11, 1),
        due_on=date(2026, 12, 1), organisation_name=organisation.name,
        invoice_email=organisation.invoice_email, partnership_name="Test Partnership",
        total=amount)
    booking = BookingFactory(delegate=UserFactory(organisation=organisation),
                             organisation=organisation, status="attended")
    charge = Charge.objects.create(
        booking=booking, organisation=organisation, sector=organisation.sector,
        kind="attendance", amount=amount, reason="Attendance, full day",
        status=ChargeStatus.APPLIED)
    InvoiceLine.objects.create(invoice=invoice, charge=charge, position=1,
                               delegate_name="A Delegate", course_title="A course",
                               event_date=date(2026, 10, 1), reason=charge.reason,
                               amount=amount)
    return invoice


def test_a_payment_records_what_was_outstanding_and_the_invoice_its_settling(make_user):
    from charging.services.payments import payment_record

    business = make_user(Role.BUSINESS_SUPPORT)
    invoice = _invoice(OrganisationFactory(sector=Sector.PRIVATE), Decimal("75.00"))
    for amount in ("25.00", "50.00"):
        payment_record(invoice=invoice, received_on=date(2026, 11, 19), amount=amount,
                       method="bacs", reference="BACS 1", by=business, now=timezone.now())
    first, second = AuditEntry.objects.filter(action="payment.record").order_by("id")
    assert first.details["changes"] == {"outstanding": ["75.00", "50.00"]}
    assert second.details["changes"] == {"outstanding": ["50.00", "0.00"]}
    assert _entry("invoice.settled", invoice).details["changes"] == {"settled": [False, True]}


def test_an_invoice_issued_records_its_number_and_total(officer):
    from charging.services.invoices import invoice_batch_run

    organisation = OrganisationFactory(sector=Sector.PRIVATE, invoice_email="a@b.example")
    booking = BookingFactory(delegate=UserFactory(organisation=organisation),
                             organisation=organisation, status="attended")
    Charge.objects.create(booking=booking, organisation=organisation, sector="private",
                          kind="attendance", amount=Decimal("75.00"),
                          reason="Attendance, full day", status=ChargeStatus.APPLIED,
                          created_at=timezone.now() - timedelta(days=3))
    invoice_batch_run(up_to=timezone.localdate(), by=officer, now=timezone.now())
    invoice = Invoice.objects.get(organisation=organisation)
    changes = _entry("invoice.issued", invoice).details["changes"]
    assert changes == {"number": [None, invoice.number], "total": [None, "75.00"]}


def test_a_role_given_on_the_people_page_records_the_roles_before_and_after(officer):
    from accounts.services import person_roles_set

    person = UserFactory(roles=[Role.DELEGATE])
    person_roles_set(person=person, roles=[Role.LOD_MEMBER], by=officer)
    changes = _entry("user.roles_set", person).details["changes"]
    assert changes["roles"] == [["delegate"], ["delegate", "lod_member"]]


def test_a_membership_approved_records_the_organisation_before_and_after(officer):
    from accounts import services

    school = OrganisationFactory(name="Castle High School")
    nursery = OrganisationFactory(name="Sunny Days Nurseries Ltd")
    delegate = UserFactory(organisation=school)
    request = MembershipRequest.objects.create(user=delegate, organisation=nursery,
                                               from_organisation=school,
                                               requested_at=timezone.now())
    services.membership_request_decide(membership_request=request, by=officer,
                                       decision="approve", note="", now=timezone.now())
    entry = _entry("membership_request.approved", request)
    assert entry.details["changes"] == {
        "status": ["pending", "approved"],
        "member_of": ["Castle High School", "Sunny Days Nurseries Ltd"]}
    assert entry.on_behalf_of == delegate


def test_a_setting_changed_records_before_and_after(client, officer):
    from core.models import Partnership
    from tests.core.test_partnership_settings import form_data

    client.force_login(officer)
    client.post(reverse("core:partnership-update"),
                form_data(Partnership.load(), notice_working_days="6"))
    assert AuditEntry.objects.get(action="partnership.update").details == {
        "notice_working_days": ["5", "6"]}
    page = client.get(reverse("core:auditentry-list")).content.decode()
    assert "5 &rarr; 6" in page


def test_a_questionnaire_edit_records_the_questions_before_and_after(officer):
    from evaluations.models import QuestionnaireKind
    from evaluations.selectors.questionnaires import questionnaire_default_version
    from evaluations.services.questionnaires import (
        questionnaire_version_save,
        version_questions,
    )

    stage_2 = questionnaire_default_version(kind=QuestionnaireKind.STAGE_2)
    questions = version_questions(stage_2)
    old_text = questions[0]["text"]
    questions[0]["text"] = "What one thing do you do differently now? (edited)"
    questionnaire_version_save(questionnaire=stage_2.questionnaire, title="A new title",
                               introduction=stage_2.introduction, questions=questions,
                               by=officer, now=timezone.now())
    changes = _entry("evaluations.questionnaire_version_saved",
                     stage_2.questionnaire).details["changes"]
    assert changes["version"] == [stage_2.number, stage_2.number + 1]
    assert changes["title"] == [stage_2.title, "A new title"]
    before, after = changes["questions"]
    assert before[0].startswith(old_text)
    assert after[0].startswith("What one thing do you do differently now? (edited)")
    assert before[1:] == after[1:]
    assert "introduction" not in changes
