"""Rules for every test run.

Real components: tests marked ``libreoffice`` need ``soffice`` on PATH, tests marked
``chromium`` need Debian's ``chromium``. On a developer machine without one they skip. Under
CI (the ``CI`` environment variable set to anything but 0/false/no/off, as CI services and
.ci/run do) a missing component fails the run instead and names it, so CI cannot pass by
skipping. As a backstop, under CI a test that is not marked but skips itself with a reason
naming the component's program fails the same way.

Locks: every run keeps its workbook locks in a folder of its own, so two test runs on one
machine (or the two halves of ``make reliability``) never hold each other's locks for the
fake spreadsheets, whose ids repeat from run to run.

Summaries: the ``terminal_summary`` fixture adds a section printed after the run, so figures a
test computes (the Google API fidelity coverage) show in a plain ``make test``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Generator

import pytest

SOFFICE = "soffice"
MISSING_SOFFICE = (
    "LibreOffice is missing: `soffice` is not on PATH (.ci/run installs it: libreoffice-calc)"
)
CHROMIUM = "chromium"
MISSING_CHROMIUM = (
    "Chromium is missing: `chromium` is not on PATH (.ci/run installs it: Debian's chromium)"
)
#: marker -> (program on PATH, what to say when it is not)
COMPONENTS = {"libreoffice": (SOFFICE, MISSING_SOFFICE), "chromium": (CHROMIUM, MISSING_CHROMIUM)}
_SECTIONS = pytest.StashKey[list[tuple[str, str]]]()


def under_ci() -> bool:
    """Whether this run is CI: ``CI`` is set, and not to 0, false, no or off."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def pytest_configure(config: pytest.Config) -> None:
    if "SHEETS_SYNC_STATE_DIR" not in os.environ:
        # inherited by the processes tests start (crash children, the CLI)
        os.environ["SHEETS_SYNC_STATE_DIR"] = tempfile.mkdtemp(prefix="sheets-sync-test-locks-")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, (program, missing) in COMPONENTS.items():
        if item.get_closest_marker(marker) is None or shutil.which(program):
            continue
        if under_ci():
            pytest.fail(f"{missing}; under CI this fails, not skips", pytrace=False)
        pytest.skip(missing)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not (report.skipped and under_ci()) or hasattr(report, "wasxfail"):
        return report
    longrepr = report.longrepr
    reason = str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
    reason = reason.removeprefix("Skipped: ")
    for program, missing in COMPONENTS.values():
        if program in reason.lower() and not shutil.which(program):
            report.outcome = "failed"
            report.longrepr = f"{missing}; under CI this fails, not skips ({reason})"
    return report


@pytest.fixture
def terminal_summary(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``add(title, text)``: print ``text`` under ``title`` at the end of the run."""
    sections = request.config.stash.setdefault(_SECTIONS, [])

    def add(title: str, text: str) -> None:
        sections.append((title, text))

    return add


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for title, text in terminalreporter.config.stash.get(_SECTIONS, []):
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(text)
