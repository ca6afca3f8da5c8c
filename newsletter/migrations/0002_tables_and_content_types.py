# Courses' newsletter rows become this app's: the content types move (app_label "courses" ->
# "newsletter"), so the "send the newsletter" permission, business support's group grants and
# the audit entries that name a newsletter keep pointing at it; then the tables take this
# app's names (the many-to-many table of events follows its model).

from django.db import migrations

MODELS = ('newsletter', 'newsletterdelivery')


def content_types_move(apps, old, new):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    Permission = apps.get_model('auth', 'Permission')
    AuditEntry = apps.get_model('core', 'AuditEntry')
    LogEntry = apps.get_model('admin', 'LogEntry')
    for model in MODELS:
        source = ContentType.objects.filter(app_label=old, model=model).first()
        if source is None:
            continue
        target = ContentType.objects.filter(app_label=new, model=model).first()
        if target is None:
            source.app_label = new
            source.save(update_fields=['app_label'])
            continue
        # Both exist (post_migrate ran between the two steps): keep the target, repoint.
        taken = set(Permission.objects.filter(content_type=target).values_list('codename', flat=True))
        for permission in Permission.objects.filter(content_type=source):
            if permission.codename in taken:
                kept = Permission.objects.get(content_type=target, codename=permission.codename)
                for group in permission.group_set.all():
                    group.permissions.add(kept)
                for user in permission.user_set.all():
                    user.user_permissions.add(kept)
                permission.delete()
            else:
                permission.content_type = target
                permission.save(update_fields=['content_type'])
        AuditEntry.objects.filter(target_type=source).update(target_type=target)
        # The admin's history too: deleting the old type would leave its entries with none.
        LogEntry.objects.filter(content_type=source).update(content_type=target)
        source.delete()


def forwards(apps, schema_editor):
    content_types_move(apps, 'courses', 'newsletter')


def backwards(apps, schema_editor):
    content_types_move(apps, 'newsletter', 'courses')


class Migration(migrations.Migration):

    dependencies = [
        ('newsletter', '0001_initial'),
        ('courses', '0004_newsletter_and_resources_move_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('core', '0010_approval_release_event_change_audit_on_behalf'),
        ('admin', '0003_logentry_add_action_flag_choices'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterModelTable(name='newsletter', table=None),
        migrations.AlterModelTable(name='newsletterdelivery', table=None),
    ]
