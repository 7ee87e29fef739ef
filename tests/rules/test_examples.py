"""A worked example for every rule id: the smallest edit of a valid workbook that fires it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sheets_sync.backends.base import CellValue
from sheets_sync.findings import RULES, Severity
from tests.helpers import D, base_tabs, run

Tabs = dict[str, list[list[CellValue]]]


def edit(tabs: Tabs, tab: str, row: int, col: int, value: CellValue) -> None:
    cells = tabs[tab][row]
    while len(cells) <= col:
        cells.append(None)
    cells[col] = value


def add_col(tabs: Tabs, tab: str, header: str, *values: CellValue) -> None:
    tabs[tab][0].append(header)
    for i, value in enumerate(values, start=1):
        tabs[tab][i].append(value)


def _formula(tabs: Tabs) -> dict[str, Any]:
    edit(tabs, "Goals", 1, 1, "Signups")
    return {"formulas": {("Goals", 1, 1): '=IMPORTXML("https://example.com","//h1")'}}


def _persistent(tabs: Tabs) -> None:
    edit(tabs, "KPI Log", 1, 2, 10)  # far behind pace this week (2026-W48)...
    edit(tabs, "Reviews", 1, 0, D(2026, 11, 1))  # ...and nobody met since W46 began
    tabs["History"] = [
        ["Kind", "ID", "Name", "Owner", "2026-W46", "2026-W47"],
        ["KPI", "K1", "Signups", "Ana", "Off track", "Overdue"],
    ]


def _confidence_mismatch(tabs: Tabs) -> None:
    edit(tabs, "KPI Log", 1, 2, 30)  # Off track...
    edit(tabs, "KPI Log", 1, 5, "high")  # ...with High confidence


def _confidence_drop(tabs: Tabs) -> None:
    log = tabs["KPI Log"]
    log.insert(1, [D(2026, 11, 6), "K1", 80, "Ana", None, "High"])
    log.insert(2, [D(2026, 11, 13), "K1", 85, "Ana", None])  # no Confidence: skipped
    log.insert(3, [D(2026, 11, 16), "K1", 88, "Ana", None, "Medium"])
    edit(tabs, "KPI Log", 4, 5, "Low")


def _uncalculated(tabs: Tabs) -> dict[str, Any]:
    edit(tabs, "KPI Log", 1, 2, None)
    return {"formulas": {("KPI Log", 1, 2): "=40+50"}}


# rule -> (edit, extra run() arguments, expected (tab, key, cell))
EXAMPLES: dict[str, tuple[Callable[[Tabs], dict[str, Any] | None], tuple[str, str, str]]] = {
    "RACI-NO-A": (lambda t: edit(t, "RACI", 1, 7, "R"), ("RACI", "T1", "E2")),
    "RACI-MULTI-A": (lambda t: edit(t, "RACI", 1, 8, "a"), ("RACI", "T1", "E2")),
    "RACI-NO-R": (lambda t: edit(t, "RACI", 1, 8, "C"), ("RACI", "T1", "F2")),
    "RACI-BAD-VALUE": (lambda t: edit(t, "RACI", 1, 8, "X"), ("RACI", "T1", "I2")),
    "RACI-UNKNOWN-PERSON": (lambda t: add_col(t, "RACI", "Zoe", "C"), ("RACI", "Zoe", "J1")),
    "RACI-IGNORED-COLUMN": (
        lambda t: add_col(t, "RACI", "Notes", "call Ben first"),
        ("RACI", "Notes", "J1"),
    ),
    "RACI-TOO-MANY-R": (lambda t: {"max_responsible": 0}, ("RACI", "T1", "F2")),
    "RACI-OVERLOAD": (lambda t: {"max_accountable": 0}, ("RACI", "Ana", "H1")),
    "REVIEW-OVERDUE": (lambda t: edit(t, "Reviews", 1, 0, D(2026, 9, 1)), ("Goals", "G1", "J2")),
    "REVIEW-NEVER": (lambda t: t["Reviews"].pop(), ("Goals", "G1", "J2")),
    "KPI-STALE": (lambda t: edit(t, "KPI Log", 1, 0, D(2026, 10, 1)), ("KPIs", "K1", "Q2")),
    "KPI-NO-DATA": (lambda t: t["KPI Log"].pop(), ("KPIs", "K1", "Q2")),
    "KPI-OFF-TRACK": (lambda t: edit(t, "KPI Log", 1, 2, 30), ("KPIs", "K1", "Q2")),
    "KPI-OVERDUE": (lambda t: edit(t, "KPIs", 1, 8, D(2026, 11, 1)), ("KPIs", "K1", "Q2")),
    "KPI-OFF-TRACK-PERSISTENT": (_persistent, ("KPIs", "K1", "Q2")),
    "KPI-READING-IMPLAUSIBLE": (
        lambda t: edit(t, "KPI Log", 1, 2, 5000),  # K1 goes from 0 to 100
        ("KPI Log", "K1 @ 2026-11-20", "C2"),
    ),
    "KPI-DUPLICATE-READING": (
        lambda t: t["KPI Log"].append([D(2026, 11, 20), "K1", 95, "Ana", None]),
        ("KPI Log", "K1 @ 2026-11-20", "A3"),
    ),
    "KPI-CONFIDENCE-MISMATCH": (
        _confidence_mismatch,
        ("KPIs", "K1", "T2"),
    ),
    "KPI-CONFIDENCE-DROP": (_confidence_drop, ("KPIs", "K1", "T2")),
    "GOAL-CLOSED-NO-OUTCOME": (lambda t: edit(t, "Goals", 1, 12, "closed"), ("Goals", "G1", "N2")),
    "GOAL-NO-KPI": (
        lambda t: t["Goals"].append(["G2", "Second", "Ana", "Ben", None, D(2027, 1, 1), "monthly"]),
        ("Goals", "G2", "A3"),
    ),
    "GOAL-ONE-SIDED": (lambda t: edit(t, "Goals", 1, 3, None), ("Goals", "G1", "D2")),
    "REF-UNKNOWN": (lambda t: edit(t, "KPIs", 1, 1, "G9"), ("KPIs", "K1", "B2")),
    "TABLE-MISSING-TAB": (lambda t: t.pop("Reviews"), ("Reviews", "Reviews", "")),
    "TABLE-HEADER-ROW": (
        lambda t: t["Reviews"].insert(0, ["Review log"]),
        ("Reviews", "Reviews", "A2"),
    ),
    "TABLE-MISSING-COLUMN": (lambda t: edit(t, "Goals", 0, 2, None), ("Goals", "Owner", "")),
    "TABLE-DUPLICATE-HEADER": (
        lambda t: add_col(t, "Goals", " goal ", "x"),
        ("Goals", "goal", "O1"),
    ),
    "VALUE-REQUIRED": (lambda t: edit(t, "Goals", 1, 1, "  "), ("Goals", "G1", "B2")),
    "VALUE-TYPE": (lambda t: edit(t, "Goals", 1, 5, "someday"), ("Goals", "G1", "F2")),
    "VALUE-ENUM": (lambda t: edit(t, "Goals", 1, 6, "fortnightly"), ("Goals", "G1", "G2")),
    "VALUE-RANGE": (lambda t: edit(t, "KPIs", 1, 5, 200), ("KPIs", "K1", "G2")),
    "VALUE-UNCALCULATED": (_uncalculated, ("KPI Log", "K1 @ 2026-11-20", "C2")),
    "KEY-DUPLICATE": (
        lambda t: t["Goals"].append(["g1", "Copy", "Ana", "Ben", None, D(2027, 1, 1), "monthly"]),
        ("Goals", "g1 (row 3)", "A3"),
    ),
    "SECURITY-EXTERNAL-FORMULA": (_formula, ("Goals", "G1", "B2")),
}


def test_every_rule_has_an_example() -> None:
    assert set(EXAMPLES) == set(RULES)


def test_base_workbook_is_clean() -> None:
    analysis = run(base_tabs())
    assert [(f.rule, f.key) for f in analysis.findings] == []


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_worked_example(rule: str) -> None:
    tabs = base_tabs()
    change, (tab, key, cell) = EXAMPLES[rule]
    extra = change(tabs)
    analysis = run(tabs, **(extra if isinstance(extra, dict) else {}))
    hits = [f for f in analysis.findings if f.rule == rule]
    assert [(f.tab, f.key, f.cell) for f in hits] == [(tab, key, cell)], analysis.findings
    finding = hits[0]
    assert finding.severity == RULES[rule] or (
        rule == "TABLE-MISSING-COLUMN" and finding.severity == Severity.ERROR
    )
    assert finding.message.endswith((".", ")"))


def test_missing_optional_column_is_a_warning() -> None:
    tabs = base_tabs()
    edit(tabs, "KPIs", 0, 3, None)  # Unit, optional
    findings = [f for f in run(tabs).findings if f.rule == "TABLE-MISSING-COLUMN"]
    assert [(f.key, f.severity) for f in findings] == [("Unit", Severity.WARNING)]
