"""Deletion as anonymisation (UK GDPR art. 17, storage limitation): the person's name, email,
job, line manager and access needs go; their bookings, attendance, answers and charges stay as
rows pointing to the anonymised account, so the reports and the invoices' totals do not
change.

Two passes, in one transaction:
1. what is known to belong to the person, found by its link to them (their row, email
   addresses, authenticators, sessions, access needs on their bookings, their certificates'
   and invoice lines' names, emails to them, audit labels);
2. every other copy of their full name or email address, in any text column of any model
   (`scrub_columns`): an email to a line manager that named them, an officer's note, an admin
   log line. The organisation's own records (its row, its invoices' billing details) and the
   report snapshots (counts, never a name) are left as they are.

Issued invoices keep the organisation's details; the delegate's name on their lines is
replaced by "Anonymised delegate", so a copy printed again names no one (README, Privacy)."""

import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast, Lower

from core.audit import audit_record, audit_redaction
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail

ANONYMISED_NAME = "Anonymised delegate"
ANONYMISED_DOMAIN = "anonymised.invalid"

# Columns the second pass never rewrites: secrets and keys that cannot hold a name, the
# person's own row (the first pass clears it), the organisation's records (an organisation's
# name, address and invoice contact are its own; issued invoices copy them), the report
# snapshots (counts only; tests/reports checks no name is in one) and the rows the first pass
# deletes.
SKIP_MODELS = {
    "sessions.session", "contenttypes.contenttype", "auth.permission", "auth.group",
    "sites.site", "mfa.authenticator", "account.emailconfirmation", "core.partnership",
    "core.heartbeat", "accounts.organisation", "accounts.organisationdomain",
    "charging.documentcounter",
}
SKIP_FIELDS = {
    # Other people's own identity columns are not copies of the person's: never rewritten
    # (the person's own are cleared by the first pass).
    "accounts.user.email", "account.emailaddress.email",
    "accounts.user.password", "core.outgoingemail.claim_token", "core.outgoingemail.purpose",
    "charging.invoice.organisation_name", "charging.invoice.invoice_email",
    "charging.invoice.billing_address", "charging.invoice.purchase_order_reference",
    "charging.invoice.partnership_name", "charging.invoice.partnership_address",
    "charging.invoice.partnership_contact", "reports.report.data",
}
UNSENT = (OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.RETRY)


def anonymised_email(pk):
    """A unique address that is not an address (RFC 2606 reserves .invalid)."""
    return f"anonymised-{pk}@{ANONYMISED_DOMAIN}"


def scrub_columns():
    """(model, [text columns]) for every model of every installed app whose text the second
    pass searches: CharField, TextField, EmailField (not a fixed choice) and JSONField."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in SKIP_MODELS:
            continue
        columns = [
            f for f in meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            and not f.choices and f"{meta.label_lower}.{f.name}" not in SKIP_FIELDS
        ]
        if columns:
            found.append((model, columns))
    return found


def _replace(value, replacements):
    if isinstance(value, str):
        for pattern, new in replacements:
            value = pattern.sub(new, value)
        return value
    if isinstance(value, list):
        return [_replace(v, replacements) for v in value]
    if isinstance(value, dict):
        return {_replace(k, replacements): _replace(v, replacements) for k, v in value.items()}
    return value


# A whole token only: an address is not part of a longer one ("jan.lee@example.org" holds
# "an.lee@example.org"; a trailing full stop ends a sentence), a name not part of a longer
# word ("Joann Leeming" holds "Ann Lee"). Look-arounds both Python's re and PostgreSQL's
# regular expressions (`~*`) understand.
EMAIL_BEFORE, EMAIL_AFTER = r"(?<![\w.+-])", r"(?![\w-]|\.[\w-])"
WORD_BEFORE, WORD_AFTER = r"(?<!\w)", r"(?!\w)"


def token_pattern(needle):
    """The regular expression (source) matching `needle` as a whole token."""
    if "@" in needle:
        return EMAIL_BEFORE + re.escape(needle) + EMAIL_AFTER
    return WORD_BEFORE + re.escape(needle) + WORD_AFTER


def text_scrub(*, needles):
    """Replace each needle (text -> replacement; case ignored; whole tokens only, see
    token_pattern) in every text column of every model (scrub_columns). Returns
    {"app.model.column": rows changed}. Call inside the transaction and `audit_redaction()`
    (the audit log is one of the tables)."""
    needles = {k: v for k, v in needles.items() if k and len(k) >= 3}
    if not needles:
        return {}
    patterns = {k: token_pattern(k) for k in needles}
    replacements = [(re.compile(patterns[k], re.IGNORECASE), v) for k, v in needles.items()]
    changed = {}
    for model, columns in scrub_columns():
        annotations, condition = {}, models.Q()
        for column in columns:
            lookup = column.name
            if isinstance(column, models.JSONField):
                lookup = f"_scrub_{column.name}"
                annotations[lookup] = Cast(column.name, models.TextField())
            for needle in needles:
                condition |= models.Q(**{f"{lookup}__iregex": patterns[needle]})
        manager = model._base_manager
        rows = (manager.annotate(**annotations) if annotations else manager.all())
        for row in rows.filter(condition).only("pk", *[c.name for c in columns]).iterator():
            updates = {}
            for column in columns:
                old = getattr(row, column.attname)
                new = _replace(old, replacements)
                if new != old:
                    updates[column.attname] = new[:column.max_length] if (
                        isinstance(new, str) and column.max_length) else new
                    key = f"{model._meta.label_lower}.{column.name}"
                    changed[key] = changed.get(key, 0) + 1
            if updates:
                # A queryset update: the model's own save() refuses edits to issued documents
                # and audit entries, which erasure alone may rewrite (UK GDPR art. 17).
                model._base_manager.filter(pk=row.pk).update(**updates)
    return changed


def _addresses(person):
    from allauth.account.models import EmailAddress

    found = {person.email.lower()} if person.email else set()
    found.update(e.lower() for e in EmailAddress.objects.filter(user=person)
                 .values_list("email", flat=True))
    return found


def _linked_rows_clear(person, addresses, new_email, *, actor):
    """Pass 1: what belongs to the person, found by its link to them."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from accounts.sessions import user_sessions_end
    from bookings.models import Booking, Substitution
    from charging.models import InvoiceLine
    from evaluations.models import Certificate, EvaluationRequest
    from newsletter.models import NewsletterDelivery

    User = get_user_model()
    EmailAddress.objects.filter(user=person).delete()
    Authenticator.objects.filter(user=person).delete()
    # Every session recorded at sign-in (accounts.UserSession) ends now.
    user_sessions_end(user=person, reason="Account deleted", actor=actor)

    emails = OutgoingEmail.objects.annotate(address=Lower("recipient")).filter(
        models.Q(user=person) | models.Q(address__in=addresses))
    # Not sent yet: never sent now (there is no one to send it to).
    emails.filter(status__in=UNSENT).delete()
    emails.update(recipient=new_email, body_text="", body_html="", attachments=[], headers={})

    Booking.objects.filter(delegate=person).update(
        access_needs="", late_cancellation_detail="", approval_sent_to="")
    Substitution.objects.annotate(address=Lower("to_email")).filter(
        models.Q(to_delegate=person) | models.Q(address__in=addresses)).update(to_email=new_email)
    EvaluationRequest.objects.filter(user=person).update(copied_to="")
    Certificate.objects.filter(user=person).update(delegate_name=ANONYMISED_NAME)
    InvoiceLine.objects.filter(charge__booking__delegate=person).update(
        delegate_name=ANONYMISED_NAME)
    NewsletterDelivery.objects.filter(user=person).update(email=new_email)
    # Colleagues who named the person as their line manager: that link is the person's data;
    # the colleague is asked for a line manager again before their next booking.
    (User.objects.annotate(address=Lower("line_manager_email"))
     .filter(address__in=addresses).exclude(pk=person.pk)
     .update(line_manager_name="", line_manager_email=""))

    user_type = ContentType.objects.get_for_model(User)
    AuditEntry.objects.filter(actor=person).update(actor_label=new_email)
    AuditEntry.objects.filter(on_behalf_of=person).update(on_behalf_of_label=new_email)
    AuditEntry.objects.filter(target_type=user_type, target_id=str(person.pk)).update(
        target_label=ANONYMISED_NAME)


def person_anonymise(person, *, actor, now, reason):
    """Delete a person's details and keep their records true (issue 15: "Deletion and
    retention as anonymisation that keeps the partnership's records true"). Refused, with the
    reasons, while privacy.policies.deletion_refusals gives any (an unpaid charge, a future
    booking, staff roles, already done). One transaction, audited; returns the person."""
    from .models import DeletionRequest
    from .services import person_deletion_refusals

    User = get_user_model()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        refusals = person_deletion_refusals(person=person, now=now)
        if refusals:
            raise DomainError(" ".join(r.reason for r in refusals), code=refusals[0].code)
        addresses = _addresses(person)
        new_email = anonymised_email(person.pk)
        needles = {address: new_email for address in addresses}
        full_name = f"{person.first_name} {person.last_name}".strip()
        if person.first_name.strip() and person.last_name.strip():
            needles[" ".join(full_name.split())] = ANONYMISED_NAME
            needles[full_name] = ANONYMISED_NAME
        with audit_redaction():
            _linked_rows_clear(person, addresses, new_email, actor=actor)
            person.first_name, person.last_name = "Anonymised", "delegate"
            person.email = new_email
            person.job_title = person.line_manager_name = person.line_manager_email = ""
            person.access_needs = ""
            person.newsletter_opt_in = False
            person.is_active = False
            person.set_unusable_password()
            person.anonymised_at = now
            person.save()
            changed = text_scrub(needles=needles)
        DeletionRequest.objects.filter(user=person, status=DeletionRequest.Status.OPEN).update(
            status=DeletionRequest.Status.DONE, completed_at=now,
            completed_by=actor if getattr(actor, "pk", None) else None)
        audit_record(actor=actor, action="person.anonymise", target=person,
                     details={"reason": reason, "copies_replaced": sum(changed.values())})
    return person
