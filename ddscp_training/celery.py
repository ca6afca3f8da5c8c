"""The Celery app. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport
under var/celery so that `make run` works on a bare machine. The beat schedule is static and
lives in settings (CELERY_BEAT_SCHEDULE)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ddscp_training.settings.local")

app = Celery("ddscp_training")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
