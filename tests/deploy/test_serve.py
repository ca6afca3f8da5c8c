"""scripts/serve (what `make run` ends with): the web server it starts must be told its own
address, which goes into the links of every email it queues (SITE_URL)."""

import os
import subprocess
from pathlib import Path

SERVE = Path(__file__).resolve().parents[2] / "scripts" / "serve"

# Stand-ins for the venv's programs: Celery waits to be stopped; python records the SITE_URL
# that `manage.py runserver` would see, then exits (which ends the script).
CELERY = "#!/usr/bin/env bash\nexec sleep 30\n"
PYTHON = """#!/usr/bin/env bash
if [ "$2" = runserver ]; then echo "${SITE_URL-<unset>}" > "$OUT"; fi
exit 0
"""


def serve(tmp_path, *, env=None, dotenv=None):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("celery", CELERY), ("python", PYTHON)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv)
    out = tmp_path / "site_url"
    environ = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    environ.update({"OUT": str(out), **(env or {})})
    subprocess.run([str(SERVE), str(bin_dir), "127.0.0.1", "8077"], cwd=tmp_path, env=environ,
                   check=True, timeout=20, capture_output=True)
    return out.read_text().strip()


def test_emails_link_to_the_port_make_run_serves_on(tmp_path):
    assert serve(tmp_path) == "http://127.0.0.1:8077"


def test_a_site_url_in_the_environment_wins(tmp_path):
    assert serve(tmp_path, env={"SITE_URL": "https://training.example"}) == (
        "https://training.example")


def test_a_site_url_in_dot_env_wins(tmp_path):
    # scripts/site-url reads .env and serve exports it (the worker renders most emails).
    assert serve(tmp_path, dotenv="SITE_URL=https://training.example\n") == (
        "https://training.example")
