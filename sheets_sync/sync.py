"""The pipeline: read -> coerce -> rules -> diff -> guarded write.

Nothing here knows about Google or xlsx: a :class:`Backend` moves the cells.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sheets_sync.acknowledgements import (
    Identity,
    Muted,
    Typed,
    guard_columns,
    judge,
)
from sheets_sync.backends.base import (
    Backend,
    CellUpdate,
    Plan,
    WorkbookData,
)
from sheets_sync.changes import Change, changes_of
from sheets_sync.coerce import Locale
from sheets_sync.config import Config
from sheets_sync.dependencies import (
    describe,
    held_columns,
    held_rules,
    held_statuses,
    look_alike,
    missing_tab_message,
    reword,
    unusable,
)
from sheets_sync.diff import format_of, grid_updates, plan_provision, same_value
from sheets_sync.errors import GuardError, WorkbookError
from sheets_sync.findings import Finding, Severity, sort_findings
from sheets_sync.formulas import formula_findings
from sheets_sync.gc_pause import gc_paused
from sheets_sync.generated import generated_tabs
from sheets_sync.history import (
    HISTORY,
    HistoryGrid,
    Item,
    column_updates,
    items_of,
    read_history,
    statuses_by_key,
    trend,
)
from sheets_sync.periods import Period, PeriodKind, period_of
from sheets_sync.row_shifts import issues_writes
from sheets_sync.rules import Context, Outcome, persistent, run_rules
from sheets_sync.rules.owners import assign_owners, workload
from sheets_sync.rules.raci import role_columns
from sheets_sync.summary import (
    DASHBOARD,
    ISSUES,
    Summary,
    dashboard_grid,
    first_seen_for,
    fit,
    is_new,
    issues_grid,
    previous_first_seen,
    read_issues,
    summarize,
)
from sheets_sync.tables import Table, read_table
from sheets_sync.templates import Template, load_template, normalize_header
from sheets_sync.workbook_read import read_workbook

#: How many times a sync re-reads and re-plans when rows moved under it.
MAX_REPLANS = 3


@dataclass
class Analysis:
    """A workbook read and judged: typed tables, rules' outcome, sorted findings."""

    data: WorkbookData
    context: Context
    outcome: Outcome
    findings: list[Finding]
    role_columns: dict[str, list[int]]
    #: (tab, computed header) -> the unusable tab it is computed from: left as it is
    held: dict[tuple[str, str], str] = field(default_factory=dict)
    #: the History tab as read, the period holding as_of, and this sync's goals and KPIs
    history: HistoryGrid = field(default_factory=lambda: HistoryGrid(None))
    period: Period | None = None
    items: list[Item] = field(default_factory=list)
    #: what people typed beside each finding on the Issues tab, and the findings it mutes
    typed: dict[Identity, Typed] = field(default_factory=dict)
    muted: dict[Identity, Muted] = field(default_factory=dict)


@dataclass
class SyncResult:
    """What a sync (or check) found and did."""

    workbook: str
    as_of: dt.date
    findings: list[Finding]
    first_seen: dict[tuple[str, str, str, str], dt.date]
    summary: Summary
    updates: list[CellUpdate]
    restored: list[str]
    dry_run: bool
    wrote: bool = False
    replans: int = 0
    #: what the reader should know beyond the findings (e.g. why a save would be refused)
    notes: list[str] = field(default_factory=list)
    #: each update with the value read there (same order as ``updates``)
    changes: list[Change] = field(default_factory=list)
    #: identities of the findings the workbook's Issues tab did not hold before this sync
    new: set[tuple[str, str, str, str]] = field(default_factory=set)
    #: how the marks on cells holding a value to fix change, one phrase per tab
    marked: list[str] = field(default_factory=list)
    #: the findings people acknowledged or snoozed (listed, but not counted)
    muted: dict[Identity, Muted] = field(default_factory=dict)
    #: the tables, statuses and findings behind the result (for digests)
    analysis: Analysis | None = field(default=None, repr=False, compare=False)

    @property
    def cells_changed(self) -> int:
        return len(self.updates)

    @property
    def active(self) -> list[Finding]:
        """The findings nobody muted: what counts, fails a run and is reported as open."""
        return [f for f in self.findings if f.identity not in self.muted]

    def count(self, severity: Severity) -> int:
        """How many active findings have ``severity``."""
        return sum(1 for f in self.active if f.severity == severity)


def period_kind(config: Config) -> PeriodKind:
    """The History tab's period: week unless the config says month."""
    return "month" if config.history.period == "month" else "week"


def today(config: Config, data: WorkbookData | None = None) -> dt.date:
    """Today in the configured time zone, else the workbook's, else this machine's."""
    zone = config.timezone or (data.timezone if data else None)
    if zone:
        return dt.datetime.now(ZoneInfo(zone)).date()
    return dt.date.today()


def analyze(data: WorkbookData, template: Template, config: Config, as_of: dt.date) -> Analysis:
    """Read every tab against the template and run every rule."""
    locale = Locale.parse(config.locale or data.locale)
    tables: dict[str, Table] = {}
    for spec in template.tables:
        if spec.kind == "table":
            tables[spec.name] = read_table(spec, data.tab(spec.name), locale)
    for table in tables.values():
        key = table.spec.key
        col = table.col(key.header) if key is not None else None
        if col is not None and table.raw is not None:
            data.key_columns[table.raw.name] = col
        if table.raw is not None:
            cols = (table.col(spec_col.header) for spec_col in table.spec.computed)
            data.computed_columns[table.raw.name] = {c for c in cols if c is not None}
    ctx = Context(template=template, tables=tables, as_of=as_of, rules=config.rules)
    outcome = run_rules(ctx)
    held = _hold(data, template, config, tables, outcome)
    kind = period_kind(config)
    history = read_history(data.tab(config.tabs.history), kind)
    period = period_of(as_of, kind)
    items = items_of(ctx, outcome)
    if ("KPIs", "Status") not in held:
        persistent.check(ctx, outcome, history, period, statuses_by_key(items), kind)
    for table in tables.values():
        outcome.findings.extend(formula_findings(table))
    roles: dict[str, list[int]] = {}
    raci = tables.get("RACI")
    if raci is not None and raci.present:
        roles["RACI"] = [r.col for r in role_columns(ctx, raci)[0]]
    tab_order = [t.name for t in template.tables]
    findings = assign_owners(ctx, outcome, sort_findings(outcome.findings, tab_order))
    issues = data.tab(config.tabs.issues)
    issue_headers = [c.header for c in template.table(ISSUES).columns]
    if issues is not None:
        # People type beside the tool's rows there: a write re-reads what they typed.
        data.guard_columns[issues.name] = guard_columns(issues)
    judged = judge(
        ctx,
        findings,
        read_issues(issues, data)[1],
        (issues.name if issues else config.tabs.issues, issue_headers),
        config.rules.max_snooze_days,
        tab_order,
    )
    active = judged.active()
    workload(ctx, outcome, active)
    _issue_cells(tables, outcome, active)
    return Analysis(
        data, ctx, outcome, judged.findings, roles, held, history, period, items,
        typed=judged.typed, muted=judged.muted,
    )


def _hold(
    data: WorkbookData, template: Template, config: Config, tables: dict[str, Table],
    outcome: Outcome,
) -> dict[tuple[str, str], str]:
    """Hold back what is computed from an unusable tab; name a renamed tab's new name.

    Returns (tab, computed header) -> the unusable tab it depends on.
    """
    reasons = unusable(tables)
    held = held_columns(reasons)
    if not reasons and not any(not t.present for t in tables.values()):
        return held
    rules = held_rules(reasons)
    outcome.findings = [f for f in outcome.findings if f.rule not in rules]
    for tab in held_statuses(reasons):
        outcome.statuses.pop(tab, None)
    claimed = [*config.tabs.names().values(), *(s.name for s in template.tables)]
    claimed += [raw.name for spec in template.tables if (raw := data.tab(spec.name))]
    messages = {}
    for name, table in tables.items():
        if table.present:
            continue
        from_here = [c for c, tab in held.items() if tab == name]
        messages[name] = missing_tab_message(
            table.spec, look_alike(table.spec, data, claimed), describe(from_here)
        )
    outcome.findings = reword(outcome.findings, messages)
    return held


def _issue_cells(tables: dict[str, Table], outcome: Outcome, findings: list[Finding]) -> None:
    """A record's Issues cell: its rule ids, most severe first."""
    by_row: dict[tuple[str, int], list[str]] = {}
    for f in findings:  # already sorted most severe first
        if f.row:
            rules = by_row.setdefault((f.tab, f.row), [])
            if f.rule not in rules:
                rules.append(f.rule)
    for name, table in tables.items():
        if not any(c.header == "Issues" for c in table.spec.computed):
            continue
        for index, row in enumerate(table.rows):
            row_rules = by_row.get((name, row))
            outcome.set(name, index, "Issues", ", ".join(row_rules) if row_rules else None)


def computed_updates(analysis: Analysis, plan: Plan) -> list[CellUpdate]:
    """Exactly the computed cells whose value changes; blank rows lose their stale values."""
    updates: list[CellUpdate] = []
    added = {(u.tab, normalize_header(u.value)): u.col for u in plan.header_cells}
    for name, table in analysis.context.tables.items():
        raw = table.raw
        if raw is None or not table.spec.computed:
            continue
        computed = analysis.outcome.computed.get(name, {})
        for spec in table.spec.computed:
            if (name, spec.header) in analysis.held:
                continue
            col = table.col(spec.header)
            if col is None:
                col = added.get((raw.name, spec.norm))
            if col is None:
                continue
            fmt = format_of(spec)
            for index, row in enumerate(table.rows):
                value = fit(computed.get(index, {}).get(spec.header))
                if not same_value(raw.get(row, col), value):
                    updates.append(CellUpdate(raw.name, row, col, value, fmt))
            for row in table.blank_rows:
                if raw.get(row, col) is not None:
                    updates.append(CellUpdate(raw.name, row, col, None, fmt))
    return updates


def _drop_restored(analysis: Analysis, plan: Plan) -> None:
    """A computed column this sync puts back is not missing after it: no finding for it."""
    added = {(u.tab, normalize_header(u.value)) for u in plan.header_cells}
    if not added:
        return

    def restored(f: Finding) -> bool:
        raw = analysis.data.tab(f.tab)
        return (
            f.rule == "TABLE-MISSING-COLUMN"
            and raw is not None
            and (raw.name, normalize_header(f.column)) in added
        )

    analysis.findings = [f for f in analysis.findings if not restored(f)]


def plan_sync(
    backend: Backend, data: WorkbookData, template: Template, config: Config, as_of: dt.date
) -> tuple[SyncResult, Plan]:
    """Everything a sync would write, without writing it."""
    analysis = analyze(data, template, config, as_of)
    names = config.tabs.names()
    plan = plan_provision(
        template,
        data,
        backend,
        role_columns=analysis.role_columns,
        for_sync=True,
        tab_names=names,
        findings=analysis.findings,
        # The muted findings are the Issues grid's last rows (after its header).
        muted_rows=range(
            1 + len(analysis.findings) - len(analysis.muted), 1 + len(analysis.findings)
        ),
    )
    _drop_restored(analysis, plan)
    updates = computed_updates(analysis, plan)
    generated = generated_tabs(template, data, backend, names)
    issues_name = generated.names[ISSUES]
    issues_tab = data.tab(issues_name) if generated.usable(ISSUES) else None
    previous = previous_first_seen(issues_tab, data)
    first_seen = first_seen_for(analysis.findings, previous, as_of)
    summary = summarize(analysis)
    notes = held_notes(analysis)
    if analysis.period is not None:
        summary.trend = trend(
            analysis.history, analysis.period, statuses_by_key(analysis.items),
            period_kind(config),
        )
    if generated.usable(HISTORY) and not analysis.held and analysis.period is not None:
        history_tab = data.tab(generated.names[HISTORY])
        name = history_tab.name if history_tab else generated.names[HISTORY]
        # The History grid analyze read is this tab as read (empty when there is none).
        history_updates, note = column_updates(
            name, analysis.history, analysis.items, analysis.period
        )
        updates += history_updates
        notes += [note] if note else []
        if history_tab is None and backend.marker() is not None:
            notes.append(
                f"The {name} tab was missing: it is made again with this period's column "
                f"only; `sheets-sync history rebuild` restores the earlier periods."
            )
    if generated.usable(ISSUES):
        issue_formats = [format_of(c) for c in template.table(ISSUES).columns]
        grid = issues_grid(template, analysis.findings, first_seen, as_of, data, analysis.typed)
        name = issues_tab.name if issues_tab else issues_name
        issue_updates, shift = issues_writes(name, issues_tab, grid, issue_formats, data)
        updates += issue_updates
        if shift is not None:
            plan.row_shifts.append(shift)
    if generated.usable(DASHBOARD):
        dash_name = generated.names[DASHBOARD]
        dash_tab = data.tab(dash_name)
        dash_rows = dashboard_grid(template, summary, as_of)
        updates += grid_updates(
            dash_tab.name if dash_tab else dash_name,
            dash_tab,
            dash_rows,
            [format_of(c) for c in template.table(DASHBOARD).columns],
        )
    result = SyncResult(
        workbook=backend.identity,
        as_of=as_of,
        findings=analysis.findings,
        first_seen=first_seen,
        summary=summary,
        updates=updates,
        restored=list(plan.steps),
        marked=list(plan.mark_steps),
        dry_run=True,
        changes=changes_of(data, updates, plan.header_cells),
        new={f.identity for f in analysis.findings if is_new(f, previous, as_of)},
        notes=notes,
        muted=analysis.muted,
        analysis=analysis,
    )
    return result, plan


def held_notes(analysis: Analysis) -> list[str]:
    """One note per unusable tab: what was left as it was because of it."""
    reasons = unusable(analysis.context.tables)
    notes = []
    for tab, reason in reasons.items():
        columns = [c for c, source in analysis.held.items() if source == tab]
        notes.append(
            f"Tab {tab!r} {reason}: {'; '.join(describe(columns))} left as they were "
            "(nothing computed from it is written until it is back)."
        )
    return notes


def held_lock(backend: Backend, config: Config, locked: bool) -> AbstractContextManager[object]:
    """The workbook's cron lock when ``locked`` (TryLater if another run holds it)."""
    from contextlib import nullcontext

    from sheets_sync.lock import workbook_lock

    if not locked:
        return nullcontext()
    return workbook_lock(backend.lock_key, config.state_dir)


def sync(
    backend: Backend,
    config: Config | None = None,
    *,
    template: Template | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
    lock: bool = True,
) -> SyncResult:
    """Read, validate, compute and write back exactly what changed (guarded).

    Holds the workbook's lock (TryLater if taken) unless dry_run or lock=False (caller has it).
    """
    config = config or Config()
    template = template or load_template(config.template)
    with held_lock(backend, config, lock and not dry_run), gc_paused():
        for attempt in range(MAX_REPLANS + 1):
            data = read_workbook(backend, template, config)
            day = as_of or today(config, data)
            result, plan = plan_sync(backend, data, template, config, day)
            result.replans = attempt
            if dry_run:
                return result
            if plan.conflicts:
                raise WorkbookError(" ".join(plan.conflicts))
            try:
                written = backend.write(data, result.updates, None if plan.empty else plan)
            except GuardError:
                if attempt == MAX_REPLANS:
                    raise
                continue
            result.dry_run = False
            result.wrote = written.wrote
            return result
    raise GuardError(f"rows of {backend.identity} kept moving; try again")


def check(
    backend: Backend,
    config: Config | None = None,
    *,
    template: Template | None = None,
    as_of: dt.date | None = None,
) -> SyncResult:
    """Validate only: the findings a sync would report; nothing is written or stored.

    A workbook the backend would refuse to save is still read and validated; the
    result's notes say why a sync would not write it.
    """
    result = sync(backend, config, template=template, as_of=as_of, dry_run=True)
    concerns = backend.save_concerns()
    if concerns:
        result.notes.append(
            "sheets-sync read this workbook but would not save it (check writes nothing): "
            + "; ".join(concerns)
        )
    return result


def provision(
    backend: Backend,
    config: Config | None = None,
    *,
    template: Template | None = None,
    dry_run: bool = False,
    lock: bool = True,
) -> Plan:
    """Create the workbook or add what it lacks of the template, locked; never touches data."""
    config = config or Config()
    template = template or load_template(config.template)
    with held_lock(backend, config, lock and not dry_run):
        for attempt in range(MAX_REPLANS + 1):
            if backend.exists():
                data = read_workbook(backend, template, config)
                backend.prepare_provision()
                analysis = analyze(data, template, config, today(config, data))
                roles = analysis.role_columns
            else:
                data = WorkbookData(identity=backend.identity, tabs={})
                roles = {}
            plan = plan_provision(
                template, data, backend, role_columns=roles, tab_names=config.tabs.names()
            )
            if dry_run:
                return plan
            if plan.conflicts:
                raise WorkbookError(" ".join(plan.conflicts))
            if plan.empty:
                return plan
            try:
                backend.write(data, [], plan)
            except GuardError:
                if attempt == MAX_REPLANS:
                    raise
                continue
            return plan
    raise GuardError(f"rows of {backend.identity} kept moving; try again")

