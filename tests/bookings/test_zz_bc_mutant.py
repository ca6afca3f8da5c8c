import pytest
from bookings import services
from tests.bookings import test_state_machine as sm

@pytest.mark.django_db
def test_mutant_counter(monkeypatch):
    monkeypatch.setattr(services, "_place_free", lambda event: None)
    with pytest.raises(AssertionError):
        sm.test_booking_rules_hold_whatever_the_order_of_actions.__wrapped__() if hasattr(sm.test_booking_rules_hold_whatever_the_order_of_actions, "__wrapped__") else sm.test_booking_rules_hold_whatever_the_order_of_actions()

@pytest.mark.django_db
def test_mutant_fcfs(monkeypatch):
    from django.db.models.query import QuerySet
    orig = QuerySet.order_by
    def order_by(self, *fields):
        if fields == ("waitlisted_at", "pk"):
            fields = ("-waitlisted_at", "-pk")
        return orig(self, *fields)
    monkeypatch.setattr(QuerySet, "order_by", order_by)
    with pytest.raises(AssertionError):
        sm.test_booking_rules_hold_whatever_the_order_of_actions()
