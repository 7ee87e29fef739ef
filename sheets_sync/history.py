"""The History tab: each goal's and KPI's status, one column per period.

Rows are found by (Kind, ID) wherever a person moved them; an item that leaves its tab
keeps its row. A sync writes only the column of the period holding as_of (and the
Kind/ID/Name/Owner cells of its rows); an earlier period's column is never rewritten
by a sync, even where a person typed over it. ``history rebuild`` is the one writer of
past columns.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sheets_sync.backends.base import CellUpdate, CellValue, RawTab
from sheets_sync.periods import Period, PeriodKind, parse_period
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.summary import fit
from sheets_sync.templates import normalize_header

HISTORY = "History"
HEADERS = ("Kind", "ID", "Name", "Owner")
KINDS = ("Goal", "KPI")
#: Statuses that make a period count towards KPI-OFF-TRACK-PERSISTENT.
OFF_TRACK = ("Off track", "Overdue")
PERSISTENT_PERIODS = 3
TREND_PERIODS = 12

Key = tuple[str, str]  # (Kind, ID), case-folded


def key_of(kind: object, item_id: object) -> Key | None:
    """A row's identity; None for a row that is not a goal's or KPI's."""
    if kind is None or item_id is None:
        return None
    kind_text, id_text = str(kind).strip().casefold(), str(item_id).strip().casefold()
    if kind_text not in ("goal", "kpi") or not id_text:
        return None
    return kind_text, id_text


@dataclass(frozen=True)
class Item:
    """A goal or KPI as this sync sees it, with the status it writes into its Status cell."""

    kind: str
    id: str
    name: CellValue
    owner: CellValue
    status: str | None

    @property
    def key(self) -> Key:
        return (self.kind.casefold(), self.id.strip().casefold())


@dataclass
class HistoryGrid:
    """The History tab as read: where each item's row and each period's column is."""

    raw: RawTab | None
    rows: dict[Key, int] = field(default_factory=dict)
    periods: dict[str, int] = field(default_factory=dict)  # label -> column
    bottom: int = 0  # the last row holding anything (0: the header row)
    width: int = len(HEADERS)

    def status(self, key: Key, label: str) -> str | None:
        """The status the History tab holds for an item at a period (None: blank)."""
        row, col = self.rows.get(key), self.periods.get(label)
        if self.raw is None or row is None or col is None:
            return None
        value = self.raw.get(row, col)
        return str(value).strip() if value is not None and str(value).strip() else None

    def labels(self) -> list[str]:
        return sorted(self.periods)

    @property
    def exists(self) -> bool:
        return self.raw is not None


def is_history_header(raw: RawTab | None) -> bool:
    """Whether row 1 starts with the History headers (the tab is the tool's, or blank)."""
    if raw is None:
        return False
    have = [normalize_header("" if v is None else str(v)) for v in raw.header[: len(HEADERS)]]
    return have == [normalize_header(h) for h in HEADERS]


def read_history(raw: RawTab | None, kind: PeriodKind) -> HistoryGrid:
    """Find rows by (Kind, ID) and period columns by their labels."""
    if raw is None or not is_history_header(raw):
        return HistoryGrid(None)
    grid = HistoryGrid(raw, width=max(raw.width, len(HEADERS)))
    for col in range(len(HEADERS), raw.width):
        period = parse_period(raw.get(0, col), kind)
        if period is not None:
            grid.periods.setdefault(period.label, col)
    for row in range(1, raw.height):
        if any(v is not None and str(v).strip() for v in raw.values[row]):
            grid.bottom = row
        key = key_of(raw.get(row, 0), raw.get(row, 1))
        if key is not None:
            grid.rows.setdefault(key, row)
    return grid


def _same(old: CellValue, new: CellValue) -> bool:
    norm = [None if v is None or (isinstance(v, str) and not v.strip()) else v for v in (old, new)]
    if isinstance(norm[0], dt.date) and isinstance(norm[1], str):
        # A name that is a date written as text: Google's values read shows that text
        # just as it shows a date, and reads it as one; the cell shows the same either way.
        return norm[1] in _iso_forms(norm[0])
    return norm[0] == norm[1]


def _iso_forms(day: dt.date) -> tuple[str, ...]:
    """The texts that show ``day`` (a date or a date-time) the ISO way."""
    if not isinstance(day, dt.datetime):
        return (day.isoformat(),)
    return (f"{day:%Y-%m-%d %H:%M:%S}", f"{day:%Y-%m-%d %H:%M}")


def column_updates(
    tab: str, grid: HistoryGrid, items: Sequence[Item], period: Period
) -> tuple[list[CellUpdate], str | None]:
    """The cells a sync writes: the current period's column, and rows for new items.

    Returns the updates and, when nothing can be written, why (a past period's column
    that is missing while later ones exist: only ``history rebuild`` inserts columns).
    """
    updates: list[CellUpdate] = []
    raw = grid.raw

    def put(row: int, col: int, value: CellValue) -> None:
        if not _same(raw.get(row, col) if raw is not None else None, value):
            updates.append(CellUpdate(tab, row, col, value))

    col = grid.periods.get(period.label)
    if col is None:
        later = [label for label in grid.periods if label > period.label]
        if later:
            return [], (
                f"History: {period.label} is earlier than the tab's latest period "
                f"({max(later)}), so its column was not added; `sheets-sync history rebuild` "
                "writes every period in order."
            )
        col = max([grid.width, *(c + 1 for c in grid.periods.values())])
    for i, header in enumerate(HEADERS):
        put(0, i, header)
    put(0, col, period.label)
    seen: set[Key] = set()
    next_row = grid.bottom + 1
    for item in items:
        if item.key in seen:
            continue
        seen.add(item.key)
        row = grid.rows.get(item.key)
        if row is None:
            row, next_row = next_row, next_row + 1
            put(row, 0, item.kind)
            put(row, 1, item.id)
        put(row, 2, item.name)
        put(row, 3, item.owner)
        put(row, col, item.status)
    for key, row in grid.rows.items():
        if key not in seen:  # left its tab: the row stays, with no status from now on
            put(row, col, None)
    return updates, None


def rebuilt_grid(
    grid: HistoryGrid, items: Sequence[Item], columns: Mapping[str, Mapping[Key, str | None]]
) -> list[list[CellValue]]:
    """The whole History tab after a rebuild: rows kept where they are (new ones below),
    ``columns`` (label -> statuses) written over, other periods carried, oldest left."""
    raw = grid.raw
    labels = sorted(set(grid.periods) | set(columns))
    rows: list[list[CellValue]] = [[*HEADERS, *labels]]
    order: list[Key | None] = []
    info: dict[Key, Item] = {}
    for item in items:
        info.setdefault(item.key, item)
    if raw is not None:
        for row in range(1, grid.bottom + 1):
            order.append(key_of(raw.get(row, 0), raw.get(row, 1)))
    present = {k for k in order if k is not None}
    order.extend(k for k in info if k not in present)
    for index, key in enumerate(order, start=1):
        if key is None:  # a row that is not an item's: carried as it is
            line = [raw.get(index, c) if raw is not None else None for c in range(len(HEADERS))]
            line += [raw.get(index, grid.periods[lb]) if raw is not None and lb in grid.periods
                     else None for lb in labels]
            rows.append(line)
            continue
        known = info.get(key)
        at = grid.rows.get(key)
        head: list[CellValue] = (
            [known.kind, known.id, known.name, known.owner]
            if known is not None
            else [raw.get(at, c) if raw is not None and at is not None else None
                  for c in range(len(HEADERS))]
        )
        cells: list[CellValue] = []
        for label in labels:
            if label in columns:
                cells.append(columns[label].get(key))
            else:
                cells.append(grid.status(key, label))
        rows.append([*head, *cells])
    return rows


def trend(
    grid: HistoryGrid, current: Period, statuses: Mapping[Key, str | None], kind: PeriodKind,
    count: int = TREND_PERIODS,
) -> list[tuple[str, Counter[str] | None]]:
    """KPI counts by status for the last ``count`` periods up to ``current``, oldest first.

    Past periods are read from the History tab (None: it has no column for the period);
    the current one is this sync's.
    """
    periods = [current]
    while len(periods) < count:
        periods.insert(0, periods[0].previous(kind))
    kpi_rows = [k for k in grid.rows if k[0] == "kpi"]
    out: list[tuple[str, Counter[str] | None]] = []
    for period in periods[:-1]:
        if period.label not in grid.periods:
            out.append((period.label, None))
            continue
        counts = Counter(s for k in kpi_rows if (s := grid.status(k, period.label)))
        out.append((period.label, counts))
    out.append((current.label, Counter(s for k, s in statuses.items() if k[0] == "kpi" and s)))
    return out


def persistent(
    grid: HistoryGrid, current: Period, statuses: Mapping[Key, str | None], kind: PeriodKind
) -> dict[Key, list[Period]]:
    """KPIs Off track or Overdue in each of the last three periods (the current included)."""
    periods = [current]
    while len(periods) < PERSISTENT_PERIODS:
        periods.insert(0, periods[0].previous(kind))
    out: dict[Key, list[Period]] = {}
    for key, status in statuses.items():
        if key[0] != "kpi" or status not in OFF_TRACK:
            continue
        if all(grid.status(key, p.label) in OFF_TRACK for p in periods[:-1]):
            out[key] = periods
    return out


def first_day(items: Iterable[dt.date | None]) -> dt.date | None:
    """The earliest of some dates (None when there is none)."""
    days = [d for d in items if d is not None]
    return min(days) if days else None


def items_of(ctx: Context, outcome: Outcome) -> list[Item]:
    """Every goal and KPI of this sync, with the status it writes (goals first)."""
    out: list[Item] = []
    for kind, tab, name in (("Goal", "Goals", "Goal"), ("KPI", "KPIs", "KPI")):
        table = ctx.tables.get(tab)
        if table is None or not table.present or table.spec.key is None:
            continue
        statuses = outcome.statuses.get(tab, {})
        for index in ctx.usable(tab):
            record = table.records[index]
            key = record.get(table.spec.key.header)
            if key is None:
                continue
            out.append(
                Item(
                    kind, str(fit(str(key))), fit(record.get(name)), fit(record.get("Owner")),
                    statuses.get(index),
                )
            )
    return out


def statuses_by_key(items: Iterable[Item]) -> dict[Key, str | None]:
    """(Kind, ID) -> status, the first item of a key winning."""
    out: dict[Key, str | None] = {}
    for item in items:
        out.setdefault(item.key, item.status)
    return out
