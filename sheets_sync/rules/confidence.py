"""Check-in confidence: KPIs' Confidence column, KPI-CONFIDENCE-MISMATCH and -DROP.

Whoever logs a reading may say how confident they are that the KPI will reach its
target (KPI Log's optional Confidence: High, Medium or Low). A KPI shows the
confidence of its latest reading. Readings without one are skipped, never read as a
drop. A Closed or Dropped KPI raises neither finding.
"""

from __future__ import annotations

from sheets_sync.findings import finding
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.rules.lifecycle import ENDED, states
from sheets_sync.rules.readings import Reading, readings

TAB = "KPIs"
LOG = "KPI Log"
COLUMN = "Confidence"
#: Highest first: a drop is three readings in this order.
LEVELS = ("High", "Medium", "Low")
#: Status -> the confidence that contradicts it.
MISMATCH = {"Off track": "High", "Overdue": "High", "On track": "Low", "Achieved": "Low"}


def _confidence(ctx: Context, reading: Reading) -> str | None:
    value = ctx.tables[LOG].records[reading.index].get(COLUMN)
    return value if isinstance(value, str) and value in LEVELS else None


def compute(ctx: Context, outcome: Outcome) -> None:
    """Fill KPIs' Confidence; report confidence at odds with the Status, or falling."""
    table = ctx.tables.get(TAB)
    if table is None or not table.present or LOG not in ctx.tables:
        return
    by_kpi: dict[str, list[Reading]] = {}
    for reading in readings(ctx):
        by_kpi.setdefault(reading.kpi.casefold(), []).append(reading)
    lifecycle = states(ctx)
    statuses = outcome.statuses.get(TAB, {})
    for index in ctx.usable(TAB):
        kpi = table.records[index].get("KPI ID")
        if kpi is None:
            continue
        # Oldest first; of readings on one date, the lowest row is the later one.
        found = sorted(by_kpi.get(str(kpi).casefold(), []), key=lambda r: (r.date, r.row))
        latest = _confidence(ctx, found[-1]) if found else None
        outcome.set(TAB, index, COLUMN, latest)
        if not found or lifecycle.kpi(index) in ENDED:
            continue
        key, row, cell = table.key(index), table.rows[index], table.cell(index, COLUMN)
        status = statuses.get(index)
        if latest is not None and status is not None and MISMATCH.get(status) == latest:
            outcome.findings.append(
                finding(
                    "KPI-CONFIDENCE-MISMATCH",
                    TAB,
                    key,
                    f"The latest reading ({found[-1].date.isoformat()}) has {latest} "
                    f"confidence while the Status is {status}; ask its owner what the "
                    "numbers do not show, and agree which to trust.",
                    cell=cell,
                    column=COLUMN,
                    row=row,
                )
            )
        rated = [(r, c) for r in found if (c := _confidence(ctx, r)) is not None][-3:]
        if tuple(c for _, c in rated) == LEVELS:
            dates = ", ".join(r.date.isoformat() for r, _ in rated)
            outcome.findings.append(
                finding(
                    "KPI-CONFIDENCE-DROP",
                    TAB,
                    key,
                    f"Confidence fell from High to Medium to Low over the readings of {dates}; "
                    "meet about it before the numbers show it.",
                    cell=cell,
                    column=COLUMN,
                    row=row,
                )
            )
