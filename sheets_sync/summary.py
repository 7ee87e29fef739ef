"""What the generated tabs show: the Issues rows and the Dashboard's counts.

An Issues row keeps its First seen date for as long as its finding keeps being
reported, read back from the Issues tab the last sync wrote. Every text is cut to
what a cell of any backend holds.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheets_sync.a1 import column_index
from sheets_sync.acknowledgements import PEOPLE_COLUMNS, Identity, Typed, readback_identity
from sheets_sync.backends.base import CellValue, Link, RawTab, WorkbookData
from sheets_sync.coerce import coerce_date
from sheets_sync.findings import Finding
from sheets_sync.templates import Template, normalize_header

if TYPE_CHECKING:
    from sheets_sync.sync import Analysis

#: The most characters the tool writes into one cell: an xlsx cell holds 32,767 and a Google
#: cell 50,000, and either refuses more (Google answers 400). Longer text is cut to fit.
CELL_TEXT_LIMIT = 32_767
ISSUES, DASHBOARD = "Issues", "Dashboard"
#: The Dashboard column (0-based) where the trend table starts: after Metric, Value, Detail.
TREND_COLUMN = 3
#: A Dashboard detail lists this many ids, then says how many more.
DETAIL_ITEMS = 12
STATUS_ORDER = (
    "Achieved", "On track", "At risk", "Off track", "Overdue", "Stale", "No data", "Closed",
    "Dropped",
)


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
    #: status -> the KPI / goal ids with it; rule id -> the keys of its findings
    kpi_keys: dict[str, list[str]] = field(default_factory=dict)
    goal_keys: dict[str, list[str]] = field(default_factory=dict)
    rule_keys: dict[str, list[str]] = field(default_factory=dict)
    #: the muted findings: ``RULE key (snoozed until 2026-12-20)``
    muted: list[str] = field(default_factory=list)
    #: KPI counts by status for the last periods, oldest first (None: no History column)
    trend: list[tuple[str, Counter[str] | None]] = field(default_factory=list)


def fit(value: CellValue) -> CellValue:
    """Text cut to what a cell of any backend holds (keys and headers people typed may not)."""
    if isinstance(value, str) and len(value) > CELL_TEXT_LIMIT:
        return value[: CELL_TEXT_LIMIT - 1] + "\u2026"
    if isinstance(value, Link) and len(value.text) > CELL_TEXT_LIMIT:
        return Link(str(fit(value.text)), value.tab, value.a1)
    return value


def row_identities(raw: RawTab | None, data: WorkbookData) -> list[Identity | None]:
    """The identity of the finding on each row of the Issues tab ``raw`` (row 0, the
    header, included as None; so is any row without a finding).

    The tab has no Column column, so a row's column is the header above its Cell
    address on that tab today (exact unless a person moved columns since).
    """
    if raw is None:
        return []
    out: list[Identity | None] = [None] * raw.height
    pos = {normalize_header(v): c for c, v in enumerate(raw.header) if v is not None}
    need = ["rule", "tab", "key", "cell"]
    if any(n not in pos for n in need):
        return out
    for row in range(1, raw.height):
        rule, tab, key, cell = (raw.get(row, pos[n]) for n in need)
        if rule is None or tab is None:
            continue
        column = ""
        address = cell.text if isinstance(cell, Link) else str(cell or "")
        letters = "".join(ch for ch in address if ch.isalpha())
        target = data.tab(str(tab))
        if letters and target is not None:
            col = column_index(letters)
            header = target.get(0, col)
            column = " ".join(str(header).split()) if header is not None else ""
        if not address:
            column = str(key or "")
        out[row] = (str(rule), str(tab), str(key or ""), column.casefold())
    return out


def read_issues(
    raw: RawTab | None, data: WorkbookData
) -> tuple[dict[Identity, dt.date], dict[Identity, Typed]]:
    """What the Issues tab ``raw`` holds from the last sync, by finding identity: each
    row's First seen, and what people typed beside it (Acknowledged by, Snooze until,
    Comment)."""
    seen: dict[Identity, dt.date] = {}
    typed: dict[Identity, Typed] = {}
    if raw is None or raw.height < 2:
        return seen, typed
    pos = {normalize_header(v): c for c, v in enumerate(raw.header) if v is not None}
    people = [pos.get(normalize_header(h)) for h in PEOPLE_COLUMNS]
    first = pos.get("first seen")
    for row, identity in enumerate(row_identities(raw, data)):
        if identity is None:
            continue
        day = coerce_date(raw.get(row, first)) if first is not None else None
        if isinstance(day, dt.date):
            seen.setdefault(identity, day)
        cells = Typed(*(raw.get(row, c) if c is not None else None for c in people))
        if not cells.blank:
            typed.setdefault(identity, cells)
    return seen, typed


def previous_first_seen(raw: RawTab | None, data: WorkbookData) -> dict[Identity, dt.date]:
    """First seen per finding identity, as the Issues tab ``raw`` holds it from the last sync."""
    return read_issues(raw, data)[0]


def is_new(
    f: Finding, previous: dict[tuple[str, str, str, str], dt.date], as_of: dt.date
) -> bool:
    """Whether ``f`` was not on the Issues tab before (its First seen starts at as_of)."""
    old = previous.get(readback_identity(f))
    return old is None or old > as_of


def first_seen_for(
    findings: list[Finding], previous: dict[tuple[str, str, str, str], dt.date], as_of: dt.date
) -> dict[tuple[str, str, str, str], dt.date]:
    """Keep First seen while a finding keeps being reported; new ones start at as_of."""
    result = {}
    for f in findings:
        old = previous.get(readback_identity(f))
        result[f.identity] = old if old is not None and old <= as_of else as_of
    return result


def issues_grid(
    template: Template,
    findings: list[Finding],
    first_seen: dict[Any, dt.date],
    as_of: dt.date,
    data: WorkbookData,
    typed: dict[Identity, Typed] | None = None,
) -> list[list[CellValue]]:
    """The Issues tab: one row per finding, most severe first (the muted last), each
    linking to its cell, with what people typed beside it carried by its identity."""
    headers: list[CellValue] = [c.header for c in template.table(ISSUES).columns]
    rows: list[list[CellValue]] = [headers]
    for f in findings:
        tab = data.tab(f.tab)
        cell: CellValue = f.cell
        if tab is not None:
            cell = Link(f.cell or "A1", tab.name, f.cell or "A1")
        first = first_seen[f.identity]
        people = (typed or {}).get(f.identity, Typed())
        rows.append(
            [f.severity.label, f.rule, f.tab, cell, fit(f.key), f.owner or None,
             fit(f.message), first, (as_of - first).days, *people.cells]
        )
    return rows


def _keys_by_status(analysis: Analysis, tab: str) -> dict[str, list[str]]:
    table = analysis.context.tables.get(tab)
    out: dict[str, list[str]] = {}
    if table is None or not table.present:
        return out
    for index, status in analysis.outcome.statuses.get(tab, {}).items():
        out.setdefault(status, []).append(table.key(index))
    return out


def summarize(analysis: Analysis) -> Summary:
    """Counts by status and lists of what needs attention."""
    ctx, outcome = analysis.context, analysis.outcome
    summary = Summary()
    kpi_status = outcome.statuses.get("KPIs", {})
    goal_status = outcome.statuses.get("Goals", {})
    summary.kpis = dict(Counter(kpi_status.values()))
    summary.goals = dict(Counter(goal_status.values()))
    summary.kpi_keys = _keys_by_status(analysis, "KPIs")
    summary.goal_keys = _keys_by_status(analysis, "Goals")
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
    muted = analysis.muted
    for f in analysis.findings:
        if f.identity in muted:
            summary.muted.append(f"{f.rule} {f.key} ({muted[f.identity].describe()})")
            continue
        summary.by_rule[f.rule] = summary.by_rule.get(f.rule, 0) + 1
        keys = summary.rule_keys.setdefault(f.rule, [])
        if f.key not in keys:
            keys.append(f.key)
        if f.rule == "REVIEW-OVERDUE":
            summary.reviews_overdue.append(f.key)
        elif f.rule == "REVIEW-NEVER":
            summary.reviews_never.append(f.key)
        elif f.rule in ("RACI-NO-A", "RACI-MULTI-A"):
            summary.tasks_not_one_a.append(f.key)
    return summary


def listing(keys: list[str], most: int = DETAIL_ITEMS) -> str:
    """``K1, K2, K3``; past ``most`` items, ``K1, …, K10 and 5 more``."""
    if len(keys) <= most:
        return ", ".join(keys)
    return f"{', '.join(keys[:most])} and {len(keys) - most} more"


def _split(counts: dict[str, int]) -> str:
    return ", ".join(f"{s} {counts[s]}" for s in STATUS_ORDER if counts.get(s))


def dashboard_grid(template: Template, summary: Summary, as_of: dt.date) -> list[list[CellValue]]:
    """The Dashboard tab, one page: each count with the ids it counts beside it.

    Sections: as-of date; KPIs and goals by status; goals per Organization (one row
    each, split by status); reviews and tasks that need attention; findings by rule.
    """
    rows: list[list[CellValue]] = [[c.header for c in template.table(DASHBOARD).columns]]
    rows.append(["Synced as of", as_of, f"template {template.name} {template.version}"])
    for title, counts, keys in (
        ("KPIs by status", summary.kpis, summary.kpi_keys),
        ("Goals by status", summary.goals, summary.goal_keys),
    ):
        rows.append([])
        rows.append([title, sum(counts.values()), ""])
        rows.extend(
            [f"  {s}", counts.get(s, 0), listing(keys.get(s, []))] for s in STATUS_ORDER
        )
    rows.append([])
    rows.append(
        ["Goals per Organization", sum(sum(c.values()) for c in summary.goals_by_org.values()),
         "by status"]
    )
    for org in sorted(summary.goals_by_org):
        counts = summary.goals_by_org[org]
        rows.append([f"  {org}", sum(counts.values()), _split(counts)])
    rows.append([])
    for title, items in (
        ("Reviews overdue", summary.reviews_overdue),
        ("Reviews never held", summary.reviews_never),
        ("Tasks without exactly one Accountable", summary.tasks_not_one_a),
        ("Muted findings (acknowledged or snoozed)", summary.muted),
    ):
        rows.append([title, len(items), listing(items)])
    rows.append([])
    rows.append(["Findings by rule", sum(summary.by_rule.values()), ""])
    rows.extend(
        [f"  {rule}", n, listing(summary.rule_keys.get(rule, []))]
        for rule, n in sorted(summary.by_rule.items())
    )
    rows = [[fit(("" if v is None else v) if i == 2 else v) for i, v in enumerate(r)] for r in rows]
    # The trend table beside the counts: header row 1 (the template's), one row a period.
    for index, (label, tally) in enumerate(summary.trend, start=1):
        while len(rows) <= index:
            rows.append([])
        row = rows[index]
        row.extend([None] * (TREND_COLUMN - len(row)))
        row.append(label)
        row.extend(None if tally is None else tally.get(s, 0) for s in STATUS_ORDER)
    return rows
