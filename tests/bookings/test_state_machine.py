"""The booking rules as a state machine (hypothesis): a few delegates book, cancel, join and
leave the waiting list, accept, decline and let offers expire, and hand places to each other,
in any order, on an event of 2 or 3 places. After every step:

- the places held (booked, offered, waiting for approval) never exceed the capacity;
- Event.places_taken equals the number of bookings holding a place;
- a free place never sits unused while someone waits (it is offered on at once);
- the waiting list is first come, first served: nobody still waiting joined before someone
  who has been offered a place;
- no delegate holds two active bookings on the event.

Each step's outcome is also checked against what the rules say it should be."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from bookings import services
from bookings.models import ACTIVE, COUNTED, Booking, BookingStatus
from core.exceptions import DomainError
from courses.models import Event
from tests.factories import EventFactory, OrganisationFactory, UserFactory

DELEGATES = 5
who = st.integers(min_value=0, max_value=DELEGATES - 1)


class BookingMachine(RuleBasedStateMachine):
    delegates = []  # set by the test: created once, shared by every example

    @initialize(capacity=st.integers(min_value=2, max_value=3))
    def new_event(self, capacity):
        # Reset the rows of the previous example: a fresh event and no bookings.
        Booking.objects.all().delete()
        self.now = timezone.now()
        self.event = EventFactory(start=self.now + timedelta(days=90), capacity=capacity)

    # Helpers -----------------------------------------------------------------------------

    def bookings(self):
        return Booking.objects.filter(event=self.event)

    def active(self, i):
        return self.bookings().filter(delegate=self.delegates[i], status__in=ACTIVE).first()

    def free_places(self):
        event = Event.objects.get(pk=self.event.pk)
        return event.capacity - event.places_taken

    def tick(self):
        self.now += timedelta(minutes=1)
        return self.now

    def holders_of(self, status):
        """Indexes of the delegates whose active booking is in `status`."""
        ids = set(self.bookings().filter(status=status).values_list("delegate_id", flat=True))
        return [i for i, d in enumerate(self.delegates) if d.pk in ids]

    def pick(self, data, status):
        """One of the delegates in `status` (the step does nothing if there is none), so that
        most steps act rather than find nothing to do."""
        candidates = self.holders_of(status)
        return data.draw(st.sampled_from(candidates)) if candidates else None

    # Rules --------------------------------------------------------------------------------

    @rule(data=st.data())
    def someone_new_books_or_joins_the_waiting_list(self, data):
        """What the event page offers a delegate without a booking: a place, or the waiting
        list when the event is full."""
        ids = set(self.bookings().filter(status__in=ACTIVE).values_list("delegate_id", flat=True))
        free = [i for i, d in enumerate(self.delegates) if d.pk not in ids]
        if not free:
            return
        self.book(data.draw(st.sampled_from(free)))

    @rule(i=who)
    def book(self, i):
        """Anyone presses the button, whether or not they already have a booking."""
        expected = self.active(i) is None and self.free_places() > 0
        try:
            booking = services.booking_create(event=self.event, delegate=self.delegates[i],
                                              now=self.tick())
        except services.EventFull:
            assert not expected and self.free_places() == 0
            booking = services.waitlist_join(event=self.event, delegate=self.delegates[i],
                                             now=self.tick())
            assert booking.status == BookingStatus.WAITLISTED
        except DomainError:
            assert not expected and self.active(i) is not None
        else:
            assert expected and booking.status == BookingStatus.BOOKED

    @rule(data=st.data())
    def cancel(self, data):
        if (i := self.pick(data, BookingStatus.BOOKED)) is None:
            return
        booking = self.active(i)
        services.booking_cancel(booking=booking, by=self.delegates[i], now=self.tick())
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED

    @rule(data=st.data())
    def leave(self, data):
        if (i := self.pick(data, BookingStatus.WAITLISTED)) is None:
            return
        services.waitlist_leave(booking=self.active(i), by=self.delegates[i], now=self.tick())

    @rule(data=st.data())
    def accept(self, data):
        if (i := self.pick(data, BookingStatus.OFFERED)) is None:
            return
        booking, now = self.active(i), self.tick()
        try:
            services.offer_accept(booking=booking, by=self.delegates[i], now=now)
        except DomainError:
            assert booking.offer_expires_at <= now  # only an expired offer is refused
        else:
            assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED

    @rule(data=st.data())
    def decline(self, data):
        if (i := self.pick(data, BookingStatus.OFFERED)) is None:
            return
        services.offer_decline(booking=self.active(i), by=self.delegates[i], now=self.tick())

    @rule(hours=st.integers(min_value=1, max_value=60))
    def time_passes_and_offers_expire(self, hours):
        self.now += timedelta(hours=hours)
        due = self.bookings().filter(status=BookingStatus.OFFERED,
                                     offer_expires_at__lte=self.now).count()
        assert services.offers_expire(now=self.now) == due

    @rule(data=st.data(), j=who)
    def substitute(self, data, j):
        if (i := self.pick(data, BookingStatus.BOOKED)) is None:
            return
        free_before = self.free_places()
        expected = i != j and self.active(j) is None
        try:
            offer = services.booking_substitute(booking=self.active(i), by=self.delegates[i],
                                                to_email=self.delegates[j].email, now=self.tick())
            # The place moves when the colleague accepts (issue 12).
            services.substitution_accept(substitution=offer, user=self.delegates[j],
                                         now=self.tick())
        except DomainError:
            assert not expected
        else:
            assert expected
            assert self.active(j) is not None and self.active(i) is None
        assert self.free_places() == free_before  # a substitution frees no place

    # Invariants ---------------------------------------------------------------------------

    @invariant()
    def places_are_counted_and_never_exceeded(self):
        event = Event.objects.get(pk=self.event.pk)
        holding = self.bookings().filter(status__in=COUNTED).count()
        assert event.places_taken == holding
        assert holding <= event.capacity

    @invariant()
    def no_free_place_while_someone_waits(self):
        if self.free_places() > 0:
            assert not self.bookings().filter(status=BookingStatus.WAITLISTED).exists()

    @invariant()
    def waiting_list_is_first_come_first_served(self):
        offered = self.bookings().filter(offered_at__isnull=False)
        waiting = self.bookings().filter(status=BookingStatus.WAITLISTED)
        if offered.exists() and waiting.exists():
            last_offered = max((b.waitlisted_at, b.pk) for b in offered)
            first_waiting = min((b.waitlisted_at, b.pk) for b in waiting)
            assert last_offered < first_waiting

    @invariant()
    def one_active_booking_per_delegate(self):
        people = list(self.bookings().filter(status__in=ACTIVE)
                      .values_list("delegate_id", flat=True))
        assert len(people) == len(set(people))


@pytest.mark.django_db
def test_booking_rules_hold_whatever_the_order_of_actions():
    organisation = OrganisationFactory(name="Dudley Metropolitan Borough Council")
    BookingMachine.delegates = [UserFactory(organisation=organisation) for _ in range(DELEGATES)]
    run_state_machine_as_test(BookingMachine, settings=settings(
        max_examples=30, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
