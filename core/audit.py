import contextlib
import contextvars

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def audit_record(*, actor, action, target=None, details=None, on_behalf_of=None,
                 changes=None):
    """Write one audit entry: `actor` may be None for the system (a scheduled sweep);
    `on_behalf_of` is the delegate an officer acted for (recorded when it is not the actor);
    `changes` is what changed, {"field": [before, after]} (see audit_changes), kept in the
    details under "changes"."""
    if changes:
        details = {**(details or {}), "changes": changes}
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
    """Allow the anonymisation of a person to rewrite the audit entries about them.

    Lifts the model's refusal (this context only) and, on PostgreSQL inside a transaction,
    the trigger's (migration 0013): `ddscp.audit_redaction` is set for this transaction only
    and set off again on the way out, so the rest of the transaction is guarded again.
    Outside a transaction the database still refuses: erasure is done in one."""
    from django.db import DatabaseError, connection

    token = _redaction.set(True)
    database = connection.vendor == "postgresql" and connection.in_atomic_block
    try:
        if database:
            _redaction_setting(connection, "on")
        try:
            yield
        except BaseException:
            if database:
                with contextlib.suppress(DatabaseError):  # an aborted transaction: it rolls back
                    _redaction_setting(connection, "off")
            raise
        if database:
            _redaction_setting(connection, "off")
    finally:
        _redaction.reset(token)


def _redaction_setting(connection, value):
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('ddscp.audit_redaction', %s, true)", [value])


# Before and after (issue 15): an entry for a change records each changed field as
# details["changes"] = {"field": [before, after]}; the audit page shows "before → after".
def audit_changes(before, after):
    """{"field": [before, after]} for each key whose value differs between two dicts of plain
    values (a value that is not text, a number, yes/no or None is written as text)."""
    def plain(value):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    return {key: [plain(before.get(key)), plain(after.get(key))]
            for key in {**before, **after}
            if plain(before.get(key)) != plain(after.get(key))}
