import pytest
from django.core.cache import cache

from accounts.roles import Role

from .factories import UserFactory
from .helpers import totp_activate


def pytest_terminal_summary(terminalreporter):
    """Print the figures the security guards recorded (tests/security/figures.py), whichever
    folder they run from."""
    from .security.figures import figures_print

    figures_print(terminalreporter)


def pytest_sessionfinish(session):
    """Under pytest-xdist a worker hands its figures to the main process (pytest_testnodedown)."""
    from .security.figures import FIGURES

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["security_figures"] = dict(FIGURES)


def pytest_testnodedown(node, error):
    from .security.figures import FIGURES

    FIGURES.update(getattr(node, "workeroutput", {}).get("security_figures", {}))


# The three files that take minutes each (a form fuzz, the crawl, the access matrix; about 13
# of the suite's minutes together) hold one test each. pytest-xdist hands out the files with
# the most tests first (unless --no-loadscope-reorder, which `make test` gives), so they came
# last and the process holding two of them finished minutes after the other. Started first,
# the other process takes the short files meanwhile.
SLOW_FILES_FIRST = ("tests/security/test_form_fuzz.py", "tests/e2e/test_crawl.py",
                    "tests/security/test_access_matrix.py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`), the slow files go first; the rest keep the order
    pytest-django gives them. The tests do not depend on their order (the guards in this
    file, README "Tests")."""
    if not hasattr(config, "workerinput"):
        return

    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        return SLOW_FILES_FIRST.index(path) if path in SLOW_FILES_FIRST else len(SLOW_FILES_FIRST)

    items[:] = sorted(items, key=rank)  # a stable sort: the rest keep their order


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """allauth's rate limits and the used TOTP codes live in the cache, the database's
    core_cache table (settings CACHES): empty it around each test that uses the database (a
    transactional test's flush leaves that table alone). Other tests have no cache to clear."""
    if not (request.node.get_closest_marker("django_db")
            or "django_db_setup" in request.fixturenames):
        yield
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        cache.clear()
    yield
    with blocker.unblock():
        cache.clear()


@pytest.fixture(autouse=True)
def _settings_left_as_found():
    """A test leaves Django's settings as it found them. An @override_settings decorator on a
    test that also changed the `settings` fixture was never undone (the fixture's override,
    made inside the decorator's, restored the decorator's settings at teardown): every later
    test in that process ran with them. This fails the test that leaks, and undoes it."""
    from django.conf import settings
    from django.utils.functional import empty

    before = settings._wrapped
    yield
    if before is not empty and settings._wrapped is not before:
        leaked = sorted({name for name in dir(settings._wrapped) if name.isupper()
                         and name != "SETTINGS_MODULE"
                         and getattr(settings._wrapped, name, None) != getattr(before, name, None)})
        settings._wrapped = before
        pytest.fail(f"This test left Django's settings changed: {', '.join(leaked)}",
                    pytrace=False)


@pytest.fixture(autouse=True)
def _celery_join_flag_clear():
    """Celery's eager apply_async marks "inside a task" in one process-wide flag
    (celery.result.denied_join_result), set and restored without a lock: threads running eager
    tasks at once (the concurrency tests, a live server beside the test) can leave it set, and
    a later test's result.get() then fails with "Never call result.get() within a task". Each
    test starts with it clear."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _force_login_means_completed_login(monkeypatch):
    """TEST SHORTCUT: client.force_login(user) means "this user has completed login". For a
    user with an authenticator app, the session also gets the record allauth writes after a
    real sign-in (password, then the code), so accounts.middleware lets it reach staff pages.
    Tests about signing in itself (tests/security/test_login_paths.py, test_admin_login.py,
    tests/accounts/test_mfa.py) post the real forms instead and must never rely on this."""
    from django.test import Client

    force_login = Client.force_login

    def force_login_after_totp(self, user, backend=None):
        force_login(self, user, backend)
        session_record_totp_passed(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_after_totp)


def session_record_totp_passed(client, user):
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.test import RequestFactory

    authenticator = Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()


@pytest.fixture
def delegate(db):
    return UserFactory(roles=[Role.DELEGATE])


@pytest.fixture
def make_user(db):
    """make_user(Role.OFFICER, ...) -> a user with those roles and, for staff roles, TOTP set
    up (staff must use two-factor authentication)."""

    def make(*roles, mfa=True, **kwargs):
        user = UserFactory(roles=list(roles) or [Role.DELEGATE], **kwargs)
        if mfa and any(r != Role.DELEGATE for r in roles):
            totp_activate(user)
        return user

    return make


@pytest.fixture
def site_admin(db):
    """A superuser (the site administrator), with TOTP set up like every staff account."""
    user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    totp_activate(user)
    return user


class DeliveringOutbox(list):
    """django.core.mail.outbox as the mail server sees it once the outbox (core.outbox) has
    delivered every row that is due: each read first runs a delivery, so a test that calls a
    service, a sweep or a page reads its emails as delivered, not merely queued. (Rows a test
    transaction wrote count as committed here; tests/core/test_outbox*.py check the rows and
    the commit rule themselves.) Appending, which the locmem backend does, never delivers."""

    _busy = False

    def _deliver(self):
        if self._busy:
            return
        self._busy = True
        try:
            from core.outbox import outbox_deliver

            outbox_deliver()
        except RuntimeError:  # a test without database access: nothing can be queued
            pass
        finally:
            self._busy = False

    def __iter__(self):
        self._deliver()
        return super().__iter__()

    def __len__(self):
        self._deliver()
        return super().__len__()

    def __getitem__(self, index):
        self._deliver()
        return super().__getitem__(index)

    def __eq__(self, other):
        self._deliver()
        return list(super().__iter__()) == other

    __hash__ = None

    def clear(self):
        self._deliver()
        super().clear()


@pytest.fixture(autouse=True)
def _mail_outbox_delivers(monkeypatch):
    from django.core import mail

    monkeypatch.setattr(mail, "outbox", DeliveringOutbox(), raising=False)


@pytest.fixture(autouse=True)
def _outbox_nudges_not_paused(monkeypatch):
    """A test that stops the broker pauses this process's nudges (core.outbox.task_nudge):
    every test starts with nudges on."""
    monkeypatch.setattr("core.outbox._nudge_paused_until", 0.0)
