from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def organisation_requests_remind():
    return services.organisation_requests_remind(now=timezone.now())

