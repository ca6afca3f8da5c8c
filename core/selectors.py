from .models import AuditEntry


def audit_entries(*, action="", person="", object_type=None, object="", date_from=None,
                  date_to=None):
    """The audit log, newest first. `person`: each word in the name or email of whoever acted
    or whom they acted for; `object`: part of the record's name; dates: London days."""
    from django.db.models import Q

    qs = (AuditEntry.objects.select_related("target_type", "actor", "on_behalf_of")
          .order_by("-at", "-id"))
    if action:
        qs = qs.filter(action__startswith=action)
    for word in person.split()[:6]:
        qs = qs.filter(
            Q(actor_label__icontains=word) | Q(actor__first_name__icontains=word)
            | Q(actor__last_name__icontains=word) | Q(on_behalf_of_label__icontains=word)
            | Q(on_behalf_of__first_name__icontains=word)
            | Q(on_behalf_of__last_name__icontains=word))
    if object_type:
        qs = qs.filter(target_type_id=object_type)
    if object:
        qs = qs.filter(target_label__icontains=object)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
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
