"""The daily sweep that reminds officers of organisation requests waiting more than a day
(Celery eager here; tests/core/test_celery_worker.py runs it through a real worker)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import OrganisationRequest, Sector
from accounts.roles import Role
from accounts.tasks import organisation_requests_remind
from tests.factories import UserFactory


@pytest.fixture
def officers(make_user):
    return [make_user(Role.OFFICER, email="officer.one@partnership.example"),
            make_user(Role.OFFICER, email="officer.two@partnership.example")]


@pytest.fixture
def bystanders(make_user):
    """People who must not be reminded: they cannot approve requests."""
    return [make_user(Role.BUSINESS_SUPPORT), make_user(Role.LOD_MEMBER), UserFactory()]


def make_request(name, age, **kwargs):
    return OrganisationRequest.objects.create(
        name=name, sector=Sector.VOLUNTARY, requested_by=UserFactory(organisation=None),
        requested_at=timezone.now() - age, **kwargs)


def run_task(capture):
    with capture(execute=True):
        return organisation_requests_remind.delay().get()


@pytest.mark.django_db
def test_officers_are_emailed_once_about_waiting_requests(
        officers, bystanders, django_capture_on_commit_callbacks):
    first = make_request("Little Acorns Nursery", timedelta(days=2))
    second = make_request("Derby Food Bank", timedelta(days=1, hours=1))

    assert run_task(django_capture_on_commit_callbacks) == 2

    # One email to each officer (one outbox row per recipient), no one else.
    assert sorted(m.to[0] for m in mail.outbox) == ["officer.one@partnership.example",
                                                    "officer.two@partnership.example"]
    message = mail.outbox[0]
    assert "2 organisation requests waiting" in message.subject
    assert "Little Acorns Nursery" in message.body and "Derby Food Bank" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "Little Acorns Nursery" in html
    for req in (first, second):
        req.refresh_from_db()
        assert req.reminded_at is not None


@pytest.mark.django_db
def test_running_the_sweep_twice_sends_nothing_the_second_time(
        officers, django_capture_on_commit_callbacks):
    make_request("Little Acorns Nursery", timedelta(days=3))
    assert run_task(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2  # one to each officer

    assert run_task(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_request_younger_than_a_day_is_not_reminded_yet(
        officers, django_capture_on_commit_callbacks):
    young = make_request("Brand New Charity", timedelta(hours=23, minutes=59))

    assert run_task(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    young.refresh_from_db()
    assert young.reminded_at is None

    # The next morning's sweep picks it up.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.organisation_requests_remind(
            now=timezone.now() + timedelta(minutes=2)) == 1
    assert len(mail.outbox) == 2
    assert all("Brand New Charity" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_only_the_newly_due_requests_are_in_the_next_reminder(
        officers, django_capture_on_commit_callbacks):
    make_request("Reminded Yesterday", timedelta(days=5),
                 reminded_at=timezone.now() - timedelta(days=1))
    make_request("Waiting Since Tuesday", timedelta(days=2))
    make_request("Already Approved", timedelta(days=9), status=OrganisationRequest.Status.APPROVED)

    assert run_task(django_capture_on_commit_callbacks) == 1
    message = mail.outbox[0]
    assert len(mail.outbox) == 2
    assert "Waiting Since Tuesday" in message.body
    assert "Reminded Yesterday" not in message.body
    assert "Already Approved" not in message.body
