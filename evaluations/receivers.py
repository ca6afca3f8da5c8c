"""Signal receivers: the evaluations app answers the bookings and courses apps here (a booking
made, attendance marked, an e-learning knowledge check passed), so they never import it.

The bookings and courses signals used here are sent after commit (the place, the mark or the
completion is saved), except courses' event_cancelled, sent inside the cancelling transaction
so the pre-course questionnaires are withdrawn with it. Each receiver calls one service of
evaluations.services.requests, which has its own transaction."""

from django.dispatch import receiver
from django.utils import timezone

from bookings.signals import attendance_marked, booking_cancelled, booking_confirmed
from courses.signals import elearning_passed, event_cancelled

from .services import requests


@receiver(booking_confirmed, dispatch_uid="evaluations.pre_course_request")
def on_booking_confirmed(sender, booking, **kwargs):
    # The moment of the change itself, not the receiver's clock: the timeline's dates follow
    # the service's `now` (which tests control).
    requests.pre_course_request_for_booking(booking=booking,
                                            now=booking.booked_at or timezone.now())


@receiver(booking_cancelled, dispatch_uid="evaluations.withdraw_on_cancel")
def on_booking_cancelled(sender, booking, **kwargs):
    requests.requests_withdraw_for_booking(booking=booking,
                                           now=booking.cancelled_at or timezone.now(),
                                           reason="the place was cancelled")


@receiver(event_cancelled, dispatch_uid="evaluations.withdraw_on_event_cancelled")
def on_event_cancelled(sender, event, now=None, **kwargs):
    requests.requests_withdraw_for_event(event=event, now=now or timezone.now(),
                                         reason="the event was cancelled")


@receiver(attendance_marked, dispatch_uid="evaluations.stage_1_on_attendance")
def on_attendance_marked(sender, booking, **kwargs):
    requests.attendance_requests_update(booking=booking,
                                        now=booking.attendance_marked_at or timezone.now())


@receiver(elearning_passed, dispatch_uid="evaluations.stage_1_on_elearning")
def on_elearning_passed(sender, completion, **kwargs):
    requests.stage_1_request_for_completion(completion=completion,
                                            now=completion.created_at or timezone.now())
