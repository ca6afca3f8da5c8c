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

