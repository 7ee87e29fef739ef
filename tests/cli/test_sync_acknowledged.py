"""``sync --fail-on``: findings people acknowledged on the Issues tab no longer fail a run."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from .conftest import Invoke

DEMO = ("sync", "--workbook", "partnership.xlsx", "--as-of", "2026-11-27")


def test_acknowledging_every_finding_ends_the_failure(invoke: Invoke, demo_xlsx: Path) -> None:
    first = invoke(*DEMO, "--fail-on", "warning")
    assert first.exit_code == 1
    wb = load_workbook(demo_xlsx)
    ws = wb["Issues"]
    header = [c.value for c in ws[1]]
    rule, ack = header.index("Rule") + 1, header.index("Acknowledged by") + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, rule).value:
            ws.cell(row, ack).value = "Ana Ruiz"
    wb.save(demo_xlsx)
    second = invoke(*DEMO, "--fail-on", "warning")
    assert second.exit_code == 0, second.output
    assert "0 errors, 0 warnings, 0 info" in second.stdout
    # the findings are still listed on the Issues tab, muted
    ws = load_workbook(demo_xlsx)["Issues"]
    assert sum(1 for row in ws.iter_rows(min_row=2) if row[rule - 1].value) > 5
