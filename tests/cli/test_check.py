"""``sheets-sync check``: validate only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sheets_sync.report import plural

from .conftest import Invoke, screen


def test_check_fails_on_errors_and_writes_nothing(invoke: Invoke, demo_xlsx: Path) -> None:
    before = demo_xlsx.read_bytes()
    result = invoke("check", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27")
    assert result.exit_code == 1
    head = result.stdout.splitlines()[0]
    assert re.fullmatch(
        r"partnership\.xlsx as of 2026-11-27: \d+ cells would change \(dry run, nothing "
        r"written\); [1-9]\d* errors, \d+ warnings, \d+ info",
        head,
    )
    assert re.search(r"^error   RACI-MULTI-A +RACI!E\d+ +T13: ", result.stdout, re.M)
    errors, warnings = _shown(result.stdout)
    assert f"; {plural(errors, 'error')}, {plural(warnings, 'warning')}, " in head
    # the default --fail-on is not the person's: the message does not mention it
    assert result.stderr == f"Error: {plural(errors, 'error')} found\n"
    assert demo_xlsx.read_bytes() == before


def _shown(stdout: str) -> tuple[int, int]:
    """How many error and warning lines the plain output shows."""
    lines = stdout.splitlines()[1:]
    return (sum(1 for line in lines if line.startswith("error ")),
            sum(1 for line in lines if line.startswith("warning ")))


def test_check_counts_what_it_shows(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("check", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27",
                    "--fail-on", "error")
    assert result.exit_code == 1
    errors, warnings = _shown(result.stdout)
    assert errors > 1 and warnings > 1
    assert re.search(rf"; {errors} errors, {warnings} warnings, \d+ info$",
                     result.stdout.splitlines()[0])
    assert result.stderr == f"Error: --fail-on error: {errors} errors\n"
    result = invoke("check", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27",
                    "--fail-on", "warning")
    assert result.exit_code == 1
    assert result.stderr == f"Error: --fail-on warning: {errors} errors, {warnings} warnings\n"


def test_plurals() -> None:
    assert [plural(n, "warning") for n in (0, 1, 2)] == ["0 warnings", "1 warning", "2 warnings"]
    assert plural(1, "error") == "1 error"
    assert plural(1, "cell") == "1 cell"


def test_check_passes_a_clean_workbook(invoke: Invoke, clean_xlsx: Path) -> None:
    result = invoke("check", "--workbook", "clean.xlsx", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "clean.xlsx as of 2026-11-27: 0 cells would change (dry run, nothing written); "
        "0 errors, 0 warnings, 0 info\n"
    )
    result = invoke("check", "--workbook", "clean.xlsx", "--fail-on", "warning",
                    "--as-of", "2026-11-27")
    assert result.exit_code == 0


def test_check_fail_on_warning(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("check", "--workbook", "partnership.xlsx", "--fail-on", "warning")
    assert result.exit_code == 1
    errors, warnings = _shown(result.stdout)
    assert result.stderr == f"Error: --fail-on warning: {errors} errors, {warnings} warnings\n"


def test_check_json(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("check", "--workbook", "partnership.xlsx", "--json", "--as-of", "2026-11-27")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["dry_run"] is True
    assert data["counts"]["error"] > 0


def test_check_on_a_terminal_shows_a_table(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("check", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27",
                    terminal=True)
    assert result.exit_code == 1
    assert re.search(r"│ error\s+│ RACI-MULTI-A\s+│ RACI!\S+\s+│ T13 ", screen(result.stdout))
