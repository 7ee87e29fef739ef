"""``history rebuild``: every period's statuses, judged from the data as it is now.

Each period's column holds the statuses as of that period's last day (as_of's own day
for the current period): readings, reviews and due dates after that day do not count,
so a rebuilt column equals what a sync run on that day would have written from the same
data. It is how a workbook with an existing log gets its history on day one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sheets_sync.backends.base import Backend, CellUpdate
from sheets_sync.config import Config
from sheets_sync.diff import grid_updates, plan_provision
from sheets_sync.errors import GuardError, WorkbookError
from sheets_sync.generated import conflict_message, generated_tabs
from sheets_sync.history import (
    HISTORY,
    Key,
    first_day,
    items_of,
    rebuilt_grid,
    statuses_by_key,
)
from sheets_sync.periods import Period, periods_between
from sheets_sync.rules import Context, run_rules
from sheets_sync.sync import (
    MAX_REPLANS,
    Analysis,
    SyncResult,
    analyze,
    held_lock,
    period_kind,
    sync,
    today,
)
from sheets_sync.templates import Template, load_template
from sheets_sync.workbook_read import read_workbook


@dataclass
class RebuildResult:
    """What a rebuild wrote (or, dry, would write)."""

    workbook: str
    as_of: dt.date
    periods: list[Period] = field(default_factory=list)
    updates: list[CellUpdate] = field(default_factory=list)
    dry_run: bool = False
    #: the sync that followed the rebuild (None on a dry run)
    synced: SyncResult | None = None


def statuses_on(analysis: Analysis, day: dt.date) -> dict[Key, str | None]:
    """Every goal's and KPI's status as a sync on ``day`` would write it, same data."""
    ctx = analysis.context
    judged = Context(template=ctx.template, tables=ctx.tables, as_of=day, rules=ctx.rules)
    return statuses_by_key(items_of(judged, run_rules(judged)))


def earliest_day(analysis: Analysis) -> dt.date | None:
    """Where history can start: the earliest Start date or reading."""
    days: list[dt.date | None] = []
    for tab, header in (("Goals", "Start date"), ("KPIs", "Start date"), ("KPI Log", "Date")):
        table = analysis.context.tables.get(tab)
        if table is not None and table.present:
            days += [r.get(header) for r in table.records]
    return first_day(d for d in days if isinstance(d, dt.date) and d <= analysis.context.as_of)


def plan_rebuild(
    analysis: Analysis, config: Config, start: dt.date | None, tab: str
) -> tuple[list[Period], list[CellUpdate]]:
    """The periods to fill and the History cells that change."""
    day = analysis.context.as_of
    kind = period_kind(config)
    begin = start or earliest_day(analysis) or day
    periods = periods_between(min(begin, day), day, kind)
    columns = {p.label: statuses_on(analysis, min(p.last, day)) for p in periods}
    raw = analysis.data.tab(tab)
    rows = rebuilt_grid(analysis.history, analysis.items, columns)
    return periods, grid_updates(raw.name if raw else tab, raw, rows)


def rebuild_history(
    backend: Backend,
    config: Config | None = None,
    *,
    template: Template | None = None,
    start: dt.date | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    lock: bool = True,
) -> RebuildResult:
    """Fill the History tab from ``start`` (default: the earliest Start date or reading)
    to as_of's period, then sync, so the Dashboard's trend shows it. Locked like a sync."""
    config = config or Config()
    template = template or load_template(config.template)
    with held_lock(backend, config, lock and not dry_run):
        for attempt in range(MAX_REPLANS + 1):
            data = read_workbook(backend, template, config)
            day = as_of or today(config, data)
            analysis = analyze(data, template, config, day)
            if analysis.held:
                tabs = sorted(set(analysis.held.values()))
                raise WorkbookError(
                    f"cannot rebuild the history while tab {tabs[0]!r} is missing: "
                    "every status depends on it (see `sheets-sync check`)"
                )
            names = config.tabs.names()
            generated = generated_tabs(template, data, backend, names)
            if not generated.usable(HISTORY):
                tab = generated.conflicts[HISTORY]
                raise WorkbookError(conflict_message(HISTORY, tab, "tabs.history"))
            periods, updates = plan_rebuild(analysis, config, start, generated.names[HISTORY])
            result = RebuildResult(backend.identity, day, periods, updates, dry_run)
            if dry_run:
                return result
            plan = plan_provision(
                template, data, backend, role_columns=analysis.role_columns, for_sync=True,
                tab_names=names,
            )
            if plan.conflicts:
                raise WorkbookError(" ".join(plan.conflicts))
            try:
                backend.write(data, updates, None if plan.empty else plan)
            except GuardError:
                if attempt == MAX_REPLANS:
                    raise
                continue
            result.synced = sync(backend, config, template=template, as_of=day, lock=False)
            return result
    raise GuardError(f"rows of {backend.identity} kept moving; try again")
