"""Deletion requests: a delegate asks from "Your data"; an officer downloads the person's data
and then deletes the account, refused if anything changed since the download (pretix's data
shredder) or while the person has a place or a charge owed."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEntry, OutgoingEmail, Partnership
from privacy.anonymise import anonymised_email
from privacy.models import DeletionRequest
from privacy.services import deletion_request_create
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

User = get_user_model()
YOUR_DATA = reverse("privacy:your-data")
ASK = reverse("privacy:deletion-request")
LIST = reverse("privacy:deletion-request-list")


def delete_url(person):
    return reverse("privacy:person-delete", args=[person.pk])


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


def test_a_delegate_asks_for_deletion_and_the_training_team_is_told(client, delegate):
    client.force_login(delegate)
    page = client.get(YOUR_DATA).content.decode()
    assert "Ask for your account to be deleted" in page and f'action="{ASK}"' in page

    missing = client.post(ASK, {})
    assert missing.status_code == 200
    assert "Tick the box to confirm that you want your account deleted" in missing.content.decode()
    assert not DeletionRequest.objects.exists()

    response = client.post(ASK, {"confirm": "on"})
    assert response.status_code == 302 and response.url == YOUR_DATA
    request = DeletionRequest.objects.get(user=delegate)
    assert request.status == "open" and request.requested_by == delegate
    team = OutgoingEmail.objects.get(purpose=f"privacy:deletion-request:{request.pk}:team")
    assert team.recipient == Partnership.load().contact_email
    assert LIST in team.body_text
    assert delegate.email not in team.body_text + team.subject  # the email names no one
    assert delegate.last_name not in team.body_text + team.body_html

    page = client.get(YOUR_DATA).content.decode()
    assert "You asked for your account to be deleted on" in page
    assert "Ask for your account to be deleted</button>" not in page
    again = client.post(ASK, {"confirm": "on"})
    assert "You have already asked for your account to be deleted." in again.content.decode()
    assert DeletionRequest.objects.count() == 1


def test_a_delegate_with_a_place_coming_up_is_told_why_they_cannot_ask(client, delegate):
    BookingFactory(delegate=delegate, event=EventFactory(course=CourseFactory(title="Neglect")))
    client.force_login(delegate)
    page = client.get(YOUR_DATA).content.decode()
    assert "You cannot ask for your account to be deleted yet" in page
    assert "Neglect on" in page and "must be cancelled first" in page
    assert 'name="confirm"' not in page
    refused = client.post(ASK, {"confirm": "on"})
    assert refused.status_code == 200 and "must be cancelled first" in refused.content.decode()
    assert not DeletionRequest.objects.exists()


def test_a_member_of_staff_is_told_their_roles_must_be_removed_first(client, make_user):
    facilitator = make_user(Role.FACILITATOR)
    client.force_login(facilitator)
    page = client.get(ASK).content.decode()
    assert "Facilitator (Training Pool)" in page and "must remove the roles first" in page


@pytest.mark.parametrize("role", [None, Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.LOD_MEMBER, Role.SAFEGUARDING_LEAD,
                                  Role.FINANCE_CONTACT],
                         ids=["anon", "delegate", "facilitator", "business", "lod", "lead",
                              "finance"])
def test_only_officers_reach_the_deletion_pages(client, make_user, role):
    person = UserFactory()
    if role is not None:
        client.force_login(make_user(role))
    for url in (LIST, delete_url(person)):
        response = client.get(url)
        assert response.status_code == (302 if role is None else 403)
        response = client.post(delete_url(person), {"action": "download"})
        assert response.status_code == (302 if role is None else 403)
    assert not DeletionRequest.objects.exists()


def test_the_officer_list_is_paginated_with_a_bounded_number_of_queries(
        client, officer, django_assert_max_num_queries):
    now = timezone.now()
    for person in UserFactory.create_batch(27):
        deletion_request_create(person=person, by=person, now=now)
    client.force_login(officer)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        page = client.get(LIST)
    assert page.status_code == 200
    assert len(page.context["object_list"]) == 25
    assert "Showing 1 to 25 of 27" in page.content.decode()
    assert len(client.get(LIST + "?page=2").context["object_list"]) == 2
    home = client.get(reverse("accounts:dashboard")).content.decode()
    assert "27" in home and "requests to delete an account" in home


def _download(client, person):
    response = client.post(delete_url(person), {"action": "download"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    return response


def test_an_officer_downloads_first_and_a_change_since_is_refused(client, officer, delegate):
    deletion_request_create(person=delegate, by=delegate, now=timezone.now())
    client.force_login(officer)

    page = client.get(delete_url(delegate)).content.decode()
    assert "Download their data first." in page and "Delete the account</button>" not in page
    early = client.post(delete_url(delegate), {"action": "delete", "confirm": "on"})
    assert "Download this person&#x27;s data before deleting it." in early.content.decode()

    _download(client, delegate)
    request = DeletionRequest.objects.get(user=delegate)
    assert request.export_fingerprint and request.exported_by == officer
    assert "Delete the account</button>" in client.get(delete_url(delegate)).content.decode()
    unticked = client.post(delete_url(delegate), {"action": "delete"})
    assert "Tick the box to confirm" in unticked.content.decode()

    User.objects.filter(pk=delegate.pk).update(job_title="Team manager")
    changed = client.post(delete_url(delegate), {"action": "delete", "confirm": "on"})
    assert ("Something about this person changed since you downloaded their data: download "
            "it again.") in changed.content.decode().replace("&#x27;", "'")
    assert User.objects.get(pk=delegate.pk).anonymised_at is None

    _download(client, delegate)
    done = client.post(delete_url(delegate), {"action": "delete", "confirm": "on"})
    assert done.status_code == 302 and done.url == LIST
    person = User.objects.get(pk=delegate.pk)
    assert person.email == anonymised_email(person.pk) and person.anonymised_at
    request.refresh_from_db()
    assert request.status == "done" and request.completed_by == officer
    assert AuditEntry.objects.filter(action="person.anonymise", actor=officer).count() == 1
    assert "Anonymised delegate" in client.get(LIST + "?status=done").content.decode()


def test_an_officer_records_a_request_by_downloading_and_sees_refusals(client, officer):
    person = UserFactory()
    client.force_login(officer)
    assert "No request yet" in client.get(delete_url(person)).content.decode()
    _download(client, person)
    assert DeletionRequest.objects.get(user=person).requested_by == officer
    BookingFactory(delegate=person, status="waitlisted", event=EventFactory(
        course=CourseFactory(title="Domestic abuse"),
        start=timezone.now() + timedelta(days=3)))
    page = client.get(delete_url(person)).content.decode()
    assert "This account cannot be deleted yet" in page and "Domestic abuse on" in page
    refused = client.post(delete_url(person), {"action": "delete", "confirm": "on"})
    assert "Domestic abuse on" in refused.content.decode()
    assert User.objects.get(pk=person.pk).anonymised_at is None


def test_an_officer_cannot_delete_their_own_account(client, officer):
    client.force_login(officer)
    page = client.get(delete_url(officer)).content.decode()
    assert "Learning and Development officer" in page and "must remove the roles first" in page


def test_the_deletion_pages_run_a_bounded_number_of_queries(
        client, officer, django_assert_max_num_queries):
    person = UserFactory()
    client.force_login(officer)
    client.get(delete_url(person))
    with django_assert_max_num_queries(20) as few:
        assert client.get(delete_url(person)).status_code == 200
    most = len(few.captured_queries)
    for _ in range(4):  # more places and charges to refuse on: not one more query
        BookingFactory(delegate=person)
    with django_assert_max_num_queries(most):
        page = client.get(delete_url(person))
    assert page.content.decode().count("must be cancelled first") == 4
    client.force_login(person)
    client.get(ASK)
    with django_assert_max_num_queries(most):
        assert client.get(ASK).status_code == 200
