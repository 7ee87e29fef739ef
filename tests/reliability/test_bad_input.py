"""Bad input: a corpus of messy cells, and hypothesis fuzzing of whole tables.

Every corpus case (tests/reliability/messy_cells.py) is placed into the small valid workbook
of tests/helpers.py and read in memory (``analyze``, then a ``sync`` on the memory backend);
the cases marked ``real`` also go through the xlsx backend (a file openpyxl wrote, patched
where openpyxl cannot write what Excel or LibreOffice would: calculated formula values,
numbers beyond a double) and the Google backend (real gspread on the API fake); in the full
run every case goes through every backend that can hold it. Each case's expected outcome is
checked, and every sync is also checked to write only into cells the tool owns and nothing
over the backend's cell limit, to leave people's cells as they were, and to settle: the sync
after next has nothing to do (the next one may, as the first formats an unformatted sheet).

Then random whole workbooks (headers from the template plus junk, cells of every CellValue
kind) go through ``analyze`` and now and then a full ``sync`` on the memory backend.

A crash is any exception out of reading, ``analyze`` or ``sync`` other than the tool's own
SheetsSyncError with a clear message.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import math
import re
import tempfile
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync.a1 import a1
from sheets_sync.backends.base import (
    Backend,
    CellError,
    CellUpdate,
    CellValue,
    Link,
    RawTab,
    WorkbookData,
)
from sheets_sync.config import Config
from sheets_sync.errors import SheetsSyncError
from sheets_sync.findings import RULES
from sheets_sync.sync import Analysis, SyncResult, analyze, sync
from sheets_sync.templates import load_template, normalize_header
from tests.fakes.memory import MemoryBackend
from tests.helpers import AS_OF, base_tabs
from tests.reliability.figures import FULL, record, scale
from tests.reliability.messy_cells import (
    CASES,
    GOOGLE_LIMIT,
    XLSX_LIMIT,
    AddColumn,
    Case,
    Clean,
    CopyRow,
    DropTab,
    EmptyWorkbook,
    Extend,
    Finds,
    Header,
    InsertRow,
    KeepRows,
    Merge,
    Put,
    Reads,
    Refuses,
    RenameTab,
    column,
    serial,
)

SUITE = "bad_input"
TEMPLATE = load_template()
LIMITS = {"memory": XLSX_LIMIT, "xlsx": XLSX_LIMIT, "google": GOOGLE_LIMIT}
COMPUTED = {t.name: {c.header for c in t.computed} for t in TEMPLATE.tables}
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")
ERROR_TYPES = {
    "#REF!": "REF",
    "#NAME?": "NAME",
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#N/A": "N_A",
    "#NUM!": "NUM",
    "#NULL!": "NULL_VALUE",
}


# --- a case as a workbook -----------------------------------------------------------------------


@dataclass
class Built:
    """A case applied to the base workbook: grids, formulas (with their values) and merges."""

    tabs: dict[str, list[list[CellValue]]]
    formulas: dict[tuple[str, int, int], str] = field(default_factory=dict)
    merges: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False


def _cell_range(text: str) -> Iterator[tuple[int, int]]:
    first, _, last = text.partition(":")
    (r1, c1), (r2, c2) = _parse_a1(first), _parse_a1(last or first)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            yield r, c


def _parse_a1(ref: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert match, ref
    col = 0
    for ch in match[1]:
        col = col * 26 + ord(ch) - 64
    return int(match[2]) - 1, col - 1


def _put(grid: list[list[CellValue]], row: int, col: int, value: CellValue) -> None:
    while len(grid) <= row:
        grid.append([])
    cells = grid[row]
    while len(cells) <= col:
        cells.append(None)
    cells[col] = value


def build(case: Case) -> Built:
    """Apply a case's edits to a fresh copy of the base workbook."""
    built = Built(base_tabs())
    tabs = built.tabs
    for edit in case.edits:
        if isinstance(edit, Put):
            col = column(edit.tab, edit.header)
            _put(tabs[edit.tab], edit.row, col, edit.value)
            if edit.formula is not None:
                built.formulas[(edit.tab, edit.row, col)] = edit.formula
        elif isinstance(edit, Header):
            tabs[edit.tab][0][column(edit.tab, edit.header)] = edit.text
        elif isinstance(edit, AddColumn):
            grid = tabs[edit.tab]
            col = len(grid[0])
            _put(grid, 0, col, edit.text)
            for row, value in enumerate(edit.values, start=1):
                _put(grid, row, col, value)
        elif isinstance(edit, CopyRow):
            grid = tabs[edit.tab]
            new = list(grid[edit.row])
            grid.append(new)
            for header, value in edit.changes.items():
                _put(grid, len(grid) - 1, column(edit.tab, header), value)
        elif isinstance(edit, InsertRow):
            tabs[edit.tab].insert(edit.at, list(edit.values))
            built.formulas = {
                (t, r + 1 if t == edit.tab and r >= edit.at else r, c): f
                for (t, r, c), f in built.formulas.items()
            }
        elif isinstance(edit, Extend):
            grid = tabs[edit.tab]
            width = len(grid[0])
            cells = grid[edit.row]
            cells.extend([None] * (width - len(cells)))
            cells.extend(edit.values)
        elif isinstance(edit, DropTab):
            del tabs[edit.tab]
        elif isinstance(edit, RenameTab):
            built.tabs = tabs = {
                (edit.new if name == edit.tab else name): grid for name, grid in tabs.items()
            }
        elif isinstance(edit, KeepRows):
            del tabs[edit.tab][edit.rows :]
        elif isinstance(edit, Merge):
            built.merges.append((edit.tab, edit.range))
            anchor = None
            for r, c in _cell_range(edit.range):
                if anchor is None:
                    anchor = (r, c)
                    continue
                if r < len(tabs[edit.tab]) and c < len(tabs[edit.tab][r]):
                    tabs[edit.tab][r][c] = None
                built.formulas.pop((edit.tab, r, c), None)
        elif isinstance(edit, EmptyWorkbook):
            built.tabs = tabs = {}
            built.empty = True
        else:  # pragma: no cover - a new edit kind without a branch here
            raise AssertionError(f"unknown edit {edit!r}")
    return built


def representable(case: Case, built: Built, backend: str) -> str | None:
    """Why ``backend`` cannot hold this case, or None when it can."""
    if backend in case.skip:
        return case.skip[backend]
    if backend == "memory":
        return None
    for grid in built.tabs.values():
        for row in grid:
            for value in row:
                if isinstance(value, float) and not math.isfinite(value):
                    return "not a finite number"
                if isinstance(value, Link):
                    return "a link cell"
                if isinstance(value, str) and len(value) > LIMITS[backend]:
                    return "beyond the cell limit"
                if backend == "xlsx" and isinstance(value, str) and _ILLEGAL_XML.search(value):
                    return "a control character"
                if backend == "google" and isinstance(value, int) and abs(value) > 2**1023:
                    return "beyond a double"
    return None


# --- the backends -------------------------------------------------------------------------------


class Place:
    """Puts a built case into one backend and gives fresh backend objects on it."""

    name = ""

    def __init__(self, case: Case, built: Built) -> None:
        self.case = case
        self.built = built

    def backend(self) -> Backend:
        raise NotImplementedError

    def close(self) -> None:
        """Forget the workbook."""



class MemoryPlace(Place):
    name = "memory"

    def __init__(self, case: Case, built: Built) -> None:
        super().__init__(case, built)
        self.store = MemoryBackend(built.tabs)
        for (tab, row, col), formula in built.formulas.items():
            self.store.tabs[tab].formulas[(row, col)] = formula
        locale = case.sheet_locale
        read = self.store.read

        def read_with_locale() -> WorkbookData:
            data = read()
            data.locale = locale
            return data

        self.store.read = read_with_locale  # type: ignore[method-assign]

    def backend(self) -> Backend:
        return self.store


def _xlsx_cached(value: CellValue) -> tuple[str, str] | None:
    """(t attribute, <v> text) of a formula's calculated value, as Excel stores it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, CellError):
        return "e", value.code
    if isinstance(value, dt.date):
        return "n", str(serial(value))
    if isinstance(value, int | float):
        return "n", repr(value)
    return "str", html.escape(str(value), quote=False)


class XlsxPlace(Place):
    name = "xlsx"

    def __init__(self, case: Case, built: Built, folder: Path) -> None:
        super().__init__(case, built)
        import openpyxl

        self.path = folder / "messy.xlsx"
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        if built.empty:
            wb.create_sheet("Sheet")
        patches: dict[int, dict[str, tuple[str, str]]] = {}
        big: dict[int, dict[str, str]] = {}
        for index, (name, grid) in enumerate(built.tabs.items(), start=1):
            ws = wb.create_sheet(name)
            for r, row in enumerate(grid):
                for c, value in enumerate(row):
                    formula = built.formulas.get((name, r, c))
                    if value is None and formula is None:
                        continue
                    cell = ws.cell(r + 1, c + 1)
                    ref = cell.coordinate
                    if formula is not None:
                        cell.value = formula
                        if isinstance(value, dt.date):
                            cell.number_format = "yyyy-mm-dd"
                        cached = _xlsx_cached(value)
                        if cached is not None:
                            patches.setdefault(index, {})[ref] = cached
                    elif isinstance(value, CellError):
                        cell.value = value.code
                        cell.data_type = "e"
                    elif isinstance(value, int) and not isinstance(value, bool) and (
                        abs(value) > 2**1023
                    ):
                        cell.value = 0
                        big.setdefault(index, {})[ref] = str(value)
                    elif isinstance(value, str):
                        if value == "":
                            continue
                        cell.value = value
                        cell.data_type = "s"  # text stays text, even "=1+1" or "#N/A"
                    else:
                        cell.value = value
            for _, merge in [m for m in built.merges if m[0] == name]:
                ws.merge_cells(merge)
        wb.save(self.path)
        if patches or big:
            _patch_sheets(self.path, patches, big)

    def backend(self) -> Backend:
        from sheets_sync.backends.xlsx import XlsxBackend

        return XlsxBackend(self.path)



def _patch_sheets(
    path: Path, patches: dict[int, dict[str, tuple[str, str]]], big: dict[int, dict[str, str]]
) -> None:
    """Write what openpyxl cannot: formulas' calculated values and numbers beyond a double."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    for index in set(patches) | set(big):
        name = f"xl/worksheets/sheet{index}.xml"
        xml = parts[name].decode()
        for ref, (kind, text) in patches.get(index, {}).items():
            pattern = re.compile(rf'(<c r="{ref}"[^>]*)><f>(.*?)</f><v\s*/>', re.S)
            xml, n = pattern.subn(
                lambda m, k=kind, t=text: f'{m[1]} t="{k}"><f>{m[2]}</f><v>{t}</v>', xml
            )
            assert n == 1, (ref, xml[:2000])
        for ref, digits in big.get(index, {}).items():
            pattern = re.compile(rf'(<c r="{ref}"[^>]*>)<v>0</v>')
            xml, n = pattern.subn(lambda m, d=digits: f"{m[1]}<v>{d}</v>", xml)
            assert n == 1, (ref, xml[:2000])
        parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _google_value(value: CellValue) -> dict[str, Any] | None:
    """A calculated value as the Sheets API's ExtendedValue."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, CellError):
        kind = ERROR_TYPES.get(value.code, "ERROR")
        return {"errorValue": {"type": kind, "message": value.code}}
    if isinstance(value, dt.date):
        return {"numberValue": serial(value)}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


class GooglePlace(Place):
    name = "google"
    _fake: Any = None

    def __init__(self, case: Case, built: Built) -> None:
        super().__init__(case, built)
        from tests.fakes.google_api import FakeGoogle

        if GooglePlace._fake is None:
            GooglePlace._fake = FakeGoogle(seed=4)
        self.fake = GooglePlace._fake
        special: dict[tuple[str, int, int], CellValue] = {}
        plain: dict[str, list[list[Any]]] = {}
        for name, grid in built.tabs.items():
            rows: list[list[Any]] = []
            for r, row in enumerate(grid):
                out: list[Any] = []
                for c, value in enumerate(row):
                    typed_text = isinstance(value, str) and value.startswith("=")
                    if (name, r, c) in built.formulas or isinstance(value, CellError) or (
                        typed_text
                    ):
                        special[(name, r, c)] = value
                        out.append(None)
                    else:
                        out.append(value)
                rows.append(out)
            plain[name] = rows
        for key in built.formulas:
            special.setdefault(key, None)
        self.sid = self.fake.create_spreadsheet(
            "Messy",
            plain if not built.empty else None,
            locale=case.sheet_locale or "en_US",
        )
        ss = self.fake.spreadsheet(self.sid)
        for sheet in ss.sheets:  # a small grid, as a person's sheet may be: fast to format
            sheet.set_dimension_count("ROWS", max(sheet.extent()[0] + 3, 20))
        for (name, r, c), value in special.items():
            formula = built.formulas.get((name, r, c))
            if formula is not None:
                ss.set_cell(name, r, c, formula)
                if isinstance(value, dt.date):
                    ss.set_format(
                        name, r, c, {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}
                    )
                stored = ss.sheet(name).cell_for_write(r, c)
                stored["_effective"] = _google_value(value)
            else:
                ss.set_cell(name, r, c, "placeholder")
                stored = ss.sheet(name).cell_for_write(r, c)
                stored["userEnteredValue"] = _google_value(value)

    def backend(self) -> Backend:
        from tests.fakes.google_backend import google_backend

        return google_backend(self.fake, self.sid)

    def close(self) -> None:
        self.fake.spreadsheets.pop(self.sid, None)
        self.fake.files.pop(self.sid, None)



# --- running a case -----------------------------------------------------------------------------


@dataclass
class Tally:
    """What the corpus runs found, across backends."""

    runs: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    over_limit: list[str] = field(default_factory=list)
    not_noop: list[str] = field(default_factory=list)
    resynced: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


TALLY = Tally()


def _crash(where: str, exc: BaseException) -> str:
    tail = "".join(traceback.format_exception(exc)[-3:]).strip()
    return f"{where}: {type(exc).__name__}: {exc!s:.200}\n{tail}"


def _same(got: Any, want: Any) -> bool:
    if want is None:
        return got is None
    if isinstance(want, float):
        return isinstance(got, float) and math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(want, dt.date):
        return type(got) is dt.date and got == want
    return type(got) is type(want) and got == want


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:60] + f"... ({len(text)} chars)"


def check_analysis(case: Case, analysis: Analysis, where: str) -> list[str]:
    """Whether the analysis meets the case's expectations; failures and unnamed bad cells."""
    failures: list[str] = []
    findings = analysis.findings
    tables = analysis.context.tables

    def named(tab: str, cell: str) -> list[str]:
        return [f.rule for f in findings if f.tab == tab and f.cell == cell]

    for expect in case.expect:
        if isinstance(expect, Reads):
            tab, header, row = expect.at or _own(case)
            table = tables[tab]
            cell = a1(row, column(tab, header))
            if row not in table.rows:
                failures.append(f"{where}: {tab}!{cell} is not a record")
                continue
            index = table.rows.index(row)
            spec_headers = {c.header for c in table.spec.inputs}
            if header in spec_headers:
                got = table.records[index].get(header)
            else:  # a RACI role cell: its code shows in Accountable / Responsible
                computed = analysis.outcome.computed.get(tab, {}).get(index, {})
                acc = (computed.get("Accountable") or "").split(", ")
                resp = (computed.get("Responsible") or "").split(", ")
                got = {(True, True): "A/R", (True, False): "A", (False, True): "R"}.get(
                    (header in acc, header in resp), "C or I or none"
                )
            if not _same(got, expect.value):
                failures.append(
                    f"{where}: {tab}!{cell} read {_short(got)}, expected {_short(expect.value)}"
                )
            expected = {e.rule for e in case.expect if isinstance(e, Finds)}
            others = [rule for rule in named(tab, cell) if rule not in expected]
            if others:
                failures.append(f"{where}: {tab}!{cell} reads but is named by {others}")
        elif isinstance(expect, Finds):
            tab = expect.tab or case.tab
            cell = case.cell if expect.cell is None else expect.cell
            if not any(f.rule == expect.rule and f.tab == tab and f.cell == cell for f in findings):
                got = sorted({(f.rule, f.tab, f.cell) for f in findings})
                failures.append(f"{where}: no {expect.rule} naming {tab}!{cell!r}; got {got}")
        elif isinstance(expect, Clean):
            tab = expect.tab or case.tab
            on_tab = sorted({(f.rule, f.cell) for f in findings if f.tab == tab})
            if on_tab:
                failures.append(f"{where}: expected no finding on {tab}, got {on_tab}")
    return failures


def unnamed_cells(case: Case, analysis: Analysis, where: str) -> list[str]:
    """Bad cells of the case (an expected finding with a cell) that no finding names."""
    out = []
    for expect in case.expect:
        if isinstance(expect, Finds):
            tab = expect.tab or case.tab
            cell = case.cell if expect.cell is None else expect.cell
            if cell and not any(f.tab == tab and f.cell == cell for f in analysis.findings):
                out.append(f"{where}: nothing names {tab}!{cell}")
    return out


def _own(case: Case) -> tuple[str, str, int]:
    put = next(e for e in case.edits if isinstance(e, Put))
    return put.tab, put.header, put.row


def _people_cells(case: Case, data: WorkbookData) -> dict[str, CellValue]:
    """The values of the cells the case put, as read (what a sync must leave alone)."""
    out = {}
    for edit in case.edits:
        if isinstance(edit, Put) and edit.header not in COMPUTED[edit.tab]:
            raw = data.tab(edit.tab)
            if raw is not None:
                out[f"{edit.tab}!{edit.cell}"] = raw.get(edit.row, column(edit.tab, edit.header))
    return out


class Captured:
    """A backend whose reads are kept (a deep copy each, before the pipeline touches them)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.reads: list[WorkbookData] = []
        self.earlier = vars(backend).get("read")
        read = backend.read

        def kept() -> WorkbookData:
            data = read()
            self.reads.append(copy.deepcopy(data))
            return data

        backend.read = kept  # type: ignore[method-assign]

    def release(self) -> None:
        if self.earlier is None:
            del self.backend.read  # type: ignore[method-assign]
        else:
            self.backend.read = self.earlier  # type: ignore[method-assign]


def run_case(case: Case, place: Place, *, depth: int = 2) -> None:
    """Read and analyze, check; sync (``depth`` 1) and sync again (2); tally everything.

    The first sync's own read is the one analyzed, and the second sync's read is the one
    checked for what the first wrote, so a case costs two reads of the workbook (three when
    the second sync still had something to do).
    """
    where = f"[{place.name}] {case.id}"
    config = Config(locale=case.locale)
    TALLY.runs[place.name] += 1
    refusal = next(
        (e for e in case.expect if isinstance(e, Refuses) and e.backend == place.name), None
    )
    if depth == 0:
        first = Synced()
        try:
            first.data = place.backend().read()
        except Exception as exc:
            TALLY.crashes.append(_crash(where + " read", exc))
            return
    else:
        first = _sync(place, config, where, refusal)
    if first.data is None:
        return
    try:
        analysis = analyze(copy.deepcopy(first.data), TEMPLATE, config, AS_OF)
    except Exception as exc:
        TALLY.crashes.append(_crash(where + " analyze", exc))
        return
    TALLY.failures.extend(check_analysis(case, analysis, where))
    TALLY.unnamed.extend(unnamed_cells(case, analysis, where))
    if first.result is None:
        return
    if refusal is not None:
        TALLY.failures.append(f"{where}: sync wrote, expected a refusal naming {refusal.text}")
    TALLY.failures.extend(owned_writes(first.data, first.result.updates, where))
    limit = LIMITS[place.name]
    for update in first.result.updates:
        value = update.value.text if isinstance(update.value, Link) else update.value
        if isinstance(value, str) and len(value) > limit:
            cell = f"{update.tab}!{a1(update.row, update.col)}"
            TALLY.over_limit.append(f"{where}: wrote {len(value)} characters to {cell}")
    if depth < 2:
        return
    second = _sync(place, config, where + " (second sync)", None)
    if second.data is None or second.result is None:
        return
    if place.name != "memory":  # a real backend's stored cells, read back after the write
        stored = over_limit(second.data, limit)
        TALLY.over_limit.extend(f"{where}: stored {cell}" for cell in stored)
    before, after = _people_cells(case, first.data), _people_cells(case, second.data)
    for cell, value in before.items():
        if not _same_after_save(value, after.get(cell), place.name, cell in _formula_cells(case)):
            TALLY.failures.append(
                f"{where}: sync changed {cell}: {_short(value)} -> {_short(after.get(cell))}"
            )
    if not second.result.cells_changed:
        return
    # The first sync formats an unformatted workbook, and formatting changes how some cells
    # read (a serial in a date column reads as a date); a third sync must find nothing to do.
    TALLY.resynced.append(f"{where}: {_changes(second.result)}")
    third = _sync(place, config, where + " (third sync)", None)
    if third.result is not None and third.result.cells_changed:
        TALLY.not_noop.append(f"{where}: third sync changed {_changes(third.result)}")


@dataclass
class Synced:
    data: WorkbookData | None = None
    result: SyncResult | None = None


def _sync(place: Place, config: Config, where: str, refusal: Refuses | None) -> Synced:
    """One sync, its read kept; crashes and refusals tallied."""
    captured = Captured(place.backend())
    out = Synced()
    try:
        out.result = sync(captured.backend, config, as_of=AS_OF)
    except SheetsSyncError as exc:
        message = str(exc)
        if refusal is None:
            TALLY.failures.append(f"{where}: sync refused: {message}")
        elif refusal.text not in message or not message.strip():
            TALLY.failures.append(f"{where}: refusal {message!r} lacks {refusal.text!r}")
    except Exception as exc:
        TALLY.crashes.append(_crash(where, exc))
    finally:
        captured.release()
    out.data = captured.reads[0] if captured.reads else None
    return out


def _changes(result: SyncResult) -> str:
    shown = [f"{u.tab}!{a1(u.row, u.col)}={_short(u.value)}" for u in result.updates[:3]]
    return f"{result.cells_changed} cells: {shown}"


def owned_writes(data: WorkbookData, updates: list[CellUpdate], where: str) -> list[str]:
    """Updates that land in a cell people own: an input column, or a column the tool lacks."""
    out = []
    owned: dict[str, set[str]] = {
        t.name: {c.norm for c in t.computed} for t in TEMPLATE.tables if t.kind == "table"
    }
    for update in updates:
        raw = data.tab(update.tab)
        spec = next((name for name in owned if data.tab(name) is raw), None)
        if raw is None or spec is None:
            continue  # a generated tab (Issues, Dashboard) or one the tool added
        if update.row == 0 or update.col >= raw.width:
            continue  # a header or column the plan adds
        header = normalize_header(raw.get(0, update.col))
        if header not in owned[spec]:
            out.append(f"{where}: wrote {update.tab}!{a1(update.row, update.col)} ({header!r})")
    return out


def over_limit(data: WorkbookData, limit: int) -> list[str]:
    """Cells of a workbook as read that hold more characters than the backend allows."""
    return [
        f"{name}!{a1(r, c)} ({len(value)})"
        for name, tab in data.tabs.items()
        for r, row in enumerate(tab.values)
        for c, value in enumerate(row)
        if isinstance(value, str) and len(value) > limit
    ]


def _formula_cells(case: Case) -> set[str]:
    return {f"{e.tab}!{e.cell}" for e in case.edits if isinstance(e, Put) and e.formula}


def _same_after_save(before: CellValue, after: CellValue, backend: str, formula: bool) -> bool:
    """Whether a cell people own still holds what it held, as far as a sync can tell.

    Formatting the first sync installs may change how a value reads, not the value: a serial
    in a date column reads as that date (or, below 1, as a time), a date-time as its date.
    Formula cells keep their calculated values through the tool's saves.
    """
    if _same_cell(before, after):
        return True
    number = (int, float)
    if isinstance(before, number) and isinstance(after, dt.date) and not isinstance(before, bool):
        day = after.date() if isinstance(after, dt.datetime) else after
        return serial(day) == math.floor(before)
    if isinstance(before, dt.date) and isinstance(after, number) and not isinstance(after, bool):
        day = before.date() if isinstance(before, dt.datetime) else before
        return serial(day) == math.floor(after)
    if isinstance(before, dt.datetime) and isinstance(after, dt.date):
        return before.date() == after
    if isinstance(before, number) and 0 <= before < 1 and isinstance(after, str):
        return re.fullmatch(r"\d\d:\d\d(:\d\d)?", after) is not None
    return False


def _same_cell(a: CellValue, b: CellValue) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b)) if abs(a) < 1e300 else a == b
    return a == b or (a is None and b == "") or (a == "" and b is None)


def record_corpus() -> None:
    """The corpus figures, cumulative over the backends run so far."""
    record(SUITE, "corpus_cases", len(CASES))
    skipped = sum(TALLY.skipped.values())
    record(
        SUITE, "corpus_runs", sum(TALLY.runs.values()),
        note=", ".join(f"{k} {v}" for k, v in sorted(TALLY.runs.items()))
        + (f"; {skipped} case-backend pairs a backend cannot hold" if skipped else ""),
    )
    record(SUITE, "crashes", len(TALLY.crashes), must_be=0)
    record(SUITE, "bad_cells_without_a_finding_naming_their_cell", len(TALLY.unnamed), must_be=0)
    record(SUITE, "expectation_failures", len(TALLY.failures), must_be=0)
    record(SUITE, "cells_written_over_backend_limit", len(TALLY.over_limit), must_be=0)
    record(
        SUITE, "second_sync_with_changes", len(TALLY.resynced),
        note="the first sync formats an unformatted workbook, which changes how some cells "
        "read",
    )
    record(SUITE, "third_sync_not_a_noop", len(TALLY.not_noop), must_be=0)


def assert_clean(backend: str) -> None:
    """Everything the runs on ``backend`` found wrong, in one message."""
    problems = {
        "crashes": TALLY.crashes,
        "unnamed bad cells": TALLY.unnamed,
        "expectation failures": TALLY.failures,
        "over the cell limit": TALLY.over_limit,
        "third sync not a no-op": TALLY.not_noop,
    }
    lines = []
    for name, every in problems.items():
        items = [item for item in every if item.startswith(f"[{backend}]")]
        if items:
            lines.append(f"{name}: {len(items)}\n  " + "\n  ".join(items[:25]))
    assert not lines, f"corpus on {backend}:\n" + "\n".join(lines)


#: Groups whose cases mean most on a real backend: the fast run keeps more of them.
ESSENTIAL = frozenset({"limits", "merges", "formulas", "tabs", "errors"})


def plan_runs(backend: str) -> list[tuple[Case, int]]:
    """(case, depth) to run on a backend: everything in the full run, a subset in the fast.

    Fast: in memory every case is analyzed and every sixth synced twice; on a real backend
    the cases marked for it, half of the essential groups (synced twice) and a quarter of
    the rest (synced once), the two backends taking different halves and quarters; a case
    marked for one real backend only always runs there.
    """
    if FULL:
        return [(c, 2) for c in CASES]
    if backend == "memory":
        return [(c, 2 if i % 6 == 0 else 0) for i, c in enumerate(CASES)]
    offset = 0 if backend == "xlsx" else 1
    out = []
    for i, c in enumerate(c for c in CASES if backend in c.real):
        alone = len(c.real) == 1
        if c.group in ESSENTIAL and (alone or i % 2 == offset):
            out.append((c, 2))
        elif alone or i % 4 == 2 * offset:
            out.append((c, 1))
    return out

# --- the corpus ---------------------------------------------------------------------------------


def test_corpus_is_big_and_covers_every_kind() -> None:
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
    groups = Counter(c.group for c in CASES)
    for group in ("dates", "numbers", "text", "ids", "references", "enums", "raci", "formulas",
                  "errors", "limits", "headers", "rows", "keys", "merges", "tabs"):
        assert groups[group] >= 3, group
    for c in CASES:
        assert c.expect, c.id
        for e in c.expect:
            if isinstance(e, Finds):
                assert e.rule in RULES, (c.id, e.rule)


def _run_backend(name: str, make: Callable[[Case, Built, Path], Place]) -> None:
    # In memory-backed storage where there is one: fsync there costs nothing, and durability
    # is the crash-safety suite's subject, not this one's.
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        for i, (case, depth) in enumerate(plan_runs(name)):
            built = build(case)
            why = representable(case, built, name)
            if why is not None:
                TALLY.skipped[why] += 1
                continue
            folder = Path(tmp) / str(i)
            folder.mkdir()
            place = make(case, copy.deepcopy(built), folder)
            try:
                run_case(case, place, depth=depth)
            finally:
                place.close()
    record_corpus()
    assert_clean(name)


def test_corpus_in_memory() -> None:
    _run_backend("memory", lambda case, built, _folder: MemoryPlace(case, built))


def test_corpus_on_xlsx() -> None:
    _run_backend("xlsx", lambda case, built, folder: XlsxPlace(case, built, folder))


def test_corpus_on_google() -> None:
    _run_backend("google", lambda case, built, _folder: GooglePlace(case, built))


# --- fuzzing whole tables -----------------------------------------------------------------------

INPUT_TABS = [t for t in TEMPLATE.tables if t.kind == "table"]
ALL_HEADERS = sorted({c.header for t in TEMPLATE.tables for c in t.columns})
MESSY_TEXTS = sorted(
    {
        e.value
        for c in CASES
        for e in c.edits
        if isinstance(e, Put) and isinstance(e.value, str) and len(e.value) < 200
    }
)
PLAUSIBLE = [
    "G1", "G2", "g1", "K1", "K2", "T1", "Ana", "Ben", "ana", "Cara", "Northwind", "Contoso",
    "increase", "decrease", "maintain above", "maintain below", "weekly", "biweekly",
    "monthly", "quarterly", "A", "R", "C", "I", "A/R", "R/A", "x", "",
    "2026-11-03", "3 Nov 2026", "11/3/2026", "12%", "1,234.5", "(5)",
]
ERRORS = ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!"]
FORMULAS = [
    "=1+1", "=SUM(A1:A9)", '=IMPORTXML("https://x.example","//a")', "=IMPORTRANGE(\"k\",\"A1\")",
    '=HYPERLINK("https://evil.example","Ana")', '=HYPERLINK("#gid=0&range=A2","G1")',
    '=IMAGE("https://x.example/a.png")', "=NOW()",
]

texts = st.text(max_size=24)
cell_values: st.SearchStrategy[CellValue] = st.one_of(
    st.none(),
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(MESSY_TEXTS),
    texts,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 2**63, 0, 1, -1]),
    st.floats(),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.dates(min_value=dt.date(2025, 6, 1), max_value=dt.date(2027, 6, 1)),
    st.datetimes(),
    st.builds(CellError, st.sampled_from(ERRORS)),
    st.builds(Link, texts, st.sampled_from(["People", "Goals", "Nowhere"]), st.just("A1")),
)
junk_headers: st.SearchStrategy[CellValue] = st.one_of(
    st.none(),
    texts,
    st.sampled_from(["Ana", "Ben", "Cara", "Partnership lead", "Notes", "  goal  ID ", "STATUS"]),
    st.integers(-5, 3000),
    st.builds(CellError, st.sampled_from(ERRORS)),
    st.dates(),
    st.booleans(),
)


IDS = {"Goals": ["G1", "G2", "G3"], "KPIs": ["K1", "K2", "K3"], "RACI": ["T1", "T2", "T3"],
       "People": ["Ana", "Ben", "Cara"]}
REFERENCES = {"goal": IDS["Goals"], "kpi": IDS["KPIs"], "person": IDS["People"]}
near_dates = st.dates(min_value=dt.date(2025, 6, 1), max_value=dt.date(2027, 6, 1))
VALID: dict[str, st.SearchStrategy[CellValue]] = {
    "text": st.sampled_from(["Launch", "Northwind", "Contoso", "Grow signups", "x"]),
    "email": st.sampled_from(["ana@northwind.example", "BEN@contoso.example", "nope"]),
    "date": st.one_of(near_dates, near_dates.map(lambda d: d.isoformat()),
                      near_dates.map(lambda d: f"{d.day} {d:%b %Y}")),
    "number": st.one_of(st.integers(-100, 1000), st.floats(-100, 1000, allow_nan=False),
                        st.sampled_from(["1,234.5", "12%", "(5)", "$40"])),
}


def typed_values(tab: str, header: CellValue) -> st.SearchStrategy[CellValue]:
    """Mostly a plausible value for the column under ``header``, now and then anything."""
    spec = TEMPLATE.table(tab)
    norm = normalize_header(header) if isinstance(header, str) else ""
    column = next((c for c in spec.columns if c.norm == norm), None)
    valid: st.SearchStrategy[CellValue]
    if column is None:
        if tab != "RACI":
            return cell_values
        valid = st.sampled_from(["R", "A", "C", "I", "A/R", "r/a", None, None])
    elif column.computed:
        return chance(1, 4).flatmap(lambda junk: cell_values if junk else st.none())
    elif column.key:
        valid = st.sampled_from(IDS[tab])
    elif column.type in REFERENCES:
        valid = st.sampled_from(REFERENCES[column.type])
    elif column.enum is not None:
        valid = st.sampled_from(column.enum.values)
    else:
        valid = VALID.get(column.type, VALID["text"])
    if column is None or not (column.required or column.key):
        valid = st.one_of(valid, st.none())
    # Not st.one_of(valid, cell_values): it flattens cell_values' own branches, so valid
    # would come up once in fifteen.
    return chance(9, 10).flatmap(lambda ok: valid if ok else cell_values)


def chance(k: int, n: int) -> st.SearchStrategy[bool]:
    """True k times in n (hypothesis draws small integers far more often than 1 in n)."""
    return st.sampled_from([False] * (n - k) + [True] * k)


@st.composite
def header_rows(draw: st.DrawFn, headers: list[str]) -> list[CellValue]:
    """The template's headers, mostly: as they are, or shuffled, dropped, doubled, mixed."""
    kind = draw(st.sampled_from(["exact"] * 5 + ["edited"] * 3 + ["random"] * 2))
    if kind != "random":
        row: list[CellValue] = list(headers)
        if draw(st.booleans()):
            row = draw(st.permutations(row))
        if kind == "exact":
            return row
        for _ in range(draw(st.sampled_from([0, 1, 1, 2]))):
            if row:
                row.pop(draw(st.integers(0, len(row) - 1)))
        for _ in range(draw(st.sampled_from([0, 1, 1, 2, 3]))):
            extra = draw(st.one_of(junk_headers, st.sampled_from(ALL_HEADERS)))
            row.insert(draw(st.integers(0, len(row))), extra)
        return row
    return draw(st.lists(st.one_of(st.sampled_from(ALL_HEADERS), junk_headers), max_size=14))


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[dict[str, RawTab], str | None, str | None, dt.date]:
    tabs: dict[str, RawTab] = {}
    specs = draw(st.permutations(INPUT_TABS))
    for spec in specs:
        if draw(chance(1, 10)):
            continue  # the tab is missing
        name = spec.name
        style = draw(st.sampled_from(["as is"] * 8 + ["odd", "junk"]))
        if style == "odd":
            name = f"  {name.upper()} "
        elif style == "junk":
            name = draw(st.text(min_size=1, max_size=12))
        if name in tabs:
            continue
        header = draw(header_rows([c.header for c in spec.columns]))
        width = len(header) + 2
        if draw(chance(1, 3)):  # cells of every kind anywhere
            rows = draw(st.lists(st.lists(cell_values, max_size=width), max_size=7))
        else:  # mostly what each column expects, so the rules get to judge something
            typed = [typed_values(spec.name, h) for h in header]
            rows = draw(st.lists(st.tuples(*typed).map(list), max_size=7))
        values = [] if draw(chance(1, 20)) else [header, *rows]
        formulas = {}
        if values and draw(chance(1, 4)):
            for _ in range(draw(st.integers(1, 3))):
                r = draw(st.integers(0, len(values)))
                c = draw(st.integers(0, width))
                formulas[(r, c)] = draw(st.sampled_from(FORMULAS))
                if r < len(values) and c < len(values[r]) and draw(st.booleans()):
                    values[r][c] = None  # no calculated value in the file
        tabs[name] = RawTab(name, values, formulas)
    for generated in ("Issues", "Dashboard"):
        if draw(chance(1, 5)):
            rows = draw(st.lists(st.lists(cell_values, max_size=9), max_size=4))
            tabs[generated] = RawTab(generated, rows)
    locale = draw(st.sampled_from([None, "en_US", "en_GB", "de_DE", "fr_FR", "ja_JP", "xx"]))
    sheet_locale = draw(st.sampled_from([None, "en_US", "en_GB", "de_DE"]))
    as_of = draw(
        chance(1, 5).flatmap(
            lambda far: st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1))
            if far
            else near_dates
        )
    )
    return tabs, locale, sheet_locale, as_of


def fuzz_unnamed(analysis: Analysis) -> list[str]:
    """Cells of declared input columns that could not be read and that no finding names."""
    out = []
    named = {(f.tab, f.cell) for f in analysis.findings if f.cell}
    for name, table in analysis.context.tables.items():
        for index, header in table.invalid:
            cell = table.cell(index, header)
            if (name, cell) not in named:
                out.append(f"{name}!{cell} ({header})")
        raw = table.raw
        if raw is None:
            continue
        for row in table.rows:
            for spec in table.spec.inputs:
                col = table.col(spec.header)
                if col is None or not isinstance(raw.get(row, col), CellError):
                    continue
                if (name, a1(row, col)) not in named:
                    out.append(f"{name}!{a1(row, col)} holds {raw.get(row, col)}")
    return out


def test_fuzz_whole_tables() -> None:
    stats: Counter[str] = Counter()
    problems: list[str] = []
    headers = {normalize_header(h) for h in ALL_HEADERS}
    del headers

    @settings(
        max_examples=scale(200, 10_000),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(workbooks(), chance(1, 20))
    def fuzz(
        drawn: tuple[dict[str, RawTab], str | None, str | None, dt.date], full_sync: bool
    ) -> None:
        tabs, locale, sheet_locale, as_of = drawn
        stats["examples"] += 1
        config = Config(locale=locale)
        data = WorkbookData("fuzz", copy.deepcopy(tabs), locale=sheet_locale)
        try:
            analysis = analyze(data, TEMPLATE, config, as_of)
        except SheetsSyncError:
            stats["refusals"] += 1
            return
        except Exception as exc:
            stats["crashes"] += 1
            problems.append(_crash("analyze", exc))
            raise
        for f in analysis.findings:
            assert f.rule in RULES
            assert not f.cell or re.fullmatch(r"[A-Z]+[1-9]\d*", f.cell), f
        unnamed = fuzz_unnamed(analysis)
        if unnamed:
            stats["unnamed"] += 1
            problems.append(f"unnamed bad cells: {unnamed[:5]}")
            raise AssertionError(f"bad cells no finding names: {unnamed[:5]}")
        if not full_sync:
            return
        stats["syncs"] += 1
        store = MemoryBackend({name: tab.values for name, tab in tabs.items()})
        for name, tab in tabs.items():
            store.tabs[name].formulas = dict(tab.formulas)
        try:
            result = sync(store, config, as_of=as_of)
        except SheetsSyncError:
            stats["refusals"] += 1
            return
        except Exception as exc:
            stats["crashes"] += 1
            problems.append(_crash("sync", exc))
            raise
        for update in result.updates:
            value = update.value.text if isinstance(update.value, Link) else update.value
            assert not (isinstance(value, str) and len(value) > XLSX_LIMIT), update.tab

    try:
        fuzz()
    finally:
        record(SUITE, "fuzz_examples", stats["examples"], note=f"{stats['syncs']} full syncs")
        record(SUITE, "fuzz_crashes", stats["crashes"], must_be=0)
        record(SUITE, "fuzz_bad_cells_without_a_finding", stats["unnamed"], must_be=0)
    assert stats["crashes"] == 0, problems[:3]
    assert stats["unnamed"] == 0, problems[:3]
    assert stats["examples"] >= scale(200, 10_000)


@pytest.fixture(autouse=True, scope="module")
def _figures_at_the_end() -> Iterator[None]:
    yield
    record_corpus()
