"""``sheets-sync sync``: what a dry run would change, JSON errors, and cron output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sheets_sync.changes import Change
from sheets_sync.cli.changes import brief, change_lines
from sheets_sync.lock import workbook_lock

from .conftest import STAMP, Invoke, screen, write_config

DEMO = ("sync", "--workbook", "partnership.xlsx")
CHANGED_NEXT_DAY = [f"Issues!I{row}: 0 → 1" for row in range(2, 13)] + [
    "Dashboard!B2: 2026-11-27 → 2026-11-28"
]


def test_dry_run_lists_each_changed_cell(invoke: Invoke, demo_xlsx: Path) -> None:
    result = invoke(*DEMO, "--dry-run", "--as-of", "2026-11-28")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"{STAMP} partnership.xlsx as of 2026-11-28: 12 cells would change "
        "(dry run, nothing written); 3 errors, 5 warnings, 1 info",
        *CHANGED_NEXT_DAY,
    ]


def test_dry_run_counts_per_column_when_more_than_20_cells(
    invoke: Invoke, demo_xlsx: Path
) -> None:
    result = invoke(*DEMO, "--dry-run", "--as-of", "2026-12-20")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{STAMP} partnership.xlsx as of 2026-12-20: 271 cells would change "
        "(dry run, nothing written); 3 errors, 14 warnings, 1 info"
    )
    assert lines[1:34] == [
        "People / KPIs needing attention: 4 cells",
        "People / Open findings: 5 cells",
        "Goals / Review status: 2 cells",
        "Goals / Status: 5 cells",
        "Goals / Issues: 2 cells",
        "KPIs / Status: 8 cells",
        "KPIs / Issues: 9 cells",
        "History / 2026-W51: 24 cells",
        "Issues / Severity: 8 cells",
        "Issues / Rule: 13 cells",
        "Issues / Tab: 10 cells",
        "Issues / Cell: 15 cells",
        "Issues / Key: 15 cells",
        "Issues / Owner: 15 cells",
        "Issues / Message: 15 cells",
        "Issues / First seen: 12 cells",
        "Issues / Age (days): 13 cells",
        "Issues / Acknowledged by: 1 cell",
        "Issues / Snooze until: 2 cells",
        "Issues / Comment: 3 cells",
        "Dashboard / Metric: 7 cells",
        "Dashboard / Value: 14 cells",
        "Dashboard / Detail: 18 cells",
        "Dashboard / Period: 12 cells",
        "Dashboard / Achieved: 5 cells",
        "Dashboard / On track: 8 cells",
        "Dashboard / At risk: 6 cells",
        "Dashboard / Off track: 3 cells",
        "Dashboard / Overdue: 5 cells",
        "Dashboard / Stale: 6 cells",
        "Dashboard / No data: 2 cells",
        "Dashboard / Closed: 2 cells",
        "Dashboard / Dropped: 2 cells",
    ]
    assert all(line.startswith("warning ") for line in lines[34:]), lines[32:36]


def test_change_lines_show_values_briefly() -> None:
    long = "x" * 60
    changes = [
        Change("KPIs", 4, 16, "Issues", None, "KPI-STALE"),
        Change("KPIs", 1, 12, "Status", "On track", None),
        Change("Goals", 2, 3, "Title", long, "a\n  b"),
        Change("Dashboard", 1, 1, "Value", dt.date(2026, 11, 27), dt.date(2026, 11, 28)),
    ]
    assert brief("") == "(blank)"
    assert brief(long) == "x" * 39 + "…"
    assert change_lines(changes) == [
        "KPIs!M2: On track → (blank)",
        "KPIs!Q5: (blank) → KPI-STALE",
        f"Goals!D3: {'x' * 39}… → a b",
        "Dashboard!B2: 2026-11-27 → 2026-11-28",
    ]
    many = [Change("KPIs", row, 12, "Status", None, "Stale") for row in range(1, 22)]
    assert change_lines([*many, Change("Goals", 1, 10, "Status", None, "Stale")]) == [
        "KPIs / Status: 21 cells",
        "Goals / Status: 1 cell",
    ]


def test_json_lists_the_changes_with_and_without_dry_run(
    invoke: Invoke, demo_xlsx: Path
) -> None:
    expected = {"tab": "Dashboard", "cell": "B2", "column": "Value",
                "old": "2026-11-27", "new": "2026-11-28"}
    for extra in (("--dry-run",), ()):
        result = invoke(*DEMO, "--json", "--as-of", "2026-11-28", *extra)
        assert result.exit_code == 0
        changes = json.loads(result.stdout)["changes"]
        assert changes[-1] == expected
        assert changes[0] == {"tab": "Issues", "cell": "I2", "column": "Age (days)",
                              "old": 0, "new": 1}
        assert len(changes) == 12
    result = invoke(*DEMO, "--json", "--as-of", "2026-11-28")
    assert json.loads(result.stdout)["changes"] == []


def test_json_reports_errors_on_stdout_with_the_same_exit_code(
    invoke: Invoke, home: Path, clean_xlsx: Path
) -> None:
    result = invoke("sync", "--workbook", "missing.xlsx", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": "missing.xlsx does not exist; run `sheets-sync provision --workbook "
        "missing.xlsx` to create it",
        "exit_code": 1,
    }
    with workbook_lock(str(clean_xlsx.resolve()), Path("../state").resolve()):
        result = invoke("sync", "--workbook", "clean.xlsx", "--json")
    assert result.exit_code == 75
    data = json.loads(result.stdout)
    assert data["exit_code"] == 75
    assert data["error"].startswith("another sheets-sync run holds the lock on ")
    write_config(home / "sheets-sync.toml", ("clean", "clean.xlsx"),
                 extra='[rules]\non_track_ratio = "high"\n')
    result = invoke("sync", "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2
    assert "rules.on_track_ratio: must be float, got 'high'" in data["error"]


def test_cron_lists_only_new_findings_unless_verbose(invoke: Invoke, demo_xlsx: Path) -> None:
    args = (*DEMO, "--as-of", "2026-12-20")
    first = invoke(*args)
    assert first.exit_code == 0
    lines = first.stdout.splitlines()
    assert lines[0] == (
        f"{STAMP} partnership.xlsx as of 2026-12-20: 271 cells changed; "
        "3 errors, 14 warnings, 1 info"
    )
    rules = [line.split()[1] for line in lines[1:]]
    assert rules == ["REVIEW-OVERDUE"] * 2 + ["KPI-STALE"] * 8  # new since 2026-11-27
    assert " K7: " not in first.stdout  # stale already on 2026-11-27: listed then
    again = invoke(*args)
    assert again.stdout == (
        f"{STAMP} partnership.xlsx as of 2026-12-20: 0 cells changed; "
        "3 errors, 14 warnings, 1 info\n"
    )
    verbose = invoke(*args, "--verbose")
    assert len(verbose.stdout.splitlines()) == 1 + 3 + 14
    assert "RACI-NO-A" in verbose.stdout


def test_cron_names_a_configured_workbook(invoke: Invoke, home: Path, clean_xlsx: Path) -> None:
    write_config(home / "sheets-sync.toml", ("acme-globex", "clean.xlsx"))
    result = invoke("sync", "--as-of", "2026-11-27")
    assert result.exit_code == 0
    assert result.stdout == (
        f"{STAMP} acme-globex as of 2026-11-27: 0 cells changed; 0 errors, 0 warnings, 0 info\n"
    )


def test_terminal_output_has_no_time_and_lists_every_finding(
    invoke: Invoke, home: Path, demo_xlsx: Path
) -> None:
    write_config(home / "sheets-sync.toml", ("demo", "partnership.xlsx"))
    result = invoke("sync", "--as-of", "2026-11-27", terminal=True)
    assert result.exit_code == 0
    out = screen(result.stdout)
    assert out.splitlines()[0] == (
        f"{demo_xlsx} as of 2026-11-27: 0 cells changed; 3 errors, 5 warnings, 1 info"
    )
    assert "RACI-NO-A" in out
