import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class BookingStatus(models.TextChoices):
    """DOMAIN.md: waitlisted -> offered -> booked; booked -> cancelled (in time) or
    late_cancelled; booked -> attended | not_admitted (late arrival) | no_show."""

    WAITLISTED = "waitlisted", "On the waiting list"
    OFFERED = "offered", "Offered a place"
    PENDING_APPROVAL = "pending_approval", "Waiting for line manager approval"
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"
    ATTENDED = "attended", "Attended"
    NOT_ADMITTED = "not_admitted", "Not admitted (late)"
    NO_SHOW = "no_show", "Did not attend"
    LEFT_WAITING_LIST = "left_waiting_list", "Left the waiting list"
    OFFER_DECLINED = "offer_declined", "Offer declined"
    OFFER_EXPIRED = "offer_expired", "Offer expired"
    # With Partnership.line_manager_approval_required: the line manager declined the booking.
    NOT_APPROVED = "not_approved", "Not agreed by the line manager"
    # The line manager's link expired, or the event came too close (approval_release_working_
    # days), before anyone agreed: the place went back to the waiting list.
    APPROVAL_EXPIRED = "approval_expired", "Not agreed in time"
    # A colleague of the same organisation attended instead, recorded on the register on the
    # day (Substitution.on_the_day): no charge; the colleague's own booking is "attended".
    SUBSTITUTED = "substituted", "A colleague attended instead"
    # An officer moved the place to another date of the same course (Booking.moved_to).
    MOVED = "moved", "Moved to another date"


# States that hold one of the event's places (counted in Event.places_taken).
HOLDS_PLACE = (BookingStatus.BOOKED, BookingStatus.PENDING_APPROVAL, BookingStatus.OFFERED)
# States in which the delegate is still "on" the event: one such booking per delegate.
ACTIVE = (*HOLDS_PLACE, BookingStatus.WAITLISTED)
ATTENDANCE = (BookingStatus.ATTENDED, BookingStatus.NOT_ADMITTED, BookingStatus.NO_SHOW)
# Event.places_taken counts these: places held now, and places used once the register is
# marked (so "12 of 30 booked" stays true after the event).
COUNTED = (*HOLDS_PLACE, *ATTENDANCE)


class LateCancellationReason(models.TextChoices):
    """DSPP: "cancellations can only be made for reasons relating to service users or
    illness"; "other" lets a delegate explain, and the L&D officer decides."""

    SERVICE_USERS = "service_users", "Reasons relating to service users"
    ILLNESS = "illness", "Illness"
    OTHER = "other", "Other"


class ReportedBy(models.TextChoices):
    """How a cancellation reached the training team (DSPP: "you must email or telephone")."""

    SITE = "site", "On this site"
    PHONE = "phone", "By telephone"
    EMAIL = "email", "By email"


class Booking(models.Model):
    """One delegate's place (or place in the queue) on one event."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey("courses.Event", on_delete=models.PROTECT, related_name="bookings")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    # The organisation at the time of booking: it pays any charge.
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(max_length=20, choices=BookingStatus.choices, db_index=True)
    access_needs = models.TextField("access needs for this event", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    waitlisted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notice_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    late_cancellation_reason = models.CharField(
        max_length=20, choices=LateCancellationReason.choices, blank=True
    )
    late_cancellation_detail = models.TextField(blank=True)
    late_cancellation_reported_by = models.CharField(
        max_length=10, choices=ReportedBy.choices, blank=True
    )
    late_cancellation_reviewed_at = models.DateTimeField(null=True, blank=True)
    late_cancellation_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late_cancellation_charge_recommended = models.BooleanField(null=True, blank=True)
    late_cancellation_review_note = models.TextField(blank=True)
    # Line manager approval (a partnership setting): a signed link, no account needed.
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    # The line manager's address the approval link was sent to (never one of the delegate's
    # own: accounts.services.profile_update refuses those).
    approval_sent_to = models.EmailField("approval asked of", blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # An officer who booked the place for the delegate after the line manager agreed by
    # telephone (no approval link is sent).
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Moved by an officer to another date of the same course: the new booking.
    moved_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="moved_from"
    )
    # Set when the event moved by more than Partnership.event_change_free_cancellation_minutes
    # or onto another day: the delegate may cancel free whatever the notice. Says what changed.
    free_cancellation_reason = models.CharField(max_length=300, blank=True)
    # Waiting list: "tell me if the date, time or place changes" (booked delegates always are).
    wants_change_emails = models.BooleanField(default=False)
    # Attendance
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    contacted_team = models.BooleanField(null=True, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Idempotent sweeps: each message goes once.
    ics_sequence = models.PositiveIntegerField(default=0)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    joining_link_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "delegate"],
                condition=models.Q(status__in=[s.value for s in ACTIVE]),
                name="one_active_booking_per_delegate_and_event",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            # approvals_expire: the few places waiting for a line manager, by request date.
            models.Index(fields=["approval_requested_at"], name="booking_pending_approval",
                         condition=models.Q(status="pending_approval")),
        ]
        permissions = [
            ("manage_bookings", "Can manage bookings, waiting lists and late cancellations"),
            ("mark_attendance", "Can mark the register"),
        ]

    def __str__(self):
        return f"{self.delegate} – {self.event} ({self.get_status_display()})"


class Substitution(models.Model):
    """A place handed to a colleague of the same organisation before the event: no charge."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="substitutions")
    from_delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_email = models.EmailField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The place moves only when the colleague accepts; until then the delegate keeps it and
    # may withdraw the offer, or the colleague may decline it.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    # Recorded on the register on the day (a facilitator or officer): the colleague attended
    # instead, with their own booking (`replacement`); the original booking is "substituted".
    on_the_day = models.BooleanField(default=False)
    replacement = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced"
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.booking.event}: {self.from_delegate} to {self.to_email}"
