"""People (issue 11) in Chromium: an officer finds a delegate, opens their page, gives them a
role; the audit log says so in words. axe-core finds nothing on People, a person's page, the
roles form and the audit log at 1280 and 320 px."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from courses.models import Completion
from tests.factories import PASSWORD, BookingFactory, EventFactory, OrganisationFactory, UserFactory
from tests.helpers import TOTP_SECRET

from .steps import axe_clean, sign_in_with_code

pytestmark = pytest.mark.e2e


def test_an_officer_finds_a_delegate_and_gives_a_role(page, make_user):
    officer = make_user(Role.OFFICER, first_name="Olivia", last_name="Officer")
    hub = OrganisationFactory(name="Derby Family Hub")
    dana = UserFactory(first_name="Dana", last_name="Delegate", email="dana@example.org",
                       organisation=hub, access_needs="A hearing loop")
    for _ in range(3):
        UserFactory(organisation=hub)
    now = timezone.now()
    BookingFactory(delegate=dana, event=EventFactory(course__title="Neglect awareness"))
    BookingFactory(delegate=dana, event=EventFactory(course__title="Domestic abuse"),
                   status="waitlisted", waitlisted_at=now, booked_at=None)
    past = EventFactory(course__title="Safer recruitment", start=now - timedelta(days=40))
    BookingFactory(delegate=dana, event=past, status="attended")
    BookingFactory(delegate=dana, event=EventFactory(course__title="Exploitation"),
                   status="cancelled", cancelled_at=now)
    Completion.objects.create(user=dana, course=past.course, event=past,
                              completed_on=date(2026, 3, 4), source=Completion.Source.ATTENDANCE)

    sign_in_with_code(page, officer.email, PASSWORD, TOTP_SECRET)
    page.locator("header").get_by_role("button", name="Organisations").click()
    page.locator("header").get_by_role("link", name="People").click()
    expect(page.locator("h1")).to_have_text("People")
    axe_clean(page, "people-list", widths=(1280, 320))

    main = page.locator("main")
    main.get_by_label("Search people").fill("Derby Family")
    main.get_by_role("button", name="Search").click()
    expect(main.locator("caption")).to_contain_text("4 people matching “Derby Family”")
    main.get_by_label("Search people").fill("dana@")
    main.get_by_role("button", name="Search").click()
    expect(main.locator("caption")).to_contain_text("1 person matching")
    main.get_by_role("link", name="Dana Delegate").click()

    expect(page.locator("h1")).to_have_text("Dana Delegate")
    for heading in ("Profile", "Roles", "Coming up", "Waiting lists", "Past events",
                    "Cancelled and ended", "Training record"):
        expect(main.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(main.locator("#upcoming").locator("xpath=..")).to_contain_text("Neglect awareness")
    expect(main.locator("#cancelled").locator("xpath=..")).to_contain_text("Exploitation")
    expect(main.locator("#record").locator("xpath=..")).to_contain_text("Wed 4 Mar 2026")
    axe_clean(page, "person-detail", widths=(1280, 320))

    main.get_by_role("link", name="Change Dana Delegate's roles").click()
    expect(page.locator("h1")).to_have_text("Roles")
    axe_clean(page, "person-roles", widths=(1280, 320))
    main.get_by_label("LOD Group member").check()
    main.get_by_role("button", name="Save the roles").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Dana Delegate's roles are saved: LOD Group member.")
    expect(main.locator("#roles").locator("xpath=..")).to_contain_text("LOD Group member")

    # The officer's own officer role stays.
    page.goto(f"/account/people/{officer.pk}/roles/")
    page.locator("main").get_by_label("Learning and Development officer").uncheck()
    page.locator("main").get_by_role("button", name="Save the roles").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "You cannot remove your own officer role")
    axe_clean(page, "person-roles-error", widths=(1280,))

    page.goto("/manage/audit/")
    main = page.locator("main")
    expect(main.locator("tbody tr").first).to_contain_text("Roles changed")
    expect(main.locator("tbody tr").first).to_contain_text("LOD Group member")
    main.get_by_label("Person").fill("Olivia")
    main.get_by_role("button", name="Show entries").click()
    expect(main.locator("caption")).to_contain_text("matching the filters")
    axe_clean(page, "audit-log", widths=(1280, 320))
