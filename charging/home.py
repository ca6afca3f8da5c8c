"""The charging app's tasks on the home page (core.home): the officer's charges waiting for a
decision (late cancellations among them); business support's invoices to issue and payments
overdue; a finance contact's own organisation's account."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from accounts.home import holds
from accounts.roles import Role
from core.calendar import london_date
from core.home import BUSINESS_SUPPORT, FINANCE_CONTACT, OFFICER, HomeItem, home_section

from .models import Charge, ChargeKind, ChargeStatus, Invoice, InvoiceLine
from .selectors.charges import charges_visible_to
from .selectors.invoices import invoices_visible_to
from .selectors.statements import statement_organisation_id


@home_section(OFFICER)
def officer_charges(user, now):
    if not holds(user, Role.OFFICER) or not user.has_perm("charging.decide_charge"):
        return None
    counts = charges_visible_to(user=user).filter(status=ChargeStatus.PENDING).aggregate(
        late=Count("pk", filter=Q(kind=ChargeKind.LATE_CANCELLATION)),
        other=Count("pk", filter=~Q(kind=ChargeKind.LATE_CANCELLATION)))
    queue = reverse("charging:charge-list") + "?tab=pending"
    return [
        HomeItem(url=f"{queue}&kind={ChargeKind.LATE_CANCELLATION}", count=counts["late"],
                 singular="late cancellation waiting for a decision on its charge",
                 plural="late cancellations waiting for a decision on their charges", order=10),
        HomeItem(url=queue, count=counts["other"],
                 singular="other charge waiting for a decision (did not attend, arrived late)",
                 plural="other charges waiting for a decision (did not attend, arrived late)",
                 order=11),
    ]


@home_section(BUSINESS_SUPPORT)
def business_invoices(user, now):
    if not holds(user, Role.BUSINESS_SUPPORT):
        return None
    today = london_date(now)
    items = []
    if user.has_perm("charging.issue_invoice"):
        invoiced = InvoiceLine.objects.filter(charge=OuterRef("pk"))
        to_issue = (Charge.objects.filter(status=ChargeStatus.APPLIED).filter(~Exists(invoiced))
                    .count())
        items.append(HomeItem(url=reverse("charging:invoice-batch"), count=to_issue,
                              singular="charge to invoice (applied, not invoiced yet)",
                              plural="charges to invoice (applied, not invoiced yet)", order=20))
    if user.has_perm("charging.view_invoice"):
        overdue = invoices_visible_to(user=user).filter(settled_at__isnull=True,
                                                        due_on__lt=today).count()
        items.append(HomeItem(url=reverse("charging:payment-outstanding") + "?show=overdue",
                              count=overdue, singular="invoice past its due date, not paid",
                              plural="invoices past their due date, not paid", order=30))
    return items


@home_section(FINANCE_CONTACT)
def finance_account(user, now):
    if not holds(user, Role.FINANCE_CONTACT):
        return None
    organisation_id = statement_organisation_id(user=user)
    if organisation_id is None:
        return []
    counts = Invoice.objects.filter(organisation_id=organisation_id,
                                    settled_at__isnull=True).aggregate(
        unpaid=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=london_date(now))))
    statement = reverse("charging:statement")
    return [
        HomeItem(url=statement, count=counts["overdue"],
                 singular="invoice past its due date", plural="invoices past their due date",
                 order=10),
        HomeItem(url=statement, count=counts["unpaid"], singular="unpaid invoice",
                 plural="unpaid invoices", order=20),
    ]
