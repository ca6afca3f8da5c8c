from celery import shared_task
from django.utils import timezone

from . import retention


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def retention_sweep():
    """The daily retention sweep (privacy.retention): access needs, inactive accounts, old
    email bodies."""
    return retention.retention_sweep(now=timezone.now()).as_dict()
