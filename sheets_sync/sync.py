"""The pipeline: read -> coerce -> rules -> diff -> guarded write.

Nothing here knows about Google or xlsx: a :class:`Backend` moves the cells.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sheets_sync.backends.base import (
    Backend,
    CellUpdate,
    CellValue,
    Link,
    Plan,
    RawTab,
    WorkbookData,
)
from sheets_sync.coerce import Locale, coerce_date, coerce_number
from sheets_sync.config import Config
from sheets_sync.diff import format_of, grid_updates, plan_provision, same_value
from sheets_sync.errors import GuardError, WorkbookError
from sheets_sync.findings import Finding, Severity, sort_findings
from sheets_sync.generated import generated_tabs
from sheets_sync.rules import Context, Outcome, run_rules
from sheets_sync.rules.raci import role_columns
from sheets_sync.tables import Table, a1, column_letter, formula_findings, read_table
from sheets_sync.templates import Template, load_template, normalize_header

#: How many times a sync re-reads and re-plans when rows moved under it.
MAX_REPLANS = 3
#: The most characters the tool writes into one cell: an xlsx cell holds 32,767 and a Google
#: cell 50,000, and either refuses more (Google answers 400). Longer text is cut to fit.
CELL_TEXT_LIMIT = 32_767
ISSUES, DASHBOARD = "Issues", "Dashboard"
STATUS_ORDER = ("Achieved", "On track", "At risk", "Off track", "Overdue", "Stale", "No data")


@dataclass
class Summary:
    """The counts shown on the Dashboard tab and in reports."""

    kpis: dict[str, int] = field(default_factory=dict)
    goals: dict[str, int] = field(default_factory=dict)
    goals_by_org: dict[str, dict[str, int]] = field(default_factory=dict)
    reviews_overdue: list[str] = field(default_factory=list)
    reviews_never: list[str] = field(default_factory=list)
    tasks_not_one_a: list[str] = field(default_factory=list)
    by_rule: dict[str, int] = field(default_factory=dict)


@dataclass
class Analysis:
    """A workbook read and judged: typed tables, rules' outcome, sorted findings."""

    data: WorkbookData
    context: Context
    outcome: Outcome
    findings: list[Finding]
    role_columns: dict[str, list[int]]


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

    @property
    def cells_changed(self) -> int:
        return len(self.updates)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


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
    for table in tables.values():
        outcome.findings.extend(formula_findings(table))
    roles: dict[str, list[int]] = {}
    raci = tables.get("RACI")
    if raci is not None and raci.present:
        roles["RACI"] = [r.col for r in role_columns(ctx, raci)[0]]
    tab_order = [t.name for t in template.tables]
    findings = sort_findings(outcome.findings, tab_order)
    _issue_cells(tables, outcome, findings)
    return Analysis(data, ctx, outcome, findings, roles)


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


def fit(value: CellValue) -> CellValue:
    """Text cut to what a cell of any backend holds (keys and headers people typed may not)."""
    if isinstance(value, str) and len(value) > CELL_TEXT_LIMIT:
        return value[: CELL_TEXT_LIMIT - 1] + "\u2026"
    if isinstance(value, Link) and len(value.text) > CELL_TEXT_LIMIT:
        return Link(str(fit(value.text)), value.tab, value.a1)
    return value


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


def previous_first_seen(
    raw: RawTab | None, data: WorkbookData
) -> dict[tuple[str, str, str, str], dt.date]:
    """First seen per finding identity, as the Issues tab ``raw`` holds it from the last sync.

    The tab has no Column column, so a row's column is the header above its Cell
    address on that tab today (exact unless a person moved columns since).
    """
    if raw is None or raw.height < 2:
        return {}
    pos = {normalize_header(v): c for c, v in enumerate(raw.header) if v is not None}
    need = ["rule", "tab", "key", "cell", "first seen"]
    if any(n not in pos for n in need):
        return {}
    seen: dict[tuple[str, str, str, str], dt.date] = {}
    for row in range(1, raw.height):
        rule, tab, key, cell, first = (raw.get(row, pos[n]) for n in need)
        day = coerce_date(first)
        if not isinstance(day, dt.date) or rule is None or tab is None:
            continue
        column = ""
        address = cell.text if isinstance(cell, Link) else str(cell or "")
        letters = "".join(ch for ch in address if ch.isalpha())
        target = data.tab(str(tab))
        if letters and target is not None:
            col = _column_index(letters)
            header = target.get(0, col)
            column = " ".join(str(header).split()) if header is not None else ""
        if not address:
            column = str(key or "")
        seen[(str(rule), str(tab), str(key or ""), column.casefold())] = day
    return seen


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _identity(f: Finding) -> tuple[str, str, str, str]:
    """A finding's identity as its Issues row reads back (the key cut to fit the cell)."""
    key = str(fit(f.key))
    column = f.column if f.cell else key
    return (f.rule, f.tab, key, column.casefold())


def first_seen_for(
    findings: list[Finding], previous: dict[tuple[str, str, str, str], dt.date], as_of: dt.date
) -> dict[tuple[str, str, str, str], dt.date]:
    """Keep First seen while a finding keeps being reported; new ones start at as_of."""
    result = {}
    for f in findings:
        old = previous.get(_identity(f))
        result[f.identity] = old if old is not None and old <= as_of else as_of
    return result


def issues_grid(
    template: Template,
    findings: list[Finding],
    first_seen: dict[Any, dt.date],
    as_of: dt.date,
    data: WorkbookData,
) -> list[list[CellValue]]:
    """The Issues tab: one row per finding, most severe first, each linking to its cell."""
    headers: list[CellValue] = [c.header for c in template.table(ISSUES).columns]
    rows: list[list[CellValue]] = [headers]
    for f in findings:
        tab = data.tab(f.tab)
        cell: CellValue = f.cell
        if tab is not None:
            cell = Link(f.cell or "A1", tab.name, f.cell or "A1")
        first = first_seen[f.identity]
        rows.append(
            [f.severity.label, f.rule, f.tab, cell, fit(f.key), fit(f.message), first,
             (as_of - first).days]
        )
    return rows


def summarize(analysis: Analysis) -> Summary:
    """Counts by status and lists of what needs attention."""
    ctx, outcome = analysis.context, analysis.outcome
    summary = Summary()
    kpi_status = outcome.statuses.get("KPIs", {})
    goal_status = outcome.statuses.get("Goals", {})
    summary.kpis = dict(Counter(kpi_status.values()))
    summary.goals = dict(Counter(goal_status.values()))
    goals = ctx.tables.get("Goals")
    people = ctx.tables.get("People")
    orgs: dict[str, str] = {}
    if people is not None and people.present:
        for key, index in ctx.keys("People").items():
            orgs[key] = str(people.records[index].get("Organization") or "(no organization)")
    if goals is not None and goals.present:
        for index, status in goal_status.items():
            owner = goals.records[index].get("Owner")
            org = orgs.get(str(owner).casefold(), "(unknown owner)") if owner else "(no owner)"
            by_org = summary.goals_by_org.setdefault(org, {})
            by_org[status] = by_org.get(status, 0) + 1
    for f in analysis.findings:
        summary.by_rule[f.rule] = summary.by_rule.get(f.rule, 0) + 1
        if f.rule == "REVIEW-OVERDUE":
            summary.reviews_overdue.append(f.key)
        elif f.rule == "REVIEW-NEVER":
            summary.reviews_never.append(f.key)
        elif f.rule in ("RACI-NO-A", "RACI-MULTI-A"):
            summary.tasks_not_one_a.append(f.key)
    return summary


def dashboard_grid(template: Template, summary: Summary, as_of: dt.date) -> list[list[CellValue]]:
    """The Dashboard tab: as-of date, counts by status, and what needs attention."""
    rows: list[list[CellValue]] = [[c.header for c in template.table(DASHBOARD).columns]]
    rows.append(["Synced as of", as_of, f"template {template.name} {template.version}"])
    rows.append([])
    rows.append(["KPIs by status", sum(summary.kpis.values()), ""])
    rows.extend([f"  {s}", summary.kpis.get(s, 0), ""] for s in STATUS_ORDER)
    rows.append([])
    rows.append(["Goals by status", sum(summary.goals.values()), ""])
    rows.extend([f"  {s}", summary.goals.get(s, 0), ""] for s in STATUS_ORDER)
    rows.append([])
    rows.append(["Goals by status per Organization", None, ""])
    for org in sorted(summary.goals_by_org):
        counts = summary.goals_by_org[org]
        for s in STATUS_ORDER:
            if counts.get(s):
                rows.append([f"  {org}: {s}", counts[s], ""])
    rows.append([])
    rows.append(
        ["Reviews overdue", len(summary.reviews_overdue), ", ".join(summary.reviews_overdue)]
    )
    rows.append(
        ["Reviews never held", len(summary.reviews_never), ", ".join(summary.reviews_never)]
    )
    rows.append(
        [
            "Tasks without exactly one Accountable",
            len(summary.tasks_not_one_a),
            ", ".join(summary.tasks_not_one_a),
        ]
    )
    rows.append([])
    rows.append(["Findings by rule", sum(summary.by_rule.values()), ""])
    rows.extend([f"  {rule}", n, ""] for rule, n in sorted(summary.by_rule.items()))
    return [[fit(("" if v is None else v) if i == 2 else v) for i, v in enumerate(r)] for r in rows]


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
    )
    _drop_restored(analysis, plan)
    updates = computed_updates(analysis, plan)
    generated = generated_tabs(template, data, backend, names)
    issues_name = generated.names[ISSUES]
    issues_tab = data.tab(issues_name) if generated.usable(ISSUES) else None
    first_seen = first_seen_for(analysis.findings, previous_first_seen(issues_tab, data), as_of)
    summary = summarize(analysis)
    if generated.usable(ISSUES):
        issue_formats = [format_of(c) for c in template.table(ISSUES).columns]
        updates += grid_updates(
            issues_tab.name if issues_tab else issues_name,
            issues_tab,
            issues_grid(template, analysis.findings, first_seen, as_of, data),
            issue_formats,
        )
    if generated.usable(DASHBOARD):
        dash_name = generated.names[DASHBOARD]
        dash_tab = data.tab(dash_name)
        dash_rows = dashboard_grid(template, summary, as_of)
        updates += grid_updates(
            dash_tab.name if dash_tab else dash_name,
            dash_tab,
            dash_rows,
            ["text", "number", "text"],
        )
    result = SyncResult(
        workbook=backend.identity,
        as_of=as_of,
        findings=analysis.findings,
        first_seen=first_seen,
        summary=summary,
        updates=updates,
        restored=list(plan.steps),
        dry_run=True,
    )
    return result, plan


def sync(
    backend: Backend,
    config: Config | None = None,
    *,
    template: Template | None = None,
    as_of: dt.date | None = None,
    dry_run: bool = False,
) -> SyncResult:
    """Read, validate, compute and write back exactly what changed (guarded)."""
    config = config or Config()
    template = template or load_template(config.template)
    for attempt in range(MAX_REPLANS + 1):
        data = backend.read()
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
    raise AssertionError("unreachable")


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
) -> Plan:
    """Create the workbook, or add what it lacks of the template; never touches data."""
    config = config or Config()
    template = template or load_template(config.template)
    for attempt in range(MAX_REPLANS + 1):
        if backend.exists():
            data = backend.read()
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
    raise AssertionError("unreachable")


# Re-exported for callers that build their own updates.
__all__ = [
    "Analysis",
    "Summary",
    "SyncResult",
    "a1",
    "analyze",
    "check",
    "coerce_number",
    "column_letter",
    "provision",
    "sync",
    "today",
]
