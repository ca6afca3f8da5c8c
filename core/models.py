import copy
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def money_field(default, verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=10,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0"))],
    )


def positive(default, verbose_name, help_text=""):
    return models.PositiveIntegerField(
        verbose_name, default=default, help_text=help_text, validators=[MinValueValidator(1)]
    )


class CertificateTrigger(models.TextChoices):
    STAGE_2 = "stage_2", "When the Stage 2 evaluation is completed (DDSCP)"
    STAGE_1 = "stage_1", "When the Stage 1 evaluation is completed"


class Partnership(models.Model):
    """The partnership running the programme, and its policy numbers.

    One deployment serves one partnership, so there is one row (pk=1). Every number a rule
    uses lives here with the seeds' value as its default, so an officer can change it."""

    name = models.CharField(max_length=200, default="Safeguarding Partnership")
    short_name = models.CharField(
        max_length=12, default="SP", help_text="Used in invoice numbers, e.g. DSPP-2026-00042."
    )
    contact_email = models.EmailField(default="training@partnership.example")
    contact_phone = models.CharField(max_length=40, blank=True, default="")
    website = models.URLField(blank=True, default="")
    address = models.TextField(
        blank=True, default="", help_text="Postal address printed on invoices and credit notes."
    )
    logo = models.FileField(
        upload_to="partnership/", blank=True, max_length=200,
        help_text="A PNG or JPEG image shown on the site, invoices and certificates.",
    )

    # Cancellation and arrival (DSPP charging policy)
    notice_working_days = positive(
        5, "working days' notice for a free cancellation",
        "Fewer working days than this before the event is a late cancellation.",
    )
    late_minutes_full_day = positive(30, "minutes late before refusal (full day)")
    late_minutes_half_day = positive(15, "minutes late before refusal (half day or less)")

    # Fees (DSPP charging policy)
    fee_attendance_full_day = money_field("75.00", "attendance fee, full day (private sector)")
    fee_attendance_half_day = money_field("25.00", "attendance fee, half day or less (private sector)")
    fee_late_cancellation_full_day = money_field("100.00", "late cancellation, full day")
    fee_late_cancellation_half_day = money_field("50.00", "late cancellation, half day or less")
    fee_no_show_full_day = money_field("100.00", "no-show without contact, full day")
    fee_no_show_half_day = money_field("50.00", "no-show without contact, half day or less")
    fee_not_admitted_full_day = money_field("100.00", "not admitted (late), full day")
    fee_not_admitted_half_day = money_field("50.00", "not admitted (late), half day or less")
    invoice_overdue_months = positive(
        1, "months after issue before an unpaid invoice blocks bookings"
    )
    invoice_run_day = models.PositiveSmallIntegerField(
        "day of the month invoicing runs", default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Applied charges not yet invoiced are collected into invoices on this day.",
    )
    invoice_payment_days = positive(30, "days after issue that an invoice is due")

    # Capacity (DDSCP: virtual up to thirty, conferences up to 250)
    capacity_virtual = positive(30, "places on a virtual event (default and maximum)")
    capacity_conference = positive(250, "places at a conference (default and maximum)")
    content_review_months = positive(12, "months between reviews of a course's content")

    # Booking
    waiting_list_offer_hours = positive(48, "hours a waiting-list offer stays open")
    joining_link_reminder_days = positive(
        3, "days before a virtual event that the joining link is sent"
    )
    event_reminder_days = positive(
        3, "days before an event that booked delegates are reminded of it"
    )
    line_manager_link_days = positive(
        14, "days a line manager's approval link stays valid"
    )
    substitution_link_days = positive(
        30, "days a colleague's invitation to take over a place stays valid"
    )
    approval_release_working_days = positive(
        2, "working days before the event that a place waiting for approval is released",
        "A place still waiting for the line manager is released when the approval link expires "
        "or this many working days before the event, whichever comes first.",
    )
    event_change_free_cancellation_minutes = positive(
        60, "minutes an event may move before its delegates may cancel free",
        "When an event moves by more than this, or onto another day, each booked delegate may "
        "cancel free whatever the notice.",
    )
    line_manager_approval_required = models.BooleanField(
        "line manager must approve each booking", default=False
    )

    # Evaluation timeline (DDSCP; DSPP uses about 6 weeks for Stage 2)
    summary_report_days_after_event = positive(10, "days after the event for the facilitator summary")
    stage_2_days_after_stage_1 = positive(60, "days after Stage 1 that Stage 2 is requested")
    evaluation_reminder_days = positive(7, "days between reminders for unanswered evaluations")
    evaluation_reminder_max = positive(
        2, "reminders at most for an unanswered evaluation"
    )
    pre_course_reminder_days = positive(
        2, "days before the event that an unanswered pre-course questionnaire is reminded"
    )
    stage_2_copy_line_manager = models.BooleanField(
        "copy the line manager on the Stage 2 request", default=False
    )
    summary_min_responses = positive(
        3, "answers needed before score distributions and comments are shown",
        "Fewer answers than this and facilitators see neither, so no delegate can be identified.",
    )
    certificate_trigger = models.CharField(
        "certificate issued", max_length=10, choices=CertificateTrigger.choices,
        default=CertificateTrigger.STAGE_2,
    )

    # Reports (DDSCP: quarterly to the LOD Group, annual to the Executive Board)
    financial_year_start_month = models.PositiveSmallIntegerField(
        "month the financial year starts", default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Quarters run from this month: 4 is April, so the first quarter is April to June.",
    )
    report_small_count_threshold = models.PositiveSmallIntegerField(
        "smallest count shown in a report", default=3,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text='A count below this in an organisation or small-group table is shown as '
                  '"fewer than 3" (with this number), and totals are adjusted so it cannot be '
                  'worked out by subtraction.',
    )

    # Refreshers (DSPP: every three years)
    refresher_years = positive(3, "years before training falls due again")
    refresher_reminder_days = positive(30, "days before the due date that a reminder is sent")

    # Privacy and sessions (issue 15: UK GDPR storage limitation; the privacy notice quotes these)
    access_needs_retention_days = positive(
        30, "days after an event that the access needs shared for it are deleted",
        "Facilitators need them for the session only. They are deleted the day after this many "
        "days have passed since the event's last day.",
    )
    inactive_account_years = positive(
        6, "years without any activity before a delegate's account is anonymised",
        "Their name, email, job, line manager and access needs are removed; their bookings, "
        "attendance, answers and charges stay as anonymous records.",
    )
    email_body_retention_days = positive(
        365, "days the text of a sent email is kept",
        "After this the email's subject, recipient and status stay in the outbox; its text and "
        "attachments are deleted.",
    )
    staff_session_idle_minutes = positive(
        30, "minutes a staff member can be idle before being signed out",
        "Staff are also signed out when they close the browser. Delegates stay signed in longer.",
    )

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "partnership settings"
        verbose_name_plural = "partnership settings"

    def __str__(self):
        return self.name

    @property
    def logo_version(self):
        """Changes whenever the settings are saved: the logo's address carries it, so a new
        logo shows at once while an unchanged one stays cached (core.views_files)."""
        return int(self.updated_at.timestamp()) if self.updated_at else 0

    def save(self, *args, **kwargs):
        partnership_forget()
        super().save(*args, **kwargs)
        partnership_forget()

    def delete(self, *args, **kwargs):
        partnership_forget()
        return super().delete(*args, **kwargs)

    @classmethod
    def load(cls):
        """The partnership's settings. Read once per request (core.per_request.
        PartnershipPerRequestMiddleware, or `partnership_per_request()` around other work):
        a booking asks for them about seven times. Each call returns its own copy, so a form
        that changes its instance without saving changes nothing anyone else reads; saving or
        deleting the row forgets the request's copy, and the next request reads the row again
        whichever process serves it, so an officer's change is seen at once. A request that
        saves the row reads it afresh from then on (a rolled-back save leaves no copy)."""
        memo = _partnership_memo.get()
        if memo is not None and memo.get("row") is not None:
            return copy.copy(memo["row"])
        obj, _ = cls.objects.get_or_create(pk=1)
        if memo is not None and not memo.get("saved"):
            memo["row"] = copy.copy(obj)
        return obj


# The request's copy of the Partnership row (None outside a request: every load reads it).
_partnership_memo = ContextVar("partnership_memo", default=None)


@contextmanager
def partnership_per_request():
    """Partnership.load() reads the row once inside this block (one request, one task)."""
    token = _partnership_memo.set({})
    try:
        yield
    finally:
        _partnership_memo.reset(token)


def partnership_forget():
    """The row is being saved or deleted: drop this request's copy and keep none until the
    request ends (the change may yet be rolled back)."""
    memo = _partnership_memo.get()
    if memo is not None:
        memo.pop("row", None)
        memo["saved"] = True


class AuditEntryImmutable(Exception):
    """An audit entry was to be changed or deleted: the log is append-only. The one way to
    rewrite entries is the erasure of a person, inside `core.audit.audit_redaction()`."""


def _audit_refuse(what):
    from .audit import audit_redaction_allowed

    if not audit_redaction_allowed():
        raise AuditEntryImmutable(
            f"Audit entries cannot be {what}: the audit log is append-only.")


class AuditEntryQuerySet(models.QuerySet):
    """Refuses .update(), .delete() and bulk_update() (outside audit_redaction()). Django's own
    ON DELETE SET NULL for a deleted user goes through the plain base manager, and the
    database trigger allows exactly that (see migration 0013)."""

    def update(self, **kwargs):
        _audit_refuse("changed")
        return super().update(**kwargs)

    def delete(self):
        _audit_refuse("deleted")
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_update(self, objs, fields, batch_size=None):
        _audit_refuse("changed")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class AuditEntry(models.Model):
    """Who did what to which object, and when. Written by services, never edited: the model,
    its queryset and (on PostgreSQL) a trigger refuse updates and deletes, except for the
    anonymisation of a person inside `core.audit.audit_redaction()`."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    # An officer acting for a delegate (a booking phoned in): "by the officer for the delegate".
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf_of_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _audit_refuse("changed")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _audit_refuse("deleted")
        return super().delete(*args, **kwargs)


class OutgoingEmail(models.Model):
    """One email owed to one recipient: the transactional outbox (pretix's OutgoingMail).

    Written in the same transaction as the change that causes it, already rendered, so it says
    what was true when it was queued; a commit means an email, whatever happens to the broker
    afterwards. `purpose` names why it is sent (e.g. ``booking:<uid>:confirmed:0``) and is
    unique per recipient, so the same message can never be queued twice. Delivery claims a
    row (status ``sending``, committed) before the SMTP call, so two workers never send it
    twice; a row left in ``sending`` by a worker that died is retried after a timeout."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        RETRY = "retry", "Awaiting retry"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    purpose = models.CharField(max_length=200)
    recipient = models.CharField(max_length=254, help_text="The one address this row goes to.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The person the email is to, when they have an account.",
    )
    template = models.CharField(max_length=120, blank=True)
    from_email = models.CharField(max_length=400)
    reply_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(
        default=list, blank=True,
        help_text='[{"filename", "content", "mimetype", "base64"}]: the .ics invitation, say.',
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outgoing email"
        constraints = [
            # An address in another case is the same mailbox: one email per purpose.
            models.UniqueConstraint(models.F("purpose"), Lower("recipient"),
                                    name="outgoingemail_one_per_purpose_and_recipient"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} to {self.recipient} ({self.get_status_display().lower()})"


class Heartbeat(models.Model):
    """When a periodic sweep last ran (the health page shows the outbox sweep's)."""

    name = models.CharField(max_length=80, unique=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls, name, *, now):
        cls.objects.update_or_create(name=name, defaults={"at": now})
