"""An L&D officer changes an event's start time (issue 11), in Chromium: the form says how many
delegates will be told, asks to confirm, and every booked delegate gets an email whose
calendar file parses (icalendar) with the same UID as the invitation they hold and a higher
SEQUENCE, so calendar programs replace it. axe-core finds no violation on the form, as it
opens and with the confirmation, at 1280 and 320 pixels wide."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from bookings import services
from core.calendar import LONDON, bank_holiday_name
from courses.models import Format
from tests.factories import CourseFactory, EventFactory, OrganisationFactory, UserFactory

from .steps import axe_clean
from .test_booking_journey import signed_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def invitation(message):
    for _name, content, mimetype in message.attachments:
        if mimetype.startswith("text/calendar"):
            calendar = icalendar.Calendar.from_ical(content)
            [vevent] = calendar.walk("VEVENT")
            return str(calendar["METHOD"]), str(vevent["UID"]), int(vevent["SEQUENCE"]), vevent
    raise AssertionError(f"No calendar file in {message.subject}")


def test_officer_changes_the_start_time_and_every_booked_delegate_gets_the_new_invitation(
        page, live_server):
    now = timezone.now()
    day = timezone.localdate() + timedelta(days=30)
    while bank_holiday_name(day) or day.weekday() >= 5:
        day += timedelta(days=1)
    start = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9, 30),
                                LONDON)
    event = EventFactory(course=CourseFactory(title="Neglect: level 2", format=Format.VIRTUAL),
                         start=start, end=start + timedelta(hours=7),
                         joining_link="https://teams.example/meet/neglect")
    organisation = OrganisationFactory(name="Dudley MBC")
    delegates = [UserFactory(first_name=name, last_name="Delegate", organisation=organisation,
                             email=f"{name.lower()}@dudley.example")
                 for name in ("Amira", "Ben", "Chloe")]
    held = {}
    for person in delegates:
        services.booking_create(event=event, delegate=person, now=now)
    for person in delegates:
        [confirmed] = [m for m in mail.outbox if person.email in m.to]
        held[person.email] = invitation(confirmed)
    officer = UserFactory(roles=[Role.OFFICER], first_name="Olive", last_name="Officer",
                          email="olive@partnership.example")
    signed_in_staff(page, live_server, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    main = page.locator("main")

    page.goto(f"/courses/manage/events/{event.pk}/edit/")
    expect(main).to_contain_text("Changing the date, times, venue or joining link emails "
                                 "3 delegates with a place or an offer")
    axe_clean(page, "event-change-form", widths=(1280, 320))

    mail.outbox.clear()
    main.locator("#id_start_time").fill("10:30")
    main.locator("#id_end_time").fill("17:30")
    main.get_by_role("button", name="Save the event").click()
    # The form asks first: who is told, and what changes.
    expect(main.locator(".error-summary")).to_contain_text(
        "Saving this change emails 3 delegates with a place or an offer")
    expect(main).to_contain_text("Now:")
    axe_clean(page, "event-change-confirm", widths=(1280, 320))
    assert not [m for m in mail.outbox if m.subject.startswith("Changed")]

    main.get_by_label("Yes, save the change and email them").check()
    main.get_by_role("button", name="Save the event").click()
    expect(page.locator("body")).to_contain_text(
        "We are emailing 3 delegates with a place or an offer about the change")

    for person in delegates:
        [changed] = [m for m in mail.outbox if person.email in m.to]
        assert changed.subject.startswith("Changed: Neglect: level 2")
        assert "9:30am" in changed.body and "10:30am" in changed.body
        method, uid, sequence, vevent = invitation(changed)
        old_method, old_uid, old_sequence, _ = held[person.email]
        assert (method, old_method) == ("REQUEST", "REQUEST")
        assert uid == old_uid
        assert sequence > old_sequence
        assert vevent.decoded("DTSTART").astimezone(LONDON).hour == 10
