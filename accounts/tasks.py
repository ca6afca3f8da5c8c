from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def organisation_requests_remind():
    return services.organisation_requests_remind(now=timezone.now())



@shared_task(name="accounts.tasks.organisation_request_decided_send")
def organisation_request_decided_send(organisation_request_id):
    """A task of the release before the outbox (still in Redis at the upgrade): the email is
    queued in the outbox under the purpose the new code uses, so it goes once."""
    from django.db import transaction

    from .models import OrganisationRequest

    req = (OrganisationRequest.objects.select_related("requested_by", "organisation")
           .filter(pk=organisation_request_id).first())
    if req is None:
        return 0
    with transaction.atomic():
        services.organisation_request_decided_email(organisation_request=req)
    return 1
