"""The register's "Contacted the team?" select in its error state (issue 12): Bootstrap's
error icon took the room of the words, "Not asked" showed as "Not ask"."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

from .steps import axe_clean
from .test_booking_journey import signed_in_staff

pytestmark = pytest.mark.e2e

# The width the selected option's words need against the room the select leaves them.
ROOM = """el => {
  const style = getComputedStyle(el);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const words = canvas.measureText(el.options[el.selectedIndex].text).width;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {words, room};
}"""


def test_the_error_state_keeps_not_asked_whole(page, live_server):
    facilitator = UserFactory(roles=[Role.FACILITATOR])
    start = timezone.now() - timedelta(hours=1)
    event = EventFactory(course=CourseFactory(title="Child Exploitation"), start=start,
                         end=start + timedelta(hours=7), facilitators=[facilitator])
    BookingFactory(event=event, delegate=UserFactory(first_name="Bob", last_name="Baker"))
    signed_in_staff(page, live_server, facilitator)
    page.goto(f"/bookings/events/{event.pk}/register/")
    row = page.locator("main tbody tr", has_text="Bob Baker")
    row.get_by_label("Late", exact=True).check()
    row.get_by_label("Minutes late, Bob Baker").fill("45")
    page.get_by_role("button", name="Save the register").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Say whether the delegate contacted the training team")
    select = row.get_by_label("Bob Baker contacted the team")
    expect(select).to_have_class(re.compile(r"\bis-invalid\b"))
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        measured = select.evaluate(ROOM)
        assert measured["words"] <= measured["room"], (width, measured)
    axe_clean(page, "register-select-error", widths=(1280, 320))
