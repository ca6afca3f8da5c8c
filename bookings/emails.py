"""The emails of a booking's life (booking-core): built from the database when they are sent,
so a Celery task can carry only ids and strings (bookings.tasks.booking_email_send), and sent
through core.email.email_send with templates/email/bookings/<template>.

The services queue them with `booking_email_queue` inside their transaction: nothing goes
unless the change is committed, and a failed send is retried by the task without touching
the booking again."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.email import email_send
from core.models import Partnership

from .ics import booking_ics_attachment


def site_url():
    return settings.SITE_URL.rstrip("/")


def booking_url(booking):
    return site_url() + reverse("bookings:booking-detail", kwargs={"uid": booking.uid})


def booking_email_queue(*, booking, template, to=None, recipient=None, ics=None,
                        sequence=None, extra=None):
    """Send one email about `booking` after the current transaction commits.

    `recipient` (a user; default the booking's delegate) is whom the email addresses by name
    and, for an invitation, the attendee; `to` overrides the address (a line manager, an
    invited colleague). `ics` is "REQUEST" or "CANCEL" to attach the calendar invitation with
    `sequence` (default: the booking's ics_sequence now). `extra` must be JSON (strings)."""
    from . import tasks

    kwargs = {
        "booking_id": booking.pk,
        "template": template,
        "to": list(to) if to else None,
        "recipient_id": recipient.pk if recipient is not None else None,
        "ics": ics,
        "sequence": booking.ics_sequence if sequence is None else sequence,
        "extra": dict(extra or {}),
    }
    transaction.on_commit(lambda: tasks.booking_email_send.delay(**kwargs))


def booking_email_send(*, booking_id, template, to=None, recipient_id=None, ics=None,
                       sequence=0, extra=None):
    from accounts.models import User

    from .models import Booking

    booking = (Booking.objects.select_related("event", "event__course", "event__venue",
                                              "delegate", "organisation")
               .get(pk=booking_id))
    recipient = User.objects.get(pk=recipient_id) if recipient_id else booking.delegate
    partnership = Partnership.load()
    event = booking.event
    attachments = []
    if ics:
        attachments.append(booking_ics_attachment(
            booking, partnership=partnership, site_url=site_url(), method=ics,
            sequence=sequence, stamp=timezone.now(), attendee=recipient))
    context = {
        "booking": booking,
        "event": event,
        "course": event.course,
        "delegate": booking.delegate,
        "recipient": recipient,
        "booking_url": booking_url(booking),
        "event_url": site_url() + reverse("courses:event-detail", kwargs={"pk": event.pk}),
        "notice_working_days": partnership.notice_working_days,
        "offer_hours": partnership.waiting_list_offer_hours,
        "line_manager_link_days": partnership.line_manager_link_days,
        "substitution_link_days": partnership.substitution_link_days,
        **(extra or {}),
    }
    return email_send(to=to or [recipient.email], template=f"bookings/{template}",
                      context=context, attachments=attachments)
