from datetime import date

from django.conf import settings
from django.views.generic import TemplateView

from .models import Partnership

# The statement's own dates (the regulations ask for each). Update them with each review and
# each round of testing; the known issues in the template must be checked at the same time.
STATEMENT_PREPARED = date(2026, 12, 1)
STATEMENT_REVIEWED = date(2026, 12, 1)
SITE_LAST_TESTED = date(2026, 12, 1)
# The partnership's promise for answering a request for another format or a reported problem.
REPLY_WORKING_DAYS = 10


class AccessibilityStatementView(TemplateView):
    """The accessibility statement in the form the Public Sector Bodies Accessibility
    Regulations 2018 expect (GOV.UK's sample statement): who runs the site and what a disabled
    person should be able to do, known issues, contacts, the enforcement procedure, the
    compliance status with each non-compliance, and how the statement was prepared. Its
    contacts and the staff sign-out time are the partnership's settings."""

    template_name = "core/accessibility.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            partnership=Partnership.load(),
            site_url=settings.SITE_URL,
            prepared=STATEMENT_PREPARED,
            reviewed=STATEMENT_REVIEWED,
            tested=SITE_LAST_TESTED,
            reply_working_days=REPLY_WORKING_DAYS,
        )
        return context
