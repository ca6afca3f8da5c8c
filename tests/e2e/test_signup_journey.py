"""A practitioner registers, verifies their email, completes their profile, signs out and
signs back in."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import StaffGroup, User
from accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory

from .steps import expect_path, link_in, sign_in, sign_out

pytestmark = pytest.mark.e2e

EMAIL = "sam.patel@northfield.example"
PASSWORD = "Tidal-Lantern-4821"


def test_visitor_signs_up_verifies_completes_profile_and_signs_in_again(page, mailoutbox):
    # Sam's verified address is at the council's domain, so choosing it joins at once.
    OrganisationFactory(name="Northfield Borough Council", domains=["northfield.example"])
    OrganisationFactory(name="Northfield Community Health NHS Trust")

    # Register.
    page.goto("/accounts/signup/")
    form = page.locator("main form")
    form.get_by_label("First name").fill("Sam")
    form.get_by_label("Last name").fill("Patel")
    form.get_by_label(re.compile(r"^\s*email", re.I)).fill(EMAIL)
    form.get_by_label(re.compile(r"^\s*password\W*$", re.I)).fill(PASSWORD)
    form.get_by_label(re.compile(r"^\s*password \(again\)", re.I)).fill(PASSWORD)
    mailoutbox.clear()
    form.get_by_role("button", name=re.compile(r"sign up|register|create", re.I)).click()

    # Told to verify; nothing else is open to them yet.
    expect_path(page, "/accounts/confirm-email/")
    expect(page.locator("main")).to_contain_text(re.compile(r"(confirm|verify) your email", re.I))
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_have_count(0)
    user = User.objects.get(email=EMAIL)
    assert (user.first_name, user.last_name) == ("Sam", "Patel")
    assert not EmailAddress.objects.get(user=user).verified

    # Open the link in the email and confirm (confirming needs a POST, not just the GET).
    assert [m.to for m in mailoutbox] == [[EMAIL]]
    page.goto(link_in(mailoutbox[0], "/accounts/confirm-email/"))
    assert not EmailAddress.objects.get(user=user).verified
    page.locator("main").get_by_role("button", name=re.compile("confirm", re.I)).click()
    page.wait_for_load_state()
    assert EmailAddress.objects.get(user=user).verified
    # Signed in; their profile is incomplete, so they are asked to complete it.
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()
    expect_path(page, "/account/profile/")

    # Complete the profile (the names are already there from registering).
    form = page.locator("main form").filter(has=page.get_by_label("Job title"))
    expect(form.get_by_label("First name")).to_have_value("Sam")
    form.get_by_label("Job title").fill("Family support worker")
    form.get_by_label("Organisation", exact=True).fill("northfield borough council")
    form.get_by_label(re.compile("staff group", re.I)).select_option(label=StaffGroup.GROUP_2.label)
    form.get_by_label(re.compile("line manager name", re.I)).fill("Alex Jones")
    form.get_by_label(re.compile("line manager email", re.I)).fill("alex.jones@northfield.example")
    form.get_by_label(re.compile("access needs", re.I)).fill("Captions on video calls, please.")
    form.get_by_role("button", name=re.compile("save", re.I)).click()

    expect_path(page, "/account/")
    expect(page.locator("main .alert")).to_contain_text("Your profile is saved.")
    user.refresh_from_db()
    assert user.organisation.name == "Northfield Borough Council"
    assert user.job_title == "Family support worker"
    assert user.staff_group == StaffGroup.GROUP_2
    assert user.access_needs == "Captions on video calls, please."
    assert user.profile_complete

    # Sign out and back in: straight to the dashboard now the profile is complete.
    sign_out(page)
    sign_in(page, EMAIL, PASSWORD)
    expect_path(page, "/account/")
    expect(page.locator("header")).to_contain_text("Signed in as Sam Patel")


def test_profile_with_unknown_organisation_explains_and_keeps_what_was_typed(page):
    known = OrganisationFactory(name="Northfield Borough Council")
    user = UserFactory(roles=[Role.DELEGATE], organisation=known, email="kim@northfield.example")
    sign_in(page, user.email, "correct-horse-battery-7")
    expect_path(page, "/account/")

    page.goto("/account/profile/")
    form = page.locator("main form").filter(has=page.get_by_label("Job title"))
    expect(form.get_by_label("Organisation", exact=True)).to_have_value(known.name)
    form.get_by_label("Job title").fill("Health visitor")
    form.get_by_label("Organisation", exact=True).fill("Northfeld Borogh Council")
    form.get_by_role("button", name=re.compile("save", re.I)).click()
    page.wait_for_load_state()

    expect_path(page, "/account/profile/")
    main = page.locator("main")
    expect(main).to_contain_text("We do not know an organisation called “Northfeld Borogh Council”")
    expect(main).to_contain_text("My organisation is not on the list")
    form = page.locator("main form").filter(has=page.get_by_label("Job title"))
    expect(form.get_by_label("Organisation", exact=True)).to_have_value("Northfeld Borogh Council")
    expect(form.get_by_label("Job title")).to_have_value("Health visitor")
    user.refresh_from_db()
    assert (user.organisation, user.job_title) == (known, "Social worker")
