"""What the History tab and the Dashboard's trend look like: heatmap colours, the chart."""

from __future__ import annotations

from collections.abc import Mapping

from sheets_sync.a1 import column_letter
from sheets_sync.backends.base import Chart, ConditionalRule
from sheets_sync.history import HEADERS
from sheets_sync.summary import STATUS_ORDER
from sheets_sync.templates import Template, normalize_header

#: The heatmap's range grows a year of weekly columns at a time, so that its rule (and the
#: formatting a backend must send) changes once a year, not every week. It is not open to
#: the right: LibreOffice writes a styled cell for every cell a rule covers.
COLUMN_BLOCK = 52
#: Rows the heatmap covers: goals plus KPIs of even a large partnership.
HISTORY_ROWS = 2000
TREND_TITLE = "KPIs by status, last 12 periods"
#: Where the chart's top-left corner sits: two rows below the trend table.
CHART_GAP_ROWS = 2


def history_rules(template: Template, width: int) -> list[ConditionalRule]:
    """Status colours over the History tab's period columns (``width``: columns in use)."""
    first = len(HEADERS)
    periods = max(1, width - first)
    blocks = -(-periods // COLUMN_BLOCK)
    left, right = column_letter(first), column_letter(first + blocks * COLUMN_BLOCK - 1)
    return [
        ConditionalRule(f"{left}2:{right}{HISTORY_ROWS}", f'{left}2="{value}"', fill)
        for value, fill in template.colors.get("status", {}).items()
    ]


def trend_chart(template: Template, positions: Mapping[str, int], periods: int) -> Chart | None:
    """The Dashboard's stacked column chart of its trend table, where that table is."""
    period_col = positions.get(normalize_header("Period"))
    status_cols = [positions.get(normalize_header(s)) for s in STATUS_ORDER]
    if period_col is None or any(c is None for c in status_cols):
        return None
    last = max(c for c in status_cols if c is not None)
    source = f"{column_letter(period_col)}1:{column_letter(last)}{periods + 1}"
    anchor = f"{column_letter(period_col)}{periods + 2 + CHART_GAP_ROWS}"
    palette = template.colors.get("status", {})
    return Chart(TREND_TITLE, source, anchor, tuple(palette.get(s, "CCCCCC") for s in STATUS_ORDER))
