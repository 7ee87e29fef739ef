"""``sheets-sync report``: text, markdown and JSON renderings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Invoke


def test_text_report(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("report", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("partnership.xlsx as of 2026-11-27: ")
    assert "\nKPIs:  " in out
    assert "\nTasks without exactly one Accountable: " in out
    assert "RACI-NO-A" in out and "GOAL-ONE-SIDED" in out  # every finding, info included


def test_markdown_report(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke("report", "--workbook", "partnership.xlsx", "--format", "markdown",
                    "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert result.stdout.startswith("# sheets-sync report: partnership.xlsx\n")
    assert "| Severity | Rule | Tab | Cell | Key | Message | First seen |" in result.stdout


def test_json_report_to_a_file(invoke: Invoke, demo_xlsx: Path, home: Path) -> None:
    result = invoke("report", "--workbook", "partnership.xlsx", "--format", "json",
                    "--as-of", "2026-11-27", "--output", "report.json")
    assert result.exit_code == 0
    assert result.stdout == (
        "Wrote the json report of partnership.xlsx to report.json\n"
    )
    data = json.loads((home / "report.json").read_text())
    assert data["as_of"] == "2026-11-27"


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_unknown_format_is_a_usage_error(invoke: Invoke, fmt: str) -> None:
    result = invoke("report", "--workbook", "x.xlsx", "--format", fmt)
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_the_headline_says_one_cell_one_error_one_warning() -> None:
    import datetime as dt

    from sheets_sync.backends.base import CellUpdate
    from sheets_sync.findings import Finding, Severity
    from sheets_sync.report import headline
    from sheets_sync.summary import Summary
    from sheets_sync.sync import SyncResult

    findings = [
        Finding("RACI-NO-A", "RACI", "T1", "m", severity=Severity.ERROR),
        Finding("KPI-STALE", "KPIs", "K1", "m", severity=Severity.WARNING),
    ]
    result = SyncResult("book.xlsx", dt.date(2026, 11, 27), findings, {}, Summary(),
                        [CellUpdate("KPIs", 1, 1, "x")], [], dry_run=False)
    assert headline(result) == (
        "book.xlsx as of 2026-11-27: 1 cell changed; 1 error, 1 warning, 0 info"
    )
    result.dry_run = True
    assert headline(result) == (
        "book.xlsx as of 2026-11-27: 1 cell would change (dry run, nothing written); "
        "1 error, 1 warning, 0 info"
    )
