"""Celery tasks of core: the outbox's nudge and its beat sweep. Both are safe to run at any
time, twice, or in several workers at once: a row is claimed under a lock before it is sent."""

from celery import shared_task

from . import outbox


@shared_task
def outbox_deliver(ids=None):
    """Nudge after a commit: send these new rows now (the sweep sends them anyway)."""
    delivery = outbox.outbox_deliver(ids=ids)
    return {"sent": delivery.sent, "retrying": delivery.retrying, "failed": delivery.failed}


@shared_task
def outbox_sweep():
    """Beat, every minute: release rows stuck mid-send and send a batch of due rows; while more
    are due, queue another batch, so no task runs long (the broker's visibility timeout)."""
    delivery, more = outbox.outbox_sweep()
    if more:
        outbox.outbox_nudge(ids=None)
    return {"sent": delivery.sent, "retrying": delivery.retrying, "failed": delivery.failed,
            "more": more}



# Tasks of the release before the outbox ----------------------------------------------------------
# At an upgrade Redis may still hold tasks the old code queued; a worker that does not know a
# task's name discards it, and the email with it. Each old name queues its email in the outbox
# instead. Remove them one release after the outbox.


@shared_task(name="core.tasks.email_send")
def email_send(*, to, template, context, **_ignored):
    """Old: one templated email. The purpose is a digest of the message, so a retry queues
    nothing twice."""
    import hashlib
    import json

    from django.db import transaction

    digest = hashlib.sha256(json.dumps([sorted(to), template, context], sort_keys=True,
                                       default=str).encode()).hexdigest()[:32]
    with transaction.atomic():
        rows = outbox.email_queue(to=to, template=template, context=context,
                                  purpose=f"legacy:{template}:{digest}")
    return len(rows)
