"""Moving the Issues tab's rows instead of rewriting them, so what people typed moves too.

People type Acknowledged by, Snooze until and Comment beside the tool's rows. A sync
that rewrote every row in its new order would, on Google, race a person typing in the
moment between its last look and its write: a note typed beside one finding would be
left beside whichever finding the rewrite put in that row. So a sync turns the rows
as read into the rows it wants with row deletions and insertions, which Google
applies to whole rows, people's cells included: the findings that stay keep their
rows (in the same order), gone findings' rows are deleted, new findings get new rows.
Only findings whose order among the others changed are deleted and inserted again,
with their notes written back by the tool.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Sequence

from sheets_sync.backends.base import (
    CellFormat,
    CellUpdate,
    CellValue,
    RawTab,
    RowShift,
    WorkbookData,
)
from sheets_sync.diff import grid_updates

Op = tuple[str, int]


def _kept_in_order(before: Sequence[Hashable | None], after: Sequence[Hashable]) -> set[int]:
    """Rows of ``before`` that stay: the longest run, in order, of rows ``after`` keeps
    in the same order (the first row of an identity that repeats)."""
    wanted = {key: index for index, key in enumerate(after)}
    rows: list[int] = []  # rows of before, with their place in after
    places: list[int] = []
    seen: set[Hashable] = set()
    for row, key in enumerate(before):
        if key is None or key in seen or key not in wanted:
            continue
        seen.add(key)
        rows.append(row)
        places.append(wanted[key])
    # Longest increasing subsequence of places (patience sorting), as rows of before.
    tails: list[int] = []  # tails[k]: index into places of the smallest tail of length k+1
    parent: list[int] = [-1] * len(places)
    for i, place in enumerate(places):
        k = bisect.bisect_left([places[t] for t in tails], place)
        if k > 0:
            parent[i] = tails[k - 1]
        if k == len(tails):
            tails.append(i)
        else:
            tails[k] = i
    kept: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        kept.add(rows[i])
        i = parent[i]
    return kept


def row_ops(before: Sequence[Hashable | None], after: Sequence[Hashable]) -> list[Op]:
    """Deletions (bottom up), then insertions (top down), of grid rows (0-based, the
    header is row 0 and never moves) that turn the rows ``before`` (each row's identity,
    None for a row without one) into ``after`` (the wanted identities from row 1).

    No moves when no row would stay (there is nothing to carry, and a tab is never left
    without rows between the deletions and the insertions) or when ``after`` repeats an
    identity (the rows are rewritten instead)."""
    if len(set(after)) != len(after):
        return []  # two rows the next sync could not tell apart: rewrite them instead
    stay = _kept_in_order(before, after)
    if not stay:
        return []  # nothing to carry: rewriting the rows loses nothing
    ops: list[Op] = [("delete", row) for row in range(len(before) - 1, 0, -1) if row not in stay]
    staying = {before[row] for row in stay}
    ops += [("insert", index + 1) for index, key in enumerate(after) if key not in staying]
    return ops


def apply_ops(values: Sequence[Sequence[CellValue]], ops: Sequence[Op]) -> list[list[CellValue]]:
    """The grid ``values`` after ``ops``: what a backend that moves rows will hold."""
    rows = [list(row) for row in values]
    for kind, row in ops:
        if kind == "delete":
            if row < len(rows):
                del rows[row]
        else:
            rows.insert(min(row, len(rows)), [])
    return rows


def row_shift(
    tab: RawTab,
    before: Sequence[Hashable | None],
    after: Sequence[Hashable],
    grid: Sequence[Sequence[CellValue]],
    formats: Sequence[CellFormat],
) -> RowShift | None:
    """The move of ``tab``'s rows into the order of ``grid`` (row identities ``after``),
    and the updates that follow it; None when no row moves."""
    ops = row_ops(before, after)
    if not ops:
        return None
    moved = RawTab(tab.name, apply_ops(tab.values, ops))
    return RowShift(tab.name, tuple(ops), tuple(grid_updates(tab.name, moved, grid, formats)))


def issues_writes(
    name: str,
    tab: RawTab | None,
    grid: Sequence[Sequence[CellValue]],
    formats: Sequence[CellFormat],
    data: WorkbookData,
) -> tuple[list[CellUpdate], RowShift | None]:
    """The Issues tab's updates (the whole grid, for any backend) and the move of its
    rows that carries what people typed (for a backend that moves rows)."""
    from sheets_sync.summary import row_identities

    updates = grid_updates(name, tab, grid, formats)
    if tab is None or not updates:
        return updates, None
    # Both sides are read the way the next sync reads them back, so a row is "the same
    # finding" exactly when the next sync would carry its notes.
    wanted = row_identities(RawTab(tab.name, [list(r) for r in grid]), data)[1:]
    if any(identity is None for identity in wanted):
        return updates, None
    return updates, row_shift(tab, row_identities(tab, data), wanted, grid, formats)


__all__ = ["apply_ops", "issues_writes", "row_ops", "row_shift"]
