"""The portfolio page: one row per configured workbook, the worst first.

An organization running many partnerships looks here first: which workbook has errors,
goals and KPIs off track or overdue, tasks nobody is Accountable for, reviews overdue.
A workbook that could not be read is listed first, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sheets_sync.findings import Severity
from sheets_sync.report_html import esc, page, status_counts

if TYPE_CHECKING:
    from sheets_sync.sync import SyncResult

#: Statuses that mean a goal or KPI is failing now.
BAD = ("Off track", "Overdue")


@dataclass
class Entry:
    """One workbook's line on the portfolio page."""

    name: str
    link: str = ""
    as_of: dt.date | None = None
    kpis: dict[str, int] = field(default_factory=dict)
    goals: dict[str, int] = field(default_factory=dict)
    no_accountable: list[str] = field(default_factory=list)
    reviews_overdue: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    #: why the workbook could not be read (then nothing else is known)
    failure: str = ""

    @property
    def bad(self) -> int:
        """Goals and KPIs Off track or Overdue."""
        return sum(self.kpis.get(s, 0) + self.goals.get(s, 0) for s in BAD)

    @property
    def at_risk(self) -> int:
        return self.kpis.get("At risk", 0) + self.goals.get("At risk", 0)

    def rank(self) -> tuple[int, ...]:
        """Smaller is worse: unreadable, then errors, goals and KPIs failing, tasks
        without an Accountable, overdue reviews, At risk, warnings."""
        return (
            0 if self.failure else 1,
            -self.errors,
            -self.bad,
            -len(self.no_accountable),
            -len(self.reviews_overdue),
            -self.at_risk,
            -self.warnings,
        )


def entry(name: str, result: SyncResult, link: str = "") -> Entry:
    """A workbook's line from its sync or check result (muted findings not counted)."""
    s = result.summary
    return Entry(
        name=name,
        link=link,
        as_of=result.as_of,
        kpis=dict(s.kpis),
        goals=dict(s.goals),
        no_accountable=sorted({f.key for f in result.active if f.rule == "RACI-NO-A"}),
        reviews_overdue=list(s.reviews_overdue),
        errors=result.count(Severity.ERROR),
        warnings=result.count(Severity.WARNING),
    )


def worst_first(entries: Sequence[Entry]) -> list[Entry]:
    """The entries ordered worst first (ties by name)."""
    return sorted(entries, key=lambda e: (e.rank(), e.name.casefold()))


def _ids(ids: Sequence[str]) -> str:
    if not ids:
        return '<td class="num">0</td>'
    return f'<td class="num" title="{esc(", ".join(ids))}">{len(ids)}<br>' \
           f"<small>{esc(', '.join(ids[:6]))}{' …' if len(ids) > 6 else ''}</small></td>"


def _row(e: Entry, colors: Mapping[str, str]) -> str:
    opened = f'<a href="{esc(e.link)}">Open</a>' if e.link else ""
    name = f'<a href="{esc(e.link)}">{esc(e.name)}</a>' if e.link else esc(e.name)
    if e.failure:
        return (f"<tr><td>{name}</td>"
                f'<td colspan="7" class="sev-error">Could not be read: {esc(e.failure)}</td></tr>')
    return (
        f"<tr><td>{name}</td><td class=\"nw\">{e.as_of.isoformat() if e.as_of else ''}</td>"
        f'<td class="num">{e.errors} / {e.warnings}</td>'
        f"<td>{status_counts(e.goals, colors, narrow=True)}</td>"
        f"<td>{status_counts(e.kpis, colors, narrow=True)}</td>"
        f"{_ids(e.no_accountable)}{_ids(e.reviews_overdue)}"
        f'<td class="nw">{opened}</td></tr>'
    )


def render_portfolio(
    entries: Sequence[Entry], colors: Mapping[str, str], *, title: str = "Partnerships"
) -> str:
    """The portfolio page (self-contained HTML), worst workbook first."""
    from sheets_sync.charts import status_by_workbook

    ordered = worst_first(entries)
    readable = [e for e in ordered if not e.failure]
    failed = len(ordered) - len(readable)
    days = sorted({e.as_of for e in readable if e.as_of})
    when = days[0].isoformat() if len(days) == 1 else (
        f"{days[0].isoformat()} to {days[-1].isoformat()}" if days else "")
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="sub">{len(ordered)} workbooks{f" as of {when}" if when else ""}'
        f"{f'; {failed} could not be read' if failed else ''}. Worst first: unreadable, "
        "then errors, goals and KPIs Off track or Overdue, tasks without an Accountable, "
        "overdue reviews.</p>",
    ]
    if readable:
        chart = status_by_workbook([(e.name, e.kpis) for e in readable], colors)
        body.append(f'<img class="chart" id="kpis-by-workbook" src="{chart}" '
                    'alt="KPIs by status in each workbook, worst first">')
    body.append(
        "<table><tr><th>Workbook</th><th>As of</th><th>Errors / warnings</th><th>Goals</th>"
        "<th>KPIs</th><th>Tasks without an Accountable</th><th>Reviews overdue</th>"
        "<th>Link</th></tr>" + "".join(_row(e, colors) for e in ordered) + "</table>"
    )
    return page(f"{title}: sheets-sync portfolio", "\n".join(body))


__all__ = ["Entry", "entry", "render_portfolio", "worst_first"]
