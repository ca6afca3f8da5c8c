"""`make run`: SQLite and the filesystem Celery broker unless DATABASE_URL / REDIS_URL are set;
emails are written to var/mail/, one readable .eml file per message (core.mail_files)."""

import sys

from ddscp_training.devserver import runserver_site_url

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "core.mail_files.EmlFileBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Links in emails and calendar invitations name the address this server listens on: SITE_URL
# if it is set (environment or .env), else the host and port of `manage.py runserver`
# (scripts/serve exports it for the Celery worker too, which renders most emails).
if not env("SITE_URL", default=""):
    SITE_URL = runserver_site_url(sys.argv) or SITE_URL  # noqa: F405
