"""`make test`: PostgreSQL and Redis on 127.0.0.1 unless DATABASE_URL / REDIS_URL say otherwise."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ddscp_training")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CACHE_KEY_PREFIX", "ddscp-test")


def _per_xdist_worker():
    """Under pytest-xdist (`make test` runs two processes) each worker ("gw0", "gw1"...) has its
    own test database (pytest-django adds the suffix), and here its own Redis database (the
    Celery broker of the worker tests), cache prefix and media folder, so that no test sees
    another process's tasks, cache entries or files. A subprocess a test starts (a Celery
    worker, gunicorn) inherits these from the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or os.environ.get("DDSCP_TEST_WORKER") == worker:
        return
    from urllib.parse import urlsplit, urlunsplit

    n = int(worker[2:]) + 1
    parts = urlsplit(os.environ["REDIS_URL"])
    base = int(parts.path.strip("/") or 0)
    os.environ["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{base + n}"))
    os.environ["CACHE_KEY_PREFIX"] += f"-{worker}"
    media = os.environ.get("MEDIA_ROOT") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "var", "media")
    os.environ["MEDIA_ROOT"] = os.path.join(os.path.normpath(media), worker)
    os.environ["DDSCP_TEST_WORKER"] = worker


_per_xdist_worker()

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real worker started by tests/core/test_celery_worker.py runs with these settings too: it
# writes its email to files the test reads, and takes tasks from Redis instead of running them
# eagerly.
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
if os.environ.get("TEST_EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["TEST_EMAIL_FILE_PATH"]
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The page cache (core.page_cache) is off: other tests change rows without committing, so no
# version would change. tests/perf switch it on and empty it around each test.
PAGE_CACHE_ENABLED = False
