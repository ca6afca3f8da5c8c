from .models import AuditEntry


def audit_entries(*, action=""):
    qs = AuditEntry.objects.select_related("target_type").order_by("-at", "-id")
    if action:
        qs = qs.filter(action__startswith=action)
    return qs


def outgoing_emails(*, status="", purpose="", recipient=""):
    """The outbox for the officers' Emails page, newest first, filtered."""
    from .models import OutgoingEmail

    qs = OutgoingEmail.objects.defer("body_text", "body_html", "attachments").order_by(
        "-created_at", "-id")
    if status in OutgoingEmail.Status.values:
        qs = qs.filter(status=status)
    if purpose:
        qs = qs.filter(purpose__startswith=purpose)
    if recipient:
        qs = qs.filter(recipient__icontains=recipient)
    return qs


def outgoing_email_counts():
    """How many emails are in each status (one query)."""
    from django.db.models import Count

    from .models import OutgoingEmail

    counts = dict(OutgoingEmail.objects.values_list("status").annotate(n=Count("id")))
    return [(value, label, counts.get(value, 0)) for value, label in OutgoingEmail.Status.choices]
