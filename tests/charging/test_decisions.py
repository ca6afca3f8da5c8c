"""The officer's decision on a charge (charging.services.charges.charge_decide): apply, or
waive with a reason; kept, audited, emailed to the delegate (and to the organisation's finance
contacts when it applies); changeable until invoiced, then only by a credit note."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Sector
from accounts.roles import Role
from charging.models import Charge, ChargeStatus
from charging.services.charges import charge_decide
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail
from tests.charging.test_charges import invoice_for
from tests.factories import BookingFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, first_name="Olive", last_name="Officer")


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Bright Futures Nurseries Ltd", sector=Sector.PRIVATE)


@pytest.fixture
def charge(organisation):
    delegate = UserFactory(first_name="Ann", last_name="Archer", email="ann@bright.example",
                           organisation=organisation)
    booking = BookingFactory(delegate=delegate, status="late_cancelled", notice_working_days=3,
                             cancelled_at=timezone.now(), late_cancellation_reason="illness")
    return Charge.objects.create(
        booking=booking, organisation=organisation, sector="private",
        kind="late_cancellation", amount=Decimal("100.00"), status=ChargeStatus.PENDING,
        reason="Late cancellation: 3 working days' notice, fewer than 5 (full day)")


@pytest.fixture
def finance(make_user, organisation):
    return make_user(Role.DELEGATE, Role.FINANCE_CONTACT, email="finance@bright.example",
                     organisation=organisation)


def emails(purpose_prefix="charge:"):
    return {(row.recipient, row.purpose) for row in
            OutgoingEmail.objects.filter(purpose__startswith=purpose_prefix)}


def test_applying_tells_the_delegate_and_the_finance_contact(charge, officer, finance,
                                                             make_user):
    other_org_finance = make_user(Role.DELEGATE, Role.FINANCE_CONTACT,
                                  organisation=OrganisationFactory(name="Other Ltd"))
    now = timezone.now()
    decided = charge_decide(charge=charge, by=officer, apply=True, note="", now=now)

    assert decided.status == ChargeStatus.APPLIED
    assert (decided.decided_by, decided.decided_at) == (officer, now)
    purpose = f"charge:{charge.pk}:decided:applied"
    assert emails() == {("ann@bright.example", purpose), ("finance@bright.example", purpose)}
    assert other_org_finance.email not in {r for r, _ in emails()}
    delegate_mail = OutgoingEmail.objects.get(recipient="ann@bright.example")
    assert "Bright Futures Nurseries Ltd will be invoiced £100" in delegate_mail.body_text
    assert delegate_mail.subject.startswith("A charge applies: ")
    assert "<html" in delegate_mail.body_html.lower() and "/charging/policy/" in \
        delegate_mail.body_html
    finance_mail = OutgoingEmail.objects.get(recipient="finance@bright.example")
    assert "Ann Archer" in finance_mail.body_text and "£100" in finance_mail.subject
    entry = AuditEntry.objects.get(action="charge.decide")
    assert entry.actor == officer and entry.details["status"] == "applied"


def test_waiving_tells_the_delegate_only(charge, officer, finance):
    charge_decide(charge=charge, by=officer, apply=False, waiver_reason="illness",
                  note="GP's note seen", now=timezone.now())
    charge.refresh_from_db()
    assert (charge.status, charge.waiver_reason, charge.decision_note) == (
        "waived", "illness", "GP's note seen")
    assert emails() == {("ann@bright.example", f"charge:{charge.pk}:decided:waived")}
    body = OutgoingEmail.objects.get().body_text
    assert "The charge is waived (illness)" in body and "GP's note seen" in body


@pytest.mark.parametrize("reason, note, field, message", [
    ("", "", "waiver_reason", "Choose why the charge is waived."),
    ("holiday", "", "waiver_reason", "Choose why the charge is waived."),
    ("other", "  ", "note", "a note is needed when the reason is other"),
], ids=["no-reason", "unknown-reason", "other-without-note"])
def test_a_waiver_needs_its_reason(charge, officer, reason, note, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        charge_decide(charge=charge, by=officer, apply=False, waiver_reason=reason, note=note,
                      now=timezone.now())
    assert refused.value.field == field
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.PENDING and not OutgoingEmail.objects.exists()


def test_only_the_training_team_decides(charge, make_user):
    for who in (charge.booking.delegate, make_user(Role.BUSINESS_SUPPORT)):
        with pytest.raises(DomainError, match="Only the training team"):
            charge_decide(charge=charge, by=who, apply=False, waiver_reason="illness",
                          now=timezone.now())
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.PENDING


def test_a_decision_can_be_changed_and_each_change_is_told(charge, officer, finance):
    start = timezone.now()
    charge_decide(charge=charge, by=officer, apply=True, now=start)
    charge_decide(charge=charge, by=officer, apply=False, waiver_reason="other",
                  note="New evidence: the course moved", now=start + timedelta(hours=1))
    charge_decide(charge=charge, by=officer, apply=True, now=start + timedelta(hours=2))
    # The same decision again records and sends nothing.
    charge_decide(charge=charge, by=officer, apply=True, now=start + timedelta(hours=3))

    charge.refresh_from_db()
    assert charge.status == ChargeStatus.APPLIED and charge.waiver_reason == ""
    assert AuditEntry.objects.filter(action="charge.decide").count() == 3
    to_delegate = sorted(p for r, p in emails() if r == "ann@bright.example")
    assert to_delegate == [f"charge:{charge.pk}:decided:applied",
                           f"charge:{charge.pk}:decided:applied:2",
                           f"charge:{charge.pk}:decided:waived"]
    assert charge.decided_at == start + timedelta(hours=2)


def test_an_invoiced_charge_is_changed_only_by_a_credit_note(charge, officer):
    charge_decide(charge=charge, by=officer, apply=True, now=timezone.now())
    invoice_for(charge, number="SP-2026-00042")
    with pytest.raises(DomainError, match="This charge is on invoice SP-2026-00042; issue a "
                                          "credit note instead."):
        charge_decide(charge=charge, by=officer, apply=False, waiver_reason="illness",
                      now=timezone.now())
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.APPLIED
    assert AuditEntry.objects.filter(action="charge.decide").count() == 1


def test_an_applied_by_default_charge_can_be_waived(charge, officer):
    Charge.objects.filter(pk=charge.pk).update(status=ChargeStatus.APPLIED, kind="no_show")
    charge_decide(charge=charge, by=officer, apply=False, waiver_reason="individual",
                  now=timezone.now())
    charge.refresh_from_db()
    assert charge.status == "waived" and charge.decided_by == officer
    assert emails() == {("ann@bright.example", f"charge:{charge.pk}:decided:waived")}


def test_a_charge_withdrawn_meanwhile_is_explained(charge, officer):
    stale = Charge.objects.get(pk=charge.pk)
    Charge.objects.filter(pk=charge.pk).delete()  # the register was corrected meanwhile
    with pytest.raises(DomainError, match="There is no charge to decide any more"):
        charge_decide(charge=stale, by=officer, apply=True, now=timezone.now())
