"""What a sync changes, cell by cell: the value read and the value it writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sheets_sync.a1 import a1, column_letter
from sheets_sync.backends.base import CellUpdate, CellValue, WorkbookData


@dataclass(frozen=True)
class Change:
    """One cell a sync writes: where, under which header, the value read and the new one."""

    tab: str
    row: int
    col: int
    column: str
    old: CellValue
    new: CellValue

    @property
    def cell(self) -> str:
        """The cell's A1 address (``E7``)."""
        return a1(self.row, self.col)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, links and other values as their text."""
        return {
            "tab": self.tab,
            "cell": self.cell,
            "column": self.column,
            "old": json_value(self.old),
            "new": json_value(self.new),
        }


def json_value(value: CellValue) -> Any:
    """A cell value as JSON can hold it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    return str(getattr(value, "text", value))


def changes_of(
    data: WorkbookData, updates: Sequence[CellUpdate], headers: Sequence[CellUpdate] = ()
) -> list[Change]:
    """Each update with the value the read held there and its column's header.

    ``headers``: header cells the same sync adds (a computed column put back); a
    header the updates themselves write (a new History period) names its column too.
    """
    added = {(u.tab, u.col): u.value for u in headers}
    added.update({(u.tab, u.col): u.value for u in updates if u.row == 0 and u.value is not None})
    changes = []
    for u in updates:
        raw = data.tab(u.tab)
        old = raw.get(u.row, u.col) if raw is not None else None
        header = raw.get(0, u.col) if raw is not None else None
        if header is None:
            header = added.get((u.tab, u.col))
        column = " ".join(str(header).split()) if header is not None else column_letter(u.col)
        changes.append(Change(u.tab, u.row, u.col, column, old, u.value))
    return changes


__all__ = ["Change", "changes_of", "json_value"]
