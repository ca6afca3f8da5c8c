# The newsletter and the resources library are apps of their own now (newsletter 0001,
# resources 0001 take the models over on the same tables). State only: no table is dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0003_completion_refresher_reminder_sent_at'),
        ('newsletter', '0001_initial'),
        ('resources', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='NewsletterDelivery'),
                migrations.DeleteModel(name='Newsletter'),
                migrations.DeleteModel(name='Resource'),
            ],
        ),
    ]
