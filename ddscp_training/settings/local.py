"""`make run`: SQLite and the filesystem Celery broker unless DATABASE_URL / REDIS_URL are set;
emails are written to var/mail/."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
