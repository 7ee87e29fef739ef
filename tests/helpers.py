"""A small, valid partnership workbook to build test cases from."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sheets_sync.backends.base import CellValue, RawTab, WorkbookData
from sheets_sync.config import Config, RulesConfig
from sheets_sync.sync import Analysis, analyze
from sheets_sync.templates import load_template

AS_OF = dt.date(2026, 11, 27)
D = dt.date

BASE: dict[str, list[list[CellValue]]] = {
    "People": [
        ["Person", "Email", "Organization", "Role", "Accountable for", "Responsible for",
         "KPIs needing attention", "Open findings"],
        ["Ana", "ana@northwind.example", "Northwind", "Partnership lead"],
        ["Ben", "ben@contoso.example", "Contoso", "Partnership lead"],
    ],
    "Goals": [
        ["Goal ID", "Goal", "Owner", "Partner owner", "Start date", "Due date", "Review cadence",
         "Last review", "Next review", "Review status", "Status", "Issues", "State", "Outcome"],
        ["G1", "Grow joint signups", "Ana", "Ben", D(2026, 1, 1), D(2027, 6, 30), "monthly"],
    ],
    "KPIs": [
        ["KPI ID", "Goal ID", "KPI", "Unit", "Direction", "Baseline", "Target", "Start date",
         "Due date", "Cadence", "Owner", "Latest value", "Latest date", "Expected", "Progress",
         "Pace", "Status", "Issues", "State", "Confidence"],
        ["K1", "G1", "Signups", "people", "increase", 0, 100, D(2026, 1, 1), D(2026, 12, 31),
         "weekly", "Ana"],
    ],
    "KPI Log": [
        ["Date", "KPI ID", "Value", "Entered by", "Note", "Confidence"],
        [D(2026, 11, 20), "K1", 90, "Ana", None],
    ],
    "RACI": [
        ["Task ID", "Task", "Goal ID", "Due date", "Accountable", "Responsible", "Issues", "Ana",
         "Ben"],
        ["T1", "Launch page", "G1", D(2026, 12, 1), None, None, None, "A", "R"],
    ],
    "Reviews": [
        ["Date", "Goal ID", "Attendees", "Decisions", "Next steps"],
        [D(2026, 11, 10), "G1", "Ana, Ben", "Keep going", None],
    ],
}


def base_tabs() -> dict[str, list[list[CellValue]]]:
    """A fresh copy of the base workbook's grids."""
    return copy.deepcopy(BASE)


def data_of(
    tabs: dict[str, list[list[CellValue]]],
    formulas: dict[tuple[str, int, int], str] | None = None,
) -> WorkbookData:
    raws = {name: RawTab(name, [list(r) for r in rows]) for name, rows in tabs.items()}
    for (tab, row, col), formula in (formulas or {}).items():
        raws[tab].formulas[(row, col)] = formula
    return WorkbookData("test", raws)


def run(
    tabs: dict[str, list[list[CellValue]]],
    *,
    as_of: dt.date = AS_OF,
    formulas: dict[tuple[str, int, int], str] | None = None,
    **rules: Any,
) -> Analysis:
    """Analyze a workbook given as grids."""
    config = Config(rules=RulesConfig(**rules))
    return analyze(data_of(tabs, formulas), load_template(), config, as_of)


def scaled_demo_rows(as_of: dt.date, factor: int) -> dict[str, list[list[CellValue]]]:
    """The demo's data repeated ``factor`` times with fresh ids (G1~2, K1~2, T1~2, ...)."""
    from sheets_sync.demo import demo_rows

    base = demo_rows(as_of)
    out: dict[str, list[list[CellValue]]] = {}
    refs = {"Goal ID", "KPI ID", "Task ID"}
    for tab, grid in base.items():
        header = grid[0]
        cols = [i for i, h in enumerate(header) if h in refs]
        rows = [list(header)]
        for copy_no in range(1, factor + 1):
            for row in grid[1:]:
                new = list(row)
                if tab != "People" and copy_no > 1:
                    for i in cols:
                        if isinstance(new[i], str) and new[i]:
                            new[i] = f"{new[i]}~{copy_no}"
                if tab == "People" and copy_no > 1:
                    continue
                rows.append(new)
        out[tab] = rows
    return out
