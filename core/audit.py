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
