"""``sheets-sync demo`` and :func:`sheets_sync.demo.build_demo`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sheets_sync import open_workbook, sync
from sheets_sync.demo import build_demo

from .conftest import AS_OF, Invoke

SHOWN = ("RACI-NO-A", "RACI-MULTI-A", "REVIEW-OVERDUE", "KPI-OFF-TRACK", "KPI-STALE",
         "VALUE-TYPE")


def test_demo_builds_syncs_and_reports(invoke: Invoke, home: Path) -> None:
    result = invoke("demo", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("demo/partnership.xlsx as of 2026-11-27: ")
    for rule in SHOWN:
        assert f" {rule} " in out, rule
    assert out.endswith(
        "The demo workbook is demo/partnership.xlsx: open it to see the highlighting, the Issues,\n"
        "History and Dashboard tabs. Its HTML report is demo/report.html.\n"
        "Next, try: sheets-sync sync --workbook demo/partnership.xlsx\n"
    )
    report = (home / "demo" / "report.html").read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html>") and "<h1>partnership.xlsx</h1>" in report
    assert (home / "demo" / "partnership.xlsx").is_file()
    # and the workbook it leaves is synced: a second sync changes nothing
    result = invoke("sync", "--workbook", "demo/partnership.xlsx", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert "as of 2026-11-27: 0 cells changed;" in result.stdout


def test_demo_replaces_an_existing_workbook(invoke: Invoke, home: Path) -> None:
    (home / "mine").mkdir()
    (home / "mine" / "d.xlsx").write_text("not a workbook")
    result = invoke("demo", "--path", "mine/d.xlsx", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert "Next, try: sheets-sync sync --workbook mine/d.xlsx" in result.stdout


def test_demo_defaults_to_today(invoke: Invoke) -> None:
    result = invoke("demo")
    assert result.exit_code == 0
    assert f" as of {dt.date.today().isoformat()}: " in result.stdout.splitlines()[0]


def test_build_demo(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "demo.xlsx"
    result = build_demo(path, AS_OF)
    assert path.is_file()
    assert result.as_of == AS_OF
    assert not result.dry_run
    assert {f.rule for f in result.findings} >= set(SHOWN)
    again = sync(open_workbook(path), as_of=AS_OF)
    assert again.cells_changed == 0
