"""A History tab of several years for a benchmark workload, built directly (no rebuild).

The grid is what sheets-sync would have written after ``weeks`` weekly syncs: header
``Kind, ID, Name, Owner, <2023-W49 ... 2026-W48>``, one row per goal then per KPI (the
order a sync appends them), each past period's cell a status drawn from a fixed seed.
The draw is sticky (a status usually carries over to the next week, as real ones do),
and a cell is blank for periods that ended before the item's Start date. The column of
the period holding ``AS_OF`` is left blank: the sync that builds the benchmark workbook
writes it, so the workbook starts up to date like the plain workload.

This is not ``sheets-sync history rebuild``: a 3-year rebuild of M judges every rule
~156 times over 100,000 readings; writing the grid directly keeps the build deterministic
and quick, and a sync reads and writes the tab the same way whoever filled it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bench.workloads import AS_OF, SEED, Grid, Size
from sheets_sync.periods import Period, period_of

#: 3 years of weekly columns (the current week's included)
WEEKS = 156
STATUSES = ("Achieved", "On track", "At risk", "Off track", "Overdue", "Stale", "No data")
WEIGHTS = (5, 40, 20, 15, 8, 6, 6)
KEEP = 0.8  # chance a status carries over to the next week


def periods(weeks: int = WEEKS) -> list[Period]:
    """The ``weeks`` ISO weeks ending with the one holding AS_OF, oldest first."""
    out = [period_of(AS_OF, "week")]
    while len(out) < weeks:
        out.insert(0, out[0].previous("week"))
    return out


def history_grid(size: Size, grids: dict[str, Grid], weeks: int = WEEKS) -> Grid:
    """The History tab for ``grids`` (bench.workloads.workbook of ``size``)."""
    rng = random.Random(f"{SEED}-{size.name}-history-{weeks}")
    labels = periods(weeks)
    rows: Grid = [["Kind", "ID", "Name", "Owner", *(p.label for p in labels)]]
    for kind, tab, id_header, name_header in (("Goal", "Goals", "Goal ID", "Goal"),
                                              ("KPI", "KPIs", "KPI ID", "KPI")):
        grid = grids[tab]
        col = {h: i for i, h in enumerate(grid[0])}
        for record in grid[1:]:
            start: Any = record[col["Start date"]]
            line: list[Any] = [kind, record[col[id_header]], record[col[name_header]],
                               record[col["Owner"]]]
            status = rng.choices(STATUSES, WEIGHTS)[0]
            for period in labels[:-1]:
                if isinstance(start, dt.date) and period.last < start:
                    line.append(None)
                    continue
                if rng.random() > KEEP:
                    status = rng.choices(STATUSES, WEIGHTS)[0]
                line.append(status)
            line.append(None)  # the current period: the build's sync writes it
            rows.append(line)
    return rows
