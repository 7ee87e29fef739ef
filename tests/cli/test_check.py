"""``sheets-sync check``: validate only."""

from __future__ import annotations

import json
import re
from pathlib import Path

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
    assert re.fullmatch(r"Error: --fail-on error: \d+ errors, 0 warnings\n", result.stderr)
    assert demo_xlsx.read_bytes() == before


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
    assert re.fullmatch(r"Error: --fail-on warning: \d+ errors, [1-9]\d* warnings\n",
                        result.stderr)


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
