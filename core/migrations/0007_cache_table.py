"""The database cache's table (settings CACHES: allauth's rate limits and used TOTP codes live
there), so that `migrate` is all a new machine, the tests or production run.

It is what `manage.py createcachetable` does, for the caches the settings name: a table that
already exists is left alone, and a deployment that moves the cache elsewhere gets none."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def cache_table_drop(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    for alias in settings.CACHES:
        cache = caches[alias]
        if isinstance(cache, BaseDatabaseCache) and cache._table in existing:
            schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(cache._table)}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_outbox"),
    ]

    operations = [
        migrations.RunPython(cache_table_create, cache_table_drop),
    ]
