"""What the tool computes from other tabs, and what it holds back when one is unusable.

A tab that is missing (renamed, say) cannot be read. Computing from it anyway would
be wrong, not merely incomplete: with no KPI Log, every KPI would turn ``No data``.
So the columns computed from such a tab are left as they are, the findings that
would follow from its absence are not reported, and the TABLE-MISSING-TAB finding
names the tab that looks like the missing one ("did you mean 'KPI log 2026'?").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from sheets_sync.backends.base import RawTab, WorkbookData
from sheets_sync.findings import Finding
from sheets_sync.tables import HEADER_SEARCH_ROWS, Table, header_norms
from sheets_sync.templates import TableSpec

_KPI_STATUS = ("Latest value", "Latest date", "Expected", "Progress", "Pace", "Status")

#: tab -> the computed columns (tab, header) read from it, directly or through another.
COLUMNS_FROM: dict[str, tuple[tuple[str, str], ...]] = {
    "KPI Log": (
        *(("KPIs", h) for h in _KPI_STATUS),
        ("KPIs", "Issues"),
        ("Goals", "Status"),
        ("People", "KPIs needing attention"),
    ),
    "KPIs": (("Goals", "Status"), ("People", "KPIs needing attention")),
    "Reviews": (
        ("Goals", "Last review"), ("Goals", "Next review"), ("Goals", "Review status"),
        ("Goals", "Issues"),
    ),
    "RACI": (("People", "Accountable for"), ("People", "Responsible for")),
}
#: tab -> the rules whose findings would only say that tab is unusable.
RULES_FROM: dict[str, frozenset[str]] = {
    "KPI Log": frozenset(
        {"KPI-STALE", "KPI-NO-DATA", "KPI-OFF-TRACK", "KPI-OVERDUE", "KPI-OFF-TRACK-PERSISTENT"}
    ),
    "Reviews": frozenset({"REVIEW-OVERDUE", "REVIEW-NEVER"}),
}
#: tab -> the statuses (Dashboard counts) computed from it.
STATUSES_FROM: dict[str, tuple[str, ...]] = {"KPI Log": ("KPIs", "Goals"), "KPIs": ("Goals",)}


def unusable(tables: Mapping[str, Table]) -> dict[str, str]:
    """Template tab -> why it cannot be read, for missing tabs others depend on.

    Only a missing tab (renamed or deleted) holds anything back: a tab whose header
    row or a column is missing is still read as before, its findings saying what to
    fix, so results stay a function of what the workbook holds.
    """
    out: dict[str, str] = {}
    for name in COLUMNS_FROM:
        table = tables.get(name)
        if table is not None and any(f.rule == "TABLE-MISSING-TAB" for f in table.findings):
            out[name] = "is missing"
    return out


def held_columns(reasons: Mapping[str, str]) -> dict[tuple[str, str], str]:
    """(tab, computed header) -> the unusable tab it is computed from."""
    held: dict[tuple[str, str], str] = {}
    for tab in reasons:
        for column in COLUMNS_FROM.get(tab, ()):
            held.setdefault(column, tab)
    return held


def held_rules(reasons: Mapping[str, str]) -> frozenset[str]:
    """Rules not reported while the tabs in ``reasons`` are unusable."""
    return frozenset(rule for tab in reasons for rule in RULES_FROM.get(tab, ()))


def held_statuses(reasons: Mapping[str, str]) -> set[str]:
    """Tabs whose statuses are not computed while the tabs in ``reasons`` are unusable."""
    return {t for tab in reasons for t in STATUSES_FROM.get(tab, ())}


def _score(spec: TableSpec, raw: RawTab) -> int:
    """How many of ``spec``'s headers one of the top rows of ``raw`` holds (best row)."""
    declared = {c.norm for c in spec.columns}
    rows = raw.values[: min(raw.height, HEADER_SEARCH_ROWS)]
    return max((len(declared & header_norms(cells)) for cells in rows), default=0)


def look_alike(spec: TableSpec, data: WorkbookData, claimed: Iterable[str]) -> str | None:
    """The tab, not claimed by the template, that holds ``spec``'s headers: a renamed copy.

    It must hold every required header (at least two of the template's headers), and
    the one holding most wins (the first in the workbook on a tie).
    """
    taken = {name.casefold() for name in claimed}
    needed = {c.norm for c in spec.columns if (c.required or c.key) and not c.computed}
    best: tuple[int, str] | None = None
    for name, raw in data.tabs.items():
        if name.casefold() in taken:
            continue
        score = _score(spec, raw)
        rows = raw.values[: min(raw.height, HEADER_SEARCH_ROWS)]
        holds_needed = any(needed <= header_norms(cells) for cells in rows)
        if score >= min(2, len(spec.columns)) and holds_needed and (
            best is None or score > best[0]
        ):
            best = (score, name)
    return best[1] if best else None


def missing_tab_message(spec: TableSpec, twin: str | None, held: Iterable[str]) -> str:
    """TABLE-MISSING-TAB's message: where the data probably went, and what is held."""
    held_text = "; ".join(held)
    tail = f" Until it is back, {held_text} are left as they are." if held_text else ""
    if twin is not None:
        return (
            f"Tab {spec.name!r} is missing; did you mean {twin!r}? It holds the "
            f"{spec.name} headers: rename it back to {spec.name!r} (sheets-sync finds tabs by "
            f"name)." + tail
        )
    return f"Tab {spec.name!r} is missing; run `sheets-sync provision` to add it." + tail


def describe(columns: Iterable[tuple[str, str]]) -> list[str]:
    """``KPIs' Latest value, Status`` phrases, one per tab, in first-seen order."""
    by_tab: dict[str, list[str]] = {}
    for tab, header in columns:
        by_tab.setdefault(tab, []).append(header)
    return [f"{tab}' {', '.join(headers)}" if tab.endswith("s") else
            f"{tab}'s {', '.join(headers)}" for tab, headers in by_tab.items()]


def reword(findings: list[Finding], messages: Mapping[str, str]) -> list[Finding]:
    """``findings`` with each TABLE-MISSING-TAB of a tab in ``messages`` reworded."""
    return [
        dataclasses.replace(f, message=messages[f.tab])
        if f.rule == "TABLE-MISSING-TAB" and f.tab in messages
        else f
        for f in findings
    ]
