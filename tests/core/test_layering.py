"""Dependencies run one way (STYLE.md): core <- accounts <- courses <- newsletter, resources,
bookings <- evaluations, charging <- reports <- privacy. A lower app imports nothing from a higher one;
when it needs an answer from above it uses a signal or a registry.

Read from the source with `ast`, so an import inside a function counts too (the kind that
crept in: core/outbox.py's `from accounts.models import User`)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# app -> the apps it may not import.
HIGHER = {
    "core": {"accounts", "courses", "newsletter", "resources", "bookings", "evaluations",
             "charging", "reports", "privacy", "demo"},
    "accounts": {"courses", "newsletter", "resources", "bookings", "evaluations", "charging",
                 "reports", "privacy", "demo"},
    "courses": {"newsletter", "resources", "bookings", "evaluations", "charging", "reports",
                "privacy", "demo"},
    "newsletter": {"resources", "bookings", "evaluations", "charging", "reports", "privacy", "demo"},
    "resources": {"newsletter", "bookings", "evaluations", "charging", "reports", "privacy", "demo"},
    "bookings": {"evaluations", "charging", "reports", "privacy", "demo"},
    "evaluations": {"charging", "reports", "privacy", "demo"},
    "charging": {"evaluations", "reports", "privacy", "demo"},
    "reports": {"privacy", "demo"},
}


def imports_of(path):
    """(line, top-level package) of every absolute import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def upward_imports(app):
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue  # a migration may name another app's state (newsletter 0001 -> courses)
        for line, package in imports_of(path):
            if package in HIGHER[app]:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {package}")
    return found


@pytest.mark.parametrize("app", sorted(HIGHER))
def test_an_app_imports_nothing_from_the_apps_above_it(app):
    assert upward_imports(app) == []


def test_core_imports_nothing_from_accounts():
    """`git grep -n "from accounts" core/` prints nothing: the MFA middleware lives in
    accounts, and the outbox finds users through get_user_model()."""
    offending = [f"{path.relative_to(ROOT)}" for path in (ROOT / "core").rglob("*.py")
                 if "from accounts" in path.read_text() or "import accounts" in path.read_text()]
    assert offending == []


def test_the_check_finds_an_upward_import(tmp_path, monkeypatch):
    """The scan is not blind: a lower app importing a higher one is reported."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "x.py").write_text("def f():\n    from accounts.models import User\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert upward_imports("core") == ["core/x.py:2 imports accounts"]


def test_the_staff_mfa_middleware_is_the_accounts_one(settings):
    assert "accounts.middleware.StaffMFARequiredMiddleware" in settings.MIDDLEWARE
    assert not any(name.startswith("core.middleware") for name in settings.MIDDLEWARE)
