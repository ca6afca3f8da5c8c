import pytest

from . import test_access_matrix as tam


def test_matrix_catches_unscoped_selectors(db, monkeypatch):
    from accounts import selectors as acc
    from accounts.models import User
    from bookings import selectors as bk
    from bookings.models import Booking

    monkeypatch.setattr(bk, "booking_visible_to",
                        lambda *, user, uid: Booking.objects.filter(uid=uid).first())
    monkeypatch.setattr(acc, "staff_of_organisation",
                        lambda *, user: User.objects.order_by("pk"))
    with pytest.raises(AssertionError) as failed:
        tam.test_access_matrix()
    text = str(failed.value)
    print(text[:3000])
    assert "[bookings:booking-detail] as delegate: expected 404, got 200" in text
    assert "[accounts:organisation-staff] as lead_b: should not show owner_email" in text
