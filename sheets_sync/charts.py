"""The HTML report's charts, drawn by matplotlib as SVG images carried in ``data:`` URIs.

A page holding its images inline needs no network when it is opened, mailed or archived.
Each chart is its own SVG document inside an ``<img>``, so two charts on one page cannot
share (and clash on) the element ids matplotlib gives clip paths. matplotlib is imported
by the functions: the CLI must start without it.
"""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sheets_sync.summary import STATUS_ORDER

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The size charts are drawn at (inches at 96 dpi: 960 px wide); the page scales them down.
WIDTH, HEIGHT, DPI = 10.0, 3.2, 96
#: Segments are outlined, so pale fills (Stale, No data) still show against the white page.
EDGE = "#666666"
INK = "#333333"


def _fill(colors: Mapping[str, str], status: str) -> str:
    return f"#{colors.get(status, 'CCCCCC')}"


def _statuses(counts: Sequence[Mapping[str, int]]) -> list[str]:
    """The statuses present in any of ``counts``, in the order the sheet lists them."""
    present = {s for c in counts for s, n in c.items() if n}
    return [s for s in STATUS_ORDER if s in present] + sorted(present - set(STATUS_ORDER))


def data_uri(figure: Figure) -> str:
    """``figure`` as an SVG ``data:`` URI, the same bytes for the same chart."""
    from matplotlib import rc_context

    buffer = io.BytesIO()
    # a fixed salt and no date: ids and metadata stay the same from run to run
    with rc_context({"svg.hashsalt": "sheets-sync", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(height: float = HEIGHT) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH, height), dpi=DPI)


def _tidy(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=INK, labelsize=8)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)


def status_over_time(
    trend: Sequence[tuple[str, Counter[str] | None]], colors: Mapping[str, str]
) -> str:
    """KPI counts by status per period, as stacked columns (a gap where a period has no
    column on the History tab); a ``data:`` URI."""
    from matplotlib.ticker import MaxNLocator

    figure = _figure()
    ax = figure.add_subplot()
    labels = [label for label, _ in trend]
    counts = [c if c is not None else Counter[str]() for _, c in trend]
    bottoms = [0] * len(trend)
    for status in _statuses(counts):
        heights = [c.get(status, 0) for c in counts]
        ax.bar(range(len(trend)), heights, bottom=bottoms, width=0.8, label=status,
               color=_fill(colors, status), edgecolor=EDGE, linewidth=0.5)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    step = max(1, -(-len(labels) // 13))  # at most 13 labels fit the axis
    shown = list(range(len(labels) - 1, -1, -step))[::-1]
    ax.set_xticks(shown, [labels[i] for i in shown])
    ax.set_xlim(-0.6, max(len(labels), 1) - 0.4)
    ax.set_ylabel("KPIs", color=INK, fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no half KPIs
    _tidy(ax)
    if any(bottoms):
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "No KPIs yet", transform=ax.transAxes, ha="center", color=INK)
    return data_uri(figure)


def status_by_workbook(
    rows: Sequence[tuple[str, Mapping[str, int]]], colors: Mapping[str, str]
) -> str:
    """Each workbook's KPI counts by status as a stacked bar, first row on top."""
    from matplotlib.ticker import MaxNLocator

    height = min(12.0, 1.0 + 0.35 * max(len(rows), 1))
    figure = _figure(height)
    ax = figure.add_subplot()
    names = [name for name, _ in rows]
    positions = list(range(len(rows)))[::-1]  # the worst (first) workbook at the top
    lefts = [0] * len(rows)
    for status in _statuses([c for _, c in rows]):
        widths = [c.get(status, 0) for _, c in rows]
        ax.barh(positions, widths, left=lefts, height=0.7, label=status,
                color=_fill(colors, status), edgecolor=EDGE, linewidth=0.5)
        lefts = [a + w for a, w in zip(lefts, widths, strict=True)]
    ax.set_yticks(positions, [n if len(n) <= 40 else n[:39] + "\u2026" for n in names])
    ax.set_xlabel("KPIs", color=INK, fontsize=9)
    _tidy(ax)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if any(lefts):
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    return data_uri(figure)


__all__ = ["data_uri", "status_by_workbook", "status_over_time"]
