"""docker-compose.yml, .env.example and the Dockerfile, checked without a Docker engine: every
service can start, runs production settings with what they require, and passes
`manage.py check --deploy`."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from .files import (
    APP_SERVICES,
    PRODUCTION,
    ROOT,
    app_environment_problems,
    command_problems,
    compose_load,
    dockerfile_problems,
    dockerignored,
    env_file_read,
    service_command,
    service_environment,
    service_url_problems,
    services_without_image_problems,
    settings_environment_reads,
)

COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
DOCKERFILE_TEXT = (ROOT / "Dockerfile").read_text()


@pytest.fixture(scope="module")
def compose():
    return compose_load()


@pytest.fixture(scope="module")
def env_example():
    return env_file_read()


def run_isolated(code, env, timeout=120):
    """Run Python `code` in the checkout with only `env` (plus PATH): nothing of this shell,
    and not the checkout's own .env either (settings read it if it exists, and a local
    try-out's SECURE_SSL_REDIRECT=false there must not change what production would do)."""
    code = "import environ; environ.Env.read_env = classmethod(lambda *a, **k: None)\n" + code
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", **env},
    )


def manage_py(args):
    argv = ["manage.py", *args]
    return (f"import runpy, sys\nsys.argv = {argv!r}\n"
            "runpy.run_path('manage.py', run_name='__main__')")


def production_environment(compose, env_example, service="web"):
    """What a container of `service` would get from `.env` made from .env.example, with the
    one value an operator must replace (SECRET_KEY) replaced."""
    env = service_environment(compose["services"][service], env_example)
    env["SECRET_KEY"] = secrets.token_urlsafe(64)
    return env


# --- services ----------------------------------------------------------------------------


def test_every_service_names_an_image_or_a_build(compose):
    assert set(compose["services"]) >= {*APP_SERVICES, "db", "redis", "mailpit"}
    assert services_without_image_problems(compose) == []


def test_a_service_without_image_or_build_is_caught(compose):
    broken = compose_load(COMPOSE_TEXT)
    broken["services"]["redis"].pop("image")
    assert services_without_image_problems(broken) == [
        "service 'redis' names neither an image nor a build"
    ]


def test_the_image_services_are_built_from_the_dockerfile(compose):
    for name in APP_SERVICES:
        assert compose["services"][name].get("build") == ".", name


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_command_runs_a_program_that_exists(compose, service):
    argv = service_command(compose["services"][service])
    assert argv, f"{service} has no command"
    assert command_problems(argv) == []


def test_migrations_run_once_before_web_worker_and_beat(compose):
    services = compose["services"]
    assert service_command(services["migrate"])[:3] == ["python", "manage.py", "migrate"]
    assert services["migrate"].get("restart") == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        ), name
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in services["db"] and "healthcheck" in services["redis"]


def test_beat_keeps_its_schedule_on_the_volume(compose):
    beat = compose["services"]["beat"]
    argv = service_command(beat)
    schedule = argv[argv.index("--schedule") + 1]
    mounts = [v.split(":")[1] for v in beat.get("volumes", []) if isinstance(v, str)]
    assert any(schedule.startswith(m.rstrip("/") + "/") for m in mounts), (schedule, mounts)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["python", "manage.py", "migrat", "--noinput"], "manage.py has no command 'migrat'"),
        (["python", "manage.py", "migrate", "--no-input-please"], "unrecognized arguments"),
        (["celery", "-A", "ddscp_training", "beet"], "celery has no command 'beet'"),
        (["celery", "-A", "ddscp_training", "beat", "--shedule", "x"], "no option '--shedule'"),
        (["celery", "-A", "ddscp_trainning", "worker"], "celery -A ddscp_trainning"),
        (["celery", "worker"], "celery without -A"),
        (["gunicorn", "ddscp_training.wsgi:app", "--bind", "0.0.0.0:8000"], "gunicorn ddscp"),
        (["uwsgi", "--http", ":8000"], "'uwsgi' is not installed"),
    ],
    ids=["manage-typo", "manage-option", "celery-subcommand", "celery-option", "celery-app",
         "celery-no-app", "wsgi-attribute", "missing-program"],
)
def test_a_command_that_would_not_start_is_caught(argv, expected):
    problems = command_problems(argv)
    assert any(expected in p for p in problems), problems


# --- environment -------------------------------------------------------------------------


def test_image_services_run_production_settings_with_what_it_requires(compose, env_example):
    assert app_environment_problems(compose, env_example, COMPOSE_TEXT) == []


def test_env_example_sets_the_secrets_compose_does_not(env_example):
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "POSTGRES_PASSWORD"} <= env_example.keys()


def test_missing_or_misspelt_variables_are_caught(compose, env_example):
    broken = compose_load(COMPOSE_TEXT)
    broken["services"]["worker"].pop("env_file")
    broken["services"]["beat"]["environment"]["REDIS_URI"] = "redis://redis:6379/0"
    broken["services"]["web"]["environment"]["DJANGO_SETTINGS_MODULE"] = (
        "ddscp_training.settings.local"
    )
    problems = app_environment_problems(broken, env_example, COMPOSE_TEXT)
    assert "worker lacks SECRET_KEY, which production requires" in problems
    assert "beat sets REDIS_URI, which nothing reads" in problems
    assert f"web does not set DJANGO_SETTINGS_MODULE={PRODUCTION}" in problems


def test_database_redis_and_email_urls_name_services_of_the_file(compose, env_example):
    assert service_url_problems(compose, env_example) == []
    broken = compose_load(COMPOSE_TEXT)
    broken["services"]["web"]["environment"]["REDIS_URL"] = "redis://cache:6379/0"
    assert service_url_problems(broken, env_example) == [
        "web: REDIS_URL names host 'cache', not a service"
    ]


def test_celery_app_and_beat_schedule_as_production_loads_them(compose, env_example):
    """What `celery -A ddscp_training beat` sees in the container: the app, its Redis broker,
    and a beat schedule whose every task a worker has registered."""
    env = production_environment(compose, env_example, "beat")
    script = (
        "import json, django; django.setup(); "
        "from celery.app.utils import find_app; "
        "import ddscp_training.celery as module; "
        "app = find_app('ddscp_training'); app.loader.import_default_modules(); "
        "print(json.dumps({'is_app': app is module.app, 'broker': app.conf.broker_url, "
        "'schedule': {k: v['task'] for k, v in app.conf.beat_schedule.items()}, "
        "'tasks': sorted(app.tasks)}))"
    )
    result = run_isolated(script, env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["is_app"]
    assert seen["broker"] == env["REDIS_URL"]
    assert seen["schedule"], "the beat schedule is empty"
    unregistered = {k: t for k, t in seen["schedule"].items() if t not in seen["tasks"]}
    assert unregistered == {}


# --- check --deploy ----------------------------------------------------------------------


def check_deploy(env):
    return run_isolated(manage_py(["check", "--deploy", "--fail-level", "WARNING"]),
                        {"DJANGO_SETTINGS_MODULE": PRODUCTION, **env})


def test_check_deploy_passes_with_production_settings():
    result = check_deploy({
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "training.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_passes_with_the_compose_web_environment(compose, env_example):
    result = check_deploy(production_environment(compose, env_example, "web"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_the_placeholder_secret_key(compose, env_example):
    env = service_environment(compose["services"]["web"], env_example)
    result = check_deploy(env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# --- Dockerfile --------------------------------------------------------------------------


def test_dockerfile_copies_existing_files_and_its_commands_start():
    assert dockerfile_problems(DOCKERFILE_TEXT) == []


def test_dockerfile_runs_the_same_web_command_as_compose(compose):
    cmd = [line for line in DOCKERFILE_TEXT.splitlines() if line.startswith("CMD ")]
    assert json.loads(cmd[-1][4:]) == service_command(compose["services"]["web"])


@pytest.mark.parametrize(
    "line, expected",
    [
        ("COPY gunicorn.conf.py ./", "COPY gunicorn.conf.py: no such file"),
        ("COPY var ./var", "COPY var: excluded by .dockerignore"),
        ('CMD ["gunicorn", "ddscp_training.wsgy:application"]', "CMD: gunicorn ddscp_training"),
        ("CMD gunicorn ddscp_training.wsgi:application", "CMD is not in exec (JSON) form"),
        ("RUN python manage.py collectstatik --noinput", "RUN: manage.py has no command"),
        ("USER root", "the image runs as root"),
    ],
    ids=["missing-file", "ignored-file", "cmd-module", "cmd-shell-form", "run-manage",
         "root-user"],
)
def test_a_broken_dockerfile_is_caught(line, expected):
    problems = dockerfile_problems(DOCKERFILE_TEXT + line + "\n")
    assert any(expected in p for p in problems), problems


def test_secrets_and_local_state_stay_out_of_the_image():
    # Settings read /app/.env when it exists: a developer's .env must never be baked in.
    for path in (".env", ".venv", "var", ".git", "db.sqlite3"):
        assert dockerignored(path), path
    # pip builds the project from the context: pyproject.toml names README.md as its readme.
    for path in ("README.md", "pyproject.toml", "requirements.lock", "manage.py", "static",
                 "templates", ".env.example"):
        assert not dockerignored(path), path


def test_readme_documents_every_variable_production_reads():
    readme = (ROOT / "README.md").read_text()
    undocumented = [v for v in sorted(settings_environment_reads()) if f"`{v}`" not in readme]
    assert undocumented == []
