"""Data preservation: the tool never changes a cell people own.

A hypothesis state machine starts from ``tests/helpers.py base_tabs()`` written into a
provisioned workbook (provision + one write of cells), on both backends (xlsx, and Google
through the real gspread client on the API fake), then runs random sequences of:

- person edits: set any cell (rows below the header) of any tab to random text (formula-like
  text included), a number, a date, a boolean, a domain value or nothing; insert or delete
  rows; add a column of their own at any position (a header that is not the template's,
  sometimes a Person's name so that RACI reads it as a role column). Template headers are
  never renamed.
- syncs, each with a random ``as_of``;
- provisions.

Invariant, after every sync and provision: every cell outside the tool's computed columns
(found by header, as the header row stood just before) and outside the Issues and Dashboard
tabs is exactly what it was just before — read independently of the tool (each cell's type,
formula and value straight from the sheet XML for xlsx; the fake's stored ``userEnteredValue``
for Google). The values include numbers a date format cannot round-trip through openpyxl
(3000000, 60, -1e-09, 45000.123456789 in a date column): the xlsx backend once rewrote them.

On Google the person first deletes the empty rows below row 30 of every tab (the default
1,000-row grid makes every read and write of the fake ~10x slower); rows are added back at
the bottom whenever an edit needs them, and the tool itself grows the Issues tab as needed.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any, ClassVar
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from sheets_sync.backends.base import Backend, CellUpdate
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.sync import provision, sync
from sheets_sync.templates import load_template, normalize_header
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend
from tests.helpers import base_tabs
from tests.reliability.figures import record, scale

SUITE = "data_preservation"
GENERATED = ("Issues", "Dashboard")
INPUT_TABS = ("People", "Goals", "KPIs", "KPI Log", "RACI", "Reviews")
ALL_TABS = INPUT_TABS + GENERATED
GOOGLE_ROWS = 30
TEMPLATE = load_template()
COMPUTED = {
    spec.name: {c.norm for c in spec.computed} for spec in TEMPLATE.tables if spec.kind == "table"
}
TEMPLATE_HEADERS = {c.norm for spec in TEMPLATE.tables for c in spec.columns}

FIGURES = {"sequences": 0, "steps": 0, "user_cells_changed": 0}

# --------------------------------------------------------------------------- values people type

SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t"),
    max_size=24,
)
DOMAIN = st.sampled_from(
    [
        "G1", "g1 ", "K1", "T1", "G2", "K9", "Ana", " ben ", "Zoe", "A", "R", "A/R", "r/a", "C",
        "I", "X", "weekly", "Monthly", "biweekly", "quarterly", "fortnightly", "increase",
        "decrease", "maintain above", "maintain below", "3 Nov 2026", "2026-11-03",
        "11/3/2026", "31/02/2026", "$1,200", "12%", "1.0", "=1+1", "=A1", "+1", "-", "@x",
        "ana@northwind.example", "not an email", "Northwind", "TRUE",
    ]
)
VALUES = st.one_of(
    st.none(),
    DOMAIN,
    SAFE_TEXT,
    st.integers(-10**6, 10**6),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
    st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2028, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.booleans(),
    st.sampled_from([3_000_000, -700_000, 2_958_466, 1e15, -1e-9, 60, 45000.123456789]),
    st.text(min_size=100, max_size=400, alphabet="abc xyz\n=+-@"),
)
OWN_HEADERS = st.one_of(
    st.sampled_from(["Notes", "Comments (mine)", "Budget", "Link", "Ana", "Ben", "Zoe", ""]),
    SAFE_TEXT.filter(lambda t: normalize_header(t) not in TEMPLATE_HEADERS),
)
ROWS = st.one_of(st.integers(1, 6), st.integers(1, 40))


def _format(value: Any) -> Any:
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return "text"


def seed(backend: Backend) -> None:
    """Provision, then write base_tabs() in one go (what people typed before any sync)."""
    provision(backend)
    data = backend.read()
    updates = [
        CellUpdate(tab, r, c, value, _format(value))
        for tab, grid in base_tabs().items()
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if value is not None
    ]
    backend.write(data, updates)


# --------------------------------------------------------------------------- two backends

Cells = dict[str, dict[tuple[int, int], Any]]


class XlsxSheet:
    """A local workbook; the person edits it with openpyxl (edits are saved in batches)."""

    name = "xlsx"
    _master: ClassVar[Path | None] = None

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="preserve-"))
        self.path = self.folder / "partnership.xlsx"
        if XlsxSheet._master is None:
            master = Path(tempfile.mkdtemp(prefix="preserve-master-")) / "partnership.xlsx"
            atexit.register(shutil.rmtree, master.parent, True)
            seed(XlsxBackend(master))
            XlsxSheet._master = master
        shutil.copy2(XlsxSheet._master, self.path)
        self.pending: list[Any] = []

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def backend(self) -> Backend:
        self.flush()
        return XlsxBackend(self.path)

    def flush(self) -> None:
        if not self.pending:
            return
        import openpyxl

        wb = openpyxl.load_workbook(self.path)
        for edit in self.pending:
            edit(wb)
        wb.save(self.path)
        self.pending.clear()

    def set(self, tab: str, row: int, col: int, value: Any) -> None:
        def edit(wb: Any) -> None:
            wb[tab].cell(row + 1, col + 1).value = value

        self.pending.append(edit)

    def insert_rows(self, tab: str, at: int, count: int) -> None:
        self.pending.append(lambda wb: wb[tab].insert_rows(at + 1, count))

    def delete_rows(self, tab: str, at: int, count: int) -> None:
        self.pending.append(lambda wb: wb[tab].delete_rows(at + 1, count))

    def add_column(self, tab: str, where: float, header: str, values: list[Any]) -> None:
        def edit(wb: Any) -> None:
            ws = wb[tab]
            width = max((c for _, c in ws._cells), default=0)  # right of the last cell
            at = int(where * width)
            ws.insert_cols(at + 1)
            ws.cell(1, at + 1).value = header or None
            for r, value in enumerate(values, start=2):
                ws.cell(r, at + 1).value = value

        self.pending.append(edit)

    def cells(self) -> Cells:
        """Every cell holding a value, straight from the sheet XML: (type, formula, value)."""
        self.flush()
        return xml_cells(self.path)


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def xml_cells(path: Path) -> Cells:
    """(type, formula, value) of every <c> with content, by tab and 0-based (row, col).

    Read from the file's XML (not through openpyxl or the tool), shared strings resolved.
    """
    out: Cells = {}
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(MAIN + "t")) for si in root]
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        for sheet in workbook.iter(MAIN + "sheet"):
            target = targets[sheet.get(REL + "id")].lstrip("/")
            part = target if target.startswith("xl/") else "xl/" + target
            cells: dict[tuple[int, int], Any] = {}
            for c in ElementTree.fromstring(z.read(part)).iter(MAIN + "c"):
                kind = c.get("t", "n")
                f = c.find(MAIN + "f")
                v = c.find(MAIN + "v")
                inline = c.find(MAIN + "is")
                formula = None if f is None else (f.text or "")
                if inline is not None:
                    value: Any = "".join(t.text or "" for t in inline.iter(MAIN + "t"))
                elif v is not None and v.text is not None:
                    value = shared[int(v.text)] if kind == "s" else v.text
                else:
                    value = None
                if formula is None and value is None:
                    continue  # a styled empty cell
                kind = "str" if kind in ("s", "inlineStr") else kind
                if kind == "n" and formula is None and value is not None:
                    value = float(value)  # the number itself: "-0" is 0, "1.0" is 1
                cells[_coord(str(c.get("r")))] = (kind, formula, value)
            out[str(sheet.get("name"))] = cells
    return out


def _coord(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]) - 1, col - 1


class GoogleSheet:
    """A spreadsheet on the fake; the person edits it with the fake's human-edit helpers."""

    name = "google"
    _master: ClassVar[tuple[FakeGoogle, str, Any] | None] = None

    def __init__(self) -> None:
        if GoogleSheet._master is None:
            fake = FakeGoogle(seed=17)
            backend = google_backend(fake)
            seed(backend)
            sid = backend.spreadsheet_id
            assert sid is not None
            ss = fake.spreadsheet(sid)
            for sheet in ss.sheets:  # the person deletes the empty rows at the bottom
                if sheet.row_count > GOOGLE_ROWS:
                    ss.delete_rows(sheet.title, GOOGLE_ROWS, sheet.row_count - GOOGLE_ROWS)
            GoogleSheet._master = (fake, sid, ss.snapshot())
        self.fake, self.sid, snap = GoogleSheet._master
        self.ss = self.fake.spreadsheet(self.sid)
        self.ss.restore(snap)

    def close(self) -> None:
        pass

    def backend(self) -> Backend:
        return google_backend(self.fake, self.sid)

    def _room(self, tab: str, row: int, col: int) -> None:
        sheet = self.ss.sheet(tab)
        if row >= sheet.row_count:
            self.ss.insert_rows(tab, sheet.row_count, row + 1 - sheet.row_count)
        if col >= sheet.column_count:
            self.ss.insert_columns(tab, sheet.column_count, col + 1 - sheet.column_count)

    def set(self, tab: str, row: int, col: int, value: Any) -> None:
        self._room(tab, row, col)
        self.ss.set_cell(tab, row, col, value)

    def insert_rows(self, tab: str, at: int, count: int) -> None:
        self._room(tab, at, 0)
        self.ss.insert_rows(tab, at, count)

    def delete_rows(self, tab: str, at: int, count: int) -> None:
        rows = self.ss.sheet(tab).row_count
        if at < rows:
            self.ss.delete_rows(tab, at, min(count, rows - at - 1) or 1)

    def add_column(self, tab: str, where: float, header: str, values: list[Any]) -> None:
        with_values = [c for (_, c), cell in self.ss.sheet(tab).cells.items()
                       if cell.get("userEnteredValue")]
        at = int(where * (max(with_values, default=-1) + 1))
        self._room(tab, len(values), at)
        self.ss.insert_columns(tab, at, 1)
        if header:
            self.ss.set_cell(tab, 0, at, header)
        for r, value in enumerate(values, start=1):
            self.ss.set_cell(tab, r, at, value)

    def cells(self) -> Cells:
        """Every cell holding a value: its stored userEnteredValue, as JSON."""
        out: Cells = {}
        for sheet in self.ss.sheets:
            out[sheet.title] = {
                key: json.dumps(cell["userEnteredValue"], sort_keys=True)
                for key, cell in sheet.cells.items()
                if cell.get("userEnteredValue")
            }
        return out


Sheet = XlsxSheet | GoogleSheet


def user_cells_changed(before: Cells, after: Cells) -> list[tuple[str, int, int, Any, Any]]:
    """Cells people own that differ: not in a computed column (by header before), not generated."""
    changed = []
    for tab in INPUT_TABS:
        old, new = before.get(tab, {}), after.get(tab, {})
        computed = COMPUTED[tab]
        header_cols = {
            c for (r, c), v in old.items() if r == 0 and normalize_header(_text(v)) in computed
        }
        for key in old.keys() | new.keys():
            if key[1] in header_cols:
                continue
            if old.get(key) != new.get(key):
                changed.append((tab, key[0], key[1], old.get(key), new.get(key)))
    return sorted(changed, key=lambda x: (x[0], x[1], x[2]))


def _text(stored: Any) -> str:
    """The header text of a stored cell (the XML's (type, formula, value) or the fake's JSON)."""
    if isinstance(stored, tuple):
        return str(stored[2])
    value = json.loads(stored)
    return str(next(iter(value.values()), "")) if isinstance(value, dict) else str(value)


# --------------------------------------------------------------------------- the machine


class Preservation(RuleBasedStateMachine):
    """Random person edits, syncs and provisions; nothing people own ever changes."""

    kind: ClassVar[type[XlsxSheet] | type[GoogleSheet]] = XlsxSheet

    def __init__(self) -> None:
        super().__init__()
        self.sheet: Sheet | None = None

    @initialize()
    def start(self) -> None:
        self.sheet = self.kind()
        FIGURES["sequences"] += 1

    def teardown(self) -> None:
        if self.sheet is not None:
            self.sheet.close()

    @property
    def s(self) -> Sheet:
        assert self.sheet is not None
        return self.sheet

    def _step(self) -> None:
        FIGURES["steps"] += 1

    # ---- person edits
    @rule(tab=st.sampled_from(ALL_TABS), row=ROWS, col=st.integers(0, 19), value=VALUES)
    def type_a_value(self, tab: str, row: int, col: int, value: Any) -> None:
        self._step()
        self.s.set(tab, row, col, value)

    @rule(tab=st.sampled_from(INPUT_TABS), at=st.integers(1, 6), count=st.integers(1, 3))
    def insert_rows(self, tab: str, at: int, count: int) -> None:
        self._step()
        self.s.insert_rows(tab, at, count)

    @rule(tab=st.sampled_from(INPUT_TABS), at=st.integers(1, 6), count=st.integers(1, 2))
    def delete_rows(self, tab: str, at: int, count: int) -> None:
        self._step()
        self.s.delete_rows(tab, at, count)

    @rule(
        tab=st.sampled_from(INPUT_TABS),
        where=st.floats(0, 1),
        header=OWN_HEADERS,
        values=st.lists(VALUES | st.sampled_from(["A", "R", "C"]), max_size=6),
    )
    def add_own_column(self, tab: str, where: float, header: str, values: list[Any]) -> None:
        self._step()
        self.s.add_column(tab, where, header, values)

    # ---- the tool
    @rule(as_of=st.dates(dt.date(2025, 6, 1), dt.date(2028, 1, 31)))
    def run_sync(self, as_of: dt.date) -> None:
        self._step()
        self._guarded(lambda backend: sync(backend, as_of=as_of))

    @rule()
    def run_provision(self) -> None:
        self._step()
        self._guarded(provision)

    def _guarded(self, action: Any) -> None:
        backend = self.s.backend()
        before = self.s.cells()
        action(backend)
        after = self.s.cells()
        changed = user_cells_changed(before, after)
        FIGURES["user_cells_changed"] += len(changed)
        assert not changed, changed[:10]


SETTINGS = settings(
    max_examples=scale(15, 300),
    deadline=None,
    stateful_step_count=scale(10, 12),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class XlsxPreservation(Preservation):
    kind = XlsxSheet


class GooglePreservation(Preservation):
    kind = GoogleSheet


TestXlsxPreservation = XlsxPreservation.TestCase
TestXlsxPreservation.settings = SETTINGS
TestGooglePreservation = GooglePreservation.TestCase
TestGooglePreservation.settings = SETTINGS


@pytest.mark.parametrize("kind", [XlsxSheet, GoogleSheet], ids=["xlsx", "google"])
def test_the_invariant_sees_a_changed_user_cell(kind: type[XlsxSheet] | type[GoogleSheet]) -> None:
    """The check itself: a write into a person's cell is caught, one into Status is not."""
    sheet = kind()
    try:
        before = sheet.cells()
        backend = sheet.backend()
        data = backend.read()
        backend.write(data, [
            CellUpdate("Goals", 1, 1, "rewritten by the tool"),  # Goal: the person's
            CellUpdate("Goals", 1, 10, "Achieved"),  # Status: the tool's
        ])
        changed = user_cells_changed(before, sheet.cells())
        assert [(tab, r, c) for tab, r, c, *_ in changed] == [("Goals", 1, 1)]
    finally:
        sheet.close()


def test_a_date_typed_where_a_name_goes_does_not_stall_the_google_guard() -> None:
    """A case the state machine found: the Issues tab then shows the date as ISO text,
    which the values read takes for a date; the guard must read its re-read the same way,
    or it sees a change at every attempt and the sync gives up with "try again"."""
    machine = GooglePreservation()
    machine.start()
    try:
        day = dt.date(2025, 6, 1)
        machine.run_sync(as_of=day)
        machine.run_sync(as_of=day)
        machine.type_a_value(col=0, row=3, tab="People", value=dt.date(2024, 1, 1))
        machine.run_sync(as_of=day)
        machine.run_sync(as_of=day)
    finally:
        machine.teardown()

def test_zz_figures() -> None:
    """Record the suite's figures (runs after both machines in this module)."""
    record(SUITE, "sequences", FIGURES["sequences"],
           note="xlsx + google (hypothesis examples, incl. replays)")
    record(SUITE, "steps", FIGURES["steps"])
    record(SUITE, "user_cells_changed", FIGURES["user_cells_changed"], must_be=0)
    assert FIGURES["user_cells_changed"] == 0

