"""Reading an openpyxl workbook into the pipeline's grids.

Values (a formula cell shows the result the file holds for it), formulas, links
to cells of the workbook and errors, read from openpyxl's model rather than
through its slower row iterators. Numbers in date-formatted cells are kept as
the numbers they are when loading (a save must not change them) and shown as
dates here.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from sheets_sync.a1 import split_location, tab_key
from sheets_sync.backends.base import CellError, CellValue, Link, RawTab
from sheets_sync.backends.xlsx_content import cached_results
from sheets_sync.errors import WorkbookError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

#: A 0-based (row, column) position.
Coord = tuple[int, int]
#: sheet title -> (row, col) -> a formula's calculated value as the XML holds it (``t``, text)
CachedCells = dict[str, dict[Coord, tuple[str, str | None]]]
#: Opens what to read the workbook from, again (the file, or the readable copy made of it).
Source = Callable[[], str | IO[bytes]]

ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


def convert(value: object) -> CellValue:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date()
        return value
    if isinstance(value, (str, bool, int, float, dt.date)):
        return value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return str(value)


def _cached_value(kind: str, text: str | None, is_date: bool, epoch: dt.datetime) -> CellValue:
    """A formula's cached result, as the XML holds it, converted like openpyxl would."""
    from openpyxl.utils.datetime import from_excel

    if text is None:
        return None
    if kind == "e":
        return CellError(text)
    if kind == "str":  # "" is a formula calculated to blank text, not a missing result
        return "" if text == "" else convert(text)
    if kind == "b":
        return text.strip() in ("1", "true")
    try:
        number: int | float = float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        return None
    if is_date:
        try:
            return convert(from_excel(number, epoch))
        except (ValueError, OverflowError):
            return number
    return number


def _raw_result(value: object, epoch: dt.datetime) -> tuple[str, str | None]:
    """A calculated value as openpyxl read it, back as the XML holds it (``t``, text)."""
    if value is None:
        return ("n", None)
    if isinstance(value, bool):
        return ("b", "1" if value else "0")
    if isinstance(value, int | float):
        return ("n", repr(value))
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        from openpyxl.utils.datetime import to_excel

        return ("n", repr(to_excel(value, epoch)))  # type: ignore[no-untyped-call]
    text = str(value)
    return ("e", text) if text in ERROR_CODES else ("str", text)


def load_keeping_numbers(source: str | os.PathLike[str] | IO[bytes]) -> Workbook:
    """``load_workbook`` that leaves numbers in date-formatted cells as the numbers they are.

    openpyxl turns them into datetimes and back into numbers on save, which is lossy
    (45000.123456789 is saved as 45000.12345679398, 60 as 59, -1e-09 as 0, and a number no
    date can hold as the error ``#VALUE!``): saving would change what people typed. The
    numbers stay numbers here; :func:`read_tabs` shows them as dates.
    """
    from openpyxl.reader.excel import ExcelReader

    class Reader(ExcelReader):
        def read_worksheets(self) -> None:
            wb = self.wb
            kept = (wb._date_formats, wb._timedelta_formats)  # type: ignore[attr-defined]
            wb._date_formats, wb._timedelta_formats = set(), set()  # type: ignore[attr-defined]
            try:
                super().read_worksheets()
            finally:
                wb._date_formats, wb._timedelta_formats = kept  # type: ignore[attr-defined]

    reader = Reader(
        source, read_only=False, keep_vba=False, data_only=False, keep_links=True, rich_text=True
    )
    reader.read()
    return reader.wb


def _serial_kind(number_format: str, seen: dict[str, str | None]) -> str | None:
    """"date" or "timedelta" when a number in this format shows as one, else None."""
    if number_format not in seen:
        from openpyxl.styles.numbers import is_date_format, is_timedelta_format

        seen[number_format] = (
            "timedelta"
            if is_timedelta_format(number_format)
            else "date"
            if is_date_format(number_format)
            else None
        )
    return seen[number_format]


def _serial_value(number: int | float, kind: str, epoch: dt.datetime) -> CellValue:
    """A number shown as a date (or duration), as openpyxl would read it; too big: a number."""
    from openpyxl.utils.datetime import from_excel

    try:
        return convert(from_excel(number, epoch, timedelta=kind == "timedelta"))
    except (OverflowError, ValueError):
        return number



def find_sheet(wb: Workbook, name: str) -> Worksheet | None:
    """A worksheet by name, case- and whitespace-insensitively (None for a chartsheet)."""
    if name in wb.sheetnames:
        found = wb[name]
    else:
        wanted = tab_key(name)
        matches = [n for n in wb.sheetnames if tab_key(n) == wanted]
        if not matches:
            return None
        found = wb[matches[0]]
    from openpyxl.worksheet.worksheet import Worksheet

    return found if isinstance(found, Worksheet) else None


class _Shown:
    """How numbers show, remembered across a read: most cells share a few formats and dates."""

    def __init__(self, epoch: dt.datetime) -> None:
        self.epoch = epoch
        #: number format text -> "date", "timedelta" or None
        self.kinds: dict[str, str | None] = {}
        #: number format id -> how a number in it shows (date, duration or number)
        self.by_id: dict[int, str | None] = {}
        #: a log repeats the same few hundred dates: each serial number is converted once
        self.serials: dict[tuple[type, int | float, str], CellValue] = {}


def _read_sheet(
    ws: Worksheet, shown: _Shown
) -> tuple[dict[int, dict[int, CellValue]], dict[Coord, str]]:
    """A worksheet's values (row -> col -> value; formula cells left out) and formulas."""
    rows: dict[int, dict[int, CellValue]] = {}
    formulas: dict[Coord, str] = {}
    by_id, serials = shown.by_id, shown.serials
    # The model's own cell map: far faster than iter_rows on sheets padded
    # with thousands of styled empty cells (LibreOffice writes those).
    for (r, c), cell in ws._cells.items():
        raw = cell.value
        if raw is None:
            continue
        kind = cell.data_type
        value: CellValue
        if kind == "f":
            text = raw if isinstance(raw, str) else getattr(raw, "text", None)
            if isinstance(text, str) and text:
                formulas[(r - 1, c - 1)] = text if text.startswith("=") else "=" + text
            continue
        if kind == "e":
            value = CellError(str(raw))
        else:
            serial = None
            number = raw if kind == "n" and isinstance(raw, int | float) else None
            if number is not None:
                fmt_id: int = cell._style.numFmtId  # type: ignore[union-attr]
                if fmt_id in by_id:
                    serial = by_id[fmt_id]
                else:
                    serial = by_id[fmt_id] = _serial_kind(cell.number_format, shown.kinds)
            if number is not None and serial:
                key = (type(number), number, serial)
                if key in serials:
                    value = serials[key]
                else:  # kept a number by load_keeping_numbers
                    value = serials[key] = _serial_value(number, serial, shown.epoch)
            else:
                value = convert(raw)
                link = cell.hyperlink
                if link is not None and link.location and not link.target:
                    parsed = split_location(str(link.location))
                    if parsed is not None:
                        value = Link("" if value is None else str(value), *parsed)
        if value is not None:
            rows.setdefault(r - 1, {})[c - 1] = value
    return rows, formulas


def _slow_results(
    source: Source, given: str, wanted: dict[str, set[Coord]]
) -> dict[str, dict[Coord, object]]:
    """The calculated values the file holds for the given formula cells, per tab (slowly)."""
    from openpyxl import load_workbook

    out: dict[str, dict[Coord, object]] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(source(), data_only=True, read_only=True)
    except Exception as exc:
        raise WorkbookError(f"{given} is not a readable .xlsx workbook ({exc})") from exc
    try:
        for name, cells in wanted.items():
            ws = wb[name]
            last = max(r for r, _ in cells) + 1
            ws.reset_dimensions()  # trust cells, not the header
            found: dict[Coord, object] = {}
            for r, row in enumerate(ws.iter_rows(max_row=last, values_only=True)):
                for c, value in enumerate(row):
                    if (r, c) in cells:
                        found[(r, c)] = value
            out[name] = found
    finally:
        wb.close()
    return out


def _formula_results(
    wb: Workbook,
    grids: dict[str, dict[int, dict[int, CellValue]]],
    formulas: dict[str, dict[Coord, str]],
    source: Source,
    given: str,
) -> CachedCells:
    """Put each formula's calculated value into ``grids``; what the file holds, per tab."""
    from openpyxl.styles.numbers import is_date_format

    wanted = {name: set(f) for name, f in formulas.items() if f}
    if not wanted:
        return {}
    cached: CachedCells = {}
    quick = cached_results(source(), set(wanted))
    for name, results in quick.items():
        model = wb[name]._cells
        cached[name] = {k: v for k, v in results.items() if k in formulas[name]}
        for (r, c), (kind, text) in cached[name].items():
            formula_cell = model.get((r + 1, c + 1))
            # Cell.is_date is False for every formula cell: ask the format itself.
            is_date = formula_cell is not None and is_date_format(formula_cell.number_format)
            value = _cached_value(kind, text, is_date, wb.epoch)
            if value is not None:
                grids[name].setdefault(r, {})[c] = value
    slow = {name: cells for name, cells in wanted.items() if name not in quick}
    for name, calculated in _slow_results(source, given, slow).items():
        cached[name] = {rc: _raw_result(v, wb.epoch) for rc, v in calculated.items()}
        for (r, c), result in calculated.items():
            if isinstance(result, str) and result in ERROR_CODES:
                value = CellError(result)
            else:
                value = convert(result)
            if value is not None:
                grids[name].setdefault(r, {})[c] = value
    return cached


def read_tabs(wb: Workbook, source: Source, given: str) -> tuple[dict[str, RawTab], CachedCells]:
    """Every tab as a grid (values, formulas, links), and the formula results the file holds.

    ``given`` names the workbook in errors.
    """
    grids: dict[str, dict[int, dict[int, CellValue]]] = {}
    formulas: dict[str, dict[Coord, str]] = {}
    shown = _Shown(wb.epoch)
    for ws in wb.worksheets:
        grids[ws.title], formulas[ws.title] = _read_sheet(ws, shown)
    cached = _formula_results(wb, grids, formulas, source, given)
    tabs: dict[str, RawTab] = {}
    for name, rows in grids.items():
        height = max(rows, default=-1) + 1
        values: list[list[CellValue]] = []
        for r in range(height):
            cells = rows.get(r)
            row: list[CellValue] = [None] * (max(cells) + 1 if cells else 0)
            for c, value in (cells or {}).items():
                row[c] = value
            values.append(row)
        tabs[name] = RawTab(name=name, values=values, formulas=formulas[name])
    return tabs, cached
