"""Readers and checks for the deployment files (Dockerfile, docker-compose.yml, .env.example).

Each check returns a list of problems (empty when all is well), so the tests can show both
that the real files pass and that a broken file is caught. No Docker engine is needed: the
checks run each command's program, Django management command, Celery app and WSGI module
against this checkout and its .venv, which hold what the image installs."""

import ast
import copy
import importlib
import json
import re
import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PRODUCTION = "ddscp_training.settings.production"
SETTINGS_DIR = ROOT / "ddscp_training" / "settings"
# The image's own services: the ones built from the Dockerfile.
APP_SERVICES = ("migrate", "web", "worker", "beat")
# Read by the programs themselves rather than by the settings.
PROGRAM_VARIABLES = {"DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY"}


def compose_load(text=None):
    """The parsed file, each service its own copy: YAML merge keys (`<<: *app`) share the
    merged values between services, so a test that changes one would change them all."""
    compose = yaml.safe_load(
        text if text is not None else (ROOT / "docker-compose.yml").read_text()
    )
    services = compose.get("services") or {}
    for name, service in services.items():
        services[name] = copy.deepcopy(service)
    return compose


def env_file_read(path=ROOT / ".env.example"):
    values = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


def interpolate(value, variables):
    """docker compose's ${NAME}, ${NAME:-default} and ${NAME:?error} substitution."""

    def substitute(match):
        if match.group(0) == "$$":
            return "$"
        name = match["name"] or match["bare"]
        current, op = variables.get(name), match["op"]
        if op == ":-" and not current or op == "-" and current is None:
            return match["arg"]
        if op == ":?" and not current or op == "?" and current is None:
            raise ValueError(f"{name}: {match['arg']}")
        return current or ""

    return _VARIABLE.sub(substitute, str(value))


def interpolation_names(compose_text):
    return {m["name"] or m["bare"] for m in _VARIABLE.finditer(compose_text) if m.group(0) != "$$"}


def service_environment(service, env_file_values):
    """The environment a container of `service` gets: its env_file, then `environment` (which
    wins), with compose's interpolation from the .env file applied."""
    env = {}
    env_files = service.get("env_file") or []
    if env_files:
        env.update(env_file_values)
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    for key, value in environment.items():
        env[key] = interpolate(value, env_file_values)
    return env


def service_command(service):
    command = service.get("command")
    if command is None:
        return None
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


# --- checks ------------------------------------------------------------------------------


def services_without_image_problems(compose):
    return [
        f"service {name!r} names neither an image nor a build"
        for name, service in (compose.get("services") or {}).items()
        if not (service or {}).get("image") and not (service or {}).get("build")
    ]


def _options(args):
    return [a.split("=", 1)[0] for a in args if a.startswith("-") and a != "-"]


def _manage_py_problems(args):
    from django.core.management import CommandError, get_commands, load_command_class

    if not (ROOT / "manage.py").exists():
        return ["manage.py does not exist"]
    if not args:
        return ["manage.py without a subcommand"]
    name, rest = args[0], args[1:]
    commands = get_commands()
    if name not in commands:
        return [f"manage.py has no command {name!r}"]
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    try:
        parser.parse_args(rest)
    except (CommandError, SystemExit) as exc:
        return [f"manage.py {name} {' '.join(rest)}: {exc}"]
    return []


def _celery_problems(args):
    from celery import Celery
    from celery.app.utils import find_app
    from celery.bin.celery import celery as cli

    problems, app_name, subcommand, i = [], None, None, 0
    global_options = {o for p in cli.params for o in p.opts + p.secondary_opts}
    while i < len(args):
        arg = args[i]
        if arg in ("-A", "--app"):
            app_name, i = args[i + 1], i + 2
            continue
        if arg.startswith("--app="):
            app_name = arg.split("=", 1)[1]
        elif arg.startswith("-"):
            if arg.split("=", 1)[0] not in global_options:
                problems.append(f"celery has no global option {arg!r}")
        else:
            subcommand = arg
            break
        i += 1
    if app_name is None:
        problems.append("celery without -A: it would not find the app")
    else:
        try:
            found = find_app(app_name)
        except (ImportError, AttributeError) as exc:
            problems.append(f"celery -A {app_name}: {exc}")
        else:
            if not isinstance(found, Celery):
                problems.append(f"celery -A {app_name} does not name a Celery app")
    if subcommand not in cli.commands:
        problems.append(f"celery has no command {subcommand!r}")
    else:
        command = cli.commands[subcommand]
        known = {o for p in command.params for o in p.opts + p.secondary_opts}
        problems += [
            f"celery {subcommand} has no option {o!r}"
            for o in _options(args[i + 1:]) if o not in known
        ]
    return problems


def _gunicorn_problems(args):
    from gunicorn.config import KNOWN_SETTINGS

    takes_value = {o: s.action not in ("store_true", "store_const")
                   for s in KNOWN_SETTINGS for o in (s.cli or [])}
    problems, targets, i = [], [], 0
    while i < len(args):
        option = args[i].split("=", 1)[0]
        if args[i].startswith("-") and args[i] != "-":
            if option not in takes_value:
                problems.append(f"gunicorn has no option {option!r}")
            elif takes_value[option] and "=" not in args[i]:
                i += 1
        else:
            targets.append(args[i])
        i += 1
    if not targets:
        problems.append("gunicorn without a module:application target")
    for target in targets:
        module_name, _, attr = target.partition(":")
        try:
            application = getattr(importlib.import_module(module_name), attr or "application")
        except (ImportError, AttributeError) as exc:
            problems.append(f"gunicorn {target}: {exc}")
        else:
            if not callable(application):
                problems.append(f"gunicorn {target} is not a WSGI callable")
    return problems


def command_problems(argv):
    """Whether a command of the image would start: its program is installed and what it names
    (a manage.py command, the Celery app and subcommand, the WSGI application) exists."""
    if not argv:
        return ["empty command"]
    program, args = argv[0], argv[1:]
    if program in ("python", "python3"):
        if args and args[0] == "manage.py":
            return _manage_py_problems(args[1:])
        return []
    if not (VENV_BIN / program).exists():
        return [f"{program!r} is not installed (not in {VENV_BIN})"]
    if program == "celery":
        return _celery_problems(args)
    if program == "gunicorn":
        return _gunicorn_problems(args)
    return []


def settings_environment_reads():
    """{variable: required} for what production reads: production.py and base.py, which it
    imports. A read is required when it has no default; base.py reads under an `if` (EMAIL_URL
    once it is known to be set) do not make a variable required."""
    reads = {}

    def calls(node, inside_if=False):
        for child in ast.iter_child_nodes(node):
            child_inside = inside_if or isinstance(child, ast.If)
            if isinstance(child, ast.Call):
                yield child, child_inside
            yield from calls(child, child_inside)

    for filename in ("base.py", "production.py"):
        tree = ast.parse((SETTINGS_DIR / filename).read_text())
        for call, inside_if in calls(tree):
            func = call.func
            is_env = isinstance(func, ast.Name) and func.id == "env"
            is_cast = (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                       and func.value.id == "env")
            if not (is_env or is_cast) or not call.args:
                continue
            first = call.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            has_default = any(k.arg == "default" for k in call.keywords) or (
                len(call.args) >= (3 if is_env else 2)
            )
            required = not has_default and not inside_if
            if filename == "production.py":
                reads[first.value] = required  # production overrides what base read
            else:
                reads[first.value] = reads.get(first.value, False) or required
    return reads


def app_environment_problems(compose, env_file_values, compose_text=""):
    """The image's services run production settings with every variable those require, and
    pass no variable that nothing reads (a misspelt name would silently fall to a default)."""
    problems = []
    reads = settings_environment_reads()
    required = {name for name, req in reads.items() if req}
    interpolated = interpolation_names(compose_text)
    services = compose.get("services") or {}
    for name in APP_SERVICES:
        if name not in services:
            problems.append(f"no {name!r} service")
            continue
        try:
            env = service_environment(services[name], env_file_values)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if env.get("DJANGO_SETTINGS_MODULE") != PRODUCTION:
            problems.append(f"{name} does not set DJANGO_SETTINGS_MODULE={PRODUCTION}")
        problems += [f"{name} lacks {v}, which production requires"
                     for v in sorted(required - env.keys())]
        problems += [f"{name} sets {v}, which nothing reads"
                     for v in sorted(env.keys() - reads.keys() - PROGRAM_VARIABLES - interpolated)]
    return problems


def service_url_problems(compose, env_file_values):
    """DATABASE_URL, REDIS_URL and EMAIL_URL point at services of this compose file."""
    from urllib.parse import urlsplit

    services = compose.get("services") or {}
    problems = []
    expected = {"DATABASE_URL": ("postgres",), "REDIS_URL": ("redis",),
                "EMAIL_URL": ("smtp", "smtp+tls", "smtp+ssl")}
    for name in APP_SERVICES:
        env = service_environment(services.get(name, {}), env_file_values)
        for variable, schemes in expected.items():
            url = urlsplit(env.get(variable, ""))
            if url.scheme not in schemes:
                problems.append(f"{name}: {variable} is not a {schemes[0]}:// URL")
            elif url.hostname not in services:
                problems.append(f"{name}: {variable} names host {url.hostname!r}, not a service")
    return problems


def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, rest = current.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def dockerignore_patterns():
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.strip().startswith("#")]


def dockerignored(relative):
    """Whether .dockerignore keeps `relative` (a path from the root) out of the build context:
    the last matching pattern decides, `!` re-includes (Docker's rule)."""
    from fnmatch import fnmatch

    ignored = False
    parts = Path(relative).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in dockerignore_patterns():
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch(prefix, pattern) for prefix in prefixes)
        if hit:
            ignored = not negate
    return ignored


def dockerfile_problems(text):
    """COPY sources exist in the build context; CMD and every `manage.py` RUN would start."""
    problems = []
    for keyword, rest in dockerfile_instructions(text):
        if keyword in ("COPY", "ADD"):
            args = [a for a in shlex.split(rest) if not a.startswith("--")]
            if any(a.startswith("--from") for a in shlex.split(rest)):
                continue
            for source in args[:-1]:
                matches = list(ROOT.glob(source)) if source != "." else [ROOT]
                if not matches:
                    problems.append(f"{keyword} {source}: no such file")
                elif source != "." and all(dockerignored(m.relative_to(ROOT)) for m in matches):
                    problems.append(f"{keyword} {source}: excluded by .dockerignore")
        elif keyword in ("CMD", "ENTRYPOINT"):
            try:
                argv = json.loads(rest)
            except ValueError:
                problems.append(f"{keyword} is not in exec (JSON) form: signals would not reach "
                                "the program")
                continue
            problems += [f"{keyword}: {p}" for p in command_problems(argv)]
        elif keyword == "RUN":
            for match in re.finditer(r"python manage\.py ([^&;|]+)", rest):
                problems += [f"RUN: {p}" for p in command_problems(
                    ["python", "manage.py", *shlex.split(match.group(1))])]
    if not any(k == "CMD" for k, _ in dockerfile_instructions(text)):
        problems.append("no CMD")
    users = [rest for k, rest in dockerfile_instructions(text) if k == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("the image runs as root")
    return problems
