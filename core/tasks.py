from celery import shared_task

from .email import email_send as _email_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_send(*, to, template, context):
    """Send one templated email from a worker (context must be JSON: ids and strings)."""
    _email_send(to=to, template=template, context=context)
