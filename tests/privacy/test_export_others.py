"""Your data names nobody else: an officer's export does not list the delegates they acted
for, a substitution does not name the colleague, in either person's export (emails to the
person are theirs and stay whole); emails to any of the person's addresses are theirs."""
import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.roles import Role
from bookings import services
from core.models import OutgoingEmail
from privacy.export import person_data
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def do(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)
    return do


def _without_emails(data):
    return json.dumps({k: v for k, v in data.items() if k != "emails"}).lower()


def test_an_officers_export_does_not_list_the_delegates_they_acted_for(make_user, run):
    officer = make_user(Role.OFFICER, first_name="Olu", last_name="Officer")
    delegate = make_user(Role.DELEGATE, first_name="Dan", last_name="Delegatesson",
                         email="dan.delegate@example.org")
    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=40), capacity=5)
    booking = run(services.booking_create, event=event, delegate=delegate, now=now, by=officer)
    run(services.booking_cancel, booking=booking, by=officer, now=now)

    entries = person_data(officer)["audit_entries"]
    assert {"booking.create", "booking.cancel"} <= {row["action"] for row in entries}
    text = json.dumps(entries).lower()
    assert "dan.delegate@example.org" not in text and "delegatesson" not in text
    assert all(row["on_behalf_of"] is None and row["on_behalf_of_label"] == ""
               for row in entries)
    # The delegate's own export still says an officer acted for them.
    theirs = [row for row in person_data(delegate)["audit_entries"]
              if row["action"] == "booking.create"]
    assert theirs and theirs[0]["on_behalf_of_label"] == "dan.delegate@example.org"


def test_a_substitution_does_not_name_the_colleague_in_either_export(run):
    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=30), capacity=1)
    giver = UserFactory(first_name="Dana", last_name="Givington",
                        email="dana.giver@example.org")
    taker = UserFactory(organisation=giver.organisation, first_name="Cal",
                        last_name="Takerfield", email="cal.taker@example.org")
    booking = run(services.booking_create, event=event, delegate=giver, now=now)
    offer = run(services.booking_substitute, booking=booking, by=giver,
                      to_email=taker.email, now=now)
    run(services.substitution_accept, substitution=offer, user=taker, now=now)

    for person, other, action in ((giver, taker, "booking.substitute_offer"),
                                  (taker, giver, "booking.substitute")):
        data = person_data(person)
        actions = {row["action"] for row in data["audit_entries"]}
        assert action in actions, actions
        text = _without_emails(data)
        for word in (other.email, other.last_name):
            assert word.lower() not in text, f"{person.first_name}'s export names {word}"
        # Emails to the person are theirs, whole; none to anyone else.
        assert data["emails"] and all(row["recipient"].lower() == person.email.lower()
                                      for row in data["emails"])
    # What the person did themselves is still there with their own address.
    [substitute] = [row for row in person_data(taker)["audit_entries"]
                    if row["action"] == "booking.substitute"]
    assert substitute["details"]["to"] == "cal.taker@example.org"
    assert substitute["details"]["from"] == "(another person)"


def test_emails_to_a_secondary_address_are_in_the_export():
    person = UserFactory(email="main@example.org")
    EmailAddress.objects.create(user=person, email="Second@Example.org", verified=True)
    for recipient, subject in (("SECOND@example.org", "To the second address"),
                               ("someone.else@example.org", "Not theirs")):
        OutgoingEmail.objects.create(purpose=f"test:{subject}", recipient=recipient,
                                     from_email="site@example.org", subject=subject,
                                     body_text="Hello")
    subjects = {row["subject"] for row in person_data(person)["emails"]}
    assert "To the second address" in subjects and "Not theirs" not in subjects
