from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def organisation_requests_remind():
    return services.organisation_requests_remind(now=timezone.now())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def organisation_request_decided_send(organisation_request_id):
    from .models import OrganisationRequest

    services.organisation_request_decided_email(
        organisation_request=OrganisationRequest.objects.select_related("requested_by",
                                                                        "organisation")
        .get(pk=organisation_request_id))
