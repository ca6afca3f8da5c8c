"""Production: every secret from the environment; passes `manage.py check --deploy`."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# load_demo creates logins whose password is in the README: never in production.
DEMO_DATA_ALLOWED = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# gunicorn sits behind the reverse proxy (README), so REMOTE_ADDR is the proxy's for every
# visitor: allauth's per-address limits (wrong passwords, sign-ins, password resets, codes)
# would be one budget for the whole site, which anyone could spend to lock everyone out.
# allauth takes the address the nearest proxy appended to X-Forwarded-For (the last entry,
# never one the visitor wrote); 0 only if gunicorn faces the internet directly.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Persistent database connections (issue 14): opening a PostgreSQL connection cost more than
# most pages' own queries. Each gunicorn sync worker and each Celery prefork child serves one
# request or task at a time, so one connection kept per process for CONN_MAX_AGE seconds is
# what a pool would hand it, without psycopg_pool's background thread per process or a pool
# sized against max_connections on every host (Django's "pool" option cannot be combined with
# CONN_MAX_AGE, and a pool per forked process is still one connection in use per process).
# CONN_HEALTH_CHECKS: a connection the database or a proxy dropped is replaced at the start
# of the next request instead of failing it. Sizing: processes x hosts <= max_connections.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

STORAGES = {
    "default": DEFAULT_STORAGE,  # noqa: F405 – STORAGE_BACKEND (base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
