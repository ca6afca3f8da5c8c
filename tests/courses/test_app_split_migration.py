"""The newsletter and the resources library moved out of the courses app with their rows
(courses 0004, newsletter 0001-0002, resources 0001-0002). A real migration on PostgreSQL:
back to the state before the move, rows written with the old models, then forward again.
What must survive: the rows and their links (a newsletter's events and deliveries, a
resource's category), the permissions business support and officers were granted through
their groups, and the audit entries that name a newsletter or a resource."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import CategoryFactory, EventFactory, UserFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the move is tested on the database it runs on")

BEFORE = [("courses", "0003_completion_refresher_reminder_sent_at"),
          ("newsletter", None), ("resources", None)]


def migrate(targets):
    """Migrate to `targets` (None: every app's latest); the models as the applied
    migrations leave them."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    applied = MigrationExecutor(connection)
    return applied._create_project_state(with_applied_migrations=True).apps


@pytest.fixture
def before_the_move(transactional_db):
    try:
        yield migrate(BEFORE)
    finally:
        migrate(None)  # whatever happened, leave the database as the other tests expect it


def test_rows_permissions_and_audit_entries_survive_the_move(before_the_move):
    old = before_the_move
    bea, event, category = UserFactory(), EventFactory(), CategoryFactory(name="Risks")

    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Group = old.get_model("auth", "Group")
    AuditEntry = old.get_model("core", "AuditEntry")
    Newsletter = old.get_model("courses", "Newsletter")
    Delivery = old.get_model("courses", "NewsletterDelivery")
    Resource = old.get_model("courses", "Resource")
    assert Newsletter._meta.db_table == "courses_newsletter"

    newsletter = Newsletter.objects.create(subject="Spring dates", created_by_id=bea.pk)
    newsletter.events.add(event.pk)
    Delivery.objects.create(newsletter=newsletter, user_id=bea.pk, email=bea.email)
    resource = Resource.objects.create(title="Neglect briefing", kind="briefing",
                                       url="https://example.org/neglect",
                                       category_id=category.pk)

    newsletter_type, _ = ContentType.objects.get_or_create(app_label="courses",
                                                           model="newsletter")
    resource_type, _ = ContentType.objects.get_or_create(app_label="courses", model="resource")
    send, _ = Permission.objects.get_or_create(
        content_type=newsletter_type, codename="send_newsletter",
        defaults={"name": "Can compose and send the newsletter"})
    publish, _ = Permission.objects.get_or_create(
        content_type=resource_type, codename="add_resource", defaults={"name": "Can add"})
    support = Group.objects.create(name="Support (migration test)")
    support.permissions.add(send, publish)
    AuditEntry.objects.create(action="newsletter.create", target_type=newsletter_type,
                              target_id=str(newsletter.pk), target_label="Spring dates")
    AuditEntry.objects.create(action="resource.publish", target_type=resource_type,
                              target_id=str(resource.pk), target_label="Neglect briefing")

    migrate(None)

    from django.contrib.auth.models import Group as CurrentGroup
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from core.models import AuditEntry as CurrentAuditEntry
    from newsletter.models import Newsletter as CurrentNewsletter
    from resources.models import Resource as CurrentResource

    CurrentContentType.objects.clear_cache()
    moved = CurrentNewsletter.objects.get(pk=newsletter.pk)
    assert moved.subject == "Spring dates" and moved.created_by_id == bea.pk
    assert list(moved.events.values_list("pk", flat=True)) == [event.pk]
    assert list(moved.deliveries.values_list("email", flat=True)) == [bea.email]
    kept = CurrentResource.objects.get(pk=resource.pk)
    assert (kept.title, kept.category_id) == ("Neglect briefing", category.pk)
    assert CurrentNewsletter._meta.db_table == "newsletter_newsletter"
    assert CurrentResource._meta.db_table == "resources_resource"

    granted = set(CurrentGroup.objects.get(name="Support (migration test)").permissions
                  .values_list("content_type__app_label", "codename"))
    assert granted == {("newsletter", "send_newsletter"), ("resources", "add_resource")}
    targets = {(e.action, e.target_type.app_label, e.target_type.model)
               for e in CurrentAuditEntry.objects.filter(
                   action__in=["newsletter.create", "resource.publish"])}
    assert targets == {("newsletter.create", "newsletter", "newsletter"),
                       ("resource.publish", "resources", "resource")}
    assert not CurrentContentType.objects.filter(
        app_label="courses", model__in=["newsletter", "newsletterdelivery", "resource"]).exists()

    # New rows still get ids after the renamed tables' old ones.
    again = CurrentResource.objects.create(title="Leaflet", kind="leaflet",
                                           url="https://example.org/leaflet")
    assert again.pk > resource.pk
