from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.views.generic import TemplateView

from core.models import AuditEntry, Partnership

# The day the notice's own words last changed. Bump it with any change to the template.
NOTICE_REVISED = date(2026, 12, 1)

# The settings the notice quotes: who we are, and every period and threshold it states. A
# change to one of them changes the words on the page, so it also changes "Last updated".
NOTICE_SETTINGS = (
    "name", "contact_email", "contact_phone", "address", "website",
    "access_needs_retention_days", "inactive_account_years", "email_body_retention_days",
    "staff_session_idle_minutes", "report_small_count_threshold", "summary_min_responses",
)


def notice_last_updated():
    """The later of the text's revision and the last change to a setting it quotes (the
    settings page audits each change with the changed fields as keys: core.services)."""
    keys = list(NOTICE_SETTINGS)
    changed_at = (
        AuditEntry.objects.filter(action="partnership.update")
        .filter(Q(details__has_any_keys=keys) | Q(details__changes__has_any_keys=keys))
        .order_by("-at").values_list("at", flat=True).first()
    )
    if changed_at is None:
        return NOTICE_REVISED
    return max(NOTICE_REVISED, timezone.localdate(changed_at))


class PrivacyNoticeView(TemplateView):
    """The privacy notice, written for delegates; its periods are the partnership settings,
    read here on every request, so the notice says what the retention sweeps do."""

    template_name = "privacy/notice.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(partnership=Partnership.load(), last_updated=notice_last_updated())
        return context
