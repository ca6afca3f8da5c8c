"""Reads of charges for the decision queue (officers decide; business support reads), scoped
to the user: a booking uid in a URL finds a charge only for someone who may see charges."""

from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.roles import Role, group_name
from core.models import AuditEntry

from ..models import Charge, ChargeStatus, CreditNoteLine

TABS = {
    "pending": ChargeStatus.PENDING,
    "applied": ChargeStatus.APPLIED,
    "waived": ChargeStatus.WAIVED,
}


def charges_visible_to(*, user):
    if not user.is_authenticated or not user.has_perm("charging.view_charge"):
        return Charge.objects.none()
    return Charge.objects.all()


def with_credited(queryset):
    """The charges annotated with `credited`: what credit notes took off the invoice line the
    charge went on (0.00 if none), in the same query. A charge is fully credited when
    `credited` equals its amount (the templates say "Credited", or "Credited £X" if partly)."""
    money = DecimalField(max_digits=12, decimal_places=2)
    credited = (CreditNoteLine.objects.filter(invoice_line__charge=OuterRef("pk"))
                .order_by().values("invoice_line__charge")
                .annotate(s=Sum("amount")).values("s"))
    return queryset.annotate(credited=Coalesce(Subquery(credited, output_field=money),
                                               Value(Decimal("0.00")), output_field=money))


def _with_details(queryset):
    return with_credited(queryset.select_related(
        "booking", "booking__delegate", "booking__event", "booking__event__course",
        "organisation", "decided_by", "invoice_line", "invoice_line__invoice"))


def charges_queue(*, user, tab="pending", search="", kind=""):
    """One tab of the queue: waiting for a decision (oldest first, as they were reviewed
    before), applied or waived (latest first). `search` matches every word against the
    delegate's name or email and the organisation's name."""
    charges = charges_visible_to(user=user).filter(status=TABS.get(tab, ChargeStatus.PENDING))
    if kind:
        charges = charges.filter(kind=kind)
    for word in (search or "").split()[:8]:
        charges = charges.filter(
            Q(booking__delegate__first_name__icontains=word)
            | Q(booking__delegate__last_name__icontains=word)
            | Q(booking__delegate__email__icontains=word)
            | Q(organisation__name__icontains=word))
    order = (["created_at", "id"] if tab == "pending"
             else ["-decided_at", "-created_at", "-id"])
    return _with_details(charges).order_by(*order)


def charge_counts(*, user):
    """{status: number} over every charge the user may see (one query), for the tabs."""
    rows = (charges_visible_to(user=user).order_by().values("status")
            .annotate(n=Count("id")))
    counts = dict.fromkeys(TABS, 0)
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def charge_for_decision(*, user, uid):
    """The charge of the booking `uid`, with what the decision page shows, or None."""
    return _with_details(charges_visible_to(user=user)).filter(booking__uid=uid).first()


def charge_history(*, charge):
    """Who did what to the charge, when: raised, re-determined, each decision (the audit
    log), newest first."""
    return (AuditEntry.objects.filter(target_type__app_label="charging",
                                      target_type__model="charge", target_id=str(charge.pk))
            .select_related("actor").order_by("-at", "-id")[:50])


def finance_contacts_of(*, organisation_id):
    """The people holding the organisation finance contact role in that organisation."""
    if not organisation_id:
        return User.objects.none()
    return (User.objects.filter(organisation_id=organisation_id, is_active=True,
                                groups__name=group_name(Role.FINANCE_CONTACT))
            .exclude(email="").order_by("email").distinct())


def charge_of_booking(*, booking_id):
    """A booking's charge, for the notices on the booking's own page (whoever may see the
    booking may see what it costs their organisation)."""
    return Charge.objects.filter(booking_id=booking_id).first()
