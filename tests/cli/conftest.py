"""Fixtures for the command-line tests: an isolated folder, environment and runner."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sheets_sync.cli import cli

AS_OF = dt.date(2026, 11, 27)
#: The moment cron headlines show (``sheets_sync.cli.sync.now`` in every CLI test).
NOW = dt.datetime(2026, 12, 6, 4, 40, tzinfo=dt.timezone(dt.timedelta(hours=1)))
STAMP = "2026-12-06T04:40:00+01:00"
#: Environment variables a test run must not inherit from the machine.
ISOLATED = (
    "SHEETS_SYNC_CONFIG",
    "SHEETS_SYNC_TIMEZONE",
    "SHEETS_SYNC_LOCALE",
    "SHEETS_SYNC_TEMPLATE",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "NO_COLOR",
)

Invoke = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty current folder, a private lock folder, no sheets-sync variables."""
    for name in ISOLATED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHEETS_SYNC_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr("sheets_sync.cli.sync.now", lambda: NOW)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work


@pytest.fixture
def invoke(home: Path) -> Invoke:
    """Run ``sheets-sync ARGS`` in-process; stdout is not a terminal (as in cron)."""

    def run(*args: str, env: dict[str, str] | None = None, terminal: bool = False) -> Result:
        environ = dict(env or {})
        if terminal:  # what a person at a terminal sees (rich), without colour codes
            environ.update({"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": "200"})
        return CliRunner().invoke(cli, list(args), env=environ, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workbook as of AS_OF, built once."""
    from sheets_sync.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "partnership.xlsx"
    build_demo(path, AS_OF)
    return path


@pytest.fixture
def demo_xlsx(home: Path, demo_master: Path) -> Path:
    """A private copy of the synced demo workbook in the current folder."""
    target = home / "partnership.xlsx"
    shutil.copy2(demo_master, target)
    return target


@pytest.fixture
def clean_xlsx(home: Path) -> Path:
    """A small provisioned workbook holding valid data (no errors or warnings)."""
    from sheets_sync import open_workbook, provision, sync
    from sheets_sync.backends.base import CellUpdate
    from tests.helpers import BASE

    path = home / "clean.xlsx"
    backend = open_workbook(path)
    provision(backend)
    data = backend.read()
    updates = [
        CellUpdate(tab, r, c, value, "date" if isinstance(value, dt.date) else
                   "number" if isinstance(value, int | float) else "text")
        for tab, grid in BASE.items()
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if value is not None
    ]
    backend.write(data, updates)
    sync(backend, as_of=AS_OF)  # formatting of the role columns, computed cells
    return path


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_SPINNER = re.compile(r"^[\u2800-\u28ff] ")


def screen(text: str) -> str:
    """What a terminal shows of ``text``: no escape codes, no overwritten (spinner) lines."""
    lines = _ANSI.sub("", text).split("\n")
    shown = (line.rsplit("\r", 1)[-1] for line in lines)
    return "\n".join(line for line in shown if not _SPINNER.match(line))


def write_config(path: Path, *workbooks: tuple[str, str], extra: str = "") -> Path:
    """A config file keeping the given (name, xlsx path) workbooks."""
    lines = [extra]
    for name, wb in workbooks:
        lines += ["[[workbooks]]", f'name = "{name}"', 'backend = "xlsx"', f'path = "{wb}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def copy_to(source: Path, target: Path) -> Path:
    shutil.copy2(source, target)
    return target
