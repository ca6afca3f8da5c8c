"""Settings shared by every environment. Everything that differs between machines is read
from the environment (see README, "Configuration")."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "core",
    "accounts",
    "courses",
    "newsletter",
    "resources",
    "bookings",
    "evaluations",
    "charging",
    "reports",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.security.PermissionsPolicyMiddleware",
    "core.per_request.PartnershipPerRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff signed out when idle and when the browser closes (accounts.sessions).
    "accounts.sessions.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
]

# Content-Security-Policy (Django's own middleware): scripts and styles only from the site's
# static files, or an element carrying the request's nonce ({{ csp_nonce }}); never inline
# code, style="" attributes or event handlers, so stored markup that slipped past escaping
# would not run. In every environment, so `make run` and the tests see what production does.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Permissions-Policy (core.security): browser features the site never uses, off for every
# page and any frame in it.
PERMISSIONS_POLICY = {
    feature: []
    for feature in ("accelerometer", "camera", "display-capture", "geolocation", "gyroscope",
                    "hid", "magnetometer", "microphone", "midi", "payment", "serial", "usb")
}

ROOT_URLCONF = "ddscp_training.urls"
WSGI_APPLICATION = "ddscp_training.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "core.context_processors.partnership",
                # "My training" shows the evaluations to complete (lazy: no query elsewhere).
                "evaluations.context_processors.evaluation_tasks",
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production and CI); SQLite under var/ otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (`make run`): concurrent sign-ups or bookings gave "database is locked" 500s. A
    # transaction takes the write lock when it begins (IMMEDIATE), so a second one waits for
    # it (up to `timeout` seconds) instead of failing when it upgrades from reading; WAL
    # lets pages read while someone writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

# The cache holds allauth's rate limits (failed logins, password resets) and the TOTP codes
# already used (a code cannot be replayed), so it must be shared by every web process. It is
# the database, in every environment, not Redis: a Redis outage then costs only the Celery
# nudges (the outbox and the sweeps catch up), never logins. The alternatives are worse:
# failing open (ignore cache errors) would switch off the login limits and the replay check
# for as long as Redis is down; failing closed would refuse every login. The database is
# already needed by every request (sessions, users), so this adds no new way to fail.
# The table is created by migrate (core 0007_cache_table). MAX_ENTRIES is high so that
# flooding it with keys cannot cull the counters of an account under attack.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "core_cache",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ddscp"),
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}
# Pages every anonymous visitor sees alike (catalogue, course and event pages) are cached
# whole (core.page_cache), in Redis: a lost entry only costs drawing the page again, and a
# Redis outage is caught (the page is drawn, never failed). Off without Redis: searches are
# free text, so page entries must never share the database cache with the login limits
# (enough of them would cull the counters). PAGE_CACHE_SECONDS bounds how long an entry
# lives; changes replace it at once whatever this says.
if REDIS_URL:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ddscp"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
PAGE_CACHE_ALIAS = "pages"
PAGE_CACHE_ENABLED = bool(REDIS_URL) and env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

# Sessions in the database (Django's default, said here because it matters): signing in and
# staying signed in never depend on Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

# django-allauth: email only, mandatory verification, rate limits on (allauth's defaults).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"} | {
    # GOV.UK field messages, no placeholders (core/forms_mixins.py)
    name: f"accounts.forms_allauth.{form}" for name, form in (
        ("login", "LoginForm"), ("add_email", "AddEmailForm"),
        ("change_password", "ChangePasswordForm"), ("set_password", "SetPasswordForm"),
        ("reset_password", "ResetPasswordForm"),
        ("reset_password_from_key", "ResetPasswordKeyForm"),
        ("reauthenticate", "ReauthenticateForm"))}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Safeguarding Partnership Training")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
# Sentence case for allauth's Title Case headings, buttons and labels (locale/en_GB).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploads and generated files (resources, report PDFs and spreadsheets): MEDIA_ROOT on this
# machine, or, with STORAGE_BACKEND=s3, an S3-compatible bucket every web and worker process
# shares (django-storages; README "Running several web and worker processes"). Private
# either way: files go out only through permission-checked views, never a public URL.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            # Another S3-compatible store (MinIO, Ceph, a cloud's own): its address.
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "location": env("AWS_LOCATION", default=""),
            # Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ValueError(f"STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: EMAIL_URL (smtp://user:pass@host:587 etc.) or the console/file backends of local.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="training@partnership.example")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

# Celery
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
# A request only publishes nudges (core.outbox) and batches whose sweeps catch up: with the
# broker down it must fail at once (refused) or within about two seconds (hung), and carry on.
# max_retries 0: one attempt to connect when publishing (kombu otherwise retries for
# broker_connection_timeout seconds, even with retry=False); the worker's own connection keeps
# retrying (broker_connection_max_retries).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
}
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0,
    }
else:
    # Every folder of the filesystem broker under var/celery/, its control folder too (kombu
    # would make "control/" in the working directory: `make run` left one at the root).
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
# The queue tasks go to unless routed: a test worker takes its own, nudges included.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Time-based work is stored as due dates and picked up by sweeps (see STYLE.md): each entry
# here calls a sweep that is safe to run twice.
CELERY_BEAT_SCHEDULE = {
    # The outbox (core.outbox): every email owed is a row; this sends what is due and retries
    # rows whose worker died mid-send, so mail drains on its own once SMTP or Redis is back.
    "outbox-sweep": {
        "task": "core.tasks.outbox_sweep",
        "schedule": 60.0,
    },
    "organisation-requests-remind": {
        "task": "accounts.tasks.organisation_requests_remind",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon-fri"),
    },
    "newsletters-sending-resume": {
        "task": "newsletter.tasks.newsletters_sending_resume",
        "schedule": crontab(minute="*/10"),
    },
    # Bookings (bookings.tasks): a freed place passes on soon after its offer lapses;
    # reminders and joining links go in the daytime (each at most once, whenever it runs).
    "bookings-offers-expire": {
        "task": "bookings.tasks.offers_expire",
        "schedule": crontab(minute="*/5"),
    },
    # A place waiting for the line manager is released when the link expires or the event
    # comes too close (bookings.policies.approval_release).
    "bookings-approvals-expire": {
        "task": "bookings.tasks.approvals_expire",
        "schedule": crontab(minute="*/15"),
    },
    "bookings-event-reminders-send": {
        "task": "bookings.tasks.event_reminders_send",
        "schedule": crontab(minute=5, hour="7-20"),
    },
    "bookings-joining-links-send": {
        "task": "bookings.tasks.joining_links_send",
        "schedule": crontab(minute="*/15", hour="7-21"),
    },
    "bookings-refresher-reminders-send": {
        "task": "bookings.tasks.refresher_reminders_send",
        "schedule": crontab(minute=15, hour=8),
    },
    "bookings-events-complete": {
        "task": "bookings.tasks.events_complete",
        "schedule": crontab(minute="*/15"),
    },
    # Invoicing (charging.tasks): on the partnership's invoice_run_day, the month's applied
    # charges become invoices. Checked hourly in the day; a day's run happens once
    # (InvoiceBatch.scheduled_for is unique), so the later checks invoice nothing.
    "charging-invoice-batch-scheduled": {
        "task": "charging.tasks.invoice_batch_scheduled",
        "schedule": crontab(minute=20, hour="6-18"),
    },
    # Evaluations (evaluations.tasks): due requests (pre-course, Stage 1, facilitator
    # feedback, Stage 2) and reminders, each sent once whenever it runs.
    "evaluations-requests-send": {
        "task": "evaluations.tasks.evaluation_requests_send",
        "schedule": crontab(minute="*/15"),
    },
    # The facilitator summary of each event, on the day it falls due (sent once).
    "evaluations-summary-reports-send": {
        "task": "evaluations.tasks.summary_reports_send",
        "schedule": crontab(minute=20, hour="7-20"),
    },
    # Training needs analysis rounds (reports.tna.tasks): leads told when a round opens and
    # reminded before it closes, each once (outbox purpose keys), in the working day.
    "reports-tna-rounds-notify": {
        "task": "reports.tna.tasks.tna_rounds_notify",
        "schedule": crontab(minute=40, hour="8-17"),
    },
    # Reports (reports.tasks): a queued report whose task was lost is nudged again; the
    # quarterly report is made on the first working day after the quarter ends (once per
    # quarter: one_scheduled_report_per_period) and the LOD Group told when it is ready.
    "reports-requeue": {
        "task": "reports.tasks.reports_requeue",
        "schedule": crontab(minute="*/5"),
    },
    "reports-quarterly-report-schedule": {
        "task": "reports.tasks.quarterly_report_schedule",
        "schedule": crontab(minute=10, hour="6-18"),
    },
    # Retention (privacy.tasks, issue 15): access needs after the event, accounts inactive
    # for years, old email bodies. Daily, early; running it twice changes nothing more.
    "privacy-retention-sweep": {
        "task": "privacy.tasks.retention_sweep",
        "schedule": crontab(minute=30, hour=3),
    },
}

# The outbox (core.outbox): rows sent per task, tries before a row is marked failed (about
# 6 hours of backoff with the defaults), the first retry's delay (doubling, capped) and how
# long a row may stay "sending" before it is taken as stuck and retried.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=50)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_SENDING_TIMEOUT = env.int("OUTBOX_SENDING_TIMEOUT", default=600)

# Newsletter: emails sent per Celery task (a batch), and how long the opt-out link in a
# newsletter keeps working. Deployment settings, not the partnership's policy.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=100)
NEWSLETTER_UNSUBSCRIBE_MAX_AGE_DAYS = env.int("NEWSLETTER_UNSUBSCRIBE_MAX_AGE_DAYS", default=365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
