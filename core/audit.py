import contextlib
import contextvars

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def audit_record(*, actor, action, target=None, details=None, on_behalf_of=None):
    """Write one audit entry: `actor` may be None for the system (a scheduled sweep);
    `on_behalf_of` is the delegate an officer acted for (recorded when it is not the actor)."""
    entry = audit_entry(actor=actor, action=action, target=target, details=details,
                        on_behalf_of=on_behalf_of)
    entry.save(force_insert=True)
    return entry


def audit_entry(*, actor, action, target=None, details=None, on_behalf_of=None):
    """The entry audit_record writes, not saved yet: a sweep writes its batch's entries with
    one AuditEntry.objects.bulk_create."""
    if on_behalf_of is not None and getattr(actor, "pk", None) == on_behalf_of.pk:
        on_behalf_of = None
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.email if getattr(actor, "pk", None) else "system"),
        on_behalf_of=on_behalf_of,
        on_behalf_of_label=on_behalf_of.email if on_behalf_of is not None else "",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:254] if target is not None else "",
        details=details or {},
    )


# The audit log is append-only (AuditEntry refuses updates and deletes). The one exception is
# erasure (UK GDPR article 17): anonymising a person replaces their name and email in the
# entries about them, inside `with audit_redaction():` (privacy.anonymise), and nowhere else.
_redaction = contextvars.ContextVar("audit_redaction", default=False)


def audit_redaction_allowed():
    return _redaction.get()


@contextlib.contextmanager
def audit_redaction():
    """Allow the anonymisation of a person to rewrite the audit entries about them."""
    token = _redaction.set(True)
    try:
        yield
    finally:
        _redaction.reset(token)
