"""Every email of a booking's life, sent by running the services through one event: each has
a subject, a plain-text part, an HTML part, and every calendar attachment parses (icalendar)
with the METHOD its email promises."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from accounts.roles import Role
from bookings import services
from bookings.models import BookingStatus
from core.models import Partnership
from courses import services as course_services
from courses.models import Completion, Format
from tests.factories import CourseFactory, EventFactory, OrganisationFactory, UserFactory


def _check(message):
    assert message.subject.strip(), message
    assert message.body.strip(), message.subject
    html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert html and "<html" in html[0].lower(), message.subject
    methods = []
    for name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            cal = Calendar.from_ical(content)
            assert cal.walk("VEVENT"), name
            methods.append(str(cal["METHOD"]))
    return methods


@pytest.mark.django_db
def test_every_email_of_a_booking_has_text_html_and_a_valid_calendar(
        make_user, django_capture_on_commit_callbacks):
    now = timezone.now()
    officer = make_user(Role.OFFICER)
    organisation = OrganisationFactory(name="Dudley MBC")
    people = [UserFactory(organisation=organisation) for _ in range(4)]
    start = now + timedelta(days=40)
    event = EventFactory(course=CourseFactory(format=Format.VIRTUAL), capacity=1, start=start,
                         end=start + timedelta(hours=3),
                         joining_link="https://teams.example/meet/abc")
    sent = []

    def run(fn, **kwargs):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(**kwargs)
        sent.extend(mail.outbox)
        return result

    booking = run(services.booking_create, event=event, delegate=people[0], now=now)
    waiting = run(services.waitlist_join, event=event, delegate=people[1], now=now)
    run(services.booking_cancel, booking=booking, by=people[0], now=now)  # offer to people[1]
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    run(services.offers_expire, now=waiting.offer_expires_at + timedelta(minutes=1))
    again = run(services.booking_create, event=event, delegate=people[2], now=now)
    offer = run(services.booking_substitute, booking=again, by=people[2],
                to_email=people[3].email, now=now)
    run(services.substitution_accept, substitution=offer, user=people[3], now=now)
    offer = run(services.booking_substitute, booking=again, by=people[3],
                to_email="new.colleague@example.org", now=now)
    run(services.substitution_withdraw, substitution=offer, by=people[3], now=now)
    offer = run(services.booking_substitute, booking=again, by=people[3],
                to_email=people[1].email, now=now)
    run(services.substitution_decline, substitution=offer, user=people[1], now=now)
    run(services.event_reminders_send, now=start - timedelta(days=2))
    run(services.joining_links_send, now=start - timedelta(days=2))
    again.refresh_from_db()
    run(services.late_cancellation_request,
        booking=again, by=again.delegate, reason="illness", detail="", now=start - timedelta(days=1))

    partnership = Partnership.load()
    partnership.line_manager_approval_required = True
    partnership.save()
    second = EventFactory(course=event.course, capacity=5, start=start, end=start + timedelta(hours=3),
                          joining_link="https://teams.example/meet/def")
    pending = run(services.booking_create, event=second, delegate=people[0], now=now)
    run(services.line_manager_decide, booking=pending, approve=True, now=now)
    refused = run(services.booking_create, event=second, delegate=people[1], now=now)
    run(services.line_manager_decide, booking=refused, approve=False, now=now)
    run(course_services.event_cancel, event=second, by=officer, reason="Trainer ill", now=now)

    done = Completion.objects.create(user=people[0], course=event.course, completed_on=(
        now - timedelta(days=3 * 365 - 20)).date(), source=Completion.Source.ATTENDANCE)
    run(services.refresher_reminders_send, now=now)
    assert done.user.email in {a for m in sent for a in m.to}

    subjects = [m.subject for m in sent]
    assert len(sent) >= 15, subjects
    methods = {m.subject: _check(m) for m in sent}
    # The confirmation invites, the in-time cancellation withdraws the same invitation.
    assert any(v == ["REQUEST"] for v in methods.values()), methods
    assert any(v == ["CANCEL"] for v in methods.values()), methods


@pytest.mark.django_db
def test_link_lifetimes_in_emails_come_from_the_partnership_settings(
        django_capture_on_commit_callbacks):
    partnership = Partnership.load()
    partnership.substitution_link_days, partnership.line_manager_link_days = 7, 5
    partnership.line_manager_approval_required = True
    partnership.save()
    now = timezone.now()
    organisation = OrganisationFactory(name="Dudley MBC")
    delegate = UserFactory(organisation=organisation)
    start = now + timedelta(days=40)
    event = EventFactory(capacity=3, start=start, end=start + timedelta(hours=3),
                         joining_link="https://teams.example/meet/x")
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=delegate, now=now)
    approval = next(m for m in mail.outbox if m.to == [delegate.line_manager_email])
    assert "The link works for 5 days" in approval.body
    with django_capture_on_commit_callbacks(execute=True):
        services.line_manager_decide(booking=booking, approve=True, now=now)
        booking.refresh_from_db()
        services.booking_substitute(booking=booking, by=delegate,
                                    to_email="new.colleague@example.org", now=now)
    invitation = next(m for m in mail.outbox if m.to == ["new.colleague@example.org"])
    assert "The link works for 7 days" in invitation.body
