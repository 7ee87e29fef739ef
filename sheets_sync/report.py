"""Renderings of a sync result: text (for terminals and cron mail), markdown, json and
html (a self-contained page: :mod:`sheets_sync.report_html`)."""

from __future__ import annotations

import json
from typing import Any

from sheets_sync.findings import Finding, Severity
from sheets_sync.summary import STATUS_ORDER
from sheets_sync.sync import SyncResult

FORMATS = ("text", "markdown", "json", "html")


def plural(count: int, word: str) -> str:
    """``1 warning``, ``2 warnings``, ``0 errors``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def headline(result: SyncResult, workbook: str | None = None) -> str:
    """One line: what was synced (``workbook``, else its identity), as of when, what
    changed, how many findings."""
    if result.dry_run:
        action = f"{plural(result.cells_changed, 'cell')} would change (dry run, nothing written)"
    else:
        action = f"{plural(result.cells_changed, 'cell')} changed"
    errors, warnings, infos = (result.count(s) for s in Severity)
    return (
        f"{workbook or result.workbook} as of {result.as_of.isoformat()}: {action}; "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}, {infos} info"
    )


def muted_line(result: SyncResult) -> str:
    """``Muted: 2 findings (acknowledged or snoozed on the Issues tab; not counted)``."""
    count = len(result.muted)
    ends = sorted(m.until for m in result.muted.values() if m.until is not None)
    until = f"; the first snooze ends after {ends[0].isoformat()}" if ends else ""
    return (
        f"Muted: {plural(count, 'finding')} (acknowledged or snoozed on the Issues tab; "
        f"not counted{until})"
    )


def _status_line(counts: dict[str, int]) -> str:
    parts = [f"{s} {counts[s]}" for s in STATUS_ORDER if counts.get(s)]
    return ", ".join(parts) if parts else "none"


def to_dict(result: SyncResult) -> dict[str, Any]:
    """A JSON-ready description of the result (stable keys, for pipelines)."""
    s = result.summary
    return {
        "workbook": result.workbook,
        "as_of": result.as_of.isoformat(),
        "dry_run": result.dry_run,
        "wrote": result.wrote,
        "cells_changed": result.cells_changed,
        "restored": result.restored,
        "marked": result.marked,
        "counts": {sev.label: result.count(sev) for sev in Severity},
        "muted": len(result.muted),
        "summary": {
            "kpis_by_status": s.kpis,
            "goals_by_status": s.goals,
            "goals_by_status_per_organization": s.goals_by_org,
            "reviews_overdue": s.reviews_overdue,
            "reviews_never_held": s.reviews_never,
            "tasks_without_exactly_one_accountable": s.tasks_not_one_a,
            "findings_by_rule": s.by_rule,
        },
        "findings": [
            {
                "severity": f.severity.label,
                "rule": f.rule,
                "tab": f.tab,
                "cell": f.cell,
                "key": f.key,
                "column": f.column,
                "owner": f.owner or None,
                "message": f.message,
                "first_seen": result.first_seen[f.identity].isoformat(),
                "age_days": (result.as_of - result.first_seen[f.identity]).days,
                "muted": _muted(result, f),
            }
            for f in result.findings
        ],
        "changes": [change.to_dict() for change in result.changes],
        **({"notes": result.notes} if result.notes else {}),
    }


def _muted(result: SyncResult, f: Finding) -> dict[str, str | None] | None:
    muted = result.muted.get(f.identity)
    if muted is None:
        return None
    return {"by": muted.by or None, "until": muted.until.isoformat() if muted.until else None}


def render_json(result: SyncResult) -> str:
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False)


def render_text(result: SyncResult, *, limit: int | None = None) -> str:
    """Plain text: headline, status summary, then every finding (or the first ``limit``)."""
    s = result.summary
    lines = [headline(result), ""]
    lines.append(f"KPIs:  {_status_line(s.kpis)}")
    lines.append(f"Goals: {_status_line(s.goals)}")
    lines.append(f"Reviews overdue: {', '.join(s.reviews_overdue) or 'none'}")
    lines.append(f"Tasks without exactly one Accountable: {', '.join(s.tasks_not_one_a) or 'none'}")
    if result.restored:
        lines.append(f"Restored: {'; '.join(result.restored)}")
    lines.append("")
    active = result.active
    shown = active if limit is None else active[:limit]
    if shown:
        width_rule = max(len(f.rule) for f in shown)
        width_where = max(len(f"{f.tab}!{f.cell}" if f.cell else f.tab) for f in shown)
        for f in shown:
            where = f"{f.tab}!{f.cell}" if f.cell else f.tab
            lines.append(
                f"{f.severity.label:<7} {f.rule:<{width_rule}} {where:<{width_where}} "
                f"{f.key}: {f.message}"
            )
        if limit is not None and len(active) > limit:
            lines.append(f"... and {len(active) - limit} more (see the Issues tab)")
    else:
        lines.append("No findings.")
    if result.muted:
        lines.append(muted_line(result))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: SyncResult) -> str:
    """Markdown: for a wiki page, a pull request or a chat message."""
    s = result.summary
    out = [f"# sheets-sync report: {_md(result.workbook)}", "", f"_{_md(headline(result))}_", ""]
    out += [
        "## Status",
        "",
        "| | " + " | ".join(STATUS_ORDER) + " |",
        "|---|" + "---:|" * len(STATUS_ORDER),
    ]
    for label, counts in (("KPIs", s.kpis), ("Goals", s.goals)):
        out.append(f"| {label} | " + " | ".join(str(counts.get(x, 0)) for x in STATUS_ORDER) + " |")
    out += ["", "## Needs attention", ""]
    out.append(f"- Reviews overdue: {', '.join(s.reviews_overdue) or 'none'}")
    out.append(f"- Reviews never held: {', '.join(s.reviews_never) or 'none'}")
    out.append(f"- Tasks without exactly one Accountable: {', '.join(s.tasks_not_one_a) or 'none'}")
    out += ["", "## Findings", ""]
    if result.findings:
        out += [
            "| Severity | Rule | Tab | Cell | Key | Message | First seen | Muted |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for f in result.findings:
            muted = result.muted.get(f.identity)
            out.append(
                f"| {f.severity.label} | {f.rule} | {_md(f.tab)} | {f.cell} | {_md(f.key)} | "
                f"{_md(f.message)} | {result.first_seen[f.identity].isoformat()} | "
                f"{_md(muted.describe()) if muted else ''} |"
            )
    else:
        out.append("No findings.")
    return "\n".join(out) + "\n"


def render(result: SyncResult, fmt: str = "text") -> str:
    """Render in one of :data:`FORMATS`."""
    if fmt == "json":
        return render_json(result) + "\n"
    if fmt == "markdown":
        return render_markdown(result)
    if fmt == "text":
        return render_text(result)
    if fmt == "html":
        from sheets_sync.report_html import render_html

        return render_html(result)
    raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
