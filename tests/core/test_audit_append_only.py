"""The audit log is append-only (issue 15: "the audit model refuses update and delete"): the
model and its queryset refuse, and so does the database (a PostgreSQL trigger), except for the
erasure of a person inside core.audit.audit_redaction(). Deleting a user still works (their
entries keep the address they were written with), and so does the test suite's flush."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.roles import Role
from core.audit import audit_record, audit_redaction
from core.models import AuditEntry, AuditEntryImmutable
from tests.factories import BookingFactory, UserFactory

postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the trigger is PostgreSQL's")


@pytest.fixture
def entry(make_user):
    officer = make_user(Role.OFFICER, email="olivia@partnership.example")
    return audit_record(actor=officer, action="booking.cancel", target=BookingFactory(),
                        details={"was": "booked"}, changes={"status": ["booked", "cancelled"]})


@pytest.mark.django_db
def test_an_entry_cannot_be_saved_again(entry):
    entry.action = "booking.create"
    with pytest.raises(AuditEntryImmutable, match="append-only"):
        entry.save()
    with pytest.raises(AuditEntryImmutable):
        entry.save(update_fields=["action"])
    assert AuditEntry.objects.get(pk=entry.pk).action == "booking.cancel"


@pytest.mark.django_db
def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AuditEntryImmutable, match="cannot be deleted"):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_queryset_refuses_update_delete_and_bulk_update(entry):
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.all().delete()
    entry.target_label = "changed"
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.bulk_update([entry], ["target_label"])
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert fresh.action == "booking.cancel" and fresh.target_label != "changed"


@pytest.mark.django_db
def test_new_entries_are_still_written_one_by_one_and_in_bulk(make_user):
    from core.audit import audit_entry

    officer = make_user(Role.OFFICER)
    audit_record(actor=officer, action="course.create")
    AuditEntry.objects.bulk_create([audit_entry(actor=None, action="booking.offer_expire"),
                                    audit_entry(actor=None, action="booking.offer")])
    assert AuditEntry.objects.count() == 3


@postgresql
@pytest.mark.django_db
def test_the_database_refuses_an_update_or_delete_made_around_the_model(entry):
    for sql in ("UPDATE core_auditentry SET action = 'x' WHERE id = %s",
                "UPDATE core_auditentry SET details = '{}'::jsonb WHERE id = %s",
                "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert fresh.action == "booking.cancel" and fresh.details["changes"]


@postgresql
@pytest.mark.django_db
def test_the_database_refuses_changing_who_acted_to_someone_else(entry):
    other = UserFactory()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET actor_id = %s WHERE id = %s",
                           [other.pk, entry.pk])


@pytest.mark.django_db
def test_anonymisation_may_rewrite_entries_inside_audit_redaction(entry):
    with transaction.atomic(), audit_redaction():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="anonymised",
                                                      target_label="anonymised")
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert fresh.actor_label == "anonymised" and fresh.target_label == "anonymised"
    # The switch is off again as soon as the block ends, in the model and in the database.
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="again")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE core_auditentry SET actor_label = 'x' WHERE id = %s",
                               [entry.pk])


@pytest.mark.django_db
def test_deleting_a_user_keeps_their_entries_with_the_address_written_then(entry):
    officer = entry.actor
    officer.delete()  # ON DELETE SET NULL: an UPDATE the trigger allows (links emptied only)
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert fresh.actor is None
    assert fresh.actor_label == "olivia@partnership.example"
    assert fresh.details["changes"] == {"status": ["booked", "cancelled"]}


@postgresql
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_database_still_refuses_redaction(make_user):
    """audit_redaction() lifts the database's refusal only for the transaction it is in: an
    anonymisation must run in one (privacy.anonymise does)."""
    entry = audit_record(actor=make_user(Role.OFFICER), action="course.create")
    with pytest.raises(DatabaseError, match="append-only"), audit_redaction():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="anonymised")
    # And the test database is still flushed afterwards (TRUNCATE is not a row DELETE).
