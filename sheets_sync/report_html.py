"""The HTML report of one workbook: a self-contained page, and the per-person section
that digests reuse.

The page carries its CSS and its charts (SVG images in ``data:`` URIs): it opens with no
network, with JavaScript off, from a mail attachment or an archive. Everything people
typed is escaped, so ``<script>`` in a cell is shown as text.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from sheets_sync.findings import Finding, Severity
from sheets_sync.summary import STATUS_ORDER

if TYPE_CHECKING:
    from sheets_sync.digests import Digest, Linker
    from sheets_sync.periods import PeriodKind
    from sheets_sync.sync import Analysis, SyncResult
    from sheets_sync.tables import Table

#: How many periods the chart and the heatmap show (the History tab keeps them all).
REPORT_PERIODS: dict[str, int] = {"week": 52, "month": 24}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  color:#222;margin:0;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:16px 24px 40px;background:#fff}
h1{font-size:22px;margin:8px 0 2px}h2{font-size:18px;margin:28px 0 8px;
  border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
p.sub{color:#555;margin:0 0 12px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
td.text{overflow-wrap:anywhere}.nw{white-space:nowrap}
th{background:#EDEDED;font-weight:600}
td.num{text-align:right;white-space:nowrap}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;border:1px solid #999;
  white-space:nowrap;font-size:12px}
.counts .badge{margin:0 4px 4px 0}
.chart{width:100%;height:auto;display:block;border:1px solid #eee}
.heat{table-layout:fixed}
.heat td,.heat th{padding:0;height:16px;font-size:10px;text-align:center}
.heat th.name,.heat td.name{width:230px;padding:0 6px;text-align:left;white-space:nowrap;
  overflow:hidden;text-overflow:ellipsis}
.heat th.kind,.heat td.kind{width:38px}
.heat th.period{font-weight:400;writing-mode:vertical-rl;transform:rotate(180deg);
  height:46px;padding:2px 0}
tr.goal td{background:#F6F6F6;font-weight:600}
tr.kpi td.first{padding-left:22px}
.sev-error{color:#A61C00;font-weight:600}.sev-warning{color:#8A5A00}.sev-info{color:#555}
.muted td{color:#777}
details{margin:4px 0 12px}summary{cursor:pointer;color:#444}
footer{color:#777;font-size:12px;margin-top:32px}
"""


def esc(value: object) -> str:
    """Text for HTML: None is blank, everything else escaped."""
    return "" if value is None else html.escape(str(value), quote=True)


def badge(status: str | None, colors: Mapping[str, str]) -> str:
    """A status as a pill in the sheet's colour for it."""
    if not status:
        return ""
    fill = colors.get(status)
    style = f' style="background:#{fill}"' if fill else ""
    return f'<span class="badge"{style}>{esc(status)}</span>'


def page(title: str, body: str) -> str:
    """A complete HTML document: ``title`` is escaped, ``body`` is HTML already."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main>\n{body}\n<footer>Made by sheets-sync. This page needs no network "
        "and no JavaScript.</footer></main></body></html>\n"
    )


def _link(link: Linker | None, tab: str, cell: str, text: str | None = None) -> str:
    shown = esc(text if text is not None else (f"{tab}!{cell}" if cell else tab))
    if link is None:
        return shown
    return f'<a href="{esc(link(tab, cell or "A1"))}">{shown}</a>'


#: Short cells keep to one line; in mail too, which drops a page's CSS.
NOWRAP = ' style="white-space:nowrap"'


def person_section(digest: Digest, as_of: dt.date) -> str:
    """One person's items: a table, every text escaped, each item linked to its cell.

    Digests put it in their HTML part and the report lists one per person, so it styles
    itself with attributes (mail readers drop a page's CSS).
    """
    rows = "".join(
        "<tr>"
        f"<td{NOWRAP}>{esc(item.about)}</td>"
        f"<td>{esc(item.what)}<br><small>{esc(item.rule)}</small></td>"
        f"<td{NOWRAP}>{esc(item.since_text)}</td>"
        f'<td{NOWRAP}><a href="{esc(item.link)}">'
        f"{esc(f'{item.tab}!{item.cell}' if item.cell else item.tab)}</a></td>"
        "</tr>"
        for item in digest.items
    )
    return (
        f'<section class="person"><h3>{esc(digest.person)}</h3>'
        f"<p>As of {as_of.isoformat()}: {len(digest.items)} to act on.</p>"
        '<table border="1" cellpadding="4" cellspacing="0">'
        "<tr><th>What</th><th>Wrong</th><th>Since</th><th>Cell</th></tr>"
        f"{rows}</table></section>"
    )


# -- the sections of a workbook's page ----------------------------------------------------


def status_counts(counts: Mapping[str, int], colors: Mapping[str, str], *,
                  narrow: bool = False) -> str:
    """Each status with a count as its badge and the count, in the sheet's order; in a
    ``narrow`` table cell a badge keeps to its count and the pairs wrap between them."""
    tie, sep = ("&nbsp;", " ") if narrow else (" ", " &nbsp; ")
    shown = [f"{badge(s, colors)}{tie}{counts[s]}" for s in STATUS_ORDER if counts.get(s)]
    return sep.join(shown) if shown else "none"


def _counts_line(label: str, counts: Mapping[str, int], colors: Mapping[str, str]) -> str:
    return f'<p class="counts"><b>{esc(label)}:</b> {status_counts(counts, colors)}</p>'


def _trend_section(result: SyncResult, kind: PeriodKind, colors: Mapping[str, str]) -> str:
    from sheets_sync.charts import status_over_time
    from sheets_sync.history import statuses_by_key, trend

    analysis = result.analysis
    if analysis is None or analysis.period is None:
        series = result.summary.trend or [("today", Counter(result.summary.kpis))]
    else:
        series = trend(analysis.history, analysis.period, statuses_by_key(analysis.items), kind,
                       count=REPORT_PERIODS[kind])
    known = [(label, c) for label, c in series if c is not None]
    if len(known) <= 1:
        note = ("The History tab holds no earlier period yet, so this is today's count; "
                "each sync adds a period (or run <code>sheets-sync history rebuild</code>).")
    else:
        note = f"KPIs by status, the last {len(series)} periods (the History tab keeps all)."
    statuses = [s for s in STATUS_ORDER if any(c and c.get(s) for _, c in series)]
    head = "".join(f"<th>{esc(s)}</th>" for s in statuses)
    rows = "".join(
        f"<tr><td>{esc(label)}</td>"
        + "".join(f'<td class="num">{"" if c is None else c.get(s, 0)}</td>' for s in statuses)
        + "</tr>"
        for label, c in series
    )
    first, last = series[0][0], series[-1][0]
    return (
        "<h2>Status over time</h2>"
        f'<p class="sub">{note}</p>'
        f'<img class="chart" id="status-over-time" src="{status_over_time(series, colors)}" '
        f'alt="KPIs by status from {esc(first)} to {esc(last)}">'
        f"<details><summary>The figures</summary><table><tr><th>Period</th>{head}</tr>"
        f"{rows}</table></details>"
    )


def _heatmap_section(
    result: SyncResult, kind: PeriodKind, colors: Mapping[str, str], link: Linker | None,
    history_tab: str,
) -> str:
    analysis = result.analysis
    grid = analysis.history if analysis else None
    if grid is None or not grid.exists or not grid.periods:
        return ("<h2>History</h2><p>The History tab has no period yet: the next sync writes "
                "this one.</p>")
    labels = grid.labels()[-REPORT_PERIODS[kind]:]
    head = "".join(f'<th class="period" title="{esc(p)}">{esc(p.split("-")[-1])}</th>'
                   for p in labels)
    body = []
    raw = grid.raw
    for key, row in sorted(grid.rows.items(), key=lambda kv: kv[1]):
        name = raw.get(row, 2) if raw is not None else None
        cells = []
        for label in labels:
            status = grid.status(key, label)
            fill = colors.get(status or "")
            style = f' style="background:#{fill}"' if fill else ""
            tip = f"{label}: {status}" if status else f"{label}: blank"
            cells.append(f'<td title="{esc(tip)}"{style}></td>')
        kind_text = "Goal" if key[0] == "goal" else "KPI"
        ident = raw.get(row, 1) if raw is not None else key[1]
        body.append(
            f'<tr><td class="kind">{esc(kind_text)}</td>'
            f'<td class="name" title="{esc(name)}">'
            f"{_link(link, history_tab, f'A{row + 1}', str(ident))} {esc(name)}</td>"
            + "".join(cells) + "</tr>"
        )
    legend = " ".join(badge(s, colors) for s in STATUS_ORDER if s in colors)
    return (
        "<h2>History</h2>"
        f'<p class="sub">Each goal\'s and KPI\'s status per period, oldest left: the last '
        f"{len(labels)} of {len(grid.periods)} periods. {legend}</p>"
        '<table class="heat"><tr><th class="kind">Kind</th><th class="name">ID and name</th>'
        f"{head}</tr>{''.join(body)}</table>"
    )


def _fmt(value: Any, percent: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if percent:
            return f"{value:.0%}"
        return f"{value:,.6g}"
    return str(value)


def _goals_section(
    analysis: Analysis | None, colors: Mapping[str, str], link: Linker | None
) -> str:
    if analysis is None or "Goals" not in analysis.context.tables:
        return ""
    ctx, out = analysis.context, analysis.outcome
    goals, kpis = ctx.tables["Goals"], ctx.tables.get("KPIs")
    by_goal: dict[str, list[int]] = {}
    if kpis is not None and kpis.present:
        for index in ctx.usable("KPIs"):
            by_goal.setdefault(str(kpis.value(index, "Goal ID") or "").casefold(), []).append(index)
    rows = []
    placed: set[int] = set()

    def kpi_rows(kpis: Table, indices: Sequence[int]) -> None:
        for i in indices:
            placed.add(i)
            computed = out.computed.get("KPIs", {}).get(i, {})
            unit = kpis.value(i, "Unit")
            latest = _fmt(computed.get("Latest value"))
            target = _fmt(kpis.value(i, "Target"))
            if unit and latest:
                latest = f"{latest} {unit}"
            rows.append(
                '<tr class="kpi">'
                f'<td class="first">{_link(link, "KPIs", kpis.cell(i, "KPI ID"), kpis.key(i))}</td>'
                f"<td>{esc(kpis.value(i, 'KPI'))}</td><td>{esc(kpis.value(i, 'Owner'))}</td>"
                f'<td class="num">{esc(latest)}</td><td class="num">{esc(target)}</td>'
                f'<td class="num">{esc(_fmt(computed.get("Progress"), True))}</td>'
                f'<td class="num">{esc(_fmt(computed.get("Pace"), True))}</td>'
                f"<td>{esc(computed.get('Confidence'))}</td>"
                f"<td>{badge(out.statuses.get('KPIs', {}).get(i), colors)}</td></tr>"
            )

    for g in ctx.usable("Goals") if goals.present else []:
        computed = out.computed.get("Goals", {}).get(g, {})
        owners = " / ".join(str(v) for v in (goals.value(g, "Owner"),
                                             goals.value(g, "Partner owner")) if v)
        review = computed.get("Review status") or ""
        nxt = _fmt(computed.get("Next review")) if review else ""  # none for an ended goal
        rows.append(
            '<tr class="goal">'
            f'<td>{_link(link, "Goals", goals.cell(g, "Goal ID"), goals.key(g))}</td>'
            f"<td colspan=\"2\">{esc(goals.value(g, 'Goal'))}<br><small>{esc(owners)}</small></td>"
            f'<td colspan="4">{esc(f"Review {review}" if review else "")}'
            f"{esc(f' (next {nxt})' if nxt else '')}</td><td></td>"
            f"<td>{badge(out.statuses.get('Goals', {}).get(g), colors)}</td></tr>"
        )
        if kpis is not None:
            kpi_rows(kpis, by_goal.get(goals.key(g).casefold(), []))
    if kpis is not None and kpis.present:
        orphans = [i for i in ctx.usable("KPIs") if i not in placed]
        if orphans:
            rows.append('<tr class="goal"><td colspan="9">KPIs whose goal is not on the '
                        "Goals tab</td></tr>")
            kpi_rows(kpis, orphans)
    return (
        "<h2>Goals and their KPIs</h2>"
        "<table><tr><th>ID</th><th>Goal / KPI</th><th>Owner</th><th>Latest</th>"
        "<th>Target</th><th>Progress</th><th>Pace</th><th>Confidence</th><th>Status</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _finding_row(f: Finding, result: SyncResult, link: Linker | None, extra: str = "") -> str:
    since = result.first_seen.get(f.identity, result.as_of)
    return (
        f'<tr><td class="sev-{f.severity.label}">{esc(f.severity.label)}</td>'
        f'<td class="nw">{esc(f.rule)}</td><td class="nw">{_link(link, f.tab, f.cell)}</td>'
        f'<td class="nw">{esc(f.key)}</td><td class="text">{esc(f.message)}</td>'
        f'<td class="nw">{since.isoformat()}</td>'
        f'<td class="num">{(result.as_of - since).days}</td>{extra}</tr>'
    )


def _issues_section(result: SyncResult, link: Linker | None) -> str:
    head = ("<tr><th>Severity</th><th>Rule</th><th>Cell</th><th>Key</th><th>What to do</th>"
            '<th class="nw">First seen</th><th>Age<br>(days)</th>{}</tr>')
    active = result.active
    parts = [f"<h2>Issues ({len(active)} open)</h2>"]
    if active:
        parts.append("<table>" + head.format("")
                     + "".join(_finding_row(f, result, link) for f in active) + "</table>")
    else:
        parts.append("<p>No open findings.</p>")
    muted = [f for f in result.findings if f.identity in result.muted]
    if muted:
        parts.append(f"<h3>Muted ({len(muted)}: acknowledged or snoozed on the Issues tab)</h3>")
        rows = "".join(
            _finding_row(f, result, link, f"<td>{esc(result.muted[f.identity].describe())}</td>")
            .replace("<tr>", '<tr class="muted">', 1)
            for f in muted
        )
        parts.append("<table>" + head.format("<th>Muted</th>") + rows + "</table>")
    return "".join(parts)


def _people_section(result: SyncResult, link: Linker | None, fallback: Sequence[str]) -> str:
    from sheets_sync.digests import plan

    if result.analysis is None:
        return ""
    recipients = plan(result, result.analysis, link or (lambda tab, cell: ""), fallback)
    if not recipients.digests and not recipients.unreachable:
        return "<h2>Who needs to act</h2><p>Nobody: nothing open needs a person.</p>"
    sections = "".join(person_section(d, result.as_of) for d in recipients.digests)
    unreachable = "".join(f"<li>{esc(u)}</li>" for u in recipients.unreachable)
    return (
        "<h2>Who needs to act</h2>"
        '<p class="sub">What each person\'s digest lists (sheets-sync notify).</p>'
        f"{sections}{f'<ul>{unreachable}</ul>' if unreachable else ''}"
    )


def render_html(
    result: SyncResult,
    *,
    link: Linker | None = None,
    kind: PeriodKind = "week",
    colors: Mapping[str, str] | None = None,
    fallback: Sequence[str] = (),
    history_tab: str = "History",
) -> str:
    """One workbook's report as a self-contained HTML page.

    ``link`` turns (tab, cell) into a URL (without it cells are named, not linked);
    ``kind`` is the History period; ``colors`` the status fills (default: the
    result's template's).
    """
    analysis = result.analysis
    if colors is None:
        colors = analysis.context.template.colors.get("status", {}) if analysis else {}
    s = result.summary
    errors, warnings, infos = (result.count(sev) for sev in Severity)
    muted = f", {len(result.muted)} muted" if result.muted else ""
    name = result.workbook
    if name.lower().endswith(".xlsx"):  # a path: the file's name, and where it is below
        name = PurePath(name).name
    where = f"{result.workbook}, as" if name != result.workbook else "As"
    body = [
        f"<h1>{esc(name)}</h1>",
        f'<p class="sub">{esc(where)} of {result.as_of.isoformat()}: {errors} errors, '
        f"{warnings} warnings, {infos} info{muted}.</p>",
        _counts_line("KPIs", s.kpis, colors),
        _counts_line("Goals", s.goals, colors),
        f"<p><b>Reviews overdue:</b> {esc(', '.join(s.reviews_overdue) or 'none')}<br>"
        f"<b>Tasks without exactly one Accountable:</b> "
        f"{esc(', '.join(s.tasks_not_one_a) or 'none')}</p>",
        _trend_section(result, kind, colors),
        _heatmap_section(result, kind, colors, link, history_tab),
        _goals_section(analysis, colors, link),
        _people_section(result, link, fallback),
        _issues_section(result, link),
    ]
    return page(f"{name}: sheets-sync report as of {result.as_of.isoformat()}",
                "\n".join(body))


__all__ = [
    "REPORT_PERIODS", "badge", "esc", "page", "person_section", "render_html", "status_counts",
]
