"""``sheets-sync history rebuild``."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from .conftest import Invoke

REBUILD = ("history", "rebuild", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27")


def periods(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)["History"]
    return [str(c.value) for c in ws[1][4:] if c.value is not None]


def test_dry_run_says_what_would_be_filled_and_writes_nothing(
    invoke: Invoke, demo_xlsx: Path
) -> None:
    before = demo_xlsx.read_bytes()
    result = invoke(*REBUILD, "--from", "2026-11-01", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "partnership.xlsx history as of 2026-11-27: 5 periods (2026-W44 to 2026-W48); "
    )
    assert result.stdout.rstrip().endswith("(dry run, nothing written)")
    assert demo_xlsx.read_bytes() == before


def test_rebuild_fills_every_period_then_a_second_run_changes_nothing(
    invoke: Invoke, home: Path, clean_xlsx: Path
) -> None:
    args = ("history", "rebuild", "--workbook", "clean.xlsx", "--as-of", "2026-11-27",
            "--from", "2026-10-01")
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert periods(clean_xlsx) == [f"2026-W{w}" for w in range(40, 49)]
    again = invoke(*args)
    assert again.exit_code == 0
    assert "; 0 cells changed; synced" in again.stdout


def test_a_bad_date_is_a_usage_error(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke(*REBUILD, "--from", "01/11/2026")
    assert result.exit_code == 2
    assert "is not a date written YYYY-MM-DD" in result.output
