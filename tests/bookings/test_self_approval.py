"""Decision 4 (issue 12): a delegate cannot approve their own booking, whether they open the
approval link signed in, or the address asked is one of their own."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from bookings import policies, services
from bookings.models import Booking, BookingStatus
from core.exceptions import DomainError
from core.models import Partnership
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _words(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def pending(django_capture_on_commit_callbacks):
    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    delegate = UserFactory(line_manager_email="morgan.manager@council.example")
    with django_capture_on_commit_callbacks(execute=True):
        return services.booking_create(event=EventFactory(), delegate=delegate,
                                       now=timezone.now())


def _url(booking):
    token = policies.signed_link_make(value=str(booking.uid), salt=policies.LINE_MANAGER_SALT)
    return reverse("bookings:line-manager-approval", kwargs={"token": token})


def test_the_delegate_signed_in_on_the_link_cannot_agree(client, pending):
    client.force_login(pending.delegate)
    url = _url(pending)
    page = _words(client.get(url))
    assert "only your line manager can agree to it" in page
    assert "Agree to this booking" not in page

    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 200
    assert "only your line manager can agree to it" in _words(response)
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.PENDING_APPROVAL


def test_the_service_refuses_the_delegate(pending):
    with pytest.raises(DomainError, match="your own booking"):
        services.line_manager_decide(booking=pending, approve=True, now=timezone.now(),
                                     by=pending.delegate)
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.PENDING_APPROVAL


def test_an_address_of_the_delegate_own_cannot_agree_even_signed_out(client, pending):
    """The delegate added the address asked to their account after booking."""
    EmailAddress.objects.create(user=pending.delegate, email="Morgan.Manager@council.example",
                                verified=True, primary=False)
    response = client.post(_url(pending), {"decision": "approve"})
    assert response.status_code == 200
    assert "one of the delegate's own" in _words(response)
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.PENDING_APPROVAL


def test_the_line_manager_signed_in_with_their_own_account_can_agree(client, pending):
    manager = UserFactory(email="morgan.manager@council.example")
    client.force_login(manager)
    response = client.post(_url(pending), {"decision": "approve"})
    assert response.status_code == 302
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.BOOKED
