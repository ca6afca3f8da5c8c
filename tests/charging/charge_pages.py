"""Who may open the charge pages, and how to build each page's address
(tests/accounts/test_roles.py reads both).

The queue and a charge's page are for L&D officers (who decide) and business support (who
read: charging.view_charge); the charging policy is public. The bookings app's old
late-cancellation addresses send everyone on to the charging pages."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"

CHARGE_PAGES = {
    "charging:charge-list": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "charging:charge-decide": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
}
CHARGE_PUBLIC_PAGES = ["charging:policy"]
# Old names that now redirect (to the page named beside them).
CHARGE_REDIRECTS = {
    "bookings:late-cancellation-list": "charging:charge-list",
    "bookings:late-cancellation-review": "charging:charge-decide",
}


def late_cancellation_charge():
    """A late cancellation and its charge, waiting for the officer's decision."""
    from django.utils import timezone

    from bookings.models import BookingStatus
    from charging.models import Charge
    from tests.factories import BookingFactory

    booking = BookingFactory(status=BookingStatus.LATE_CANCELLED, notice_working_days=2,
                             cancelled_at=timezone.now(), late_cancellation_reason="illness")
    return Charge.objects.create(
        booking=booking, organisation=booking.organisation, sector=booking.organisation.sector,
        kind="late_cancellation", amount="100.00", status="pending",
        reason="Late cancellation: 2 working days' notice, fewer than 5 (full day)")


def charge_page_url(name):
    if name in ("charging:charge-decide", "bookings:late-cancellation-review"):
        return reverse(name, kwargs={"uid": late_cancellation_charge().booking.uid})
    return reverse(name)
