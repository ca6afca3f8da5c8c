"""`make run` (scripts/serve): emails link to the port it serves on, and Ctrl-C or SIGTERM
stops the site, the worker and beat within a few seconds, even a worker that ignores TERM
(one sitting in "Warm shutdown"). The real programs are replaced by stubs that record what
they were given and their process ids."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ddscp_training.devserver import runserver_site_url

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process groups, setsid")

CELERY = """#!/usr/bin/env bash
echo $$ >> "$STUB_DIR/pids"
if [[ " $* " == *" worker "* ]]; then
  trap '' TERM   # a worker stuck in warm shutdown: only KILL ends it
  sleep 300 & echo $! >> "$STUB_DIR/pids"   # a pool child, in the same process group
  echo "$SITE_URL" > "$STUB_DIR/worker-site-url"
fi
while true; do sleep 0.2; done
"""
PYTHON = """#!/usr/bin/env bash
if [ "$2" = "runserver" ]; then
  echo $$ >> "$STUB_DIR/pids"
  echo "$SITE_URL" > "$STUB_DIR/runserver-site-url"
  echo "$3" > "$STUB_DIR/runserver-address"
  while true; do sleep 0.2; done
fi
exit 0   # demo_logins
"""


@pytest.fixture
def stubs(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("celery", CELERY), ("python", PYTHON)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return tmp_path


def serve(stubs, port, **env):
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    environment.update(STUB_DIR=str(stubs), STOP_SECONDS="2", **env)
    # cwd: a copy of nothing but the scripts, so no .env of the developer's is read.
    work = stubs / "work"
    (work / "scripts").mkdir(parents=True, exist_ok=True)
    for name in ("serve", "site-url"):
        target = work / "scripts" / name
        target.write_text((ROOT / "scripts" / name).read_text())
        target.chmod(0o755)
    return subprocess.Popen(["scripts/serve", str(stubs / "bin"), "127.0.0.1", str(port)],
                            cwd=work, env=environment, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_interrupt_as_at_a_terminal)


def _interrupt_as_at_a_terminal():
    """Ctrl-C as a terminal gives it: a pytest-xdist worker ignores SIGINT, and a shell started
    with a signal ignored can never trap it, so the child starts with the default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(path, seconds=10):
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)
    return path.read_text().strip()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie awaiting its parent counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def pids_of(stubs):
    return [int(p) for p in (stubs / "pids").read_text().split()]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_a_signal_stops_the_site_the_worker_and_beat_within_seconds(stubs, sig):
    process = serve(stubs, 8792)
    try:
        wait_for(stubs / "runserver-address")
        wait_for(stubs / "worker-site-url")
        time.sleep(0.3)
        started = pids_of(stubs)
        assert len(started) >= 4  # worker, its pool child, beat, runserver
        process.send_signal(sig)
        process.wait(timeout=8)
        deadline = time.monotonic() + 2
        while any(alive(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p for p in started if alive(p)] == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_emails_link_to_the_port_make_run_serves_on(stubs):
    process = serve(stubs, 8792)
    try:
        assert wait_for(stubs / "runserver-address") == "127.0.0.1:8792"
        assert wait_for(stubs / "runserver-site-url") == "http://127.0.0.1:8792"
        assert wait_for(stubs / "worker-site-url") == "http://127.0.0.1:8792"
    finally:
        process.terminate()
        process.wait(timeout=8)


def test_a_site_url_that_is_set_wins(stubs):
    process = serve(stubs, 8792, SITE_URL="https://training.example")
    try:
        assert wait_for(stubs / "worker-site-url") == "https://training.example"
    finally:
        process.terminate()
        process.wait(timeout=8)


def test_site_url_comes_from_dot_env_when_the_environment_has_none(tmp_path):
    (tmp_path / ".env").write_text('SITE_URL="https://from-dot-env.example"\n')
    run = subprocess.run([str(ROOT / "scripts" / "site-url"), "127.0.0.1", "8792"], cwd=tmp_path,
                         env={k: v for k, v in os.environ.items() if k != "SITE_URL"},
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "https://from-dot-env.example"


@pytest.mark.parametrize(("argv", "url"), [
    (["manage.py", "runserver", "127.0.0.1:8792"], "http://127.0.0.1:8792"),
    (["manage.py", "runserver", "8793"], "http://127.0.0.1:8793"),
    (["manage.py", "runserver"], "http://127.0.0.1:8000"),
    (["manage.py", "runserver", "--noreload", "0.0.0.0:9000"], "http://127.0.0.1:9000"),
    (["manage.py", "runserver", "[::1]:8001"], "http://[::1]:8001"),
    (["manage.py", "migrate"], None),
], ids=["host-and-port", "port", "default", "every-address", "ipv6", "not-runserver"])
def test_the_local_settings_take_site_url_from_runserver(argv, url):
    assert runserver_site_url(argv) == url


def test_the_filesystem_broker_keeps_its_control_folder_under_var():
    """Without REDIS_URL (`make run`'s default) kombu's filesystem broker would make a
    "control/" folder wherever the worker starts: it goes under var/celery/."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SITE_URL", "EMAIL_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "ddscp_training.settings.local"
    run = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; "
         "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['control_folder']); "
         "print(settings.EMAIL_BACKEND)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    folder, backend = run.stdout.split()
    assert Path(folder) == ROOT / "var" / "celery" / "control" and Path(folder).is_dir()
    assert backend == "core.mail_files.EmlFileBackend"
