"""Gapless document numbers (DOMAIN.md: invoices "numbered without gaps per partnership").

One DocumentCounter row per prefix ("DSPP-2026" for invoices, "DSPP-CN-2026" for credit
notes) holds the last number used. It is locked FOR UPDATE and advanced inside the
transaction that creates the document, so two transactions never take the same number and a
rollback gives its number back (pretix). Never a database sequence (a rollback leaves a gap)
and never a count of rows."""

from django.db import transaction
from django.utils import timezone

from .models import DocumentCounter

DIGITS = 5


def invoice_prefix(*, short_name, issued_on):
    return f"{short_name}-{issued_on.year}"


def credit_note_prefix(*, short_name, issued_on):
    return f"{short_name}-CN-{issued_on.year}"


def number_take(*, prefix):
    """The next number for `prefix`, formatted "<prefix>-00042". Call it inside the
    transaction that creates the document: the counter row stays locked until that
    transaction ends, and a rollback returns the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_take() must run inside the transaction that creates "
                           "the document, or a failure would burn its number.")
    counter = DocumentCounter.objects.select_for_update().filter(prefix=prefix).first()
    if counter is None:
        # The first document of a year: create the row without racing another transaction
        # doing the same (INSERT ... ON CONFLICT DO NOTHING waits for the other's outcome),
        # then lock whichever row exists.
        DocumentCounter.objects.bulk_create([DocumentCounter(prefix=prefix, last=0)],
                                            ignore_conflicts=True)
        counter = DocumentCounter.objects.select_for_update().get(prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:0{DIGITS}d}"


def issue_date(now):
    """The issue date of a document made at `now`: the day in London (settings.TIME_ZONE)."""
    return timezone.localdate(now)


def invoice_number_take(*, partnership, issued_on):
    """`<short_name>-<year>-<00042>`, the year being the issue date's."""
    return number_take(prefix=invoice_prefix(short_name=partnership.short_name,
                                              issued_on=issued_on))


def credit_note_number_take(*, partnership, issued_on):
    """`<short_name>-CN-<year>-<00001>`."""
    return number_take(prefix=credit_note_prefix(short_name=partnership.short_name,
                                                  issued_on=issued_on))
