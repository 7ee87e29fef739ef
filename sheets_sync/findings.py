"""Findings: every problem the tool reports, with a stable rule id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that sorting puts the most severe first."""

    ERROR = 0
    WARNING = 1
    INFO = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


#: Rule id -> default severity. Ids are stable: tests, Issues tabs and pipelines depend on them.
RULES: dict[str, Severity] = {
    "RACI-NO-A": Severity.ERROR,
    "RACI-MULTI-A": Severity.ERROR,
    "RACI-NO-R": Severity.WARNING,
    "RACI-BAD-VALUE": Severity.ERROR,
    "RACI-UNKNOWN-PERSON": Severity.WARNING,
    "RACI-IGNORED-COLUMN": Severity.INFO,
    "RACI-TOO-MANY-R": Severity.WARNING,
    "RACI-OVERLOAD": Severity.WARNING,
    "REVIEW-OVERDUE": Severity.WARNING,
    "REVIEW-NEVER": Severity.WARNING,
    "KPI-STALE": Severity.WARNING,
    "KPI-NO-DATA": Severity.WARNING,
    "KPI-OFF-TRACK": Severity.WARNING,
    "KPI-OVERDUE": Severity.WARNING,
    "KPI-OFF-TRACK-PERSISTENT": Severity.WARNING,
    "KPI-READING-IMPLAUSIBLE": Severity.WARNING,
    "KPI-DUPLICATE-READING": Severity.WARNING,
    "KPI-CONFIDENCE-MISMATCH": Severity.INFO,
    "KPI-CONFIDENCE-DROP": Severity.WARNING,
    "GOAL-NO-KPI": Severity.WARNING,
    "GOAL-ONE-SIDED": Severity.INFO,
    "GOAL-CLOSED-NO-OUTCOME": Severity.INFO,
    "REF-UNKNOWN": Severity.ERROR,
    "TABLE-MISSING-TAB": Severity.ERROR,
    "TABLE-HEADER-ROW": Severity.ERROR,
    "TABLE-MISSING-COLUMN": Severity.ERROR,
    "TABLE-DUPLICATE-HEADER": Severity.ERROR,
    "VALUE-REQUIRED": Severity.ERROR,
    "VALUE-TYPE": Severity.ERROR,
    "VALUE-ENUM": Severity.ERROR,
    "VALUE-RANGE": Severity.ERROR,
    "VALUE-UNCALCULATED": Severity.WARNING,
    "KEY-DUPLICATE": Severity.ERROR,
    "SECURITY-EXTERNAL-FORMULA": Severity.WARNING,
}

#: Rules about a record as a whole: their cell (the record's key) shows where the record
#: is, not a value to fix, so the cell is not marked (a Goal without a KPI is fixed in KPIs).
RECORD_RULES = frozenset({"GOAL-NO-KPI"})


@dataclass(frozen=True)
class Finding:
    """One problem: where it is, what it is, and what to do about it."""

    rule: str
    tab: str
    key: str
    message: str
    cell: str = ""  # A1 address on the tab, or "" for tab-level findings
    column: str = ""  # header of the column concerned, part of the identity
    severity: Severity = field(default=Severity.ERROR)
    row: int = 0  # 0-based grid row, for sorting; 0 for tab-level findings
    owner: str = ""  # the person who must act on it (People's spelling), "" when nobody is

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """Stable across syncs even when rows move (never the cell address)."""
        return (self.rule, self.tab, self.key, self.column)


def finding(
    rule: str,
    tab: str,
    key: str,
    message: str,
    *,
    cell: str = "",
    column: str = "",
    row: int = 0,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding with its rule's default severity."""
    if rule not in RULES:
        raise ValueError(f"unknown rule id {rule}")
    return Finding(
        rule=rule,
        tab=tab,
        key=key,
        message=message,
        cell=cell,
        column=column,
        severity=RULES[rule] if severity is None else severity,
        row=row,
    )


def sort_findings(findings: list[Finding], tab_order: list[str]) -> list[Finding]:
    """Severity (error, warning, info), then tab in workbook order, then row."""
    order = {name: i for i, name in enumerate(tab_order)}
    return sorted(
        findings, key=lambda f: (f.severity, order.get(f.tab, len(order)), f.row, f.rule, f.key)
    )


def key_at(key: str, when: date | None) -> str:
    """Key of a KPI Log / Reviews row: ``K12 @ 2026-06-29``."""
    return f"{key} @ {when.isoformat()}" if when else key
