"""Celery tasks of the newsletter: each loads by id and calls one service."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import selectors, services
from .models import Newsletter


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600,
             max_retries=8)
def newsletter_send_batch(self, newsletter_id):
    """Send the next batch of a newsletter (NEWSLETTER_BATCH_SIZE emails), then queue the next
    one while any remain. SMTP and network errors (OSError) retry with backoff; what was sent
    before the error stays recorded, so a retry sends nobody twice."""
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    if newsletter is None:
        return None
    batch = services.newsletter_send_batch(
        newsletter=newsletter, batch_size=settings.NEWSLETTER_BATCH_SIZE, now=timezone.now())
    if batch.more:
        # Stay on the queue this batch came from, so a deployment that routes bulk email to
        # its own worker keeps the whole newsletter there.
        queue = (self.request.delivery_info or {}).get("routing_key")
        newsletter_send_batch.apply_async(args=[newsletter_id], queue=queue)
    return {"sent": batch.sent, "remaining": batch.remaining}


@shared_task
def newsletters_sending_resume():
    """Beat sweep: queue a batch for every newsletter still sending (its worker may have
    stopped, or run out of retries). Safe to run at any time: a batch claims each delivery
    under a lock and never sends one already sent."""
    ids = selectors.newsletters_sending_ids()
    for newsletter_id in ids:
        newsletter_send_batch.delay(newsletter_id)
    return len(ids)
