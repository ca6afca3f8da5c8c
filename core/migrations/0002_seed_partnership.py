from urllib.parse import urlparse

from django.conf import settings
from django.db import migrations


def seed(apps, schema_editor):
    Partnership = apps.get_model("core", "Partnership")
    Partnership.objects.get_or_create(pk=1)
    Site = apps.get_model("sites", "Site")
    host = urlparse(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": host, "name": host})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("sites", "0002_alter_domain_unique")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
