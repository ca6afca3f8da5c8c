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

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
