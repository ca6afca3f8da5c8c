from .models import AuditEntry


def audit_entries(*, action=""):
    qs = AuditEntry.objects.select_related("target_type").order_by("-at", "-id")
    if action:
        qs = qs.filter(action__startswith=action)
    return qs
