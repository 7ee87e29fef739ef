"""The group: help, version, exit codes, error messages, import cost."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import sheets_sync
from sheets_sync.cli import cli, run
from sheets_sync.errors import SheetsSyncError, TryLater

from .conftest import Invoke

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "sheets-sync"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


ALL_COMMANDS = [path for path, _ in _commands(cli)]


def test_the_commands_of_the_design_exist() -> None:
    assert set(ALL_COMMANDS) >= {
        ("init",), ("provision",), ("sync",), ("check",), ("report",), ("templates",),
        ("templates", "list"), ("templates", "show"), ("doctor",), ("demo",),
        ("history", "rebuild"),
    }


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help(invoke: Invoke, path: tuple[str, ...]) -> None:
    ctx = click.Context(cli)
    command: click.Command | None = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.get_command(ctx, name)
    assert command is not None
    assert command.get_short_help_str(limit=200).strip(), f"{path} has no short help"
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert f"Usage: sheets-sync {' '.join(path)}" in result.stdout
    assert command.get_short_help_str(limit=200)[:20] in result.stdout


def test_group_help_lists_every_command(invoke: Invoke) -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    commands = ("init", "provision", "sync", "check", "report", "export", "templates", "doctor",
                "demo")
    for name in commands:
        assert f"\n  {name} " in result.stdout
    assert "--debug" in result.stdout
    assert "--version" in result.stdout


def test_version(invoke: Invoke) -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"sheets-sync {sheets_sync.__version__}\n"


def test_unknown_command_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr


def test_unknown_option_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("sync", "--bogus")
    assert result.exit_code == 2
    assert "Error: No such option '--bogus'." in result.stderr


def test_no_config_and_no_workbook_says_what_to_do(invoke: Invoke) -> None:
    for command in ("sync", "check", "report", "provision"):
        result = invoke(command)
        assert result.exit_code == 2, command
        assert result.stdout == ""
        assert result.stderr.startswith("Error: no config file: ./sheets-sync.toml does not exist")
        assert "Pass --workbook PATH.xlsx" in result.stderr
        assert "run `sheets-sync init`" in result.stderr


def test_a_missing_config_named_by_the_environment_is_a_config_error(invoke: Invoke) -> None:
    result = invoke("sync", env={"SHEETS_SYNC_CONFIG": "nowhere.toml"})
    assert result.exit_code == 2
    assert "Error: nowhere.toml: config file not found (from SHEETS_SYNC_CONFIG)" in result.stderr


def test_a_bad_config_is_exit_2_naming_the_key(invoke: Invoke, home: Path) -> None:
    (home / "sheets-sync.toml").write_text("[rules]\non_track_ratio = 'high'\n")
    result = invoke("check")
    assert result.exit_code == 2
    assert result.stderr == "Error: rules.on_track_ratio: must be float, got 'high'\n"


def test_a_bad_as_of_date_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("check", "--workbook", "x.xlsx", "--as-of", "31/12/2026")
    assert result.exit_code == 2
    assert "Invalid value for '--as-of': '31/12/2026' is not a date written YYYY-MM-DD" in (
        result.stderr
    )


def test_workbook_must_be_xlsx(invoke: Invoke) -> None:
    result = invoke("check", "--workbook", "notes.ods")
    assert result.exit_code == 2
    assert "'notes.ods' is not an .xlsx file" in result.stderr


def test_a_missing_workbook_is_an_explained_failure(invoke: Invoke) -> None:
    result = invoke("check", "--workbook", "missing.xlsx")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: missing.xlsx does not exist; run `sheets-sync provision --workbook missing.xlsx` "
        "to create it\n"
    )


def test_unexpected_errors_are_one_line_without_debug(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, clean_xlsx: Path
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(sheets_sync, "check", boom)
    result = invoke("check", "--workbook", str(clean_xlsx))
    assert result.exit_code == 3
    assert result.stderr == (
        "Error: unexpected ValueError: boom (run with --debug for the traceback)\n"
    )
    result = invoke("--debug", "check", "--workbook", str(clean_xlsx))
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.endswith("Error: unexpected ValueError: boom\n")


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [
        (SheetsSyncError("could not do it"), 1, "Error: could not do it\n"),
        (TryLater("someone has it open"), 75, "Error: someone has it open\n"),
        (KeyboardInterrupt(), 130, "Interrupted.\n"),
    ],
)
def test_exceptions_map_to_exit_codes(
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    clean_xlsx: Path,
    exc: BaseException,
    code: int,
    message: str,
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(sheets_sync, "sync", fail)
    result = invoke("sync", "--workbook", str(clean_xlsx))
    assert result.exit_code == code
    assert result.stderr == message


def test_run_maps_exit_codes_without_raising(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--version"]) == 0
    assert run(["templates", "list"]) == 0
    assert run(["nonsense"]) == 2
    assert "No such command" in capsys.readouterr().err
    assert run(["check"]) == 2
    assert "no config file" in capsys.readouterr().err
    assert run(["check", "--workbook", "missing.xlsx"]) == 1


def test_run_maps_an_interrupt(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "make_context", interrupt)
    assert run(["sync"]) == 130


def test_the_installed_script_and_python_m_exit_with_the_codes(tmp_path: Path) -> None:
    script = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "sheets_sync"]
    done = subprocess.run([*script, "nonsense"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert "No such command 'nonsense'" in done.stderr
    done = subprocess.run([*script, "check"], capture_output=True, text=True, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "Error: no config file" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "sheets_sync", "--version"], capture_output=True, text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0
    assert done.stdout == f"sheets-sync {sheets_sync.__version__}\n"


def test_importing_the_cli_imports_no_heavy_module() -> None:
    code = (
        "import sys, sheets_sync.cli; "
        "print(sorted(m for m in ('pandas', 'openpyxl', 'gspread', 'rich', 'numpy') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
        cwd=ROOT, check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert not {"pandas", "openpyxl", "gspread", "rich"} & imported


def test_help_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from sheets_sync.cli import run\n"
        "code = run(['sync', '--help'])\n"
        "print(code, sorted(m for m in ('pandas', 'openpyxl', 'gspread', 'rich') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip().endswith("0 []")
