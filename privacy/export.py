"""A person's data, all of it (UK GDPR article 15, the ICO's subject access guidance).

`person_data(user)` gathers every row the database holds about one person, section by
section, as plain JSON values; `export_zip(user)` packs it as data.json, one CSV per section
and a README.txt; `export_fingerprint(user)` is the sha256 of its canonical JSON, which the
deletion of a person compares with the officer's export (pretix's data shredder: nothing is
deleted that changed since it was exported).
"""
import csv
import datetime
import decimal
import hashlib
import io
import json
import re
import uuid
import zipfile

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core import dates
from core.audit import audit_record
from core.audit_words import register_action_words

register_action_words({"personal_data.export": "Personal data exported"})

# Never exported: secrets and credentials, not data about the person.
_SECRET_FIELDS = {"password"}


def _plain(value):
    """A field's value as a JSON value (dates ISO 8601, money as a string)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return str(value)


def _row(obj, *, exclude=(), extra=None):
    """Every concrete field of `obj` (foreign keys as their ids), except `exclude`."""
    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.name in _SECRET_FIELDS:
            continue
        key = field.attname if isinstance(field, models.ForeignKey) else field.name
        row[key] = _plain(getattr(obj, field.attname))
    if extra:
        row.update({k: _plain(v) for k, v in extra.items()})
    return row


def _optional_model(label):
    """A model another part of the site may not have yet (accounts.UserSession,
    privacy.DeletionRequest): None when it is not installed."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _event_words(event):
    return {"course": event.course.title, "event_start": event.start, "event_end": event.end}


def _profile(user):
    extra = {
        "organisation_name": user.organisation.name if user.organisation_id else "",
        "roles": ", ".join(sorted(g.name for g in user.groups.all())),
    }
    return [_row(user, extra=extra)]


def _email_addresses(user):
    from allauth.account.models import EmailAddress

    return [_row(a, exclude={"user"})
            for a in EmailAddress.objects.filter(user=user).order_by("id")]


def _email_confirmations(user):
    from allauth.account.models import EmailConfirmation

    # When a confirmation link was sent, never its key (it confirms the address).
    return [
        {"id": c.pk, "email": c.email_address.email, "created": _plain(c.created),
         "sent": _plain(c.sent)}
        for c in EmailConfirmation.objects.filter(email_address__user=user)
        .select_related("email_address").order_by("id")
    ]


def _authenticators(user):
    from allauth.mfa.models import Authenticator

    # The type and dates only: `data` holds the TOTP secret and recovery codes.
    return [
        {"id": a.pk, "type": a.type, "created_at": _plain(a.created_at),
         "last_used_at": _plain(a.last_used_at)}
        for a in Authenticator.objects.filter(user=user).order_by("id")
    ]


def _sessions(user):
    UserSession = _optional_model("accounts.UserSession")
    if UserSession is None:
        return []
    # Never the session key: it is the credential that signs the person in.
    return [_row(s, exclude={"user", "session_key"})
            for s in UserSession.objects.filter(user=user).order_by("id")]


def _organisation_requests(user):
    from accounts.models import OrganisationRequest

    return [
        _row(r, exclude={"requested_by"},
             extra={"organisation_name": r.organisation.name if r.organisation_id else ""})
        for r in OrganisationRequest.objects.filter(requested_by=user)
        .select_related("organisation").order_by("id")
    ]


def _membership_requests(user):
    from accounts.models import MembershipRequest

    return [
        _row(r, exclude={"user"}, extra={
            "organisation_name": r.organisation.name,
            "from_organisation_name": r.from_organisation.name if r.from_organisation_id else "",
        })
        for r in MembershipRequest.objects.filter(user=user)
        .select_related("organisation", "from_organisation").order_by("id")
    ]


def _bookings(bookings):
    return [
        _row(b, exclude={"delegate"}, extra={
            **_event_words(b.event),
            "organisation_name": b.organisation.name if b.organisation_id else "",
            "moved_to_uid": b.moved_to.uid if b.moved_to_id else None,
        })
        for b in bookings
    ]


def _substitutions(user):
    """Places the person handed to a colleague, or took from one: what happened and when,
    not who the other person was (their name and address are theirs)."""
    from bookings.models import Substitution

    rows = []
    for s in (Substitution.objects.filter(Q(from_delegate=user) | Q(to_delegate=user))
              .select_related("booking__event__course", "replacement").order_by("id")):
        given = s.from_delegate_id == user.pk
        rows.append({
            "id": s.pk,
            "direction": "you offered your place to a colleague" if given
            else "a colleague offered you their place",
            "booking_uid": _plain(s.booking.uid) if given else None,
            "your_booking_uid": _plain(s.booking.uid if given else
                                       (s.replacement.uid if s.replacement_id else None)),
            **{k: _plain(v) for k, v in _event_words(s.booking.event).items()},
            "to_email": s.to_email if not given or s.to_email.lower() == user.email.lower()
            else "(a colleague)",
            "at": _plain(s.at), "accepted_at": _plain(s.accepted_at),
            "withdrawn_at": _plain(s.withdrawn_at), "declined_at": _plain(s.declined_at),
            "on_the_day": s.on_the_day,
        })
    return rows


def _charges(booking_ids):
    from charging.models import Charge

    charges = list(Charge.objects.filter(booking_id__in=booking_ids)
                   .select_related("booking", "organisation").order_by("id"))
    # A waiver is a charge's decision (status "waived", its reason and note): in the same row.
    return charges, [
        _row(c, extra={"booking_uid": c.booking.uid, "organisation_name": c.organisation.name})
        for c in charges
    ]


def _invoice_lines(charge_ids):
    """The lines that name the person, with their invoice's number and dates: never the
    other lines of the organisation's invoice."""
    from charging.models import InvoiceLine

    lines = list(InvoiceLine.objects.filter(charge_id__in=charge_ids)
                 .select_related("invoice").order_by("id"))
    return lines, [
        _row(line, extra={"invoice_number": line.invoice.number,
                          "invoice_issued_on": line.invoice.issued_on,
                          "invoice_due_on": line.invoice.due_on})
        for line in lines
    ]


def _credit_note_lines(line_ids):
    from charging.models import CreditNoteLine

    return [
        _row(c, extra={"credit_note_number": c.credit_note.number,
                       "credit_note_issued_on": c.credit_note.issued_on})
        for c in CreditNoteLine.objects.filter(invoice_line_id__in=line_ids)
        .select_related("credit_note").order_by("id")
    ]


def _evaluation_requests(requests):
    return [_row(r, exclude={"user"}, extra={"course": r.course.title}) for r in requests]


def _responses(responses):
    return [
        _row(r, extra={"questionnaire": r.version.title}) for r in responses
    ]


def _answers(response_ids):
    from evaluations.models import Answer

    return [
        _row(a, extra={"question": a.question.text})
        for a in Answer.objects.filter(response_id__in=response_ids)
        .select_related("question").order_by("response_id", "id")
    ]


def _certificates(user):
    from evaluations.models import Certificate

    return [_row(c, exclude={"user"})
            for c in Certificate.objects.filter(user=user).order_by("id")]


def _completions(user):
    from courses.models import Completion

    return [_row(c, exclude={"user"}, extra={"course": c.course.title})
            for c in Completion.objects.filter(user=user).select_related("course").order_by("id")]


def _knowledge_checks(user):
    from courses.models import KnowledgeCheckAttempt

    return [_row(k, exclude={"user"}, extra={"course": k.course.title})
            for k in KnowledgeCheckAttempt.objects.filter(user=user)
            .select_related("course").order_by("id")]


def _tna_returns(user):
    from reports.models import TnaReturn

    returns = list(TnaReturn.objects.filter(submitted_by=user)
                   .select_related("round", "organisation").order_by("id"))
    return returns, [
        _row(t, exclude={"submitted_by"},
             extra={"round": t.round.title, "organisation_name": t.organisation.name})
        for t in returns
    ]


def _newsletter_deliveries(user):
    from newsletter.models import NewsletterDelivery

    return [_row(d, exclude={"user"}, extra={"newsletter": d.newsletter.subject})
            for d in NewsletterDelivery.objects.filter(user=user)
            .select_related("newsletter").order_by("id")]


def _training_pool(user):
    from courses.models import TrainingPoolMembership

    return [_row(m, exclude={"facilitator"}, extra={"course": m.course.title})
            for m in TrainingPoolMembership.objects.filter(facilitator=user)
            .select_related("course").order_by("id")]


def _events_staffed(events):
    return [{"event_id": e.pk, **{k: _plain(v) for k, v in _event_words(e).items()},
             "status": e.status} for e in events]


def _own_addresses(user):
    """The person's addresses, lower case: the account's and every allauth EmailAddress."""
    from allauth.account.models import EmailAddress

    own = {e.lower() for e in EmailAddress.objects.filter(user=user)
           .values_list("email", flat=True)}
    return own | ({user.email.lower()} if user.email else set())


def _emails(user, own):
    """Emails to the person from the outbox: theirs by account or by any of their addresses
    (`own`, any case). An email the person received is theirs and is given whole, even where
    it mentions someone else (a substitution's email names the colleague)."""
    from core.models import OutgoingEmail

    return [
        {"id": m.pk, "purpose": m.purpose, "recipient": m.recipient, "subject": m.subject,
         "body": m.body_text, "status": m.status, "created_at": _plain(m.created_at),
         "sent_at": _plain(m.sent_at)}
        for m in OutgoingEmail.objects.annotate(recipient_lower=Lower("recipient"))
        .filter(Q(user=user) | Q(recipient_lower__in=sorted(own))).order_by("id")
    ]


ANOTHER_PERSON = "(another person)"
_EMAIL_RE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")


def _redactor(own, names):
    """A function that withholds, in any JSON value (recursively: dicts, lists, the
    "changes" before/after pairs), every email address not in `own` and every one of
    `names` (other people's names), each replaced by ANOTHER_PERSON."""
    name_re = (re.compile(r"\b(?:" + "|".join(re.escape(n) for n in
                                             sorted(names, key=len, reverse=True)) + r")\b",
                          re.IGNORECASE) if names else None)

    def text(value):
        value = _EMAIL_RE.sub(
            lambda m: m.group(0) if m.group(0).lower() in own else ANOTHER_PERSON, value)
        return name_re.sub(ANOTHER_PERSON, value) if name_re else value

    def redact(value):
        if isinstance(value, str):
            return text(value)
        if isinstance(value, dict):
            return {k: redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [redact(v) for v in value]
        return value

    return redact


def _other_people(user, entries):
    """The other people an audit entry may name (its actor, "on behalf of", a person as its
    target, the other party of the person's substitutions): id -> (label, names, staff)."""
    from accounts.roles import MFA_REQUIRED_ROLES, group_name
    from bookings.models import Substitution

    User = get_user_model()
    user_type = ContentType.objects.get_for_model(User)
    ids = set()
    for e in entries:
        ids.update(i for i in (e.actor_id, e.on_behalf_of_id) if i)
        if e.target_type_id == user_type.pk and e.target_id.isdigit():
            ids.add(int(e.target_id))
    for a, b in Substitution.objects.filter(Q(from_delegate=user) | Q(to_delegate=user)) \
            .values_list("from_delegate_id", "to_delegate_id"):
        ids.update(i for i in (a, b) if i)
    ids.discard(user.pk)
    staff_groups = {group_name(r) for r in MFA_REQUIRED_ROLES}
    people = {}
    for other in User.objects.filter(pk__in=ids).prefetch_related("groups"):
        names = {n.strip() for n in (other.get_full_name(), other.first_name, other.last_name)
                 if n and len(n.strip()) > 1}
        staff = other.is_staff or other.is_superuser or any(
            g.name in staff_groups for g in other.groups.all())
        people[other.pk] = (other.email, names, staff)
    return people


def _audit_entries(user, held, own):
    """Entries whose actor or "on behalf of" is the person, or whose target is one of the
    rows exported about them (`held`: model -> ids). An entry of the person's own work on
    someone else's record says what they did and when, not whose record it was. No entry
    names another person: "on behalf of" is kept only when it is the person; an actor who
    is not staff (a colleague in a substitution) is withheld; in the target's label and the
    details (recursively, "changes" too) every email address not the person's (`own`) and
    every other person's name is replaced by ANOTHER_PERSON. Staff who acted on the
    person's records are named, as they acted in their role."""
    from core.models import AuditEntry

    about = Q(on_behalf_of=user)
    about_targets = Q(pk__in=[])
    for model, ids in held.items():
        if ids:
            about_targets |= Q(target_type=ContentType.objects.get_for_model(model),
                               target_id__in=[str(i) for i in ids])
    theirs = {(model, str(i)) for model, ids in held.items() for i in ids}
    entries = list(AuditEntry.objects.filter(Q(actor=user) | about | about_targets)
                   .select_related("target_type").order_by("at", "id"))
    people = _other_people(user, entries)
    redact = _redactor(own, {n for _, names, _ in people.values() for n in names})
    rows = []
    for entry in entries:
        row = _row(entry, exclude={"target_type"},
                   extra={"target_type": entry.target_type.model if entry.target_type_id else ""})
        target_theirs = entry.target_type_id and (
            (entry.target_type.model_class(), entry.target_id) in theirs)
        if not (target_theirs or entry.on_behalf_of_id == user.pk or entry.target_type_id is None):
            row["target_label"] = "(another record)"
            row["details"] = {}
        if entry.on_behalf_of_id != user.pk:
            row["on_behalf_of"], row["on_behalf_of_label"] = None, ""
        actor = people.get(entry.actor_id)
        if actor is not None and not actor[2]:
            row["actor"], row["actor_label"] = None, ANOTHER_PERSON
        row["target_label"] = redact(row["target_label"])
        row["details"] = redact(row["details"])
        rows.append(row)
    return rows


def _deletion_requests(user):
    DeletionRequest = _optional_model("privacy.DeletionRequest")
    if DeletionRequest is None:
        return []
    return [_row(d, exclude={"user"}) for d in DeletionRequest.objects.filter(user=user)
            .order_by("id")]


def person_data(user):
    """Section name -> rows: everything the database holds about `user` (see COVERED)."""
    from bookings.models import Booking
    from courses.models import Event
    from evaluations.models import EvaluationRequest, Response

    user = get_user_model().objects.select_related("organisation").prefetch_related("groups").get(
        pk=user.pk)
    bookings = list(Booking.objects.filter(delegate=user)
                    .select_related("event__course", "organisation", "moved_to").order_by("id"))
    booking_ids = [b.pk for b in bookings]
    charges, charge_rows = _charges(booking_ids)
    lines, line_rows = _invoice_lines([c.pk for c in charges])
    requests = list(EvaluationRequest.objects.filter(Q(user=user) | Q(booking_id__in=booking_ids))
                    .select_related("course").order_by("id"))
    tna_returns, tna_rows = _tna_returns(user)
    responses = list(
        Response.objects.filter(Q(request__in=[r.pk for r in requests])
                                | Q(pk__in=[t.response_id for t in tna_returns]))
        .select_related("version").order_by("id"))
    facilitated = list(Event.objects.filter(facilitators=user).select_related("course")
                       .order_by("start", "id"))
    own = _own_addresses(user)
    supported = list(Event.objects.filter(officer=user).select_related("course")
                     .order_by("start", "id"))
    data = {
        "profile": _profile(user),
        "email_addresses": _email_addresses(user),
        "email_confirmations": _email_confirmations(user),
        "authenticators": _authenticators(user),
        "sessions": _sessions(user),
        "organisation_requests": _organisation_requests(user),
        "membership_requests": _membership_requests(user),
        "bookings": _bookings(bookings),
        "substitutions": _substitutions(user),
        "charges": charge_rows,
        "invoice_lines": line_rows,
        "credit_note_lines": _credit_note_lines([line.pk for line in lines]),
        "evaluation_requests": _evaluation_requests(requests),
        "responses": _responses(responses),
        "answers": _answers([r.pk for r in responses]),
        "certificates": _certificates(user),
        "completions": _completions(user),
        "knowledge_checks": _knowledge_checks(user),
        "tna_returns": tna_rows,
        "newsletter_deliveries": _newsletter_deliveries(user),
        "training_pool": _training_pool(user),
        "events_facilitated": _events_staffed(facilitated),
        "events_supported": _events_staffed(supported),
        "emails": _emails(user, own),
        "deletion_requests": _deletion_requests(user),
    }
    held = {type(user): [user.pk], Booking: booking_ids,
            EvaluationRequest: [r.pk for r in requests]}
    for label, section in _AUDIT_TARGET_SECTIONS.items():
        model = _optional_model(label)
        if model is not None:
            held.setdefault(model, []).extend(row["id"] for row in data[section])
    data["audit_entries"] = _audit_entries(user, held, own)
    return data


# Audit entries about these rows are about the person.
_AUDIT_TARGET_SECTIONS = {
    "charging.Charge": "charges",
    "evaluations.Certificate": "certificates",
    "courses.Completion": "completions",
    "accounts.OrganisationRequest": "organisation_requests",
    "accounts.MembershipRequest": "membership_requests",
    "bookings.Substitution": "substitutions",
    "reports.TnaReturn": "tna_returns",
    "privacy.DeletionRequest": "deletion_requests",
}

# Every relation to the person (model label, field) and the section that exports its rows.
# tests/privacy/test_export_completeness.py fails when a relation is in neither this nor
# NOT_ABOUT_THE_PERSON.
COVERED = {
    ("account.EmailAddress", "user"): "email_addresses",
    ("account.EmailConfirmation", "email_address"): "email_confirmations",
    ("mfa.Authenticator", "user"): "authenticators",
    ("accounts.UserSession", "user"): "sessions",
    ("accounts.OrganisationRequest", "requested_by"): "organisation_requests",
    ("accounts.MembershipRequest", "user"): "membership_requests",
    ("core.OutgoingEmail", "user"): "emails",
    ("core.AuditEntry", "actor"): "audit_entries",
    ("core.AuditEntry", "on_behalf_of"): "audit_entries",
    ("courses.Completion", "user"): "completions",
    ("courses.KnowledgeCheckAttempt", "user"): "knowledge_checks",
    ("courses.TrainingPoolMembership", "facilitator"): "training_pool",
    ("courses.Event", "facilitators"): "events_facilitated",
    ("courses.Event", "officer"): "events_supported",
    ("newsletter.NewsletterDelivery", "user"): "newsletter_deliveries",
    ("bookings.Booking", "delegate"): "bookings",
    ("bookings.Substitution", "from_delegate"): "substitutions",
    ("bookings.Substitution", "to_delegate"): "substitutions",
    ("evaluations.EvaluationRequest", "user"): "evaluation_requests",
    ("evaluations.Certificate", "user"): "certificates",
    ("reports.TnaReturn", "submitted_by"): "tna_returns",
    ("privacy.DeletionRequest", "user"): "deletion_requests",
    # Reached through the person's rows rather than the user.
    ("bookings.Booking", "moved_to"): "bookings",  # the same delegate's other booking
    ("bookings.Substitution", "booking"): "substitutions",
    ("bookings.Substitution", "replacement"): "substitutions",
    ("charging.Charge", "booking"): "charges",
    ("charging.InvoiceLine", "charge"): "invoice_lines",
    ("charging.CreditNoteLine", "invoice_line"): "credit_note_lines",
    ("evaluations.EvaluationRequest", "booking"): "evaluation_requests",
    ("evaluations.EvaluationRequest", "completion"): "evaluation_requests",
    ("evaluations.Certificate", "booking"): "certificates",
    ("evaluations.Certificate", "completion"): "certificates",
    ("evaluations.Response", "request"): "responses",
    ("reports.TnaReturn", "response"): "tna_returns",
    ("evaluations.Answer", "response"): "answers",
}

# Relations to the person that are not about them: the record of a staff member's work on
# someone else's record (or on the site's content). Exporting them would hand over other
# people's data; the person's own actions are in their audit entries (AuditEntry.actor).
NOT_ABOUT_THE_PERSON = {
    # Django admin's change history: what a site administrator changed, with other
    # people's names in object_repr; the audit trail records the same actions (actor).
    ("admin.LogEntry", "user"): "an administrator's edits of other records",
    ("accounts.OrganisationRequest", "decided_by"): "an officer's decision on another's request",
    ("accounts.MembershipRequest", "decided_by"): "an officer's decision on another's request",
    ("newsletter.Newsletter", "created_by"): "a newsletter an officer wrote, about events",
    ("resources.Resource", "published_by"): "a resource an officer published, not about them",
    ("bookings.Booking", "cancelled_by"): "staff who cancelled someone's booking "
                                          "(their own bookings are exported as the delegate's)",
    ("bookings.Booking", "late_cancellation_reviewed_by"): "an officer's review of another's "
                                                           "late cancellation",
    ("bookings.Booking", "approval_recorded_by"): "an officer recording another's approval",
    ("bookings.Booking", "attendance_marked_by"): "the register marked by staff",
    ("bookings.Substitution", "by"): "who recorded a substitution (the delegates are covered)",
    ("evaluations.QuestionnaireVersion", "created_by"): "an officer's questionnaire edits",
    ("evaluations.SessionComment", "added_by"): "a facilitator's note about a session",
    ("evaluations.ThemeTag", "confirmed_by"): "an officer's theme tagging of answers",
    ("evaluations.Certificate", "issued_by"): "an officer issuing another's certificate",
    ("evaluations.Certificate", "revoked_by"): "an officer revoking another's certificate",
    ("charging.Charge", "decided_by"): "an officer's decision on another's charge",
    ("charging.InvoiceBatch", "run_by"): "a finance run for every organisation",
    ("charging.Invoice", "created_by"): "an organisation's invoice (its lines naming the "
                                        "person are exported)",
    ("charging.CreditNote", "created_by"): "an organisation's credit note",
    ("charging.Payment", "recorded_by"): "an organisation's payment",
    ("reports.Report", "requested_by"): "a partnership report a staff member asked for",
    ("reports.Report", "issued_by"): "a partnership report a staff member issued",
    ("reports.TnaRound", "created_by"): "a training needs analysis round an officer opened",
    ("privacy.DeletionRequest", "requested_by"): "who asked (the request is exported by user)",
    ("privacy.DeletionRequest", "exported_by"): "an officer's export of another's data",
    ("privacy.DeletionRequest", "completed_by"): "an officer's deletion of another's data",
    ("evaluations.ThemeTag", "answer"): "an officer's theme for an answer (the answer is "
                                        "exported)",
}


# What each file holds, for README.txt.
SECTION_DESCRIPTIONS = {
    "profile": "Your account: name, email address, job, organisation, line manager, "
               "access needs, preferences and roles (never your password).",
    "email_addresses": "The email addresses on your account and whether each is confirmed.",
    "email_confirmations": "When we sent you links to confirm an email address.",
    "authenticators": "Your two-step sign-in methods: their type and dates (never the codes).",
    "sessions": "When you signed in, for the sessions still open.",
    "organisation_requests": "Your requests to add an organisation to the list.",
    "membership_requests": "Your requests to join or move to an organisation.",
    "bookings": "Every booking: places, waiting lists, offers, approvals, access needs you "
                "gave for the event, attendance and cancellations.",
    "substitutions": "Places handed between you and a colleague.",
    "charges": "Charges for your bookings, and any waiver with its reason.",
    "invoice_lines": "The invoice lines that name you (not the rest of the invoice).",
    "credit_note_lines": "Credits against those lines.",
    "evaluation_requests": "Evaluations you were asked for (pre-course, Stage 1, Stage 2).",
    "responses": "Your completed questionnaires.",
    "answers": "Your answers to each question.",
    "certificates": "Your certificates.",
    "completions": "Your training record: courses completed.",
    "knowledge_checks": "Your e-learning knowledge check attempts.",
    "tna_returns": "Training needs analysis returns you submitted for your organisation.",
    "newsletter_deliveries": "The newsletters sent to you.",
    "training_pool": "The courses you may deliver as a facilitator.",
    "events_facilitated": "Events you facilitate or facilitated.",
    "events_supported": "Events you support as the L&D officer.",
    "emails": "Emails the site sent you: subject, message, dates and status.",
    "audit_entries": "The site's record of actions by you or about you.",
    "deletion_requests": "Your requests to delete your account.",
}


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# Left out of the fingerprint: what changes by the export and the deletion request
# themselves (the export's audit entry, the request's exported_at), by signing in (sessions,
# last_login) and by the outbox's delivery of an email already queued (its status). Every
# change to the person's data proper (a booking, an answer, a charge, a new email) still
# changes the fingerprint.
FINGERPRINT_SKIPS_SECTIONS = {"audit_entries", "sessions", "deletion_requests"}
FINGERPRINT_SKIPS_FIELDS = {"profile": {"last_login"}, "emails": {"status", "sent_at"}}


def export_fingerprint(user, *, data=None):
    """sha256 of the canonical JSON of what is held about `user` (see person_data), so that
    a deletion can be refused when anything changed since the officer's export."""
    data = person_data(user) if data is None else data
    stable = {
        name: [{k: v for k, v in row.items() if k not in FINGERPRINT_SKIPS_FIELDS.get(name, ())}
               for row in rows]
        for name, rows in data.items() if name not in FINGERPRINT_SKIPS_SECTIONS
    }
    return hashlib.sha256(canonical_json(stable).encode()).hexdigest()


def _csv(rows):
    columns = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
            for k, v in row.items()
        })
    return out.getvalue()


def _readme(user, data, now):
    lines = [
        f"The personal data held about {user.get_full_name() or user.email}",
        f"Exported on {dates.day_and_time(now)}.",
        "Dates and times in the files are ISO 8601 (2026-12-08T09:30:00+00:00).",
        "",
        "data.json holds every section below in one file.",
        "Each section is also a CSV file (open it with a spreadsheet):",
        "",
    ]
    for name in data:
        lines.append(f"{name}.csv: {SECTION_DESCRIPTIONS.get(name, name.replace('_', ' '))}")
    return "\n".join(lines) + "\n"


def export_zip(user, *, now=None, data=None):
    """A ZIP holding data.json, one CSV per section and README.txt."""
    now = now or timezone.now()
    data = person_data(user) if data is None else data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(user, data, now))
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for name, rows in data.items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()


def personal_data_export(*, person, by, now):
    """Your data (UK GDPR article 15): the person downloads everything held about them, or an
    officer does for a subject access request. Audited with the one who downloaded it as the
    actor and the person as the target. Returns the ZIP's bytes."""
    with transaction.atomic():
        data = person_data(person)
        audit_record(actor=by, action="personal_data.export", target=person, details={
            "sections": sum(1 for rows in data.values() if rows),
            "rows": sum(len(rows) for rows in data.values()),
        })
    return export_zip(person, now=now, data=data)
