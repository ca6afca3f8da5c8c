"""The audit log is append-only in the database too (issue 15): a PostgreSQL trigger refuses
UPDATE and DELETE on core_auditentry unless the transaction has set
`ddscp.audit_redaction` on (core.audit.audit_redaction(), for the erasure of a person).

One UPDATE is always allowed: the one that only empties links (actor_id, on_behalf_of_id,
target_type_id) and changes nothing else. That is Django's ON DELETE SET NULL when a user (or
a stale content type) is deleted; the entry keeps the email and the record's name it was
written with (actor_label, on_behalf_of_label, target_label), so it still says who and what.
TRUNCATE (the test suite's flush) is not a row operation: the trigger does not see it.

SQLite (`make run`) has no such trigger: the model and its queryset refuse there too."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('ddscp.audit_redaction', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.on_behalf_of_id IS NULL OR NEW.on_behalf_of_id = OLD.on_behalf_of_id)
       AND (NEW.target_type_id IS NULL OR NEW.target_type_id = OLD.target_type_id)
       AND (to_jsonb(NEW) - 'actor_id' - 'on_behalf_of_id' - 'target_type_id')
           = (to_jsonb(OLD) - 'actor_id' - 'on_behalf_of_id' - 'target_type_id')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'Audit entries cannot be %: the audit log is append-only',
        CASE WHEN TG_OP = 'DELETE' THEN 'deleted' ELSE 'changed' END
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A cursor without parameters: the function's RAISE holds a % of its own.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        cursor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0012_privacy_settings_and_logo"),
        # They move entries from one content type to another: before the trigger exists.
        ("resources", "0002_tables_and_content_types"),
        ("newsletter", "0002_tables_and_content_types"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
