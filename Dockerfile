# The production image: one image for the web (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml runs it; see README, "Deploying with docker compose".
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The working copy in /app (with templates/ and static/) is what runs, not the copy pip
    # puts in site-packages: settings find templates relative to their own file.
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=ddscp_training.settings.production \
    # gunicorn reads its number of workers from here; override it in .env.
    WEB_CONCURRENCY=3

# What WeasyPrint needs to draw PDFs (certificates, invoices, reports).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, in their own layer, pinned by requirements.lock: a code change does not
# reinstall them.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c requirements.lock -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install -c requirements.lock .

# Static files are collected into the image (WhiteNoise serves them); the key and host here
# exist only for this build step.
RUN SECRET_KEY=collectstatic-build-step-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# var/ holds uploaded and generated files (media/) and the beat schedule: a volume in compose.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "ddscp_training.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
