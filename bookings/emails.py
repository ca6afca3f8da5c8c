"""The emails of a booking's life (booking-core), from templates/email/bookings/<template>.

The services queue them with `booking_email_queue` inside their transaction; they are
rendered then and delivered from the outbox (core.outbox), which retries a failed send
without touching the booking again."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.models import Partnership

from .ics import booking_ics_attachment


def site_url():
    return settings.SITE_URL.rstrip("/")


def booking_url(booking):
    return site_url() + reverse("bookings:booking-detail", kwargs={"uid": booking.uid})


def booking_email_queue(*, booking, template, to=None, recipient=None, ics=None,
                        sequence=None, extra=None, key="", attachments=()):
    """Queue one email about `booking` in the outbox (core.outbox), inside the current
    transaction: nothing goes unless the change is committed, and once it is, the email is owed
    whatever happens to the broker.

    `recipient` (a user; default the booking's delegate) is whom the email addresses by name
    and, for an invitation, the attendee; `to` overrides the address (a line manager, an
    invited colleague). `ics` is "REQUEST" or "CANCEL" to attach the calendar invitation with
    `sequence` (default: the booking's ics_sequence now). The purpose key
    ``booking:<uid>:<template>:<sequence>[:<key>]`` makes the same email impossible to queue
    twice; `key` tells apart emails of one template that may repeat (a second invitation).
    `attachments` adds more (filename, content, mimetype): a moved place's email carries the
    old booking's calendar cancellation beside the new invitation."""
    from core.outbox import email_queue

    recipient = recipient or booking.delegate
    sequence = booking.ics_sequence if sequence is None else sequence
    partnership = Partnership.load()
    event = booking.event
    attachments = list(attachments)
    if ics:
        attachments.insert(0, booking_ics_attachment(
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
    purpose = f"booking:{booking.uid}:{template}:{sequence}" + (f":{key}" if key else "")
    return email_queue(to=list(to) if to else [recipient.email],
                       template=f"bookings/{template}", context=context, purpose=purpose,
                       attachments=attachments, users=[recipient])
