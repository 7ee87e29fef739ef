"""The tool's chart on an openpyxl worksheet: made, replaced, and kept across saves.

The tool keeps at most one chart per tab (a :class:`~sheets_sync.backends.base.Chart`
of its layout: a stacked column chart of a small table) and knows it by its title
on that tab. What a file holds is read from the package
(:mod:`sheets_sync.backends.xlsx_package_charts`); openpyxl only writes.

openpyxl (3.1) loads the charts it understands and writes them back; a chart it
cannot read is dropped, and a save dropping a person's chart is refused by the
loss measure. The tool's own chart is never left to that: :func:`keep_charts`
adds it again, from what was read, whenever openpyxl did not load it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from sheets_sync.a1 import parse_range
from sheets_sync.backends.base import Chart

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["add_chart", "chart_title", "install_chart", "keep_charts"]

#: The chart's size on the sheet, in centimetres (openpyxl's unit).
CHART_WIDTH_CM = 15.0
CHART_HEIGHT_CM = 7.5


def chart_title(chart: Any) -> str:
    """The text of an openpyxl chart's title ("" when it has none, or one from a cell)."""
    title = getattr(chart, "title", None)
    tx = getattr(title, "tx", None)
    rich = getattr(tx, "rich", None)
    if rich is None:
        return ""
    lines = []
    for paragraph in rich.p or ():
        runs = [run.t or "" for run in (paragraph.r or ())]
        runs += [field.t or "" for field in (getattr(paragraph, "fld", None) or ())]
        lines.append("".join(runs))
    return "\n".join(lines)


def add_chart(ws: Worksheet, chart: Chart) -> bool:
    """Add ``chart`` to ``ws``: stacked columns, one series per source column after the first.

    False (nothing added) when its source is no range of at least two rows and columns.
    """
    from openpyxl.chart import BarChart, Reference

    box = parse_range(chart.source)
    if (
        box is None or box.bottom is None or box.right is None
        or box.bottom <= box.top or box.right <= box.left
    ):
        return False
    bar = BarChart()
    bar.type = "col"
    bar.grouping = "stacked"
    bar.overlap = 100
    bar.title = chart.title
    data = Reference(
        ws, min_col=box.left + 2, min_row=box.top + 1, max_col=box.right + 1,
        max_row=box.bottom + 1,
    )
    categories = Reference(
        ws, min_col=box.left + 1, min_row=box.top + 2, max_row=box.bottom + 1
    )
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(categories)
    for series, colour in zip(bar.series, chart.colors, strict=False):
        if colour:
            rgb = colour.lstrip("#").upper()[-6:]
            series.graphicalProperties.solidFill = rgb
            series.graphicalProperties.line.solidFill = rgb
    if bar.legend is not None:
        bar.legend.position = "r"
    bar.width = CHART_WIDTH_CM  # type: ignore[assignment]  # cm; openpyxl types it int
    bar.height = CHART_HEIGHT_CM
    ws.add_chart(bar, chart.anchor or "A1")
    return True


def _charts(ws: Worksheet) -> list[Any]:
    return ws._charts  # type: ignore[attr-defined,no-any-return]


def install_chart(ws: Worksheet, chart: Chart, titles: Collection[str]) -> bool:
    """Put the tool's ``chart`` on ``ws`` in place of its earlier ones (known by ``titles``).

    Charts of other titles (a person's) stay as they are. False when the chart
    cannot be made (its source is no table); the earlier ones are then left too.
    """
    mine = {*titles, chart.title}
    kept = [c for c in _charts(ws) if chart_title(c) not in mine]
    before = list(_charts(ws))
    ws._charts = kept  # type: ignore[attr-defined]
    if not add_chart(ws, chart):
        ws._charts = before  # type: ignore[attr-defined]
        return False
    return True


def keep_charts(ws: Worksheet, read: Iterable[Chart], titles: Collection[str]) -> int:
    """Add again the tool's charts (titles in ``titles``) read from the file that openpyxl
    did not load: a save keeps them as they were. Returns how many were added."""
    read = list(read)
    if len(_charts(ws)) >= len(read):
        return 0  # openpyxl loaded every chart the file holds: none to add again
    loaded = Counter(chart_title(c) for c in _charts(ws))
    added = 0
    for chart in read:
        if chart.title not in titles:
            continue
        if loaded[chart.title] > 0:
            loaded[chart.title] -= 1
            continue
        added += add_chart(ws, chart)
    return added
