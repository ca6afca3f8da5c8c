# The figures of the security guards (tests/security/figures.py) are printed by the one
# pytest_terminal_summary hook in tests/conftest.py, so that they print once whichever folder
# the run starts from: do not add a second hook here.

# The browser fixtures (Chromium, the live server's `page`, which fails a test on any
# Content-Security-Policy report) for test_csp.py and test_xss.py: imported once here, since
# a session-scoped browser imported into two modules would start Playwright twice.
from tests.e2e.conftest import browser, page  # noqa: E402,F401
