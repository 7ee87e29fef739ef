"""The local workbook backend: an .xlsx file read and written with openpyxl (DESIGN.md §7).

Writes are atomic (a temp file in the same folder, fsync, ``os.replace``), guarded
by the file's (mtime, size) at read time, and refused while LibreOffice or Excel
holds the file open. A workbook holding content openpyxl would drop is refused
at read time rather than silently damaged by a later save.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import re
import stat
import tempfile
import time
import warnings
from collections.abc import Sequence
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.backends.base import (
    Backend,
    CellError,
    CellUpdate,
    CellValue,
    ConditionalRule,
    Link,
    Plan,
    RawTab,
    TabLayout,
    Validation,
    WorkbookData,
    WriteResult,
)
from sheets_sync.backends.xlsx_content import X14Item, cached_results, scan_content, slim_copy
from sheets_sync.errors import GuardError, TryLater, WorkbookError

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.styles.fills import PatternFill
    from openpyxl.styles.fonts import Font
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    _Dropdowns = dict[int, list[tuple[DataValidation, CellRange]]]

# The marker lives in custom document properties: LibreOffice keeps them on a
# round trip (checked with LibreOffice 7.4: docProps/custom.xml survives
# --convert-to xlsx unchanged), they are invisible to people, and they cannot be
# edited by accident the way a hidden cell or a defined name can.
MARKER_TEMPLATE = "sheets_sync.template"
MARKER_VERSION = "sheets_sync.version"

HEADER_FILL = "EDEDED"
COMPUTED_FILL = "D9D9D9"
LINK_COLOR = "0563C1"
NOTE_AUTHOR = "sheets-sync"
#: Dropdowns cover a column from row 2 to this row.
VALIDATION_LAST_ROW = 5000
#: Column number formats are applied to at least this many rows.
FORMAT_MIN_ROWS = 200
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0%"
_COLUMN_FORMATS = {"date": DATE_FORMAT, "percent": PERCENT_FORMAT}

#: A 0-based (row, column) position.
Coord = tuple[int, int]

_ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
_CELL = r"\$?[A-Za-z]{1,3}\$?\d+"
_LOCATION = re.compile(rf"^#?(?:'((?:[^']|'')+)'|([^'!]+))!({_CELL}(?::{_CELL})?)$")
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


# --- editor locks -------------------------------------------------------------------------


def _age(seconds: float) -> str:
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} days"


def _libreoffice_holder(lock: Path) -> str | None:
    """``user on host`` from a LibreOffice lock file (``NAME,USER,HOST,DATE,URL;``)."""
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = next(csv.reader([text.strip().rstrip(";")]), [])
    name = fields[0].strip() if fields else ""
    user = fields[1].strip() if len(fields) > 1 else ""
    host = fields[2].strip() if len(fields) > 2 else ""
    who = name or user
    if who and host:
        return f"{who} on {host}"
    return who or None


def _excel_holder(lock: Path) -> str | None:
    """The user name in an Excel owner file: a length byte, then the name (best effort)."""
    try:
        data = lock.read_bytes()[:165]
    except OSError:
        return None
    if data and 0 < data[0] < 54 and len(data) > data[0]:
        name = data[1 : 1 + data[0]].decode("cp1252", errors="replace").strip()
        if name.isprintable() and name:
            return name
    return None


def editor_lock(path: str | os.PathLike[str]) -> str | None:
    """Describe who has the workbook open in LibreOffice or Excel, or None when nobody does."""
    target = Path(path)
    name = target.name
    candidates = [
        ("LibreOffice", target.with_name(f".~lock.{name}#"), _libreoffice_holder),
        ("Excel", target.with_name(f"~${name}"), _excel_holder),
    ]
    for program, lock, holder in candidates:
        try:
            info = lock.stat()
        except OSError:
            continue
        who = holder(lock) or "someone"
        age = _age(time.time() - info.st_mtime)
        return f"{name} is open in {program}, held by {who} for {age} (lock file {lock.name})"
    return None


# --- small helpers ------------------------------------------------------------------------


def _file_version(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _parse_location(location: str) -> tuple[str, str] | None:
    match = _LOCATION.match(location.strip())
    if not match:
        return None
    tab = match.group(1).replace("''", "'") if match.group(1) is not None else match.group(2)
    return tab, match.group(3).replace("$", "").upper()


def _quote_tab(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _norm_formula(formula: str) -> str:
    """Compare formulas loosely: no leading '=', no whitespace or case outside quotes."""
    text = formula.strip()
    if text.startswith("="):
        text = text[1:]
    parts = re.split(r'("(?:[^"]|"")*")', text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(part)
        else:
            part = re.sub(r"_xl(?:fn|ws)\.", "", part, flags=re.I)
            out.append(re.sub(r"\s+", "", part).upper())
    return "".join(out)


def _norm_sqref(sqref: object) -> tuple[str, ...]:
    return tuple(sorted(str(sqref).replace("$", "").upper().split()))


def _rgbs(fill: object) -> set[str]:
    """The RGB colours (6 hex digits) a fill mentions, ignoring openpyxl's empty default."""
    found = set()
    for attr in ("fgColor", "bgColor"):
        colour = getattr(fill, attr, None)
        rgb = getattr(colour, "rgb", None)
        if isinstance(rgb, str) and rgb.upper() != "00000000":
            found.add(rgb[-6:].upper())
    return found


def _has_fill(cell: Cell | MergedCell, rgb: str) -> bool:
    fill = cell.fill
    return getattr(fill, "fill_type", None) == "solid" and rgb.upper() in _rgbs(fill)


def _list_values(formula: str | None) -> tuple[str, ...] | None:
    text = (formula or "").strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return None
    return tuple(v.strip() for v in text[1:-1].replace('""', '"').split(","))


def _clean_text(text: str) -> str:
    # Control characters cannot be stored in the XML of an .xlsx at all.
    return _ILLEGAL.sub("", text)


def _convert(value: object) -> CellValue:
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
    if kind == "str":
        return _convert(text)
    if kind == "b":
        return text.strip() in ("1", "true")
    try:
        number: int | float = float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        return None
    if is_date:
        try:
            return _convert(from_excel(number, epoch))
        except (ValueError, OverflowError):
            return number
    return number


def _header_name(layout: TabLayout, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return layout.headers[col] if col < len(layout.headers) else get_column_letter(col + 1)


def _find_sheet(wb: Workbook, name: str) -> Worksheet | None:
    if name in wb.sheetnames:
        found = wb[name]
    else:
        wanted = " ".join(name.split()).casefold()
        matches = [n for n in wb.sheetnames if " ".join(n.split()).casefold() == wanted]
        if not matches:
            return None
        found = wb[matches[0]]
    from openpyxl.worksheet.worksheet import Worksheet

    return found if isinstance(found, Worksheet) else None


# --- formatting: what is there ------------------------------------------------------------


def _validation_rows(ws: Worksheet) -> int:
    """The last row a dropdown must reach to count as covering the column."""
    # LibreOffice clips a dropdown to the rows it considers used (about 1000 below
    # the data), so a dropdown counts when it reaches the data, not row 5000.
    return max(min(ws.max_row, VALIDATION_LAST_ROW), 2)


def _validation_cols(ws: Worksheet, values: tuple[str, ...] | None) -> _Dropdowns:
    """Column index -> the list dropdowns over it (from row 2 or above) with these values."""
    from openpyxl.worksheet.cell_range import CellRange

    out: _Dropdowns = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        if values is not None and _list_values(dv.formula1) != values:
            continue
        for rng in dv.sqref.ranges:
            cr = CellRange(str(rng))
            if cr.min_row is None or cr.min_row > 2:
                continue
            for col in range(cr.min_col or 1, (cr.max_col or 0) + 1):
                out.setdefault(col - 1, []).append((dv, cr))
    return out


def _has_validation(ws: Worksheet, validation: Validation) -> bool:
    values = tuple(v.strip() for v in validation.values)
    style = "stop" if validation.strict else "warning"
    for dv, cr in _validation_cols(ws, values).get(validation.col, []):
        # Blank errorStyle means "stop" in Excel; a dropdown showing no error blocks nobody.
        blocks = bool(dv.showErrorMessage) and (dv.errorStyle or "stop") == "stop"
        right_style = (dv.errorStyle or "stop") == style if validation.strict else not blocks
        if right_style and (cr.max_row or 0) >= _validation_rows(ws):
            return True
    return False


def _has_rule(ws: Worksheet, rule: ConditionalRule) -> bool:
    want_ref = _norm_sqref(rule.range_a1)
    want_formula = _norm_formula(rule.formula)
    want_fill = rule.fill.lstrip("#")[-6:].upper()
    for cf in ws.conditional_formatting:
        if _norm_sqref(cf.sqref) != want_ref:
            continue
        for cf_rule in cf.rules:
            formulas = [_norm_formula(str(f)) for f in (cf_rule.formula or [])]
            if cf_rule.type != "expression" or formulas != [want_formula]:
                continue
            fill = cf_rule.dxf.fill if cf_rule.dxf is not None else None
            if want_fill in _rgbs(fill):
                return True
    return False


def _note_text(text: str) -> str:
    return " ".join(text.split())


def _missing(ws: Worksheet, layout: TabLayout) -> list[str]:
    missing: list[str] = []
    if layout.freeze_header and ws.freeze_panes != "A2":
        missing.append("header row not frozen")
    # Peek at the cell map: ws.cell() would create cells just by looking.
    header = {c: ws._cells.get((1, c + 1)) for c in range(max(len(layout.headers), 1))}
    header.update({c: ws._cells.get((1, c + 1)) for c in (*layout.computed, *dict(layout.notes))})
    not_bold = [
        text for c, text in enumerate(layout.headers)
        if not ((cell := header[c]) is not None and cell.font.b)
    ]
    if not_bold:
        missing.append("header not bold: " + ", ".join(not_bold))
    not_grey = [
        _header_name(layout, c)
        for c in sorted(layout.computed)
        if not ((cell := header[c]) is not None and _has_fill(cell, COMPUTED_FILL))
    ]
    if not_grey:
        missing.append("computed header not grey: " + ", ".join(not_grey))
    for validation in layout.validations:
        if not _has_validation(ws, validation):
            missing.append(
                f"no dropdown on {_header_name(layout, validation.col)} "
                f"({', '.join(validation.values)})"
            )
    for rule in layout.rules:
        if not _has_rule(ws, rule):
            missing.append(
                f"no conditional format {rule.formula} (fill {rule.fill}) on {rule.range_a1}"
            )
    for col, text in layout.notes:
        cell = header[col]
        comment = cell.comment if cell is not None else None
        if comment is None or _note_text(comment.text or "") != _note_text(text):
            missing.append(f"no note on header {_header_name(layout, col)}")
    return missing


# --- formatting: installing ---------------------------------------------------------------


def _solid(rgb: str) -> PatternFill:
    from openpyxl.styles import PatternFill

    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def _install_header(ws: Worksheet, layout: TabLayout) -> None:
    for c in range(len(layout.headers)):
        cell = ws.cell(1, c + 1)
        if not cell.font.b:
            cell.font = _font_like(cell, b=True)
        if c in layout.computed:
            if not _has_fill(cell, COMPUTED_FILL):
                cell.fill = _solid(COMPUTED_FILL)
        elif getattr(cell.fill, "fill_type", None) is None:
            cell.fill = _solid(HEADER_FILL)


def _install_validation(ws: Worksheet, validation: Validation, header: str) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    # Replace the tool's earlier dropdown on this column (other values, or clipped by
    # another program) instead of stacking a second one over it.
    for dv, cr in _validation_cols(ws, None).get(validation.col, []):
        if cr.min_col == cr.max_col:
            dv.sqref.remove(cr)
            if not dv.sqref.ranges:
                ws.data_validations.dataValidation.remove(dv)
    letter = get_column_letter(validation.col + 1)
    values = [v.replace('"', '""') for v in validation.values]
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showDropDown=False,  # sic: False shows the dropdown arrow
        showErrorMessage=True,
        errorStyle="stop" if validation.strict else "warning",
        errorTitle=header[:32],
        error="Pick one of: " + ", ".join(validation.values),
    )
    dv.add(f"{letter}2:{letter}{VALIDATION_LAST_ROW}")
    ws.add_data_validation(dv)


def _install_rule(ws: Worksheet, rule: ConditionalRule) -> None:
    from openpyxl.formatting.rule import FormulaRule

    formula = rule.formula.strip()
    formula = formula[1:] if formula.startswith("=") else formula
    # A rule with the same range and formula but another colour is an older version of it.
    want_ref = _norm_sqref(rule.range_a1)
    want_formula = _norm_formula(rule.formula)
    for key in [str(cf.sqref) for cf in ws.conditional_formatting]:
        if _norm_sqref(key) != want_ref:
            continue
        # The list the formatting list iterates over: its rules must change in place.
        rules = ws.conditional_formatting[key]
        rules[:] = [
            r for r in rules
            if [_norm_formula(str(f)) for f in (r.formula or [])] != [want_formula]
        ]
        if not rules:
            del ws.conditional_formatting[key]
    fill = rule.fill.lstrip("#").upper()
    ws.conditional_formatting.add(
        rule.range_a1,
        FormulaRule(formula=[formula], fill=_solid(fill)),  # type: ignore[no-untyped-call]
    )


def _shape(formula: str) -> str:
    """A formula with its cell references blanked: the same rule at other columns."""
    return re.sub(_CELL, "#", _norm_formula(formula))


def _prune_stale_rules(ws: Worksheet, layout: TabLayout) -> None:
    """Drop the tool's earlier rules that point at old columns (people moved or added some).

    A rule is the tool's when its formula has the shape of one of the layout's rules;
    left in place it would colour whatever column now stands where its column was.
    """
    shapes = {_shape(r.formula) for r in layout.rules}
    wanted = {(_norm_sqref(r.range_a1), _norm_formula(r.formula)) for r in layout.rules}
    for key in [str(cf.sqref) for cf in ws.conditional_formatting]:
        ref = _norm_sqref(key)
        rules = ws.conditional_formatting[key]
        rules[:] = [
            r
            for r in rules
            if not (
                r.type == "expression"
                and len(r.formula or []) == 1
                and _shape(str(r.formula[0])) in shapes
                and (ref, _norm_formula(str(r.formula[0]))) not in wanted
            )
        ]
        if not rules:
            del ws.conditional_formatting[key]


def _install_formats(ws: Worksheet, layout: TabLayout) -> None:
    last = max(ws.max_row, FORMAT_MIN_ROWS)
    for col, fmt in layout.formats:
        number_format = _COLUMN_FORMATS.get(fmt)
        if number_format is None:
            continue
        for row in range(2, last + 1):
            cell = ws.cell(row, col + 1)
            if cell.number_format == "General":
                cell.number_format = number_format


def _install(ws: Worksheet, layout: TabLayout, *, new_tab: bool) -> None:
    """Install what of ``layout`` is missing on ``ws``, never duplicating what is there."""
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    if layout.freeze_header and ws.freeze_panes != "A2":
        ws.freeze_panes = "A2"
    _install_header(ws, layout)
    for col, width in layout.widths:
        letter = get_column_letter(col + 1)
        # A person's column width is theirs: only set widths nobody chose yet.
        if new_tab or letter not in ws.column_dimensions:
            ws.column_dimensions[letter].width = width
    for validation in layout.validations:
        if not _has_validation(ws, validation):
            _install_validation(ws, validation, _header_name(layout, validation.col))
    _prune_stale_rules(ws, layout)
    for rule in layout.rules:
        if not _has_rule(ws, rule):
            _install_rule(ws, rule)
    for col, text in layout.notes:
        cell = ws.cell(1, col + 1)
        if cell.comment is None or _note_text(cell.comment.text or "") != _note_text(text):
            comment = Comment(text, NOTE_AUTHOR)
            comment.width = 240
            comment.height = 80
            cell.comment = comment
    _install_formats(ws, layout)


# --- the backend --------------------------------------------------------------------------


class XlsxBackend(Backend):
    """A local .xlsx workbook, read and written with openpyxl."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._given = os.fspath(path)
        self._path = Path(path)
        self._wb: Workbook | None = None
        self._version: tuple[int, int] | None = None
        self._x14: list[X14Item] = []

    @property
    def identity(self) -> str:
        """The path as given."""
        return self._given

    @property
    def lock_key(self) -> str:
        """The resolved path: ``demo/x.xlsx`` and its absolute path share one lock."""
        return str(Path(self._given).resolve())

    def exists(self) -> bool:
        """Whether the workbook file exists."""
        return self._path.is_file()

    # reading ------------------------------------------------------------------------------

    def _load(self) -> Workbook:
        """Load the workbook for editing, refusing files openpyxl would damage."""
        from openpyxl import load_workbook

        name = self._path.name
        version = _file_version(self._path)
        if version is None:
            raise WorkbookError(
                f"{self._given} does not exist; run `sheets-sync provision` to create it"
            )
        try:
            scan = scan_content(str(self._path))
        except Exception as exc:  # a corrupt zip, a directory, no permission...
            raise WorkbookError(f"{self._given} is not a readable .xlsx workbook ({exc})") from exc
        if scan.problems:
            raise WorkbookError(
                f"{name} holds content sheets-sync would lose if it saved this workbook: "
                f"{', '.join(scan.problems)}. Remove it or keep it in another workbook."
            )
        try:
            with warnings.catch_warnings():
                # openpyxl warns about extensions it drops; the scan above already judged them.
                warnings.simplefilter("ignore")
                source = slim_copy(str(self._path)) or self._path
                wb = load_workbook(source, data_only=False)
        except Exception as exc:
            raise WorkbookError(f"{self._given} is not a readable .xlsx workbook ({exc})") from exc
        self._wb = wb
        self._version = version
        self._x14 = scan.x14
        return wb

    def _cached_values(self, wanted: dict[str, set[Coord]]) -> dict[str, dict[Coord, object]]:
        """The calculated values the file holds for the given formula cells, per tab (slowly)."""
        from openpyxl import load_workbook

        out: dict[str, dict[Coord, object]] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = load_workbook(self._path, data_only=True, read_only=True)
        except Exception as exc:
            raise WorkbookError(f"{self._given} is not a readable .xlsx workbook ({exc})") from exc
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

    def read(self) -> WorkbookData:
        """Read every tab: values (calculated values for formulas), formulas and links."""
        wb = self._load()
        grids: dict[str, dict[int, dict[int, CellValue]]] = {}
        formulas: dict[str, dict[tuple[int, int], str]] = {}
        for ws in wb.worksheets:
            rows: dict[int, dict[int, CellValue]] = {}
            tab_formulas: dict[tuple[int, int], str] = {}
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
                        tab_formulas[(r - 1, c - 1)] = text if text.startswith("=") else "=" + text
                    value = None
                elif kind == "e":
                    value = CellError(str(raw))
                else:
                    value = _convert(raw)
                    link = cell.hyperlink
                    if link is not None and link.location and not link.target:
                        parsed = _parse_location(str(link.location))
                        if parsed is not None:
                            value = Link("" if value is None else str(value), *parsed)
                if value is not None:
                    rows.setdefault(r - 1, {})[c - 1] = value
            grids[ws.title] = rows
            formulas[ws.title] = tab_formulas
        wanted = {name: set(f) for name, f in formulas.items() if f}
        if wanted:
            from openpyxl.styles.numbers import is_date_format

            quick = cached_results(str(self._path), set(wanted))
            for name, results in quick.items():
                model = wb[name]._cells
                for (r, c), (kind, text) in results.items():
                    if (r, c) not in formulas[name]:
                        continue
                    formula_cell = model.get((r + 1, c + 1))
                    # Cell.is_date is False for every formula cell: ask the format itself.
                    is_date = formula_cell is not None and is_date_format(
                        formula_cell.number_format
                    )
                    value = _cached_value(kind, text, is_date, wb.epoch)
                    if value is not None:
                        grids[name].setdefault(r, {})[c] = value
            slow = {name: cells for name, cells in wanted.items() if name not in quick}
            for name, cached in self._cached_values(slow).items():
                for (r, c), calculated in cached.items():
                    if isinstance(calculated, str) and calculated in _ERROR_CODES:
                        value = CellError(calculated)
                    else:
                        value = _convert(calculated)
                    if value is not None:
                        grids[name].setdefault(r, {})[c] = value
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
        return WorkbookData(identity=self._given, tabs=tabs, version=self._version)

    def _workbook(self) -> Workbook | None:
        if self._wb is None and self.exists():
            self._load()
        return self._wb

    def missing_formatting(self, layout: TabLayout) -> list[str]:
        """What of ``layout`` the tab (as last read) lacks: [] when all of it is there."""
        wb = self._workbook()
        ws = _find_sheet(wb, layout.name) if wb is not None else None
        if ws is None:
            return ["tab missing"]
        return _missing(ws, layout)

    def marker(self) -> tuple[str, str] | None:
        """The (template, version) provisioning stored in the document properties."""
        wb = self._workbook()
        if wb is None:
            return None
        custom = wb.custom_doc_props  # type: ignore[attr-defined]
        props = {p.name: p.value for p in custom.props}
        template, version = props.get(MARKER_TEMPLATE), props.get(MARKER_VERSION)
        if template is None or version is None:
            return None
        return str(template), str(version)

    # writing ------------------------------------------------------------------------------

    def _check_guard(self, data: WorkbookData) -> tuple[int, int] | None:
        current = _file_version(self._path)
        if current != data.version:
            if current is None:
                what = "was removed"
            elif data.version is None:
                what = "was created by someone else"
            else:
                what = "changed"
            raise GuardError(f"{self._given} {what} since it was read; run again")
        lock = editor_lock(self._path)
        if lock is not None:
            raise TryLater(
                f"{lock}; not writing now. Close it there and try again later "
                "(if nobody has it open, delete the lock file)."
            )
        return current

    def _check_x14(self, plan: Plan | None) -> None:
        """Refuse when x14 rules shaped like the tool's are not the tool's after all."""
        if plan is None or not self._x14:
            return
        layouts = {" ".join(lay.name.split()).casefold(): lay for lay in plan.layouts}
        layouts.update({" ".join(lay.name.split()).casefold(): lay for lay in plan.formatting})
        if not layouts:
            return
        foreign = [item for item in self._x14 if not _is_tools(item, layouts)]
        if foreign:
            where = ", ".join(sorted({f"'{item.sheet}'" for item in foreign}))
            raise WorkbookError(
                f"{self._path.name} holds content sheets-sync would lose if it saved this "
                f"workbook: {len(foreign)} Excel 2010 conditional formats or validations on "
                f"{where}. Remove them or keep them in another workbook."
            )

    def write(
        self,
        data: WorkbookData,
        updates: Sequence[CellUpdate],
        plan: Plan | None = None,
    ) -> WriteResult:
        """Apply ``plan`` then ``updates`` and save atomically; nothing when both are empty."""
        if not updates and (plan is None or plan.empty):
            return WriteResult()
        current = self._check_guard(data)
        if current is None:
            from openpyxl import Workbook

            wb = Workbook()
            wb.remove(wb.worksheets[0])
            self._x14 = []
        elif self._wb is not None and self._version == current:
            wb = self._wb
        else:
            wb = self._load()
        self._check_x14(plan)
        # Until the save succeeds the in-memory workbook may be half-edited: drop it.
        self._wb = None
        self._version = None
        written = 0
        if plan is not None:
            written += self._apply_plan(wb, plan)
        for update in updates:
            ws = _find_sheet(wb, update.tab)
            if ws is None:
                raise WorkbookError(f"{self._path.name} has no tab '{update.tab}' to write to")
            _set_cell(ws, update)
            written += 1
        if not wb.worksheets:
            raise WorkbookError(f"nothing to save: {self._path.name} would have no tabs")
        self._save(wb, data)
        self._wb = wb
        self._version = _file_version(self._path)
        self._x14 = []
        return WriteResult(cells_written=written, requests=1, wrote=True)

    def _apply_plan(self, wb: Workbook, plan: Plan) -> int:
        order = [lay.name for lay in plan.layouts]
        created: set[str] = set()
        for name in plan.add_tabs:
            if _find_sheet(wb, name) is None:
                ws = wb.create_sheet(name)
                created.add(name)
                _position(wb, ws, order)
        written = 0
        for update in plan.header_cells:
            ws = _find_sheet(wb, update.tab)
            if ws is None:
                ws = wb.create_sheet(update.tab)
                created.add(update.tab)
                _position(wb, ws, order)
            _set_cell(ws, update)
            written += 1
        for layout in plan.formatting:
            ws = _find_sheet(wb, layout.name)
            if ws is None:
                ws = wb.create_sheet(layout.name)
                created.add(layout.name)
                _position(wb, ws, order)
            _install(ws, layout, new_tab=layout.name in created)
        if plan.write_marker:
            _set_marker(wb, plan.template, plan.version)
        if created:
            wb.active = 0
            for ws in wb.worksheets:
                ws.sheet_view.tabSelected = ws is wb.worksheets[0]
        return written

    def _save(self, wb: Workbook, data: WorkbookData) -> None:
        """Save to a temp file in the same folder, fsync it, then atomically replace."""
        target = self._path
        folder = target.parent.resolve()
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        try:
            with tempfile.NamedTemporaryFile(
                dir=folder, prefix=f".{target.name}.", suffix=".xlsx.tmp", delete=False
            ) as handle:
                tmp = Path(handle.name)
        except OSError as exc:
            raise WorkbookError(f"cannot write in {folder}: {exc}") from exc
        try:
            wb.save(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            # Saving a big workbook takes a while: look again just before replacing.
            self._check_guard(data)
            os.replace(tmp, target)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            if isinstance(exc, OSError):
                raise WorkbookError(f"could not save {self._given}: {exc}") from exc
            raise
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def close(self) -> None:
        """Forget the workbook held since the last read."""
        self._wb = None
        self._version = None


def _is_tools(item: X14Item, layouts: dict[str, TabLayout]) -> bool:
    layout = layouts.get(" ".join(item.sheet.split()).casefold())
    if layout is None:
        return False
    if item.kind == "cf":
        return any(
            _norm_sqref(r.range_a1) == _norm_sqref(item.sqref)
            and _norm_formula(r.formula) == _norm_formula(item.formula)
            for r in layout.rules
        )
    values = _list_values(item.formula)
    from openpyxl.utils import column_index_from_string

    letters = re.match(r"\$?([A-Za-z]+)", item.sqref.strip())
    col = column_index_from_string(letters.group(1).upper()) - 1 if letters else -1
    return any(
        v.col == col and tuple(x.strip() for x in v.values) == values for v in layout.validations
    )


def _position(wb: Workbook, ws: Worksheet, order: list[str]) -> None:
    """Move a new tab next to its neighbours in the template's order, leaving other tabs be."""
    keys = [" ".join(n.split()).casefold() for n in order]
    me = " ".join(ws.title.split()).casefold()
    if me not in keys:
        return
    index = keys.index(me)
    others = [s for s in wb.worksheets if s is not ws]
    by_key = {" ".join(s.title.split()).casefold(): s for s in others}
    before = [by_key[k] for k in keys[:index] if k in by_key]
    after = [by_key[k] for k in keys[index + 1 :] if k in by_key]
    names = wb.sheetnames
    if before:
        position = names.index(before[-1].title) + 1
    elif after:
        position = names.index(after[0].title)
    else:
        return
    wb.move_sheet(ws, offset=position - names.index(ws.title))


def _set_marker(wb: Workbook, template: str, version: str) -> None:
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props  # type: ignore[attr-defined]
    props.props = [p for p in props.props if p.name not in (MARKER_TEMPLATE, MARKER_VERSION)]
    props.append(StringProperty(name=MARKER_TEMPLATE, value=template))
    props.append(StringProperty(name=MARKER_VERSION, value=version))


def _font_like(cell: Cell | MergedCell, **changes: object) -> Font:
    """A copy of the cell's font with some attributes changed (fonts are immutable)."""
    font: Font = copy(cell.font)  # type: ignore[assignment]
    for name, value in changes.items():
        setattr(font, name, value)
    return font


def _is_link_font(cell: Cell) -> bool:
    colour = getattr(cell.font.color, "rgb", None)
    return isinstance(colour, str) and colour[-6:].upper() == LINK_COLOR and bool(
        cell.font.underline
    )


def _set_cell(ws: Worksheet, update: CellUpdate) -> None:
    """Write one value; text always as a text cell, so nothing typed becomes a formula."""
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.hyperlink import Hyperlink

    cell = ws.cell(update.row + 1, update.col + 1)
    if not isinstance(cell, Cell):
        raise WorkbookError(
            f"cannot write to {ws.title}!{cell.coordinate}: it is inside merged cells"
        )
    value = update.value
    if isinstance(value, Link):
        cell.value = _clean_text(value.text)
        cell.data_type = "s"
        cell.hyperlink = Hyperlink(
            ref=cell.coordinate,
            location=f"{_quote_tab(value.tab)}!{value.a1}",
            display=_clean_text(value.text),
        )
        cell.font = _font_like(cell, color=LINK_COLOR, underline="single")
        return
    if cell.hyperlink is not None:
        cell.hyperlink = None
        if _is_link_font(cell):
            cell.font = _font_like(cell, color=None, underline=None)
    if value is None:
        cell.value = None
    elif isinstance(value, str):
        cell.value = _clean_text(value)
        # openpyxl turns text starting with '=' into a formula: force a text cell.
        cell.data_type = "s"
    elif isinstance(value, CellError):
        cell.value = value.code
        cell.data_type = "e"
    elif isinstance(value, dt.datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATE_FORMAT if update.format == "date" else DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value
        if update.format == "percent":
            cell.number_format = PERCENT_FORMAT
        elif update.format == "date" and not isinstance(value, bool):
            cell.number_format = DATE_FORMAT


__all__ = ["XlsxBackend", "editor_lock"]
