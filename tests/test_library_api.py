"""``import sheets_sync``: what a caller gets, one version, errors not asserts, the lock."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import sheets_sync
from sheets_sync import Config, TryLater, WorkbookConfig
from sheets_sync.lock import workbook_lock

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 27)
PUBLIC = {
    "open_workbook", "provision", "sync", "check", "render", "frames", "Finding", "Severity",
    "SyncResult", "Plan", "Config", "load_config", "load_template", "SheetsSyncError",
    "ConfigError", "WorkbookError", "GuardError", "TryLater", "__version__",
}


def test_the_public_names_are_exported() -> None:
    assert set(sheets_sync.__all__) >= PUBLIC
    for name in sheets_sync.__all__:
        assert getattr(sheets_sync, name) is not None, name
    for error in ("ConfigError", "WorkbookError", "GuardError", "TryLater"):
        assert issubclass(getattr(sheets_sync, error), sheets_sync.SheetsSyncError)
    assert callable(sheets_sync.sync) and callable(sheets_sync.frames)


def test_the_version_is_the_package_metadata() -> None:
    installed = importlib.metadata.version("sheets-sync")
    assert sheets_sync.__version__ == installed
    done = subprocess.run(
        [sys.executable, "-c", "import sheets_sync as s; print(s.__version__)"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    assert done.stdout.strip() == installed
    done = subprocess.run(
        [sys.executable, "-m", "sheets_sync", "--version"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    assert done.stdout == f"sheets-sync {installed}\n"


def test_importing_the_package_imports_no_heavy_module() -> None:
    code = (
        "import sys, sheets_sync; "
        "print(sorted(m for m in ('pandas', 'openpyxl', 'gspread', 'rich', 'numpy') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_an_xlsx_workbook_without_a_path_is_a_config_error() -> None:
    with pytest.raises(sheets_sync.ConfigError, match="without a path"):
        sheets_sync.open_workbook(WorkbookConfig(name="nowhere", backend="xlsx"))


def test_bad_arguments_raise_errors_not_assertions() -> None:
    from sheets_sync.rules.kpis import KpiInputs, evaluate, expected_at

    unpaced = KpiInputs("increase", 10.0, "weekly")  # no Baseline, Start date, Due date
    with pytest.raises(ValueError, match="needs Baseline"):
        expected_at(unpaced, AS_OF)
    with pytest.raises(ValueError, match="needs a Baseline"):
        evaluate(unpaced, (AS_OF, 3.0), AS_OF)
    with pytest.raises(ValueError, match="unknown KPI direction 'sideways'"):
        evaluate(KpiInputs("sideways", 10.0, "weekly"), (AS_OF, 3.0), AS_OF)


# -- the lock -------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path: Path) -> Iterator[tuple[sheets_sync.Backend, Config]]:
    config = Config(state_dir=tmp_path / "state")
    backend = sheets_sync.open_workbook(tmp_path / "book.xlsx", config)
    sheets_sync.provision(backend, config)
    yield backend, config
    backend.close()


def _hold_in_thread(key: str, state: Path | None) -> tuple[threading.Event, threading.Thread]:
    """Another caller in this process holding the workbook's lock until the event is set."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with workbook_lock(key, state):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(10)
    return release, thread


def test_sync_and_provision_take_the_lock(
    workbook: tuple[sheets_sync.Backend, Config],
) -> None:
    backend, config = workbook
    release, thread = _hold_in_thread(backend.lock_key, config.state_dir)
    try:
        with pytest.raises(TryLater, match="another sheets-sync run holds the lock"):
            sheets_sync.sync(backend, config, as_of=AS_OF)
        with pytest.raises(TryLater):
            sheets_sync.provision(backend, config)
        # a dry run and check write nothing: they need no lock
        assert sheets_sync.sync(backend, config, as_of=AS_OF, dry_run=True).dry_run
        sheets_sync.check(backend, config, as_of=AS_OF)
        sheets_sync.provision(backend, config, dry_run=True)
    finally:
        release.set()
        thread.join(10)
    assert not sheets_sync.sync(backend, config, as_of=AS_OF).dry_run


def test_a_lock_held_by_another_process_means_try_later(
    workbook: tuple[sheets_sync.Backend, Config],
) -> None:
    backend, config = workbook
    code = (
        "import sys; from pathlib import Path; from sheets_sync.lock import workbook_lock\n"
        "with workbook_lock(sys.argv[1], Path(sys.argv[2])):\n"
        "    print('held', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, backend.lock_key, str(config.state_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(TryLater):
            sheets_sync.sync(backend, config, as_of=AS_OF)
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0
    sheets_sync.sync(backend, config, as_of=AS_OF)


def test_lock_false_is_for_a_caller_holding_it(
    workbook: tuple[sheets_sync.Backend, Config],
) -> None:
    backend, config = workbook
    with workbook_lock(backend.lock_key, config.state_dir):
        with pytest.raises(TryLater):  # a second lock object on the same file finds it held
            sheets_sync.sync(backend, config, as_of=AS_OF)
        result = sheets_sync.sync(backend, config, as_of=AS_OF, lock=False)
        sheets_sync.provision(backend, config, lock=False)
    assert not result.dry_run


def test_the_lock_is_released_when_a_sync_fails(
    workbook: tuple[sheets_sync.Backend, Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, config = workbook
    calls: list[object] = []

    def broken(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise sheets_sync.WorkbookError("cannot save")

    monkeypatch.setattr(backend, "write", broken)
    with pytest.raises(sheets_sync.WorkbookError, match="cannot save"):
        sheets_sync.sync(backend, config, as_of=AS_OF)
    assert calls  # the first sync of a new workbook writes its Issues and Dashboard
    monkeypatch.undo()
    with workbook_lock(backend.lock_key, config.state_dir):
        pass  # free again
