"""Charging (DOMAIN.md, DSPP charging policy): a charge per booking at most, each explaining
itself; invoices numbered without gaps and never edited or deleted once issued; credit notes
that reverse them; payments; the overdue block."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def money(verbose_name="amount", **kwargs):
    return models.DecimalField(verbose_name, max_digits=10, decimal_places=2, **kwargs)


class ChargeKind(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance"
    LATE_CANCELLATION = "late_cancellation", "Late cancellation"
    NO_SHOW = "no_show", "Did not attend"
    NOT_ADMITTED = "not_admitted", "Not admitted (arrived late)"


class ChargeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPLIED = "applied", "Charge applies"
    WAIVED = "waived", "Waived"


class WaiverReason(models.TextChoices):
    SERVICE_USERS = "service_users", "Reasons relating to service users"
    ILLNESS = "illness", "Illness"
    INDIVIDUAL = "individual", "Individual circumstances"
    OTHER = "other", "Other"


class Charge(models.Model):
    """Money an organisation owes for one booking, with its reason in words (from
    charging.policies at the time), and the officer's decision where one is needed."""

    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT,
                                   related_name="charge")
    # The organisation at the time of booking pays (DOMAIN.md), with its sector then.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="charges")
    sector = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=ChargeKind.choices)
    amount = money()
    reason = models.CharField(max_length=300, help_text="The charge in words, from the policy.")
    status = models.CharField(max_length=10, choices=ChargeStatus.choices, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    waiver_reason = models.CharField(max_length=20, choices=WaiverReason.choices, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="charge_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="waived") | ~models.Q(waiver_reason=""),
                name="waived_charge_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]
        permissions = [("decide_charge", "Can apply or waive charges")]

    def __str__(self):
        return f"{self.get_kind_display()} £{self.amount} ({self.get_status_display()})"


class DocumentCounter(models.Model):
    """The last number used per prefix ("DSPP-2026", "DSPP-CN-2026"), locked FOR UPDATE in the
    transaction that creates the document: a rollback burns no number (pretix)."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}: {self.last}"


class ImmutableDocument(models.Model):
    """Issued documents are never edited or deleted (corrections are credit notes). Only the
    bookkeeping fields named in MUTABLE_FIELDS may change, through save(update_fields=...)."""

    MUTABLE_FIELDS = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise ValidationError(f"An issued {self._meta.verbose_name} cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"An issued {self._meta.verbose_name} cannot be deleted.")


class InvoiceBatch(models.Model):
    """One run of invoicing: every organisation's applied, uninvoiced charges up to a date.
    A scheduled run has scheduled_for set (unique), so beat running twice invoices once."""

    run_at = models.DateTimeField(default=timezone.now)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    charges_up_to = models.DateField(help_text="Charges created on or before this day.")
    scheduled_for = models.DateField(null=True, blank=True, unique=True)
    invoice_count = models.PositiveIntegerField(default=0)
    total = money("total", default=Decimal("0.00"))

    class Meta:
        ordering = ["-run_at", "-id"]
        verbose_name_plural = "invoice batches"

    def __str__(self):
        return f"Invoice batch {self.run_at:%Y-%m-%d}"


class Invoice(ImmutableDocument):
    MUTABLE_FIELDS = frozenset({"settled_at", "reminded_at"})

    number = models.CharField(max_length=40, unique=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="invoices")
    batch = models.ForeignKey(InvoiceBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="invoices")
    issued_on = models.DateField(db_index=True)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Copied when issued, so the document never changes when the organisation does.
    organisation_name = models.CharField(max_length=200)
    invoice_email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True)
    purchase_order_reference = models.CharField(max_length=100, blank=True)
    partnership_name = models.CharField(max_length=200)
    partnership_address = models.TextField(blank=True)
    partnership_contact = models.CharField(max_length=300, blank=True)
    total = money("total")
    # Bookkeeping: when payments and credits first covered the total (None while owed), and
    # when the last overdue reminder went.
    settled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-number"]
        indexes = [models.Index(fields=["organisation", "settled_at"])]
        permissions = [("issue_invoice", "Can run invoicing and issue credit notes"),
                       ("record_payment", "Can record payments")]

    def __str__(self):
        return self.number


class InvoiceLine(ImmutableDocument):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    # A charge is invoiced once, whatever runs at once: the database refuses a second line.
    charge = models.OneToOneField(Charge, on_delete=models.PROTECT, related_name="invoice_line")
    position = models.PositiveIntegerField(default=0)
    delegate_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=200)
    event_date = models.DateField()
    reason = models.CharField(max_length=300)
    amount = money()

    class Meta:
        ordering = ["invoice", "position", "id"]

    def __str__(self):
        return f"{self.invoice.number}: {self.reason} £{self.amount}"


class CreditNote(ImmutableDocument):
    number = models.CharField(max_length=40, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    issued_on = models.DateField()
    reason = models.TextField()
    total = money("total")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-issued_on", "-number"]

    def __str__(self):
        return self.number


class CreditNoteLine(ImmutableDocument):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT,
                                     related_name="credit_lines")
    amount = money()

    class Meta:
        ordering = ["credit_note", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="credit_line_amount_positive"),
        ]

    def __str__(self):
        return f"{self.credit_note.number}: £{self.amount}"


class PaymentMethod(models.TextChoices):
    BACS = "bacs", "Bank transfer (BACS)"
    CARD = "card", "Card"
    CHEQUE = "cheque", "Cheque"
    JOURNAL = "journal", "Internal journal"
    OTHER = "other", "Other"


class Payment(ImmutableDocument):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField()
    amount = money()
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=100, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"£{self.amount} for {self.invoice.number}"
