"""The audit log in words, not codes (issue 12): what each action is called, what each detail
is called, and the words for the codes a detail may hold ("no_show" -> "Did not attend").

One table for the whole site lives here; an app that records an action core does not know
(or a code of its own, such as a booking's status) registers its words:

    from core.audit_words import register_action_words, register_value_words

    register_action_words({"booking.move": "Booking moved to another date"})
    register_value_words(BookingStatus.choices)

An action nobody named is still shown in words ("invoice.write_off" -> "Invoice: write off")."""

import re
from datetime import datetime

from django.utils import timezone

from core import dates

ACTION_WORDS = {
    # Accounts, organisations, roles
    "profile.update": "Profile updated",
    "user.roles_set": "Roles changed",
    "membership.join": "Joined an organisation",
    "membership.change_by_admin": "Organisation changed in the administration",
    "membership_request.create": "Asked to join an organisation",
    "membership_request.approved": "Request to join approved",
    "membership_request.refused": "Request to join refused",
    "membership_request.withdrawn": "Request to join withdrawn",
    "organisation.create": "Organisation added",
    "organisation.domains_update": "Email domains changed",
    "organisation.billing_update": "Billing details changed",
    "organisation_request.create": "Organisation requested",
    "organisation_request.approved": "Organisation request approved",
    "organisation_request.declined": "Organisation request declined",
    # The partnership and the outbox
    "partnership.update": "Partnership settings changed",
    "audit.export": "Audit log downloaded",
    "outbox.resend": "Email sent again",
    # The programme
    "course.create": "Course added",
    "course.update": "Course changed",
    "course.reviewed": "Course content reviewed",
    "event.create": "Event added",
    "event.update": "Event changed",
    "event.duplicate": "Event duplicated",
    "event.cancel": "Event cancelled",
    "event.complete": "Event completed",
    "venue.create": "Venue added",
    "venue.update": "Venue changed",
    "training_pool.add": "Added to a Training Pool",
    "training_pool.remove": "Removed from a Training Pool",
    "completion.e_learning": "E-learning knowledge check passed",
    "completion.refresher_reminder_sent": "Refresher reminder sent",
    "resource.update": "Resource changed",
    "resource.publish": "Resource published",
    "resource.delete": "Resource deleted",
    "newsletter.create": "Newsletter drafted",
    "newsletter.update": "Newsletter changed",
    "newsletter.send": "Newsletter sent",
    "newsletter.sent": "Newsletter sent",
    "newsletter.unsubscribe": "Newsletter unsubscribed",
    # Bookings
    "booking.create": "Place booked",
    "booking.cancel": "Booking cancelled",
    "booking.late_cancel": "Booking cancelled late",
    "booking.cancel_event_cancelled": "Booking cancelled with its event",
    "booking.attendance_mark": "Register marked",
    "booking.reminder_sent": "Reminder sent",
    "booking.line_manager_approve": "Agreed by the line manager",
    "booking.line_manager_decline": "Declined by the line manager",
    "booking.waitlist_join": "Joined the waiting list",
    "booking.waitlist_leave": "Left the waiting list",
    "booking.offer": "Place offered from the waiting list",
    "booking.offer_accept": "Offer accepted",
    "booking.offer_decline": "Offer declined",
    "booking.offer_expire": "Offer expired",
    "booking.offer_passed_over": "Passed over for an offer",
    "booking.substitute": "Place given to a colleague",
    "booking.substitute_invite": "Colleague invited to take the place",
    # Evaluations and certificates
    "evaluation.request_create": "Evaluation requested",
    "evaluation.request_send": "Evaluation request sent",
    "evaluation.request_remind": "Evaluation reminder sent",
    "evaluation.request_remind_by_officer": "Evaluation reminder sent by an officer",
    "evaluation.request_complete": "Evaluation completed",
    "evaluation.request_withdraw": "Evaluation request withdrawn",
    "evaluation.request_reopen": "Evaluation request reopened",
    "evaluation.request_transfer": "Evaluation request passed to a colleague",
    "evaluation.summary_sent": "Facilitator summary sent",
    "evaluations.request_answered": "Evaluation answered",
    "evaluations.questionnaire_version_saved": "Questionnaire saved",
    "evaluations.questionnaire_override_created": "Questionnaire chosen for a course",
    "evaluations.questionnaire_override_removed": "Course questionnaire removed",
    "theme.create": "Theme added",
    "theme.update": "Theme changed",
    "theme.delete": "Theme deleted",
    "theme_tag.confirm": "Theme confirmed on a comment",
    "theme_tag.remove": "Theme removed from a comment",
    "session_comment.add": "Session comment added",
    "session_comment.delete": "Session comment deleted",
    "certificate.issued": "Certificate issued",
    "certificate.issued_by_hand": "Certificate issued by an officer",
    "certificate.revoked": "Certificate revoked",
    # Charging
    "charge.create": "Charge recorded",
    "charge.decide": "Charge decided",
    "charge.withdraw": "Charge withdrawn",
    "charge.redetermine": "Charge worked out again",
    "charge.no_organisation": "No organisation to charge",
    "invoice_batch.run": "Invoicing run",
    "invoice.issued": "Invoice issued",
    "invoice.settled": "Invoice paid in full",
    "invoice.unsettled": "Invoice no longer paid in full",
    "invoice.reminder_send": "Payment reminder sent",
    "credit_note.issued": "Credit note issued",
    "payment.record": "Payment recorded",
}

DETAIL_WORDS = {
    "contacted_team": "Contacted the team",
    "minutes_late": "Minutes late",
    "notice_working_days": "Notice (working days)",
    "was": "Before",
    "status": "Now",
    "outcome": "Outcome",
    "reason": "Reason",
    "line_manager": "Line manager",
    "from_organisation": "From organisation",
    "has_account": "Has an account",
    "roles": "Roles",
    "due_on": "Due on",
    "due_at": "Due",
    "expires": "Offer open until",
    "places_taken": "Places taken",
    "reported_by": "Reported by",
    "joining_link": "Joining link sent",
    "reminder": "Reminder sent",
    "copied_to": "Copied to",
    "pass_mark": "Pass mark",
    "settled_at": "Paid in full on",
    "received_on": "Received on",
    "waiver_reason": "Reason for waiving",
    "changes": "Changes",
    "member_of": "Organisation",
    "is_staff": "Works in the administration",
    "is_superuser": "Site administrator",
    "settled": "Paid in full",
    "amount": "Amount",
    "kind": "Kind of charge",
}

# Codes that stand for words wherever a detail holds them. Apps add their own (their status
# choices, say) with register_value_words.
VALUE_WORDS = {
    "attended": "Attended",
    "late": "Arrived late",
    "not_admitted": "Not admitted (late)",
    "no_show": "Did not attend",
    "officer": "Learning and Development officer",
    "facilitator": "Facilitator (Training Pool)",
    "delegate": "Delegate",
    "business_support": "Business support",
    "lod_member": "LOD Group member",
    "safeguarding_lead": "Organisation safeguarding lead",
    "finance_contact": "Organisation finance contact",
    # A charge's and a request's states (charging and accounts register nothing of their own).
    "pending": "Pending",
    "applied": "Applied",
    "waived": "Waived",
    "approved": "Approved",
    "refused": "Refused",
}


def register_action_words(words):
    """Name actions (a dict of code -> words). A name given here wins over the table above."""
    ACTION_WORDS.update(words)


def register_value_words(choices):
    """Name the codes a detail may hold: a dict, or Django choices [(code, label), ...]."""
    VALUE_WORDS.update(dict(choices))


def register_detail_words(words):
    DETAIL_WORDS.update(words)


def _humanise(code):
    return str(code).replace("_", " ").strip()


def action_words(action):
    """ "booking.attendance_mark" -> "Register marked"; an unknown code in words too."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    noun, _, verb = str(action).partition(".")
    return f"{_humanise(noun).capitalize()}: {_humanise(verb)}" if verb else \
        _humanise(noun).capitalize()


def detail_words(key):
    return DETAIL_WORDS.get(key) or _humanise(key).capitalize()


def value_words(value):
    """One value of an entry's details in words: yes or no, a code's words, a list joined."""
    if value is None or value == "":
        return "–"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_words(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{detail_words(k)}: {value_words(v)}" for k, v in value.items())
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            return _date_words(value)
        return VALUE_WORDS.get(value, value)
    return str(value)


# A date or time a service stored as ISO 8601 ("2026-11-10", "2026-11-10T11:00:00+00:00"):
# shown in the one date style like every other date on the site.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")


def _date_words(value):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) == 10:
        return dates.day(moment.date())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return dates.day_and_time(moment)


# A field's name in a change, where it differs from the same key among other details
# ("status" alone is the state now; in a change it is the field that changed).
CHANGE_WORDS = {"status": "Status"}


def change_words(key):
    return CHANGE_WORDS.get(key) or detail_words(key)


def change_rows(changes):
    """{"field": [before, after]} as [(field, before, after)] in words (issue 15: the audit
    log shows each change as "before → after"). Anything else in the slot: no rows."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for key, pair in changes.items():
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            rows.append((change_words(key), value_words(pair[0]), value_words(pair[1])))
    return rows


def details_text(action, details):
    """An entry's details as one line of text (the CSV and spreadsheet download): "Status:
    Booked → Cancelled; Reason: ill"."""
    if not isinstance(details, dict):
        return value_words(details)
    parts = []
    for key, value in details.items():
        if key == "changes" and isinstance(value, dict):
            parts += [f"{field}: {before} → {after}"
                      for field, before, after in change_rows(value)]
        elif ".update" in str(action) and isinstance(value, (list, tuple)) and len(value) == 2:
            parts.append(f"{detail_words(key)}: {value_words(value[0])} → "
                         f"{value_words(value[1])}")
        else:
            parts.append(f"{detail_words(key)}: {value_words(value)}")
    return "; ".join(parts)
