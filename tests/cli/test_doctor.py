"""``sheets-sync doctor``."""

from __future__ import annotations

from pathlib import Path

from sheets_sync.lock import workbook_lock

from .conftest import Invoke, write_config


def test_doctor_all_good(invoke: Invoke, clean_xlsx: Path) -> None:
    result = invoke("doctor", "--workbook", "clean.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ok   config: no config file (defaults)",
        "ok   template: partnership 1.5.0",
        "ok   clean: xlsx backend (clean.xlsx)",
        "ok   clean: readable (9 tabs)",
        "ok   clean: no editor lock file",
        "ok   clean: up to date with template partnership 1.5.0",
        "ok   clean: sync lock: free",
    ]


def test_doctor_names_the_config_and_its_source(
    invoke: Invoke, home: Path, clean_xlsx: Path
) -> None:
    write_config(home / "sheets-sync.toml", ("clean", "clean.xlsx"))
    result = invoke("doctor")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "ok   config: sheets-sync.toml (from ./sheets-sync.toml)"
    )


def test_doctor_without_config(invoke: Invoke) -> None:
    result = invoke("doctor")
    assert result.exit_code == 1
    assert result.stdout.startswith("fail config: no config file: ./sheets-sync.toml does not")


def test_doctor_with_a_bad_config(invoke: Invoke, home: Path) -> None:
    (home / "sheets-sync.toml").write_text("[rules]\nbogus = 1\n")
    result = invoke("doctor")
    assert result.exit_code == 1
    assert result.stdout.startswith("fail config: rules.bogus: unknown setting")


def test_doctor_reports_problems(invoke: Invoke, home: Path, clean_xlsx: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(clean_xlsx)
    del wb["Dashboard"]
    wb.save(clean_xlsx)
    (home / ".~lock.clean.xlsx#").write_text("Ana Ruiz,ana,laptop,27.11.2026 09:00,file:///x;")
    write_config(home / "sheets-sync.toml", ("clean", "clean.xlsx"), ("gone", "gone.xlsx"))
    with workbook_lock(str(clean_xlsx), Path("../state").resolve()):
        result = invoke("doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "ok   clean: readable (8 tabs)" in lines
    assert any(
        line.startswith("warn clean: clean.xlsx is open in LibreOffice, held by Ana Ruiz on laptop")
        for line in lines
    )
    assert any(
        line == "warn clean: template drift: 1 thing missing; run sheets-sync provision"
        for line in lines
    )
    assert "warn clean: sync lock: held by a sync running now" in lines
    assert f"fail gone: {home / 'gone.xlsx'} does not exist; run sheets-sync provision" in lines
    assert "ok   gone: sync lock: free" in lines


def test_doctor_name_picks_one_workbook(invoke: Invoke, home: Path, clean_xlsx: Path) -> None:
    write_config(home / "sheets-sync.toml", ("clean", "clean.xlsx"), ("gone", "gone.xlsx"))
    result = invoke("doctor", "--name", "clean")
    assert result.exit_code == 0
    assert not any(" gone: " in line for line in result.stdout.splitlines())
    result = invoke("doctor", "--name", "gone")
    assert result.exit_code == 1
    assert not any(" clean: " in line for line in result.stdout.splitlines())
