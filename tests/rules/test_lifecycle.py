"""Lifecycle (State, Outcome) and check-in confidence, worked by hand on the base workbook.

The base workbook: goal G1 (monthly reviews, last on 2026-11-10) with one KPI, K1
(increase 0 -> 100 over 2026, weekly; one reading of 90 on 2026-11-20: On track), and
task T1 of G1 (Ana A, Ben R); as of 2026-11-27. Each case edits it and lists every
finding it expects and the computed cells it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sheets_sync.backends.base import CellValue
from tests.helpers import D, base_tabs, run

Tabs = dict[str, list[list[CellValue]]]

# Columns of the base workbook (0-based).
GOAL_STATE, GOAL_OUTCOME = 12, 13
KPI_STATE = 18
LOG_CONFIDENCE = 5


def put(tabs: Tabs, tab: str, row: int, col: int, value: CellValue) -> None:
    cells = tabs[tab][row]
    while len(cells) <= col:
        cells.append(None)
    cells[col] = value


def reading(tabs: Tabs, day: int, value: float, confidence: str | None, kpi: str = "K1") -> None:
    tabs["KPI Log"].append([D(2026, 11, day), kpi, value, "Ana", None, confidence])


def add_kpi(tabs: Tabs, kpi: str, state: str | None) -> None:
    row = list(tabs["KPIs"][1])
    row[0] = kpi
    row.extend([None] * (KPI_STATE + 1 - len(row)))
    row[KPI_STATE] = state
    tabs["KPIs"].append(row)


def closed_off_track_overdue(t: Tabs) -> None:
    put(t, "Goals", 1, GOAL_STATE, "Closed")
    put(t, "Goals", 1, GOAL_OUTCOME, "Missed")
    put(t, "KPI Log", 1, 2, 30)  # far behind pace: Off track, were it open
    put(t, "Reviews", 1, 0, D(2026, 9, 1))  # monthly review overdue, were it open


def dropped_kpi_of_active_goal(t: Tabs) -> None:
    add_kpi(t, "K2", "dropped")
    reading(t, 20, 5, None, kpi="K2")  # K2 far behind: Off track, were it not dropped


def on_hold_stale(t: Tabs) -> None:
    put(t, "Goals", 1, GOAL_STATE, "On hold")
    put(t, "KPI Log", 1, 0, D(2026, 10, 1))  # weekly KPI silent since October: Stale
    put(t, "Reviews", 1, 0, D(2026, 9, 1))  # review Overdue


def kpi_on_hold_of_active_goal(t: Tabs) -> None:
    put(t, "KPIs", 1, KPI_STATE, "On hold")
    t["KPI Log"].pop()  # No data


def closed_without_outcome(t: Tabs) -> None:
    put(t, "Goals", 1, GOAL_STATE, "Closed")


def task_of_dropped_goal(t: Tabs) -> None:
    put(t, "Goals", 1, GOAL_STATE, "Dropped")
    put(t, "RACI", 1, 7, "R")  # nobody Accountable
    put(t, "RACI", 1, 8, None)  # and with Ana R, one Responsible


def confidence_drop(t: Tabs) -> None:
    put(t, "KPI Log", 1, 0, D(2026, 11, 6))
    put(t, "KPI Log", 1, 2, 80)
    put(t, "KPI Log", 1, LOG_CONFIDENCE, "High")
    reading(t, 13, 85, "medium")
    reading(t, 20, 90, "Low")


def high_while_off_track(t: Tabs) -> None:
    put(t, "KPI Log", 1, 2, 30)
    put(t, "KPI Log", 1, LOG_CONFIDENCE, "High")


def blanks_skipped(t: Tabs) -> None:
    put(t, "KPI Log", 1, 0, D(2026, 11, 2))
    put(t, "KPI Log", 1, 2, 80)
    put(t, "KPI Log", 1, LOG_CONFIDENCE, "High")
    reading(t, 6, 82, None)
    reading(t, 10, 84, "Medium")
    reading(t, 13, 86, None)
    reading(t, 16, 88, "Low")
    reading(t, 20, 90, None)  # the latest says nothing: KPIs' Confidence is blank


def recovered(t: Tabs) -> None:
    put(t, "KPI Log", 1, 0, D(2026, 11, 2))
    put(t, "KPI Log", 1, LOG_CONFIDENCE, "High")
    reading(t, 6, 80, "Medium")
    reading(t, 13, 85, "Low")  # High, Medium, Low: a drop then...
    reading(t, 20, 90, "High")  # ...but the last three rated are Medium, Low, High


def dropped_kpi_with_falling_confidence(t: Tabs) -> None:
    confidence_drop(t)
    put(t, "KPIs", 1, KPI_STATE, "Dropped")


# name -> (edit, every (rule, key) expected, {(tab, header): value} for record 0)
CASES: dict[str, tuple[Callable[[Tabs], None], set[tuple[str, str]], dict[Any, Any]]] = {
    "closed goal, off-track KPI, overdue review: nothing raised, all Closed": (
        closed_off_track_overdue,
        set(),
        {("Goals", "Status"): "Closed", ("Goals", "Review status"): None,
         ("KPIs", "Status"): "Closed"},
    ),
    "a dropped KPI does not pull its active goal down": (
        dropped_kpi_of_active_goal,
        set(),
        {("Goals", "Status"): "On track", ("KPIs", "Status"): "On track"},
    ),
    "on hold: Stale and Overdue shown, not reported": (
        on_hold_stale,
        set(),
        {("Goals", "Status"): "Stale", ("Goals", "Review status"): "Overdue",
         ("KPIs", "Status"): "Stale"},
    ),
    "a KPI's own State wins over its goal's": (
        kpi_on_hold_of_active_goal,
        set(),
        {("KPIs", "Status"): "No data", ("Goals", "Status"): "No data"},
    ),
    "closed without an Outcome": (
        closed_without_outcome,
        {("GOAL-CLOSED-NO-OUTCOME", "G1")},
        {("Goals", "Status"): "Closed"},
    ),
    "no RACI-NO-A for a task of a dropped goal": (
        task_of_dropped_goal,
        set(),
        {("Goals", "Status"): "Dropped", ("RACI", "Accountable"): None,
         ("RACI", "Responsible"): "Ana"},
    ),
    "confidence High, Medium, Low is a drop": (
        confidence_drop,
        {("KPI-CONFIDENCE-DROP", "K1"), ("KPI-CONFIDENCE-MISMATCH", "K1")},  # Low, On track
        {("KPIs", "Confidence"): "Low", ("KPIs", "Status"): "On track"},
    ),
    "High confidence while Off track": (
        high_while_off_track,
        {("KPI-OFF-TRACK", "K1"), ("KPI-CONFIDENCE-MISMATCH", "K1")},
        {("KPIs", "Confidence"): "High", ("KPIs", "Status"): "Off track"},
    ),
    "readings without a Confidence are skipped": (
        blanks_skipped,
        {("KPI-CONFIDENCE-DROP", "K1")},
        {("KPIs", "Confidence"): None, ("KPIs", "Status"): "On track"},
    ),
    "only the last three rated readings count": (
        recovered,
        set(),
        {("KPIs", "Confidence"): "High"},
    ),
    "a dropped KPI raises no confidence finding": (
        dropped_kpi_with_falling_confidence,
        set(),
        {("KPIs", "Confidence"): "Low", ("KPIs", "Status"): "Dropped"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lifecycle_and_confidence(name: str) -> None:
    change, expected, cells = CASES[name]
    tabs = base_tabs()
    change(tabs)
    analysis = run(tabs)
    assert {(f.rule, f.key) for f in analysis.findings} == expected, analysis.findings
    computed = analysis.outcome.computed
    got = {(tab, header): computed.get(tab, {}).get(0, {}).get(header) for tab, header in cells}
    assert got == cells


def test_the_new_statuses_are_counted_and_settled() -> None:
    tabs = base_tabs()
    put(tabs, "Goals", 1, GOAL_STATE, "Closed")
    put(tabs, "Goals", 1, GOAL_OUTCOME, "Achieved")
    put(tabs, "KPI Log", 1, 2, 30)
    analysis = run(tabs)
    from sheets_sync.summary import summarize

    summary = summarize(analysis)
    assert summary.kpis == {"Closed": 1} and summary.goals == {"Closed": 1}
    people = analysis.outcome.computed["People"]
    assert [people[i]["KPIs needing attention"] for i in (0, 1)] == [0, 0]
