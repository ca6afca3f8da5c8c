# The resources library moves out of the courses app with its rows: this migration only tells
# Django that the model now belongs here, on the table courses 0002 created (no SQL). Courses
# 0004 drops it from the courses app's state, and 0002 here renames the table and moves the
# content type (so permissions, group grants and audit entries follow).

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
                    name='Resource',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('description', models.TextField(blank=True)),
                        ('kind', models.CharField(choices=[('leaflet', 'Leaflet or resource for professionals'), ('briefing', 'Professional briefing'), ('review_summary', 'Case review executive summary'), ('other', 'Other')], max_length=20)),
                        ('file', models.FileField(blank=True, upload_to='resources/')),
                        ('url', models.URLField(blank=True, verbose_name='link')),
                        ('public', models.BooleanField(default=True, help_text='Untick to show it to signed-in users only.', verbose_name='anyone can see it')),
                        ('published_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='resources', to='courses.category')),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-published_at', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('file', ''), ('url', ''), _negated=True), name='resource_has_file_or_link')],
                        'db_table': 'courses_resource',
                    },
                ),
            ],
        ),
    ]
