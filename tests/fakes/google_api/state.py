"""The fake's state: spreadsheets, sheets, cells and everything hung on ranges.

Cells live in a sparse dict keyed by (row, col), holding the user-level CellData fields
(`userEnteredValue`, `userEnteredFormat`, `note`, `dataValidation`, `textFormatRuns`) plus
`_effective` when a test seeded the result of a formula the fake does not evaluate. Derived
fields (effectiveValue, formattedValue, effectiveFormat, hyperlink) are computed on read.

Structural edits (insert/delete/move rows or columns, sorts) move per-cell data with the cells
and adjust every range-based structure the way Sheets does: merges, conditional-format ranges,
protected ranges, named ranges, the basic filter, row/column metadata and dimension-located
developer metadata.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
import threading
from collections.abc import Callable, Iterator
from typing import Any

from tests.fakes.google_api import cellvalues as cv
from tests.fakes.google_api.checkpoint import journal_before
from tests.fakes.google_api.fields import jcopy

Json = dict[str, Any]
Interval = tuple[int, int | None]
IntervalFn = Callable[[int, int | None], Interval | None]

DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
ROW_PX, COL_PX = 21, 100
VALUE_KEYS = ("stringValue", "numberValue", "boolValue", "formulaValue", "errorValue")


class Sheet:
    def __init__(self, props: Json) -> None:
        self.props: Json = props
        self.cells: dict[tuple[int, int], Json] = {}
        self.row_meta: dict[int, Json] = {}
        self.col_meta: dict[int, Json] = {}
        self.merges: list[Json] = []
        self.cond_formats: list[Json] = []
        self.protected: list[Json] = []
        self.basic_filter: Json | None = None
        #: embedded charts floating over this sheet: {"chartId", "spec", "position"}
        self.charts: list[Json] = []
        #: during a write request, each changed cell's value before it (see checkpoint.py)
        self.journal: dict[tuple[int, int], Json | None] | None = None

    # ---- properties the tests read
    @property
    def sheet_id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def grid(self) -> Json:
        return self.props.setdefault("gridProperties", {})  # type: ignore[no-any-return]

    @property
    def row_count(self) -> int:
        return int(self.grid.get("rowCount", DEFAULT_ROWS))

    @property
    def column_count(self) -> int:
        return int(self.grid.get("columnCount", DEFAULT_COLS))

    @property
    def frozen_rows(self) -> int:
        return int(self.grid.get("frozenRowCount", 0))

    @property
    def frozen_columns(self) -> int:
        return int(self.grid.get("frozenColumnCount", 0))

    def __repr__(self) -> str:
        return f"<Sheet {self.title!r} id={self.sheet_id} {self.row_count}x{self.column_count}>"

    # ---- cells
    def cell(self, row: int, col: int) -> Json:
        return self.cells.get((row, col), {})

    def cell_for_write(self, row: int, col: int) -> Json:
        if self.journal is not None:
            journal_before(self, (row, col))
        return self.cells.setdefault((row, col), {})

    def prune(self, row: int, col: int) -> None:
        cell = self.cells.get((row, col))
        if cell is not None and not cell:
            if self.journal is not None:
                journal_before(self, (row, col))
            del self.cells[(row, col)]

    def has_value(self, row: int, col: int) -> bool:
        return bool(self.cells.get((row, col), {}).get("userEnteredValue"))

    def extent(self) -> tuple[int, int]:
        """(rows, cols) up to the last cell holding a value."""
        rows = cols = 0
        for (r, c), cell in self.cells.items():
            if cell.get("userEnteredValue"):
                rows, cols = max(rows, r + 1), max(cols, c + 1)
        return rows, cols

    def dimension_count(self, dim: str) -> int:
        return self.row_count if dim == "ROWS" else self.column_count

    def set_dimension_count(self, dim: str, n: int) -> None:
        self.grid["rowCount" if dim == "ROWS" else "columnCount"] = n


def effective(cell: Json) -> tuple[Json | None, str | None]:
    """(effectiveValue, hyperlink) of a stored cell."""
    uev = cell.get("userEnteredValue")
    link = None
    runs = cell.get("textFormatRuns")
    if runs:
        links = {r.get("format", {}).get("link", {}).get("uri") for r in runs}
        if len(links) == 1 and None not in links and not runs[0].get("startIndex"):
            link = links.pop()
    fmt = cell.get("userEnteredFormat")
    if fmt and "textFormat" in fmt:
        link = link or fmt["textFormat"].get("link", {}).get("uri")
    if not uev:
        return None, link
    if "formulaValue" in uev:
        ev, formula_link = cv.evaluate(uev["formulaValue"])
        if "_effective" in cell:
            ev = cell["_effective"]
        return ev, formula_link or link
    return dict(uev), link


def python_value(ev: Json | None) -> Any:
    if not ev:
        return None
    for key in ("stringValue", "numberValue", "boolValue"):
        if key in ev:
            return ev[key]
    if "errorValue" in ev:
        return cv.ERROR_TEXT.get(ev["errorValue"].get("type", "ERROR"), "#ERROR!")
    return None


def value_from_python(value: Any) -> tuple[Json | None, Json | None]:
    """A python value as (userEnteredValue, numberFormat implied) — the UI's typed semantics."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return {"boolValue": value}, None
    if isinstance(value, (int, float)):
        return {"numberValue": value}, None
    if isinstance(value, dt.datetime):
        return {"numberValue": cv.date_to_serial(value)}, {
            "type": "DATE_TIME",
            "pattern": "yyyy-mm-dd H:mm:ss",
        }
    if isinstance(value, dt.date):
        return {"numberValue": cv.date_to_serial(value)}, {"type": "DATE", "pattern": "yyyy-mm-dd"}
    text = str(value)
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    return {"stringValue": text}, None


# ------------------------------------------------------------------ range adjustment


def _interval_of(gr: Json, dim: str) -> Interval:
    s_key, e_key = _keys(dim)
    return int(gr.get(s_key, 0)), (int(gr[e_key]) if e_key in gr else None)


def _keys(dim: str) -> tuple[str, str]:
    return (
        ("startRowIndex", "endRowIndex")
        if dim == "ROWS"
        else (
            "startColumnIndex",
            "endColumnIndex",
        )
    )


def _set_interval(gr: Json, dim: str, iv: Interval) -> None:
    s_key, e_key = _keys(dim)
    if s_key in gr or iv[0]:
        gr[s_key] = iv[0]
    if iv[1] is not None:
        gr[e_key] = iv[1]


def _adjust_grid_range(gr: Json, sheet_id: int, dim: str, fn: IntervalFn) -> bool:
    """Remap a GridRange in place; False when it vanished."""
    if int(gr.get("sheetId", 0)) != sheet_id:
        return True
    iv = fn(*_interval_of(gr, dim))
    if iv is None:
        return False
    _set_interval(gr, dim, iv)
    return True


def insert_fn(at: int, n: int) -> IntervalFn:
    def fn(s: int, e: int | None) -> Interval:
        return (s + n if s >= at else s), (e + n if e is not None and e > at else e)

    return fn


def delete_fn(a: int, n: int) -> IntervalFn:
    def g(x: int) -> int:
        return x if x <= a else (a if x <= a + n else x - n)

    def fn(s: int, e: int | None) -> Interval | None:
        s2, e2 = g(s), (g(e) if e is not None else None)
        return None if e2 is not None and e2 <= s2 else (s2, e2)

    return fn


def perm_fn(new_index: dict[int, int]) -> IntervalFn:
    def fn(s: int, e: int | None) -> Interval:
        if e is None:
            return s, e
        image = [new_index.get(i, i) for i in range(s, e)]
        return min(image), max(image) + 1

    return fn


class Spreadsheet:
    """One spreadsheet's state. Human-edit helpers take the fake's lock."""

    def __init__(self, spreadsheet_id: str, props: Json, lock: threading.RLock) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.props: Json = props
        self.sheets: list[Sheet] = []
        self.named_ranges: list[Json] = []
        self.dev_meta: list[Json] = []
        self._lock = lock
        self._touch: Callable[[], None] = lambda: None

    # ---- lookup
    @property
    def lock(self) -> threading.RLock:
        return self._lock

    @property
    def title(self) -> str:
        return str(self.props.get("title", ""))

    @property
    def locale(self) -> str:
        return str(self.props.get("locale", "en_US"))

    def sheet(self, title: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        raise KeyError(title)

    def find_sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.props["index"] = i

    # ---- transactions (batchUpdate is all-or-nothing)
    def snapshot(self) -> Json:
        """A deep copy of this spreadsheet's state, for `restore`."""
        with self._lock:
            data = {
                "props": self.props,
                "sheets": self.sheets,
                "named_ranges": self.named_ranges,
                "dev_meta": self.dev_meta,
            }
            return pickle.loads(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[no-any-return]

    def restore(self, snap: Json) -> None:
        """Back to a snapshot (the snapshot stays usable: it can be restored again)."""
        with self._lock:
            snap = pickle.loads(pickle.dumps(snap, protocol=pickle.HIGHEST_PROTOCOL))
            self.props = snap["props"]
            self.sheets = snap["sheets"]
            self.named_ranges = snap["named_ranges"]
            self.dev_meta = snap["dev_meta"]

    # ---- reading helpers for tests
    def values(self, title: str, *, dates: bool = False) -> list[list[Any]]:
        """Effective values as python, trailing empties trimmed (None inside)."""
        with self._lock:
            sheet = self.sheet(title)
            found: dict[tuple[int, int], Any] = {}
            for key, cell in sheet.cells.items():
                value = self._python(cell, dates)
                if value is not None:
                    found[key] = value
            height = max((r for r, _ in found), default=-1) + 1
            rows: list[list[Any]] = [[] for _ in range(height)]
            for (r, c), value in sorted(found.items()):
                row = rows[r]
                row.extend([None] * (c - len(row)))
                row.append(value)
            return rows

    def _python(self, cell: Json, dates: bool) -> Any:
        ev, _ = effective(cell)
        value = python_value(ev)
        fmt = cell.get("userEnteredFormat", {}).get("numberFormat")
        if dates and isinstance(value, (int, float)) and not isinstance(value, bool):
            if fmt and fmt.get("type") == "DATE":
                return cv.serial_to_date(float(value))
            if fmt and fmt.get("type") == "DATE_TIME":
                return cv.serial_to_datetime(float(value))
        return value

    def cell(self, title: str, row: int, col: int) -> Json:
        """The stored (user-level) CellData of one cell, a copy."""
        with self._lock:
            return jcopy(self.sheet(title).cell(row, col))

    # ---- human edits
    def set_cell(
        self, title: str, row: int, col: int, value: Any, *, effective: Any = None
    ) -> None:
        """What a person typing into the cell stores (text stays text: nothing is parsed)."""
        with self._lock:
            sheet = self.sheet(title)
            self._check_inside(sheet, row, col)
            cell = sheet.cell_for_write(row, col)
            uev, number_format = value_from_python(value)
            cell.pop("_effective", None)
            cell.pop("textFormatRuns", None)
            if uev is None:
                cell.pop("userEnteredValue", None)
            else:
                cell["userEnteredValue"] = uev
            if effective is not None:
                cell["_effective"], _ = value_from_python(effective)
            if number_format and not cv.is_date_format(
                cell.get("userEnteredFormat", {}).get("numberFormat")
            ):
                cell.setdefault("userEnteredFormat", {})["numberFormat"] = number_format
            sheet.prune(row, col)
            self._touch()

    def set_note(self, title: str, row: int, col: int, note: str | None) -> None:
        with self._lock:
            sheet = self.sheet(title)
            cell = sheet.cell_for_write(row, col)
            if note:
                cell["note"] = note
            else:
                cell.pop("note", None)
            sheet.prune(row, col)
            self._touch()

    def set_format(self, title: str, row: int, col: int, user_entered_format: Json | None) -> None:
        with self._lock:
            sheet = self.sheet(title)
            cell = sheet.cell_for_write(row, col)
            if user_entered_format:
                cell["userEnteredFormat"] = jcopy(user_entered_format)
            else:
                cell.pop("userEnteredFormat", None)
            sheet.prune(row, col)
            self._touch()

    def remove_sheet(self, title: str) -> None:
        """A person deletes a tab (as the tab menu does: no API request)."""
        with self._lock:
            self.sheets.remove(self.sheet(title))
            self.reindex()
            self._touch()

    def rename_sheet(self, title: str, new_title: str) -> None:
        """A person renames a tab (as the tab menu does: no API request)."""
        with self._lock:
            self.sheet(title).props["title"] = new_title
            self._touch()

    def rename_header(self, title: str, col: int, text: str) -> None:
        self.set_cell(title, 0, col, text)

    def insert_rows(
        self, title: str, at: int, count: int = 1, *, inherit_from_before: bool | None = None
    ) -> None:
        with self._lock:
            before = at > 0 if inherit_from_before is None else inherit_from_before
            self.insert_dimension(self.sheet(title), "ROWS", at, at + count, before)
            self._touch()

    def insert_columns(
        self, title: str, at: int, count: int = 1, *, inherit_from_before: bool | None = None
    ) -> None:
        with self._lock:
            before = at > 0 if inherit_from_before is None else inherit_from_before
            self.insert_dimension(self.sheet(title), "COLUMNS", at, at + count, before)
            self._touch()

    def delete_rows(self, title: str, at: int, count: int = 1) -> None:
        with self._lock:
            self.delete_dimension(self.sheet(title), "ROWS", at, at + count)
            self._touch()

    def delete_columns(self, title: str, at: int, count: int = 1) -> None:
        with self._lock:
            self.delete_dimension(self.sheet(title), "COLUMNS", at, at + count)
            self._touch()

    def move_rows(self, title: str, src: int, count: int, dest: int) -> None:
        """Move rows [src, src+count) so they land before row `dest` (pre-move coordinates)."""
        with self._lock:
            self.move_dimension(self.sheet(title), "ROWS", src, src + count, dest)
            self._touch()

    def sort_rows(
        self, title: str, column: int, start_row: int = 1, descending: bool = False
    ) -> None:
        """Sort whole rows from `start_row` to the last row holding a value, like Data > Sort."""
        with self._lock:
            sheet = self.sheet(title)
            rows, _ = sheet.extent()
            if rows > start_row:
                order = "DESCENDING" if descending else "ASCENDING"
                box = (start_row, rows, 0, sheet.column_count)
                self.sort_range(sheet, box, [{"dimensionIndex": column, "sortOrder": order}])
            self._touch()

    @staticmethod
    def _check_inside(sheet: Sheet, row: int, col: int) -> None:
        if not (0 <= row < sheet.row_count and 0 <= col < sheet.column_count):
            raise IndexError(f"({row}, {col}) is outside {sheet!r}")

    # ---- structural operations (shared by batchUpdate and human edits)
    def _remap_cells(self, sheet: Sheet, dim: str, idx: Callable[[int], int | None]) -> None:
        def remap(d: dict[int, Json]) -> dict[int, Json]:
            out: dict[int, Json] = {}
            for i, v in d.items():
                j = idx(i)
                if j is not None:
                    out[j] = v
            return out

        cells: dict[tuple[int, int], Json] = {}
        for (r, c), cell in sheet.cells.items():
            if dim == "ROWS":
                nr = idx(r)
                if nr is not None:
                    cells[(nr, c)] = cell
            else:
                nc = idx(c)
                if nc is not None:
                    cells[(r, nc)] = cell
        sheet.cells = cells
        if dim == "ROWS":
            sheet.row_meta = remap(sheet.row_meta)
        else:
            sheet.col_meta = remap(sheet.col_meta)

    def _adjust_ranges(self, sheet: Sheet, dim: str, fn: IntervalFn) -> None:
        sid = sheet.sheet_id
        sheet.merges = [m for m in sheet.merges if _adjust_grid_range(m, sid, dim, fn)]
        for rule in list(sheet.cond_formats):
            rule["ranges"] = [
                g for g in rule.get("ranges", []) if _adjust_grid_range(g, sid, dim, fn)
            ]
            if not rule["ranges"]:
                sheet.cond_formats.remove(rule)
        for pr in list(sheet.protected):
            if "range" in pr and not _adjust_grid_range(pr["range"], sid, dim, fn):
                sheet.protected.remove(pr)
                continue
            pr["unprotectedRanges"] = [
                g for g in pr.get("unprotectedRanges", []) if _adjust_grid_range(g, sid, dim, fn)
            ]
            if not pr["unprotectedRanges"]:
                del pr["unprotectedRanges"]
        bf = sheet.basic_filter
        if bf is not None and not _adjust_grid_range(bf.setdefault("range", {}), sid, dim, fn):
            sheet.basic_filter = None
        for nr in list(self.named_ranges):
            if not _adjust_grid_range(nr.setdefault("range", {}), sid, dim, fn):
                self.named_ranges.remove(nr)
        self._adjust_charts(sheet, dim, fn)
        for meta in list(self.dev_meta):
            dr = meta.get("location", {}).get("dimensionRange")
            if dr and int(dr.get("sheetId", 0)) == sid and dr.get("dimension") == dim:
                iv = fn(int(dr.get("startIndex", 0)), int(dr["endIndex"]))
                if iv is None:
                    self.dev_meta.remove(meta)
                else:
                    dr["startIndex"], dr["endIndex"] = iv[0], iv[1]

    def _adjust_charts(self, sheet: Sheet, dim: str, fn: IntervalFn) -> None:
        """Charts' source ranges move with the cells (a deleted source drops out of its
        series), and a chart over ``sheet`` moves with its anchor cell, as in Sheets."""
        sid = sheet.sheet_id
        for other in self.sheets:
            for chart in other.charts:
                basic = chart.get("spec", {}).get("basicChart", {})
                for key, inner in (("domains", "domain"), ("series", "series")):
                    for entry in basic.get(key, []):
                        source = entry.get(inner, {}).get("sourceRange", {})
                        source["sources"] = [
                            g for g in source.get("sources", [])
                            if _adjust_grid_range(g, sid, dim, fn)
                        ]
        for chart in sheet.charts:
            anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell")
            if anchor is None:
                continue
            key = "rowIndex" if dim == "ROWS" else "columnIndex"
            at = int(anchor.get(key, 0))
            moved = fn(at, at + 1) or fn(at, None)  # a deleted anchor: where the cut was
            anchor[key] = moved[0] if moved else at

    def _clamp_anchors(self, sheet: Sheet) -> None:
        for chart in sheet.charts:
            anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell")
            if anchor is not None:
                anchor["rowIndex"] = min(int(anchor.get("rowIndex", 0)), sheet.row_count - 1)
                anchor["columnIndex"] = min(
                    int(anchor.get("columnIndex", 0)), sheet.column_count - 1
                )

    def insert_dimension(self, sheet: Sheet, dim: str, start: int, end: int, before: bool) -> None:
        n = end - start
        self._remap_cells(sheet, dim, lambda i: i if i < start else i + n)
        self._adjust_ranges(sheet, dim, insert_fn(start, n))
        sheet.set_dimension_count(dim, sheet.dimension_count(dim) + n)
        frozen_key = "frozenRowCount" if dim == "ROWS" else "frozenColumnCount"
        if sheet.grid.get(frozen_key, 0) > start:
            sheet.grid[frozen_key] += n
        # new rows/columns take the formatting and validation of their neighbour
        src = start - 1 if before else end
        if 0 <= src < sheet.dimension_count(dim):
            for (r, c), cell in list(sheet.cells.items()):
                if (r if dim == "ROWS" else c) != src:
                    continue
                keep: Json = {
                    k: jcopy(cell[k]) for k in ("userEnteredFormat", "dataValidation") if k in cell
                }
                if not keep:
                    continue
                for i in range(start, end):
                    key = (i, c) if dim == "ROWS" else (r, i)
                    sheet.cells[key] = jcopy(keep)
            meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
            if src in meta:
                for i in range(start, end):
                    meta[i] = {k: v for k, v in meta[src].items() if k == "pixelSize"}

    def delete_dimension(self, sheet: Sheet, dim: str, start: int, end: int) -> None:
        n = end - start
        self._remap_cells(sheet, dim, lambda i: i if i < start else (None if i < end else i - n))
        fn = delete_fn(start, n)
        self._adjust_ranges(sheet, dim, fn)
        sheet.set_dimension_count(dim, sheet.dimension_count(dim) - n)
        self._clamp_anchors(sheet)
        frozen_key = "frozenRowCount" if dim == "ROWS" else "frozenColumnCount"
        frozen = sheet.grid.get(frozen_key, 0)
        if frozen:
            iv = fn(0, frozen)
            sheet.grid[frozen_key] = iv[1] if iv and iv[1] else 0
            if not sheet.grid[frozen_key]:
                del sheet.grid[frozen_key]

    def move_dimension(self, sheet: Sheet, dim: str, start: int, end: int, dest: int) -> None:
        count = sheet.dimension_count(dim)
        order = list(range(count))
        block = order[start:end]
        rest = order[:start] + order[end:]
        pos = dest if dest <= start else dest - (end - start)
        new_order = rest[:pos] + block + rest[pos:]
        new_index = {old: new for new, old in enumerate(new_order)}
        self._remap_cells(sheet, dim, lambda i: new_index.get(i, i))
        self._adjust_ranges(sheet, dim, perm_fn(new_index))

    def sort_range(self, sheet: Sheet, box: tuple[int, int, int, int], specs: list[Json]) -> None:
        r0, r1, c0, c1 = box
        rows = list(range(r0, r1))

        def key_of(r: int, col: int) -> tuple[int, Any]:
            value = python_value(effective(sheet.cell(r, col))[0])
            if value is None or value == "":
                return (9, "")
            if isinstance(value, bool):
                return (2, value)
            if isinstance(value, (int, float)):
                return (0, value)
            return (1, str(value).lower())

        def compare(a: int, b: int) -> int:
            for spec in specs:
                col = int(spec.get("dimensionIndex", 0))
                ka, kb = key_of(a, col), key_of(b, col)
                if ka == kb:
                    continue
                if ka[0] == 9 or kb[0] == 9:  # blanks last, whatever the order
                    return 1 if ka[0] == 9 else -1
                sign = -1 if spec.get("sortOrder") == "DESCENDING" else 1
                return sign * (-1 if ka < kb else 1)
            return 0

        ordered = sorted(rows, key=functools.cmp_to_key(compare))
        moved: dict[tuple[int, int], Json] = {}
        for new_r, old_r in zip(rows, ordered, strict=True):
            for c in range(c0, c1):
                cell = sheet.cells.get((old_r, c))
                if cell is not None:
                    moved[(new_r, c)] = cell
        for r in rows:
            for c in range(c0, c1):
                sheet.cells.pop((r, c), None)
        sheet.cells.update(moved)

    def iter_box(self, box: tuple[int, int, int, int]) -> Iterator[tuple[int, int]]:
        r0, r1, c0, c1 = box
        for r in range(r0, r1):
            for c in range(c0, c1):
                yield r, c
