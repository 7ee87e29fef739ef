"""The local workbook backend: an .xlsx file read and written with openpyxl.

Writes are atomic (a temp file in the same folder, fsync, ``os.replace``), guarded
by the file's (mtime, size) at read time, and refused while LibreOffice or Excel
holds the file open. A workbook holding content openpyxl would drop is refused
when saving rather than silently damaged.

Reading lives in :mod:`sheets_sync.backends.xlsx_read`, saving and its checks in
:mod:`sheets_sync.backends.xlsx_save`, provisioned formatting in
:mod:`sheets_sync.backends.xlsx_layout`, editor lock files in
:mod:`sheets_sync.backends.xlsx_locks`, raw-XML scans in
:mod:`sheets_sync.backends.xlsx_content`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sheets_sync.a1 import quote_tab, tab_key
from sheets_sync.backends.base import (
    Backend,
    CellError,
    CellUpdate,
    Chart,
    Link,
    Plan,
    TabFormatting,
    WorkbookData,
    WriteResult,
)
from sheets_sync.backends.xlsx_charts import install_chart, keep_charts
from sheets_sync.backends.xlsx_content import X14Item, scan_content, slim_copy
from sheets_sync.backends.xlsx_layout import (
    COLUMN_FORMATS,
    DATE_FORMAT,
    DATETIME_FORMAT,
    fit_row_heights,
    font_like,
    formatting,
    install,
    install_marks,
    is_layout_item,
)
from sheets_sync.backends.xlsx_locks import editor_lock
from sheets_sync.backends.xlsx_measure import tool_chart_titles
from sheets_sync.backends.xlsx_open import Opened, open_readable, sniff
from sheets_sync.backends.xlsx_package import PackageError
from sheets_sync.backends.xlsx_package_charts import read_charts
from sheets_sync.backends.xlsx_read import CachedCells, find_sheet, load_keeping_numbers, read_tabs
from sheets_sync.backends.xlsx_save import (
    MAX_FILE_MB,
    Original,
    SaveCheck,
    file_version,
    save_atomically,
    trial_save,
)
from sheets_sync.backends.xlsx_writer import APPLICATION
from sheets_sync.errors import GuardError, TryLater, WorkbookError
from sheets_sync.layout import has_chart

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
#: JSON: tab name -> the title of the chart the tool keeps on it. The tool knows its
#: chart by that title on that tab: any other chart is a person's.
MARKER_CHARTS = "sheets_sync.charts"

LINK_COLOR = "0563C1"
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def _clean_text(text: str) -> str:
    # Control characters cannot be stored in the XML of an .xlsx at all.
    return _ILLEGAL.sub("", text)


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
        #: sheet -> (charts its drawings hold, the scan problem naming them)
        self._scan_charts: dict[str, tuple[int, str]] = {}
        #: sheet title -> the charts on it in the file read (read from the package)
        self._charts: dict[str, list[Chart]] = {}
        #: sheet title -> the calculated values its formula cells hold in the file read
        self._cached: CachedCells = {}
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
        version = file_version(self._path)
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
                wb = load_keeping_numbers(source)
        except Exception as exc:
            raise WorkbookError(f"{self._given} is not a readable .xlsx workbook ({exc})") from exc
        self._wb = wb
        self._version = version
        self._x14 = scan.x14
        self._opened = opened
        self._scan_problems = scan.problems
        self._scan_charts = scan.charts
        self._charts = _charts_of(opened.source) if scan.charts else {}
        self._input_size = version[1]
        return wb

    def _source(self) -> str | IO[bytes]:
        """What to read the workbook from: the file, or the readable copy made of it."""
        opened = self._opened
        if opened is None or isinstance(opened.source, str):
            return str(self._path)
        return io.BytesIO(opened.source.getbuffer())

    def read(self) -> WorkbookData:
        """Read every tab: values (calculated values for formulas), formulas and links."""
        wb = self._load()
        tabs, self._cached = read_tabs(wb, self._source, self._given)
        return WorkbookData(identity=self._given, tabs=tabs, version=self._version)

    def _workbook(self) -> Workbook | None:
        if self._wb is None and self.exists():
            self._load()
        return self._wb

    def formatting_of(self, tab: str) -> TabFormatting | None:
        """The formatting of a tab (as last read); None when there is no such tab."""
        wb = self._workbook()
        ws = find_sheet(wb, tab) if wb is not None else None
        if ws is None:
            return None
        return replace(formatting(ws), charts=tuple(self._charts_on(ws.title)))

    def _charts_on(self, title: str) -> list[Chart]:
        """The charts on a tab in the file read."""
        return next((c for name, c in self._charts.items() if tab_key(name) == tab_key(title)), [])

    def _recorded_charts(self, wb: Workbook | None = None) -> dict[str, str]:
        """The charts the tool recorded as its own (document property): tab -> title."""
        wb = wb if wb is not None else self._workbook()
        if wb is None:
            return {}
        custom = wb.custom_doc_props  # type: ignore[attr-defined]
        text = next((p.value for p in custom.props if p.name == MARKER_CHARTS), None)
        try:
            found = json.loads(str(text)) if text is not None else {}
        except ValueError:
            return {}
        if not isinstance(found, dict):
            return {}
        return {str(k): v for k, v in found.items() if isinstance(v, str)}

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
        return {} if wb is None else _generated_marks(wb)

    # writing ------------------------------------------------------------------------------

    def _check_guard(self, data: WorkbookData) -> tuple[int, int] | None:
        current = file_version(self._path)
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
        layouts = {tab_key(lay.name): lay for lay in plan.layouts}
        layouts.update({tab_key(lay.name): lay for lay in plan.formatting})
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
        recorded = self._recorded_charts(wb) if current is not None else {}
        generated = {tab_key(name) for name in _generated_marks(wb).values()}
        # Until the save succeeds the in-memory workbook may be half-edited: drop it.
        self._wb = None
        self._version = None
        created: set[str] = set()
        charted: set[str] = set()
        if plan is not None:
            self._apply_plan(wb, plan, created)
            charted = self._apply_charts(wb, plan, created, recorded)
        changed: set[tuple[str, int, int]] = set()
        added_bytes = 0
        for update in [*(plan.header_cells if plan else ()), *updates]:
            changed.add((update.tab, update.row, update.col))
            value = update.value
            added_bytes += 64 + len(value.text if isinstance(value, Link) else str(value))
        rows: dict[str, set[int]] = {}
        for update in updates:
            ws = find_sheet(wb, update.tab)
            if ws is None:
                raise WorkbookError(f"{self._path.name} has no tab '{update.tab}' to write to")
            _set_cell(ws, update)
            rows.setdefault(ws.title, set()).add(update.row + 1)
        generated |= {tab_key(name) for name in (plan.generated.values() if plan else ())}
        for title, touched in rows.items():
            fit_row_heights(wb[title], touched, ours=tab_key(title) in generated)
        if not wb.worksheets:
            raise WorkbookError(f"nothing to save: {self._path.name} would have no tabs")
        layouts = (*plan.layouts, *plan.formatting) if plan is not None else ()
        titles = tool_chart_titles(layouts, {tab: [title] for tab, title in recorded.items()})
        for ws in wb.worksheets:
            # openpyxl writes back the charts it loaded; the tool's own, if openpyxl could
            # not load it, is added again as it was read (a replaced one is new already).
            if tab_key(ws.title) not in charted:
                keep_charts(ws, self._charts_on(ws.title), titles.get(tab_key(ws.title), ()))
        # A file another program saved is measured in full; one the tool saved last only
        # when something in it looks added since (an extension, a part of a new kind). A
        # chart in it is the tool's only when it has the title of the tool's on its tab.
        ours = self._opened is not None and self._opened.application == APPLICATION
        problems = [p for p in self._scan_problems if p not in self._tools_chart_problems(titles)]
        measured = current is not None and not (ours and not problems)
        self._save(
            wb,
            data,
            SaveCheck(
                measured, changed, created, added_bytes, layouts, maybe=current is not None,
                charts={tab: frozenset(names) for tab, names in titles.items()},
            ),
        )
        self._wb = wb
        self._version = file_version(self._path)
        self._x14 = []
        self._opened = Opened(str(self._path), application=APPLICATION)
        self._charts = _charts_of(str(self._path))
        self._scan_charts = {}
        return WriteResult(wrote=True)

    def _tools_chart_problems(self, titles: dict[str, set[str]]) -> set[str]:
        """The scan's chart findings on tabs whose every chart is one of the tool's."""
        out: set[str] = set()
        for sheet, (count, problem) in self._scan_charts.items():
            charts = self._charts_on(sheet)
            mine = titles.get(tab_key(sheet), set())
            if len(charts) == count and all(c.title in mine for c in charts):
                out.add(problem)
        return out

    def _apply_charts(
        self, wb: Workbook, plan: Plan, created: set[str], recorded: dict[str, str]
    ) -> set[str]:
        """Install the layouts' charts where missing (or changed); the tabs charted, by key."""
        charted: set[str] = set()
        wanted = {tab_key(lay.name): lay for lay in plan.formatting if lay.chart is not None}
        for key, layout in wanted.items():
            chart = layout.chart
            ws = find_sheet(wb, layout.name)
            if chart is None or ws is None:
                continue
            facts = replace(TabFormatting(), charts=tuple(self._charts_on(ws.title)))
            if ws.title not in created and has_chart(facts, chart):
                continue
            earlier = {title for tab, title in recorded.items() if tab_key(tab) == key}
            if install_chart(ws, chart, earlier):
                charted.add(key)
                recorded = {t: n for t, n in recorded.items() if tab_key(t) != key}
                recorded[ws.title] = chart.title
        if charted:
            _set_charts(wb, recorded)
        return charted

    def _apply_plan(self, wb: Workbook, plan: Plan, created: set[str]) -> None:
        order = [lay.name for lay in plan.layouts]
        for name in plan.add_tabs:
            if find_sheet(wb, name) is None:
                ws = wb.create_sheet(name)
                created.add(name)
                _position(wb, ws, order)
        for update in plan.header_cells:
            ws = find_sheet(wb, update.tab)
            if ws is None:
                ws = wb.create_sheet(update.tab)
                created.add(update.tab)
                _position(wb, ws, order)
            _set_cell(ws, update)
        for layout in plan.formatting:
            ws = find_sheet(wb, layout.name)
            if ws is None:
                ws = wb.create_sheet(layout.name)
                created.add(layout.name)
                _position(wb, ws, order)
            install(ws, layout, new_tab=layout.name in created)
        for layout in plan.marks:
            ws = find_sheet(wb, layout.name)
            if ws is not None:
                install_marks(ws, layout)
        if plan.write_marker:
            _set_marker(wb, plan.template, plan.version)
        if plan.generated:
            _set_generated(wb, {**self.generated_tabs(), **plan.generated})
        if created:
            wb.active = 0
            for ws in wb.worksheets:
                ws.sheet_view.tabSelected = ws is wb.worksheets[0]


    def _save(self, wb: Workbook, data: WorkbookData, check: SaveCheck) -> None:
        """Save atomically, refusing a save that would lose what the file held."""
        original = Original(
            self._path, self._given, self._source, self._input_size, self.max_file_bytes
        )
        save_atomically(wb, original, self._cached, check, lambda: self._check_guard(data))

    def cell_link(self, tab: str, a1: str) -> str:
        """The file's URL with the cell after ``#``: spreadsheet programs open the file."""
        return f"{self._path.resolve().as_uri()}#{quote_tab(tab)}!{a1}"

    def save_concerns(self) -> list[str]:
        """What a save of the workbook as read would lose: a trial save, measured."""
        wb = self._workbook()
        opened = self._opened
        if wb is None or opened is None or opened.application == APPLICATION:
            return []
        if opened.strict:
            return ["it is saved as Strict Open XML; save it as an ordinary Excel Workbook"]
        return trial_save(wb, self._source, self._cached)

    def close(self) -> None:
        """Forget the workbook held since the last read."""
        self._wb = None
        self._version = None



def _position(wb: Workbook, ws: Worksheet, order: list[str]) -> None:
    """Move a new tab next to its neighbours in the template's order, leaving other tabs be."""
    keys = [tab_key(n) for n in order]
    me = tab_key(ws.title)
    if me not in keys:
        return
    index = keys.index(me)
    others = [s for s in wb.worksheets if s is not ws]
    by_key = {tab_key(s.title): s for s in others}
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


def _charts_of(source: str | IO[bytes]) -> dict[str, list[Chart]]:
    """Sheet -> the charts on it, read from the package; {} when it cannot be read."""
    try:
        return read_charts(source)
    except (PackageError, OSError):
        return {}


def _set_charts(wb: Workbook, charts: dict[str, str]) -> None:
    from openpyxl.packaging.custom import StringProperty

    props = wb.custom_doc_props  # type: ignore[attr-defined]
    props.props = [p for p in props.props if p.name != MARKER_CHARTS]
    props.append(StringProperty(name=MARKER_CHARTS, value=json.dumps(charts, sort_keys=True)))


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


def _generated_marks(wb: Workbook) -> dict[str, str]:
    """The generated tabs a workbook's document property marks: template tab -> tab."""
    custom = wb.custom_doc_props  # type: ignore[attr-defined]
    text = next((p.value for p in custom.props if p.name == MARKER_GENERATED), None)
    try:
        marks = json.loads(str(text)) if text is not None else {}
    except ValueError:
        return {}
    if not isinstance(marks, dict):
        return {}
    return {str(k): str(v) for k, v in marks.items() if isinstance(v, str)}


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
            location=f"{quote_tab(value.tab)}!{value.a1}",
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
        if isinstance(value, bool):
            pass
        elif update.format in ("percent", "integer", "decimal", "date"):
            # The tool's display format on the numbers it writes (``number``: left as is).
            cell.number_format = COLUMN_FORMATS[update.format]


__all__ = ["XlsxBackend", "editor_lock"]
