"""An input tab whose headers are not on row 1 is reported, and never written to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.base import CellValue, Link, RawTab
from sheets_sync.demo import fill_demo
from sheets_sync.findings import Finding
from sheets_sync.sync import SyncResult, provision, sync
from sheets_sync.tables import header_row, is_misheaded
from sheets_sync.templates import ColumnSpec, TableSpec, load_template
from tests.fakes.memory import MemoryBackend
from tests.helpers import AS_OF, D, base_tabs, run
from tests.scenarios.worlds import GoogleWorld, World, XlsxWorld

RACI_SPEC = load_template().table("RACI")
#: A person's own RACI: a title on row 3, the headers on row 5, two tasks below.
TITLED_RACI: list[list[CellValue]] = [
    [],
    [],
    ["Project RACI"],
    [],
    ["Task ID", "Task", "Goal ID", "Due date", "Ana", "Ben"],
    ["T1", "Launch page", "G1", D(2026, 12, 1), "A", "R"],
    ["T2", "Press release", "G1", D(2026, 12, 15), "R", None],
]
FOREIGN_RACI: list[list[CellValue]] = [
    ["Bug", "Status", "Owner"],
    ["Login fails", "open", "Ana"],
    ["Slow export", "closed", "Ben"],
]
MOVED = (
    "'RACI': headers found on row 5, not row 1: delete the rows above them, then "
    "provision again (nothing will be added to this tab)"
)
FOREIGN = (
    "'RACI': row 1 holds none of the template's headers: rename the tab "
    "(provision then adds a new 'RACI') or put its headers on row 1"
)


def header_findings(result: SyncResult) -> list[Finding]:
    return [f for f in result.findings if f.rule == "TABLE-HEADER-ROW"]


def raci_findings(result: SyncResult) -> list[str]:
    return sorted(f.rule for f in result.findings if f.tab == "RACI")


def issues_rows(grid: list[list[CellValue]]) -> list[tuple[Any, ...]]:
    """(rule, tab, cell) of each Issues row, the cell as the text it shows."""
    rows = []
    for row in grid[1:]:
        cell = row[3] if len(row) > 3 else None
        rows.append((row[1], row[2], cell.text if isinstance(cell, Link) else cell))
    return rows


# --- the exact case: a local workbook whose RACI a person rebuilt with a title ------------


def sheet_cells(path: Path, tab: str) -> dict[str, Any]:
    """Every cell openpyxl reads on a tab, by address, plus its extent and formatting."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[tab]
    cells: dict[str, Any] = {
        cell.coordinate: cell.value for row in ws.iter_rows() for cell in row
    }
    cells["extent"] = (ws.max_row, ws.max_column)
    cells["validations"] = len(ws.data_validations.dataValidation)
    cells["conditional formats"] = len(list(ws.conditional_formatting))
    cells["freeze"] = ws.freeze_panes
    return cells


def replace_sheet(path: Path, tab: str, grid: list[list[CellValue]]) -> None:
    """Delete a tab and put a fresh one of the same name, holding ``grid``, in its place."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(tab)
    del wb[tab]
    ws = wb.create_sheet(tab, index)
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c).value = value
                if isinstance(value, dt.date):
                    ws.cell(r, c).number_format = "yyyy-mm-dd"
    wb.save(path)


@pytest.fixture
def titled_xlsx(tmp_path: Path) -> XlsxWorld:
    world = XlsxWorld(tmp_path)
    fill_demo(world.backend(), AS_OF, rows=base_tabs())
    replace_sheet(world.path, "RACI", TITLED_RACI)
    return world


def test_titled_raci_on_a_local_workbook_is_left_as_it_is(titled_xlsx: XlsxWorld) -> None:
    world = titled_xlsx
    before = sheet_cells(world.path, "RACI")

    plan = provision(world.backend(), dry_run=True)
    assert MOVED in plan.steps
    assert not [c for c in plan.header_cells if c.tab == "RACI"]
    assert not [lay for lay in plan.formatting if lay.name == "RACI"]
    provision(world.backend())
    result = sync(world.backend(), as_of=AS_OF)

    assert sheet_cells(world.path, "RACI") == before
    assert before["extent"] == (7, 6)  # nothing appended beside the table, at L1 or anywhere
    [found] = header_findings(result)
    assert (found.tab, found.key, found.cell) == ("RACI", "RACI", "A5")
    assert found.message == (
        "Tab 'RACI' has its headers on row 5, not row 1; sheets-sync reads and writes only a "
        "tab whose first row is its header row. Delete the rows above row 5 (or move the "
        "title elsewhere), then run `sheets-sync provision`."
    )
    assert raci_findings(result) == ["TABLE-HEADER-ROW"]
    assert ("TABLE-HEADER-ROW", "RACI", "A5") in issues_rows(world.grid("Issues"))
    # The other tabs are synced as ever.
    assert world.grid("KPIs")[1][16] == "On track"


def provision_cli(path: Path, *args: str) -> list[str]:
    from click.testing import CliRunner

    from sheets_sync.cli import cli

    result = CliRunner().invoke(
        cli, ["provision", "--workbook", str(path), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_provision_adds_the_rest_and_prints_what_a_person_must_do(
    titled_xlsx: XlsxWorld,
) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(titled_xlsx.path)
    del wb["Reviews"]
    wb.save(titled_xlsx.path)
    before = sheet_cells(titled_xlsx.path, "RACI")
    lines = provision_cli(titled_xlsx.path, "--dry-run")
    assert "  - add tab 'Reviews'" in lines
    assert f"  - {MOVED}" in lines
    lines = provision_cli(titled_xlsx.path)
    assert f"  - {MOVED}" in lines
    assert lines[-1].startswith("Provisioned ")
    assert "Reviews" in openpyxl.load_workbook(titled_xlsx.path).sheetnames
    assert sheet_cells(titled_xlsx.path, "RACI") == before


def test_provision_prints_the_step_when_nothing_else_is_missing(
    titled_xlsx: XlsxWorld,
) -> None:
    before = sheet_cells(titled_xlsx.path, "RACI")
    assert f"  - {MOVED}" in provision_cli(titled_xlsx.path, "--dry-run")
    assert f"  - {MOVED}" in provision_cli(titled_xlsx.path)
    assert sheet_cells(titled_xlsx.path, "RACI") == before


def test_first_seen_stays_while_a_title_sits_on_row_1(tmp_path: Path) -> None:
    world = XlsxWorld(tmp_path)
    fill_demo(world.backend(), AS_OF, rows=base_tabs())
    replace_sheet(world.path, "RACI", [["Project RACI"], [], *TITLED_RACI[4:]])
    sync(world.backend(), as_of=AS_OF)
    later = sync(world.backend(), as_of=AS_OF + dt.timedelta(days=3))
    [found] = header_findings(later)
    assert found.cell == "A3"
    assert later.first_seen[found.identity] == AS_OF


# --- both backends: a person inserts rows above the headers and types a title --------------


@pytest.fixture(params=["xlsx", "google"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    world: World = XlsxWorld(tmp_path) if request.param == "xlsx" else GoogleWorld()
    backend = world.backend()
    fill_demo(backend, AS_OF, rows=base_tabs())
    if isinstance(world, GoogleWorld):
        world.remember(backend)
    return world


def test_rows_inserted_above_the_headers(world: World) -> None:
    world.insert_rows("RACI", 0, 4)
    world.set("RACI", 2, 0, "Project RACI")
    before = world.grid("RACI")

    plan = provision(world.backend(), dry_run=True)
    assert MOVED in plan.steps
    provision(world.backend())
    result = sync(world.backend(), as_of=AS_OF)

    assert world.grid("RACI") == before
    [found] = header_findings(result)
    assert found.cell == "A5"
    assert raci_findings(result) == ["TABLE-HEADER-ROW"]
    assert ("TABLE-HEADER-ROW", "RACI", "A5") in issues_rows(world.grid("Issues"))
    again = sync(world.backend(), as_of=AS_OF)
    assert not again.wrote and again.cells_changed == 0


def test_a_foreign_table_of_the_same_name(world: World) -> None:
    old = world.grid("RACI")
    for r, row in enumerate(old):
        for c in range(len(row)):
            world.set("RACI", r, c, None)
    for r, row in enumerate(FOREIGN_RACI):
        for c, value in enumerate(row):
            world.set("RACI", r, c, value)
    before = world.grid("RACI")
    assert before == FOREIGN_RACI

    plan = provision(world.backend(), dry_run=True)
    assert FOREIGN in plan.steps
    provision(world.backend())
    result = sync(world.backend(), as_of=AS_OF)

    assert world.grid("RACI") == before
    [found] = header_findings(result)
    assert (found.key, found.cell, found.column) == ("RACI", "", "")
    assert "it looks like a different table" in found.message
    assert found.message.startswith(
        "Tab 'RACI' has none of the template's headers on row 1 (expected Task ID, Task, ...)"
    )
    assert raci_findings(result) == ["TABLE-HEADER-ROW"]


# --- in memory -----------------------------------------------------------------------------


def memory_with(raci: list[list[CellValue]]) -> MemoryBackend:
    tabs = base_tabs()
    tabs["RACI"] = [list(r) for r in raci]
    return MemoryBackend(tabs)


@pytest.mark.parametrize(("raci", "step"), [(TITLED_RACI, MOVED), (FOREIGN_RACI, FOREIGN)])
def test_memory_backend_writes_nothing_to_the_tab(
    raci: list[list[CellValue]], step: str
) -> None:
    backend = memory_with(raci)
    before = backend.grid("RACI")
    plan = provision(backend)
    assert step in plan.steps
    assert "RACI" not in backend.layouts
    assert "Issues" in backend.tabs  # the rest is provisioned as ever
    result = sync(backend, as_of=AS_OF)
    assert backend.grid("RACI") == before
    assert raci_findings(result) == ["TABLE-HEADER-ROW"]
    assert any(r[:2] == ("TABLE-HEADER-ROW", "RACI") for r in issues_rows(backend.grid("Issues")))


@pytest.mark.parametrize("raci", [[], [[], [None, "  "]]])
def test_an_empty_tab_still_gets_its_headers(raci: list[list[CellValue]]) -> None:
    backend = memory_with(raci)
    plan = provision(backend)
    assert not [s for s in plan.steps if "row 1" in s]
    header = [h for h in backend.grid("RACI")[0] if h is not None]
    assert header[:4] == ["Task ID", "Task", "Goal ID", "Due date"]
    result = sync(backend, as_of=AS_OF)
    assert header_findings(result) == []


def test_headers_on_row_1_with_a_column_missing_work_as_before() -> None:
    raci = [list(r) for r in base_tabs()["RACI"]]
    for row in raci:
        del row[2]  # Goal ID
    backend = memory_with(raci)
    findings = run({**base_tabs(), "RACI": raci}).findings
    assert [(f.rule, f.key) for f in findings] == [("TABLE-MISSING-COLUMN", "Goal ID")]
    plan = provision(backend)
    assert "add column 'Goal ID' to 'RACI'" in plan.steps
    header = backend.grid("RACI")[0]
    assert header[len(raci[0])] == "Goal ID"
    result = sync(backend, as_of=AS_OF)
    assert header_findings(result) == []
    assert backend.grid("RACI")[1][3] == "Ana"  # Accountable, computed as before


# --- what the other tabs make of a tab that cannot be read ---------------------------------


def test_references_into_an_unreadable_tab_are_not_each_reported() -> None:
    tabs = base_tabs()
    tabs["Goals"].insert(0, ["Partnership goals 2026"])
    tabs["KPIs"].append(["K2", "G7", "Leads", "people", "increase", 0, 10, D(2026, 1, 1),
                         D(2026, 12, 31), "weekly", "Ana"])
    analysis = run(tabs)
    assert [f.rule for f in analysis.findings if f.tab == "Goals"] == ["TABLE-HEADER-ROW"]
    assert "REF-UNKNOWN" not in {f.rule for f in analysis.findings}
    assert "Goals" not in analysis.data.key_columns
    assert "Goals" not in analysis.data.computed_columns
    assert analysis.outcome.computed.get("Goals") is None


# --- finding the header row ----------------------------------------------------------------


def raw(*rows: list[CellValue]) -> RawTab:
    return RawTab("RACI", [list(r) for r in rows])


def test_header_row() -> None:
    assert header_row(RACI_SPEC, raw(["task id"], ["T1"])) == 0
    assert header_row(RACI_SPEC, raw()) == 0
    assert header_row(RACI_SPEC, raw([None, " "], [], [" "])) == 0
    assert header_row(RACI_SPEC, raw(["Plan"], ["  TASK  id ", "Task"])) == 1
    # One template word in a title is not a header row.
    assert header_row(RACI_SPEC, raw(["Plan"], ["Task"], ["Task ID", "Goal ID"])) == 2
    assert header_row(RACI_SPEC, raw(["Plan"], *[[]] * 48, ["Task ID", "Task"])) == 49
    assert header_row(RACI_SPEC, raw(["Plan"], *[[]] * 49, ["Task ID", "Task"])) is None
    assert header_row(RACI_SPEC, raw([], ["T1", "Launch page"])) is None


def test_a_formula_alone_is_content() -> None:
    tab = raw([], [None])
    tab.formulas[(1, 0)] = "=NOW()"
    assert is_misheaded(RACI_SPEC, tab)


def test_a_one_column_tab_needs_one_header() -> None:
    spec = TableSpec("Notes", "table", (ColumnSpec("Note", "text"),))
    assert header_row(spec, raw(["Meeting notes"], ["note"], ["first"])) == 1
    assert not is_misheaded(spec, raw(["Note"], ["first"]))
    generated = TableSpec("Log", "generated", (ColumnSpec("Note", "text"),))
    assert not is_misheaded(generated, raw(["Meeting notes"]))
