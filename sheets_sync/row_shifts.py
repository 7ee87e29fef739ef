"""Moving the Issues tab's rows instead of rewriting them, so what people typed moves too.

People type Acknowledged by, Snooze until and Comment beside the tool's rows. A sync
that rewrote every row in its new order would, on Google, race a person typing in the
moment between its last look and its write: a note typed beside one finding would be
left beside whichever finding the rewrite put in that row. So a sync turns the rows as
read into the rows it wants by moving whole rows, people's cells included: a finding
that stays keeps its row wherever it goes, a gone finding's row moves below the others
(the sync then clears it), and a new finding gets an empty row.

Nothing is deleted. The moves can then be sent before the sync's last look at the sheet
(which comes back with them): if a person moved rows meanwhile, the moves shuffled rows
whole, nothing is lost, and the sync plans again from what it then reads.
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

#: ("move", row, destination): the row goes just above the row that is at
#: ``destination`` before the move (Google's moveDimension counts so); ("insert", row,
#: row): an empty row at ``row``. Rows are 0-based grid rows; the header is row 0 and
#: never moves.
Op = tuple[str, int, int]


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
    """The moves (and insertions) of grid rows that turn the rows ``before`` (each
    row's identity, None for a row without one) into ``after`` (the wanted identities
    from row 1), then the rows no finding wants, below them.

    The longest run of findings already in order stays put; each other row moves at
    most twice (below the rest, then into its place); each new finding gets a new row.
    No ops when no row would stay (there is nothing to carry) or when ``after`` repeats
    an identity (the rows are rewritten instead)."""
    if len(set(after)) != len(after):
        return []  # two rows the next sync could not tell apart: rewrite them instead
    stay = _kept_in_order(before, after)
    if not stay:
        return []  # nothing to carry: rewriting the rows loses nothing
    wanted = set(after)
    own: dict[Hashable, int] = {}  # identity -> the row that carries it
    for row in range(1, len(before)):
        key = before[row]
        if key is not None and key in wanted and key not in own:
            own[key] = row
    # A new finding gets an empty row: a gone finding's row keeps showing that finding
    # until the values are written, and a note typed beside it then must not end up
    # beside the new one.
    target = [own.get(key) for key in after]  # the row each wanted finding takes
    ops: list[Op] = []
    rows = list(range(len(before)))  # the grid's rows, by the row they were read at
    for row in [r for r in range(1, len(before)) if r not in stay]:
        at = rows.index(row)
        if at != len(rows) - 1:
            ops.append(("move", at, len(rows)))
            rows.append(rows.pop(at))
    for place, taken in enumerate(target, 1):
        if taken is None:
            ops.append(("insert", place, place))
            rows.insert(place, -1)
        elif rows[place] != taken:
            at = rows.index(taken)  # below place: every row above it is in its place
            ops.append(("move", at, place))
            rows.insert(place, rows.pop(at))
    return ops


def apply_ops(values: Sequence[Sequence[CellValue]], ops: Sequence[Op]) -> list[list[CellValue]]:
    """The grid ``values`` after ``ops``: what a backend that moves rows will hold."""
    rows = [list(row) for row in values]
    for kind, row, to in ops:
        while len(rows) < row + (kind == "move"):
            rows.append([])  # the grid's empty rows below what was read
        if kind == "move":
            cells = rows.pop(row)
            rows.insert(to if to < row else to - 1, cells)
        else:
            rows.insert(row, [])
    while rows and not rows[-1]:
        rows.pop()
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
    updates = tuple(grid_updates(tab.name, moved, grid, formats))
    return RowShift(tab.name, tuple(ops), updates, rows=len(tab.values))


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
