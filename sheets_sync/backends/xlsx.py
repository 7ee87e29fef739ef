"""The local workbook backend: an .xlsx file read and written with openpyxl.

Writes are atomic (a temp file in the same folder, fsync, ``os.replace``), guarded
by the file's (mtime, size) at read time, and refused while LibreOffice or Excel
holds the file open. A process killed mid-save leaves its temp file behind; the
workbook is untouched, and a later save removes such files once an hour old. A
workbook holding content openpyxl would drop is refused at read time rather than
silently damaged by a later save.

Provisioned formatting lives in :mod:`sheets_sync.backends.xlsx_layout`, editor lock
files in :mod:`sheets_sync.backends.xlsx_locks`, raw-XML scans in
:mod:`sheets_sync.backends.xlsx_content`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import stat
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sheets_sync.backends.base import (
    Backend,
    CellError,
    CellUpdate,
    CellValue,
    Link,
    Plan,
    RawTab,
    TabLayout,
    WorkbookData,
    WriteResult,
)
from sheets_sync.backends.xlsx_content import X14Item, cached_results, scan_content, slim_copy
from sheets_sync.backends.xlsx_layout import (
    CELL_REF,
    DATE_FORMAT,
    DATETIME_FORMAT,
    PERCENT_FORMAT,
    font_like,
    install,
    is_layout_item,
    missing,
)
from sheets_sync.backends.xlsx_locks import editor_lock
from sheets_sync.backends.xlsx_measure import describe, measure_loss, parts_kept
from sheets_sync.backends.xlsx_open import Opened, open_readable, sniff
from sheets_sync.backends.xlsx_package import PackageError
from sheets_sync.backends.xlsx_writer import APPLICATION, save_workbook
from sheets_sync.errors import GuardError, TryLater, WorkbookError

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

# The marker lives in custom document properties: LibreOffice keeps them on a
# round trip (checked with LibreOffice 7.4: docProps/custom.xml survives
# --convert-to xlsx unchanged), they are invisible to people, and they cannot be
# edited by accident the way a hidden cell or a defined name can.
MARKER_TEMPLATE = "sheets_sync.template"
MARKER_VERSION = "sheets_sync.version"
#: JSON: template tab name -> the name of the tab the tool generates it in (Issues, ...)
MARKER_GENERATED = "sheets_sync.generated"

LINK_COLOR = "0563C1"

#: A 0-based (row, column) position.
Coord = tuple[int, int]

#: A save's temp file this old is an interrupted save's (its process was killed): the
#: next save of the same workbook removes it. A younger one may be a save in progress.
STALE_TEMP_SECONDS = 3600
#: The largest file a save may write, unless configured otherwise (``xlsx.max_file_mb``).
MAX_FILE_MB = 256
#: A save of a workbook the tool did not create writes at most this factor times the file
#: it read, plus what the tool added (its tabs, columns and values) and a fixed allowance:
#: openpyxl writes styles, shared strings and relationships a little more verbosely than
#: Excel, never by more than this on the real-workbook corpus.
OUTPUT_SIZE_FACTOR = 2.0
OUTPUT_SIZE_ALLOWANCE = 1024 * 1024

_ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
_LOCATION = re.compile(rf"^#?(?:'((?:[^']|'')+)'|([^'!]+))!({CELL_REF}(?::{CELL_REF})?)$")
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


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


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def _remove_stale_temps(target: Path) -> None:
    """Remove temp files that killed saves of ``target`` left behind (SIGKILL, power loss)."""
    prefix = _temp_prefix(target)
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith(".xlsx.tmp")):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)


def _parse_location(location: str) -> tuple[str, str] | None:
    match = _LOCATION.match(location.strip())
    if not match:
        return None
    tab = match.group(1).replace("''", "'") if match.group(1) is not None else match.group(2)
    return tab, match.group(3).replace("$", "").upper()


def _quote_tab(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


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
    if kind == "str":  # "" is a formula calculated to blank text, not a missing result
        return "" if text == "" else _convert(text)
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
    return ("e", text) if text in _ERROR_CODES else ("str", text)


def _load_keeping_numbers(source: str | os.PathLike[str] | IO[bytes]) -> Workbook:
    """``load_workbook`` that leaves numbers in date-formatted cells as the numbers they are.

    openpyxl turns them into datetimes and back into numbers on save, which is lossy
    (45000.123456789 is saved as 45000.12345679398, 60 as 59, -1e-09 as 0, and a number no
    date can hold as the error ``#VALUE!``): saving would change what people typed. The
    numbers stay numbers here; :meth:`XlsxBackend.read` shows them as dates.
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
        return _convert(from_excel(number, epoch, timedelta=kind == "timedelta"))
    except (OverflowError, ValueError):
        return number


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


# --- the backend --------------------------------------------------------------------------


class XlsxBackend(Backend):
    """A local .xlsx workbook, read and written with openpyxl."""

    def __init__(self, path: str | os.PathLike[str], *, max_file_mb: int = MAX_FILE_MB) -> None:
        self._given = os.fspath(path)
        self._path = Path(path)
        self._wb: Workbook | None = None
        self._version: tuple[int, int] | None = None
        self._x14: list[X14Item] = []
        self._opened: Opened | None = None
        self._scan_problems: list[str] = []
        #: sheet title -> the calculated values its formula cells hold in the file read
        self._cached: dict[str, dict[Coord, tuple[str, str | None]]] = {}
        self._input_size = 0
        self.max_file_bytes = max_file_mb * 1024 * 1024

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
        """Load the workbook for editing; what a save would lose is judged when saving."""
        version = _file_version(self._path)
        if version is None:
            raise WorkbookError(
                f"{self._given} does not exist; run `sheets-sync provision` to create it"
            )
        try:
            problem = sniff(self._path)
            if problem is None:
                opened = open_readable(self._path)
                scan = scan_content(opened.source)
        except Exception as exc:  # a corrupt zip, a directory, no permission...
            raise WorkbookError(f"{self._given} is not a readable .xlsx workbook ({exc})") from exc
        if problem is not None:
            raise WorkbookError(f"{self._given} {problem}")
        try:
            with warnings.catch_warnings():
                # openpyxl warns about extensions it drops; the save measures what is lost.
                warnings.simplefilter("ignore")
                source = slim_copy(opened.source) or opened.source
                wb = _load_keeping_numbers(source)
        except Exception as exc:
            raise WorkbookError(f"{self._given} is not a readable .xlsx workbook ({exc})") from exc
        self._wb = wb
        self._version = version
        self._x14 = scan.x14
        self._opened = opened
        self._scan_problems = scan.problems
        self._input_size = version[1]
        return wb

    def _source(self) -> str | IO[bytes]:
        """What to read the workbook from: the file, or the readable copy made of it."""
        opened = self._opened
        if opened is None or isinstance(opened.source, str):
            return str(self._path)
        return io.BytesIO(opened.source.getbuffer())

    def _cached_values(self, wanted: dict[str, set[Coord]]) -> dict[str, dict[Coord, object]]:
        """The calculated values the file holds for the given formula cells, per tab (slowly)."""
        from openpyxl import load_workbook

        out: dict[str, dict[Coord, object]] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                wb = load_workbook(self._source(), data_only=True, read_only=True)
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
        self._cached = {}
        grids: dict[str, dict[int, dict[int, CellValue]]] = {}
        formulas: dict[str, dict[tuple[int, int], str]] = {}
        serial_kinds: dict[str, str | None] = {}
        # Per number format id: how a number in it shows (date, duration or number).
        shown_as: dict[int, str | None] = {}
        # A log repeats the same few hundred dates: convert each serial number once.
        serials: dict[tuple[type, int | float, str], CellValue] = {}
        epoch = wb.epoch
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
                    serial = None
                    number = raw if kind == "n" and isinstance(raw, int | float) else None
                    if number is not None:
                        fmt_id: int = cell._style.numFmtId  # type: ignore[union-attr]
                        if fmt_id in shown_as:
                            serial = shown_as[fmt_id]
                        else:
                            serial = _serial_kind(cell.number_format, serial_kinds)
                            shown_as[fmt_id] = serial
                    if number is not None and serial:
                        key = (type(number), number, serial)
                        if key in serials:
                            value = serials[key]
                        else:  # kept a number by _load
                            value = serials[key] = _serial_value(number, serial, epoch)
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

            quick = cached_results(self._source(), set(wanted))
            for name, results in quick.items():
                model = wb[name]._cells
                self._cached[name] = {k: v for k, v in results.items() if k in formulas[name]}
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
                self._cached[name] = {rc: _raw_result(v, epoch) for rc, v in cached.items()}
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
        return missing(ws, layout)

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

    def generated_tabs(self) -> dict[str, str]:
        """The tabs the tool marked as its own generated tabs (document property)."""
        wb = self._workbook()
        if wb is None:
            return {}
        custom = wb.custom_doc_props  # type: ignore[attr-defined]
        text = next((p.value for p in custom.props if p.name == MARKER_GENERATED), None)
        try:
            marks = json.loads(str(text)) if text is not None else {}
        except ValueError:
            return {}
        if not isinstance(marks, dict):
            return {}
        return {str(k): str(v) for k, v in marks.items() if isinstance(v, str)}

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
        foreign = [item for item in self._x14 if not is_layout_item(item, layouts)]
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
        if self._opened is not None and self._opened.strict and current is not None:
            raise WorkbookError(
                f"{self._path.name} is saved as Strict Open XML, which sheets-sync reads but "
                "cannot save without rewriting the whole file in another format. Save it as an "
                "ordinary Excel Workbook (.xlsx) in Excel (File > Save As > Excel Workbook) or "
                "LibreOffice, and run again; `sheets-sync check` works on it as it is."
            )
        # Until the save succeeds the in-memory workbook may be half-edited: drop it.
        self._wb = None
        self._version = None
        written = 0
        created: set[str] = set()
        if plan is not None:
            written += self._apply_plan(wb, plan, created)
        changed: set[tuple[str, int, int]] = set()
        added_bytes = 0
        for update in [*(plan.header_cells if plan else ()), *updates]:
            changed.add((update.tab, update.row, update.col))
            value = update.value
            added_bytes += 64 + len(value.text if isinstance(value, Link) else str(value))
        for update in updates:
            ws = _find_sheet(wb, update.tab)
            if ws is None:
                raise WorkbookError(f"{self._path.name} has no tab '{update.tab}' to write to")
            _set_cell(ws, update)
            written += 1
        if not wb.worksheets:
            raise WorkbookError(f"nothing to save: {self._path.name} would have no tabs")
        # A file another program saved is measured in full; one the tool saved last only
        # when something in it looks added since (an extension, a part of a new kind).
        ours = self._opened is not None and self._opened.application == APPLICATION
        measured = current is not None and not (ours and not self._scan_problems)
        layouts = (*plan.layouts, *plan.formatting) if plan is not None else ()
        self._save(
            wb,
            data,
            SaveCheck(measured, changed, created, added_bytes, layouts, maybe=current is not None),
        )
        self._wb = wb
        self._version = _file_version(self._path)
        self._x14 = []
        self._opened = Opened(str(self._path), application=APPLICATION)
        return WriteResult(cells_written=written, requests=1, wrote=True)

    def _apply_plan(self, wb: Workbook, plan: Plan, created: set[str]) -> int:
        order = [lay.name for lay in plan.layouts]
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
            install(ws, layout, new_tab=layout.name in created)
        if plan.write_marker:
            _set_marker(wb, plan.template, plan.version)
        if plan.generated:
            _set_generated(wb, {**self.generated_tabs(), **plan.generated})
        if created:
            wb.active = 0
            for ws in wb.worksheets:
                ws.sheet_view.tabSelected = ws is wb.worksheets[0]
        return written

    def _save(self, wb: Workbook, data: WorkbookData, check: SaveCheck) -> None:
        """Save to a temp file in the same folder, check it, fsync it, then atomically replace.

        Nothing replaces the workbook unless the temp file keeps everything the file
        read held (measured, for a file another program saved) and is of bounded size.
        """
        target = self._path
        folder = target.parent.resolve()
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        try:
            with tempfile.NamedTemporaryFile(
                dir=folder, prefix=_temp_prefix(target), suffix=".xlsx.tmp", delete=False
            ) as handle:
                tmp = Path(handle.name)
        except OSError as exc:
            raise WorkbookError(f"cannot write in {folder}: {exc}") from exc
        try:
            save_workbook(wb, tmp, self._cached)
            self._check_saved(tmp, check)
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
            if isinstance(exc, OverflowError):  # openpyxl writes no integer beyond a double
                raise WorkbookError(
                    f"could not save {self._given}: it holds a number too large for a "
                    f"spreadsheet ({exc}); `sheets-sync check` names the cell"
                ) from exc
            raise
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _remove_stale_temps(target)

    def save_concerns(self) -> list[str]:
        """What a save of the workbook as read would lose: a trial save, measured."""
        wb = self._workbook()
        opened = self._opened
        if wb is None or opened is None or opened.application == APPLICATION:
            return []
        if opened.strict:
            return ["it is saved as Strict Open XML; save it as an ordinary Excel Workbook"]
        handle, name = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        try:
            save_workbook(wb, name, self._cached)
            losses = measure_loss(self._source(), name, set(), set())
        except Exception as exc:  # e.g. a workbook with no visible sheet cannot be saved
            return [f"a trial save failed ({type(exc).__name__}: {exc})"]
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
        return [describe(losses)] if losses else []

    def _check_saved(self, tmp: Path, check: SaveCheck) -> None:
        """Refuse a save that would lose what the file held, or that grew out of bounds."""
        size = tmp.stat().st_size
        reasons: list[str] = []
        if size > self.max_file_bytes:
            reasons.append(
                f"the saved file would be {_mb(size)}, over the limit of "
                f"{_mb(self.max_file_bytes)} (xlsx.max_file_mb)"
            )
        if check.maybe and not parts_kept(self._source(), tmp):
            check = replace(check, measured=True)
        if check.measured:
            bound = OUTPUT_SIZE_FACTOR * self._input_size + check.added_bytes
            if size > bound + OUTPUT_SIZE_ALLOWANCE:
                reasons.append(
                    f"the saved file would grow from {_mb(self._input_size)} to {_mb(size)}, "
                    f"more than {OUTPUT_SIZE_FACTOR:g} times its size plus what sheets-sync adds"
                )
            try:
                losses = measure_loss(
                    self._source(), tmp, check.changed, check.created, check.layouts
                )
            except PackageError as exc:  # then nobody can say what a save keeps: refuse
                reasons.append(f"its package cannot be compared with the saved one ({exc})")
            else:
                if losses:
                    reasons.append(describe(losses))
        if reasons:
            said = "; ".join(r.rstrip(".") for r in reasons)
            raise WorkbookError(
                f"{self._path.name} was not saved: sheets-sync would lose content this file "
                f"holds if it saved it. {said}. Nothing was changed. Remove or "
                "move that content to another workbook, or keep using this file without "
                "sheets-sync writing to it (`sheets-sync check` still reads it)."
            )

    def close(self) -> None:
        """Forget the workbook held since the last read."""
        self._wb = None
        self._version = None


@dataclass(frozen=True)
class SaveCheck:
    """What a save must keep: measured or not, and what the tool itself changed or added."""

    measured: bool
    changed: set[tuple[str, int, int]]
    created: set[str]
    added_bytes: int
    layouts: tuple[TabLayout, ...] = ()
    #: not measured unless a quick look at the parts finds one of a kind gone
    maybe: bool = False


def _mb(size: float) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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


def _set_generated(wb: Workbook, marks: dict[str, str]) -> None:
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props  # type: ignore[attr-defined]
    props.props = [p for p in props.props if p.name != MARKER_GENERATED]
    props.append(StringProperty(name=MARKER_GENERATED, value=json.dumps(marks, sort_keys=True)))


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
        cell.font = font_like(cell, color=LINK_COLOR, underline="single")
        return
    if cell.hyperlink is not None:
        cell.hyperlink = None
        if _is_link_font(cell):
            cell.font = font_like(cell, color=None, underline=None)
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
