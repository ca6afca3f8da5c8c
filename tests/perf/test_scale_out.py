"""Web processes keep no state of their own (issue 14): sessions and the shared cache in the
database, uploads and generated files on the storage STORAGE_BACKEND names (an S3 bucket for
several machines), the Celery broker in Redis whenever REDIS_URL is set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_setting(name, **env):
    """A setting as production reads it, from a fresh interpreter with `env`."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
        "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.production",
        "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "training.example.org",
    } | env
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps(settings.{name}, default=str))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip().splitlines()[-1]


def test_storage_is_the_filesystem_unless_s3_is_chosen():
    assert "FileSystemStorage" in production_setting("STORAGES['default']['BACKEND']")


def test_s3_storage_takes_the_bucket_from_the_environment():
    default = production_setting(
        "STORAGES['default']", STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="ddscp-files",
        AWS_S3_ENDPOINT_URL="https://s3.example.org")
    assert '"storages.backends.s3.S3Storage"' in default
    assert '"bucket_name": "ddscp-files"' in default
    assert '"endpoint_url": "https://s3.example.org"' in default
    assert '"default_acl": null' in default  # private: served through the permission checks


def test_the_s3_backend_is_installed():
    from storages.backends.s3 import S3Storage

    storage = S3Storage(bucket_name="ddscp-files", endpoint_url="https://s3.example.org",
                        access_key="k", secret_key="s", default_acl=None)
    assert storage.bucket_name == "ddscp-files"


def test_persistent_connections_in_production():
    assert production_setting("DATABASES['default']['CONN_MAX_AGE']") == "60"
    assert production_setting("DATABASES['default']['CONN_MAX_AGE']", CONN_MAX_AGE="0") == "0"
    assert production_setting("DATABASES['default']['CONN_HEALTH_CHECKS']") == "true"


def test_sessions_and_broker_are_shared(settings):
    assert settings.SESSION_ENGINE in ("django.contrib.sessions.backends.db",
                                       "django.contrib.sessions.backends.cache",
                                       "django.contrib.sessions.backends.cached_db")
    assert production_setting("CELERY_BROKER_URL", REDIS_URL="redis://redis:6379/0") == (
        '"redis://redis:6379/0"')


@pytest.mark.parametrize("backend", ["s3 ", "local"])
def test_an_unknown_storage_backend_is_refused(backend):
    with pytest.raises(subprocess.CalledProcessError) as refused:
        production_setting("STORAGES", STORAGE_BACKEND=backend)
    assert "STORAGE_BACKEND must be filesystem or s3" in refused.value.stderr
