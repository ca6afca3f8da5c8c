# The newsletter moves out of the courses app with its rows: this migration only tells Django
# that the models now belong here, on the tables courses 0002 created (no SQL). Courses 0004
# drops them from the courses app's state, and 0002 here renames the tables and moves the
# content types (so permissions, group grants and audit entries follow).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('courses', '0003_completion_refresher_reminder_sent_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Newsletter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(max_length=200)),
                        ('introduction', models.TextField(blank=True)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('sending', 'Sending'), ('sent', 'Sent')], default='draft', max_length=10)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('send_requested_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('events', models.ManyToManyField(related_name='newsletters', to='courses.event')),
                    ],
                    options={
                        'ordering': ['-created_at'],
                        'permissions': [('send_newsletter', 'Can compose and send the newsletter')],
                        'db_table': 'courses_newsletter',
                    },
                ),
                migrations.CreateModel(
                    name='NewsletterDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('newsletter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='newsletter.newsletter')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('newsletter', 'user'), name='newsletter_once_per_person')],
                        'db_table': 'courses_newsletterdelivery',
                    },
                ),
            ],
        ),
    ]
