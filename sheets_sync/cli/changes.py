"""``sync --dry-run``: what would change, cell by cell, or counted per column when many."""

from __future__ import annotations

from collections.abc import Sequence

from sheets_sync.backends.base import CellValue
from sheets_sync.changes import Change, json_value

#: More changed cells than this are counted per column instead of listed.
LIST_LIMIT = 20
#: How much of a value a line shows.
VALUE_WIDTH = 40


def brief(value: CellValue) -> str:
    """A value on one short line: ``(blank)`` when empty, cut to :data:`VALUE_WIDTH`."""
    shown = json_value(value)
    if shown is None or shown == "":
        return "(blank)"
    text = " ".join(str(shown).split())
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def change_lines(changes: Sequence[Change]) -> list[str]:
    """``Tab!A1: old → new`` per cell, or ``Tab / Column: N cells`` when more than
    :data:`LIST_LIMIT`; ordered by tab (as the workbook's changes come), then column."""
    tabs: dict[str, int] = {}
    for change in changes:
        tabs.setdefault(change.tab, len(tabs))
    if len(changes) <= LIST_LIMIT:
        ordered = sorted(changes, key=lambda c: (tabs[c.tab], c.col, c.row))
        return [f"{c.tab}!{c.cell}: {brief(c.old)} → {brief(c.new)}" for c in ordered]
    counts: dict[tuple[int, int], tuple[str, int]] = {}
    for change in changes:
        key = (tabs[change.tab], change.col)
        label, n = counts.get(key, (f"{change.tab} / {change.column}", 0))
        counts[key] = (label, n + 1)
    return [
        f"{label}: {n} cell{'' if n == 1 else 's'}" for _, (label, n) in sorted(counts.items())
    ]


__all__ = ["LIST_LIMIT", "brief", "change_lines"]
