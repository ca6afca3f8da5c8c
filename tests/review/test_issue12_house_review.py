"""Review of issue 12's house items (newsletter and resources apps, "send a test to me") as a
user and as an attacker: edges the builders' own tests do not walk."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import OutgoingEmail
from newsletter import services
from newsletter.models import Newsletter
from tests.courses.test_app_split_migration import BEFORE, migrate
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def bea(make_user):
    return make_user(Role.BUSINESS_SUPPORT, first_name="Bea", email="bea@partnership.example")


@pytest.fixture
def draft(bea):
    return services.newsletter_create(by=bea, subject="Spring dates", introduction="",
                                      events=[EventFactory()], now=timezone.now())


def send_test_url(newsletter):
    return reverse("courses:newsletter-test", kwargs={"pk": newsletter.pk})


@pytest.mark.django_db
def test_a_test_send_without_the_csrf_token_is_refused(bea, draft):
    """A page elsewhere cannot make business support's browser send tests."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(bea)

    response = client.post(send_test_url(draft))

    assert response.status_code == 403
    assert not OutgoingEmail.objects.filter(purpose__contains=":test:").exists()


@pytest.mark.django_db
def test_seeing_newsletters_is_not_enough_to_send_a_test(client, make_user, draft):
    from django.contrib.auth.models import Permission

    viewer = make_user(Role.OFFICER)
    viewer.user_permissions.add(Permission.objects.get(codename="view_newsletter",
                                                       content_type__app_label="newsletter"))
    client.force_login(viewer)

    preview = client.get(reverse("courses:newsletter-preview", kwargs={"pk": draft.pk}))
    refused = client.post(send_test_url(draft))

    assert preview.status_code == 200 and "Send a test to me" not in preview.content.decode()
    assert refused.status_code == 403
    assert not OutgoingEmail.objects.filter(purpose__contains=":test:").exists()


@pytest.mark.django_db
def test_a_test_of_a_sent_newsletter_leaves_it_sent_and_sends_nobody_else(client, bea, draft):
    UserFactory(newsletter_opt_in=True, email="amy@example.org")
    sent = services.newsletter_send(newsletter=draft, by=bea, now=timezone.now())
    deliveries = sent.deliveries.count()
    client.force_login(bea)

    client.post(send_test_url(sent))

    sent.refresh_from_db()
    assert sent.status != Newsletter.Status.DRAFT and sent.deliveries.count() == deliveries
    tests = OutgoingEmail.objects.filter(purpose__contains=":test:")
    assert [r.recipient for r in tests] == ["bea@partnership.example"]


pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="the move is tested on the database it runs on")


@pg_only
def test_admin_history_survives_when_the_new_content_type_already_exists(transactional_db):
    """The content type move has a branch for a database where post_migrate already made the
    new app's content type (migrating app by app, or back and forward again): the old type is
    deleted there, and everything still pointing at it went with it (the admin's history)."""
    try:
        old = migrate(BEFORE)
        ContentType = old.get_model("contenttypes", "ContentType")
        LogEntry = old.get_model("admin", "LogEntry")
        Resource = old.get_model("courses", "Resource")
        bea = UserFactory()
        resource = Resource.objects.create(title="Neglect briefing", kind="briefing",
                                           url="https://example.org/neglect")
        source, _ = ContentType.objects.get_or_create(app_label="courses", model="resource")
        ContentType.objects.get_or_create(app_label="resources", model="resource")
        LogEntry.objects.create(user_id=bea.pk, content_type=source,
                                object_id=str(resource.pk), object_repr="Neglect briefing",
                                action_flag=2, change_message="[]",
                                action_time=timezone.now())
    finally:
        migrate(None)

    from django.contrib.admin.models import LogEntry as CurrentLogEntry
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    CurrentContentType.objects.clear_cache()
    kept = CurrentLogEntry.objects.filter(object_id=str(resource.pk),
                                          object_repr="Neglect briefing")
    assert [(e.content_type.app_label, e.content_type.model) for e in kept] == [
        ("resources", "resource")]
