"""KPI-OFF-TRACK-PERSISTENT: off track for three periods, and nobody has met about it."""

from __future__ import annotations

from collections.abc import Mapping

from sheets_sync.findings import finding
from sheets_sync.history import HistoryGrid, Key
from sheets_sync.history import persistent as off_track_periods
from sheets_sync.periods import Period, PeriodKind
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.rules.reviews import last_reviews

TAB = "KPIs"


def check(
    ctx: Context,
    outcome: Outcome,
    grid: HistoryGrid,
    current: Period,
    statuses: Mapping[Key, str | None],
    kind: PeriodKind,
) -> None:
    """A KPI Off track or Overdue in each of the last three periods (the History tab's
    cells, and this sync's status for the current one) whose goal has no review dated on
    or after the first day of the first of them."""
    table = ctx.tables.get(TAB)
    if table is None or not table.present:
        return
    found = off_track_periods(grid, current, statuses, kind)
    if not found:
        return
    reviewed = last_reviews(ctx)
    for index in ctx.usable(TAB):
        record = table.records[index]
        kpi, goal = record.get("KPI ID"), record.get("Goal ID")
        if kpi is None:
            continue
        periods = found.get(("kpi", str(kpi).strip().casefold()))
        if periods is None:
            continue
        last = reviewed.get(str(goal).casefold()) if goal is not None else None
        if last is not None and last >= periods[0].first:
            continue
        seen = ", ".join(
            f"{p.label} {grid.status(('kpi', str(kpi).strip().casefold()), p.label) or ''}".strip()
            for p in periods[:-1]
        )
        now = statuses.get(("kpi", str(kpi).strip().casefold()))
        since = f"last review {last.isoformat()}" if last else "never reviewed"
        outcome.findings.append(
            finding(
                "KPI-OFF-TRACK-PERSISTENT",
                TAB,
                table.key(index),
                f"Off track or overdue for {len(periods)} periods in a row ({seen}, "
                f"{current.label} {now}), and goal {goal} has had no review since "
                f"{periods[0].first.isoformat()} ({since}): meet about it and agree what to "
                "change (the KPI, its target, or the plan).",
                cell=table.cell(index, "Status"),
                column="Status",
                row=table.rows[index],
            )
        )
