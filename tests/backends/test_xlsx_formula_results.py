"""Property: formula cells in input columns keep their calculated values through syncs.

A person types formulas into input cells (a KPI reading summed from two numbers, a
baseline copied from another tab). Their files hold each formula's result, and the
tool reads the result. Whatever people edit between syncs, and however many times
the tool saves, every formula keeps its formula and its result, so the next sync
reads the same value and pandas or a file preview shows it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync import open_workbook, provision, sync
from sheets_sync.backends.base import CellUpdate
from sheets_sync.backends.xlsx_content import cached_results
from sheets_sync.backends.xlsx_package import read_package
from sheets_sync.backends.xlsx_writer import save_workbook
from tests.helpers import BASE

EXCEL_APP = (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>Microsoft Excel</Application></Properties>'
)
#: (tab, header) of the input columns that get formulas: numbers people type
FORMULA_COLUMNS = [("KPI Log", "Value"), ("KPIs", "Baseline"), ("KPIs", "Target")]


def _as_excel(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["docProps/app.xml"] = EXCEL_APP
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _save_as_editor(wb: openpyxl.Workbook, path: Path) -> None:
    """Save as a spreadsheet program would: every formula keeps its result."""
    sheets = set(wb.sheetnames)
    cached = {name: dict(cells) for name, cells in cached_results(str(path), sheets).items()}
    save_workbook(wb, path, cached)
    _as_excel(path)


@pytest.fixture(scope="module")
def base_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small valid workbook, with twelve KPI Log readings to put formulas in."""
    path = tmp_path_factory.mktemp("base") / "base.xlsx"
    backend = open_workbook(path)
    provision(backend)
    grids = {name: [list(row) for row in rows] for name, rows in BASE.items()}
    log = grids["KPI Log"]
    for week in range(1, 12):
        log.append([dt.date(2026, 9, 1) + dt.timedelta(days=7 * week), "K1", 40 + 4 * week])
    updates = [
        CellUpdate(tab, r, c, value, "date" if isinstance(value, dt.date) else "text")
        for tab, grid in grids.items()
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if value is not None
    ]
    backend.write(backend.read(), updates)
    return path


def _column(ws: object, header: str) -> int:
    for cell in ws[1]:  # type: ignore[index]
        if cell.value == header:
            return int(cell.column)
    raise AssertionError(header)


EDITS = st.sampled_from(["note", "reading", "review", "target", "nothing"])


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(FORMULA_COLUMNS), st.integers(min_value=2, max_value=13)),
        min_size=1,
        max_size=6,
        unique=True,
    ),
    edits=st.lists(st.tuples(EDITS, st.integers(0, 60)), min_size=5, max_size=5),
)
def test_formula_results_survive_five_syncs_of_random_edits(
    base_workbook: Path,
    tmp_path: Path,
    picks: list[tuple[tuple[str, str], int]],
    edits: list[tuple[str, int]],
) -> None:
    path = tmp_path / f"wb{abs(hash((tuple(picks), tuple(edits))))}.xlsx"
    shutil.copy2(base_workbook, path)
    wb = openpyxl.load_workbook(path)
    expected: dict[tuple[str, int, int], float] = {}
    cached: dict[str, dict[tuple[int, int], tuple[str, str | None]]] = {}
    for (tab, header), row in picks:
        ws = wb[tab]
        col = _column(ws, header)
        if row > ws.max_row:
            continue
        value = ws.cell(row, col).value
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        # the same number, as a formula a person would type: 42 becomes =40+2
        ws.cell(row, col).value = f"={value - 2}+2"
        cached.setdefault(tab, {})[(row - 1, col - 1)] = ("n", repr(value))
        expected[(tab, row - 1, col - 1)] = float(value)
    save_workbook(wb, path, cached)
    _as_excel(path)
    backend = open_workbook(path)
    for step, (edit, amount) in enumerate(edits):
        wb = openpyxl.load_workbook(path)
        if edit == "note":
            log = wb["KPI Log"]
            log.cell(2 + amount % 12, _column(log, "Note"), f"edit {step}")
        elif edit == "reading":
            log = wb["KPI Log"]
            log.append([dt.date(2026, 11, 1) + dt.timedelta(days=amount), "K1", 50 + amount])
        elif edit == "review":
            wb["Reviews"].append([dt.date(2026, 10, 1) + dt.timedelta(days=amount), "G1", "Ana"])
        elif edit == "target":
            kpis = wb["KPIs"]
            cell = kpis.cell(2, _column(kpis, "Unit"))
            cell.value = f"people ({amount})"
        if edit != "nothing":
            _save_as_editor(wb, path)
        result = sync(backend, as_of=dt.date(2026, 11, 1) + dt.timedelta(days=amount))
        assert not any(f.rule == "VALUE-UNCALCULATED" for f in result.findings)
        package = read_package(path)
        for (tab, r, c), value in expected.items():
            cell = package.sheets[tab].cells[(r, c)]
            assert cell.formula is not None, (tab, r, c)
            assert cell.value == value, (tab, r, c, cell.value, value)
    backend.close()
