"""An L&D officer decides two late cancellations in Chromium: waives one (illness, with a
note) and applies the other; each leaves the queue and stays findable under its tab; the
delegates (and the paying organisation's finance contact) are emailed. axe-core finds no
violation on the queue and the decision page, at 1280 and 320 pixels wide."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Sector
from accounts.roles import Role
from bookings import services
from charging.models import Charge, ChargeStatus
from core.models import OutgoingEmail
from courses.models import Event
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

from .steps import expect_path
from .test_booking_journey import SCREENSHOTS, assert_no_violations, signed_in_staff

pytestmark = pytest.mark.django_db(transaction=True)


def late_cancellation(event, *, first, last, organisation, reason, detail=""):
    delegate = UserFactory(first_name=first, last_name=last, organisation=organisation,
                           email=f"{first.lower()}@example.org")
    booking = BookingFactory(event=event, delegate=delegate)
    Event.objects.filter(pk=event.pk).update(places_taken=event.bookings.filter(
        status="booked").count())
    return services.late_cancellation_request(booking=booking, by=delegate, reason=reason,
                                              detail=detail, now=timezone.now())


def shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"charges-{name}.png"), full_page=True)


def test_an_officer_waives_one_late_cancellation_and_applies_another(page, live_server):
    event = EventFactory(course=CourseFactory(title="Understanding Thresholds"),
                         start=timezone.now() + timedelta(days=2))
    council = OrganisationFactory(name="Dudley Council", sector=Sector.STATUTORY)
    nursery = OrganisationFactory(name="Bright Futures Nurseries Ltd", sector=Sector.PRIVATE)
    finance = UserFactory(roles=[Role.DELEGATE, Role.FINANCE_CONTACT], organisation=nursery,
                          email="finance@bright.example")
    cat = late_cancellation(event, first="Cat", last="Cole", organisation=council,
                            reason="illness", detail="Flu: my GP has signed me off.")
    dan = late_cancellation(event, first="Dan", last="Dale", organisation=nursery,
                            reason="other", detail="Forgot about it.")
    assert Charge.objects.filter(status=ChargeStatus.PENDING).count() == 2

    officer = UserFactory(roles=[Role.OFFICER], first_name="Olive", last_name="Officer",
                          email="olive@partnership.example")
    signed_in_staff(page, live_server, officer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/charging/charges/")
    main = page.locator("main")
    expect(main.get_by_role("link", name=re.compile("Waiting for a decision 2"))).to_be_visible()
    expect(main.locator("tbody tr")).to_have_count(2)
    assert_no_violations(page)
    shoot(page, "queue-1280")

    # Waive Cat's: illness, with a note.
    main.locator("tbody tr", has_text="Cat Cole").get_by_role(
        "link", name=re.compile("^Decide")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cat Cole")
    expect(main).to_contain_text("Flu: my GP has signed me off.")
    assert_no_violations(page)
    shoot(page, "decide-1280")
    page.get_by_role("button", name="Save the decision").click()  # nothing chosen yet
    expect(main.locator(".error-summary")).to_contain_text(
        "Choose whether to apply or waive the charge.")
    assert_no_violations(page)
    main.get_by_label("Waive the charge").check()
    main.get_by_role("group", name="Why is it waived?").get_by_label("Illness").check()
    main.get_by_label("Note").fill("GP's note seen: accepted.")
    page.get_by_role("button", name="Save the decision").click()
    expect_path(page, "/charging/charges/")
    expect(main).to_contain_text("Decision saved for Cat Cole: the charge is waived (illness).")
    expect(main.locator("tbody tr")).to_have_count(1)

    # Apply Dan's.
    main.locator("tbody tr", has_text="Dan Dale").get_by_role(
        "link", name=re.compile("^Decide")).click()
    main.get_by_label("Apply the charge").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(main).to_contain_text("Decision saved for Dan Dale: the £100 charge applies.")
    expect(main).to_contain_text("No charge is waiting for a decision.")
    assert_no_violations(page)

    # Decided cases stay findable, under their tabs and by search.
    main.get_by_role("link", name=re.compile("^Waived")).click()
    expect(main.locator("tbody tr", has_text="Cat Cole")).to_contain_text("Olive Officer")
    main.get_by_role("link", name=re.compile("^Applied")).click()
    main.get_by_label("Delegate or organisation").fill("bright futures")
    main.get_by_role("button", name="Search").click()
    expect(main.locator("tbody tr")).to_have_count(1)
    expect(main.locator("tbody tr")).to_contain_text("Dan Dale")
    assert_no_violations(page)

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/charging/charges/?tab=applied")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_no_violations(page)
    shoot(page, "applied-320")
    page.goto(f"/charging/charges/{dan.uid}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    shoot(page, "decided-320")

    charges = {c.booking_id: c for c in Charge.objects.all()}
    assert charges[cat.pk].status == "waived" and charges[cat.pk].decided_by == officer
    assert charges[dan.pk].status == "applied"
    sent = set(OutgoingEmail.objects.filter(purpose__startswith="charge:")
               .values_list("recipient", "purpose"))
    assert sent == {
        ("cat@example.org", f"charge:{charges[cat.pk].pk}:decided:waived"),
        ("dan@example.org", f"charge:{charges[dan.pk].pk}:decided:applied"),
        (finance.email, f"charge:{charges[dan.pk].pk}:decided:applied"),
    }
