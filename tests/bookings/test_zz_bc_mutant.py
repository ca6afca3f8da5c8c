import pytest
from tests.bookings import test_state_machine as sm

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

@pytest.mark.django_db
def test_mutant_substitution_frees(monkeypatch):
    from bookings import services
    orig = services._place_transfer
    def transfer(**kw):
        orig(**kw); services._place_free(kw["event"]); services.offer_next(event=kw["event"], now=kw["now"])
    monkeypatch.setattr(services, "_place_transfer", transfer)
    with pytest.raises(AssertionError):
        sm.test_booking_rules_hold_whatever_the_order_of_actions()
