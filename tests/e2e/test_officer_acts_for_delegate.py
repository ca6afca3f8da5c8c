"""An L&D officer acts for a delegate who phoned (issue 11), in Chromium: finds her on People,
books her on an event, moves the booking to another date of the course (she receives the new
calendar invitation and the old one is withdrawn: the .ics files parse with icalendar, the new
UID with METHOD REQUEST, the old UID with METHOD CANCEL and a higher SEQUENCE), then records
the late cancellation she phoned in, which lands in the charges queue. axe-core finds no
violation on the officer's forms, at 1280 and 320 pixels wide."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from bookings.models import Booking, BookingStatus, ReportedBy
from charging.models import Charge, ChargeStatus
from core.models import AuditEntry
from tests.factories import CourseFactory, EventFactory, UserFactory, VenueFactory

from .steps import axe_clean
from .test_booking_journey import signed_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def calendars(message):
    """METHOD -> (UID, SEQUENCE) of each calendar file attached to the email."""
    found = {}
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            calendar = icalendar.Calendar.from_ical(content)
            [vevent] = calendar.walk("VEVENT")
            found[str(calendar["METHOD"])] = (str(vevent["UID"]), int(vevent["SEQUENCE"]))
    return found


def test_officer_books_moves_and_records_a_phoned_late_cancellation(page, live_server):
    now = timezone.now()
    course = CourseFactory(title="Neglect: level 2")
    first = EventFactory(course=course, start=(now + timedelta(days=30)).replace(
        hour=9, minute=30, second=0, microsecond=0), venue=VenueFactory(name="Council House"),
        capacity=20)
    # The other date is the day after tomorrow: cancelling it is late.
    second = EventFactory(course=course, start=(now + timedelta(days=2)).replace(
        second=0, microsecond=0), venue=VenueFactory(name="Saltwells Centre"), capacity=20)
    priya = UserFactory(first_name="Priya", last_name="Shah", email="priya@dudley.example",
                        access_needs="A hearing loop")
    UserFactory(first_name="Sam", last_name="Other")
    officer = UserFactory(roles=[Role.OFFICER], first_name="Olive", last_name="Officer",
                          email="olive@partnership.example")
    signed_in_staff(page, live_server, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    main = page.locator("main")

    # People: find Priya, open her page.
    page.goto("/account/people/")
    main.get_by_label("Search people").fill("Priya")
    main.get_by_role("button", name="Search").click()
    main.get_by_role("link", name="Priya Shah").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Shah")
    expect(main).to_contain_text("has no places or waiting lists still to come")

    # Book a place: choose the event.
    main.get_by_role("link", name=re.compile("Book a place or put on a waiting list")).click()
    main.get_by_label("Search events by course or venue").fill("Council")
    main.get_by_role("button", name="Search").click()
    expect(main.locator("tbody tr")).to_have_count(1)
    axe_clean(page, "acting-event-list", widths=(1280, 320))
    main.get_by_role("link", name=re.compile("^Book a place on Neglect")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a place for Priya Shah")
    expect(main.get_by_label(re.compile("Access needs"))).to_have_value("A hearing loop")
    axe_clean(page, "acting-booking-create", widths=(1280, 320))
    main.get_by_role("button", name="Book the place").click()
    expect(page.locator("body")).to_contain_text("Priya Shah is booked on Neglect: level 2")
    booking = Booking.objects.get(delegate=priya, event=first)
    assert booking.status == BookingStatus.BOOKED
    assert AuditEntry.objects.get(action="booking.create").on_behalf_of == priya

    # Move it to the other date.
    mail.outbox.clear()
    main.get_by_role("link", name=re.compile("^Move Neglect")).click()
    expect(main).to_contain_text("new calendar invitation")
    axe_clean(page, "acting-booking-move", widths=(1280, 320))
    main.get_by_role("button", name="Move the place").click()  # no date chosen
    expect(main.locator(".error-summary")).to_contain_text("Choose the date to move the place to")
    main.get_by_label(re.compile("Saltwells Centre")).check()
    main.get_by_role("button", name="Move the place").click()
    expect(page.locator("body")).to_contain_text("Priya Shah’s place has moved to")
    booking.refresh_from_db()
    new = booking.moved_to
    assert booking.status == BookingStatus.MOVED and new.event == second
    assert new.access_needs == "A hearing loop"
    [moved] = [m for m in mail.outbox if priya.email in m.to]
    found = calendars(moved)
    assert found["REQUEST"][0].startswith(f"booking-{new.uid}@")
    assert found["CANCEL"][0].startswith(f"booking-{booking.uid}@")
    assert found["CANCEL"][1] > 0  # a higher SEQUENCE than the invitation she holds

    # She phones: she is ill. The late cancellation lands in the charges queue.
    main.get_by_role("link", name=re.compile("^Late cancellation of Neglect")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a late cancellation")
    expect(main).to_contain_text("charges queue")
    axe_clean(page, "acting-booking-late-cancel", widths=(1280, 320))
    main.get_by_role("button", name="Record the late cancellation").click()  # nothing chosen
    expect(main.locator(".error-summary")).to_contain_text("Choose how the delegate told you")
    main.get_by_label("By telephone").check()
    main.get_by_label("Illness").check()
    main.get_by_label("What they told you").fill("Flu, phoned at 8am")
    main.get_by_role("button", name="Record the late cancellation").click()
    expect(page.locator("body")).to_contain_text("cancelled late")
    new.refresh_from_db()
    assert new.status == BookingStatus.LATE_CANCELLED
    assert new.late_cancellation_reported_by == ReportedBy.PHONE
    assert Charge.objects.get(booking=new).status == ChargeStatus.PENDING
    page.goto("/charging/charges/")
    expect(main.locator("tbody tr", has_text="Priya Shah")).to_have_count(1)
