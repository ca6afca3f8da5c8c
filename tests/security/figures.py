"""Figures the security guards measure, printed at the end of `make test`.

A test writes a line here, e.g. FIGURES["access matrix"] = "2,646 URL x identity cells (GET)";
tests/conftest.py's pytest_terminal_summary calls figures_print, which prints every entry in
the order they were written."""

FIGURES: dict[str, str] = {}


def figures_print(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("security figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
