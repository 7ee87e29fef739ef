"""A person edits a synced workbook as people do; the next sync copes and touches nothing of theirs.

Edits: rows inserted in the middle, columns reordered, a column of their own (in RACI
too: free-text Notes, not a role), ``3 Nov 2026`` and ``$1,200`` typed as text, the
optional Unit header deleted. Then the workbook also goes through LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.demo import build_demo
from sheets_sync.sync import SyncResult, sync
from sheets_sync.templates import load_template, normalize_header

AS_OF = dt.date(2026, 11, 27)
GENERATED = {"Issues", "Dashboard", "History"}


def snapshot(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {
            (c.row, c.column): c.value
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        }
    return out


def headers(path: Path, tab: str) -> list[str]:
    ws = openpyxl.load_workbook(path)[tab]
    return [str(c.value) if c.value is not None else "" for c in ws[1]]


def column_of(path: Path, tab: str, header: str) -> int:
    return headers(path, tab).index(header) + 1


def move_column_to_end(ws: Any, col: int) -> None:
    """Cut a column and paste it after the last one, as a person reorders columns."""
    last = ws.max_column
    ws.insert_cols(last + 1)
    for row in range(1, ws.max_row + 1):
        ws.cell(row, last + 1).value = ws.cell(row, col).value
    ws.delete_cols(col)


def person_edits(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    kpis, log, goals, raci = wb["KPIs"], wb["KPI Log"], wb["Goals"], wb["RACI"]
    # a new KPI inserted between existing rows
    kpis.insert_rows(4)
    new_kpi = {"KPI ID": "K99", "Goal ID": "G1", "KPI": "Revenue from joint deals",
               "Direction": "increase", "Baseline": 0, "Target": 1400,
               "Start date": dt.date(2026, 1, 1), "Due date": dt.date(2026, 12, 31),
               "Cadence": "monthly", "Owner": kpis.cell(2, 11).value}
    head = [c.value for c in kpis[1]]
    for name, value in new_kpi.items():
        kpis.cell(4, head.index(name) + 1).value = value
    # readings inserted in the middle of the log, typed as text
    log.insert_rows(10, amount=2)
    log.cell(10, 1).value, log.cell(10, 2).value = "3 Nov 2026", "K99"
    log.cell(10, 3).value = "$1,200"
    log.cell(11, 1).value, log.cell(11, 2).value, log.cell(11, 3).value = "2026-10-01", "K99", 900
    # the optional Unit header deleted (its values stay, under a blank header)
    kpis.cell(1, head.index("Unit") + 1).value = None
    # columns reordered, and a column of their own
    move_column_to_end(goals, 3)  # Owner
    goals.cell(1, goals.max_column + 1).value = "Comments"
    goals.cell(2, goals.max_column).value = "ask Contoso for Q1 numbers"
    raci.cell(1, raci.max_column + 1).value = "Notes"
    raci.cell(2, raci.max_column).value = "call before Friday"
    raci.cell(5, raci.max_column).value = "A"  # looks like a role, but the column is Notes
    wb.save(path)


def statuses(path: Path, tab: str) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)[tab]
    head = [normalize_header(c.value) for c in ws[1]]
    key, status = head.index(normalize_header(ws.cell(1, 1).value)), head.index("status")
    return {str(r[key].value): r[status].value for r in ws.iter_rows(min_row=2) if r[key].value}


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SyncResult]:
    path = tmp_path_factory.mktemp("edits") / "partnership.xlsx"
    result = build_demo(path, AS_OF)
    return path, result


def assert_only_owned_cells_changed(before: dict[str, Any], after: dict[str, Any],
                                    path: Path) -> None:
    template = load_template()
    for tab, cells in before.items():
        if tab in GENERATED:
            continue
        spec = template.table(tab)
        computed = {c.norm for c in spec.computed}
        head = [normalize_header(h) for h in headers(path, tab)]
        changed = {k for k in cells.keys() | after[tab].keys() if cells.get(k) != after[tab].get(k)}
        for row, col in changed:
            assert head[col - 1] in computed, (tab, row, col, cells.get((row, col)),
                                               after[tab].get((row, col)))


def test_person_edits_then_sync(synced: tuple[Path, SyncResult], tmp_path: Path) -> None:
    original, _first = synced
    path = tmp_path / "edited.xlsx"
    shutil.copy(original, path)
    person_edits(path)
    before = snapshot(path)
    result = sync(XlsxBackend(path), as_of=AS_OF)
    after = snapshot(path)
    assert_only_owned_cells_changed(before, after, path)

    kpi_status = statuses(path, "KPIs")
    # latest reading $1,200 on 3 Nov; expected then 1400 * 306/364 = 1177: On track
    assert kpi_status["K99"] == "On track"
    ws = openpyxl.load_workbook(path)["KPIs"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "K99")
    assert row[head.index("Latest value")] == 1200
    assert row[head.index("Latest date")].date() == dt.date(2026, 11, 3)
    rules = {(f.rule, f.tab, f.key) for f in result.findings}
    assert ("TABLE-MISSING-COLUMN", "KPIs", "Unit") in rules
    assert ("RACI-IGNORED-COLUMN", "RACI", "Notes") in rules
    assert not any(f.rule == "RACI-UNKNOWN-PERSON" for f in result.findings)
    assert not any(f.rule == "VALUE-TYPE" and "K99" in f.key for f in result.findings)
    # every KPI the person did not touch keeps the status the first sync gave it
    first_status = {k: v for k, v in statuses(original, "KPIs").items()}
    for kpi, status in first_status.items():
        assert kpi_status[kpi] == status, kpi
    assert statuses(path, "Goals") == statuses(original, "Goals")
    # and the next sync has nothing left to do
    again = sync(XlsxBackend(path), as_of=AS_OF)
    assert again.cells_changed == 0 and not again.wrote


def libreoffice_resave(path: Path, out_dir: Path) -> Path:
    """Open and save the workbook in LibreOffice, as a person would."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    out_dir.mkdir(exist_ok=True)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{out_dir}/profile",
         "--convert-to", "xlsx", "--outdir", str(out_dir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    return out_dir / path.name


def findings_of(result: SyncResult) -> set[tuple[str, str, str, str]]:
    return {(f.rule, f.tab, f.key, f.cell) for f in result.findings}


@pytest.mark.libreoffice
def test_libreoffice_saved_workbook_syncs_the_same(synced: tuple[Path, SyncResult],
                                                   tmp_path: Path) -> None:
    original, _ = synced
    edited = tmp_path / "edited.xlsx"
    shutil.copy(original, edited)
    person_edits(edited)
    resaved = libreoffice_resave(edited, tmp_path / "lo")
    before = snapshot(resaved)
    lo_result = sync(XlsxBackend(resaved), as_of=AS_OF)
    assert_only_owned_cells_changed(before, snapshot(resaved), resaved)
    plain_result = sync(XlsxBackend(edited), as_of=AS_OF)
    assert findings_of(lo_result) == findings_of(plain_result)
    assert statuses(resaved, "KPIs") == statuses(edited, "KPIs")
    assert statuses(resaved, "Goals") == statuses(edited, "Goals")
    # what LibreOffice dropped of the tool's formatting is back, and then nothing is left to do
    again = sync(XlsxBackend(resaved), as_of=AS_OF)
    assert again.cells_changed == 0 and again.restored == [] and not again.wrote


@pytest.mark.libreoffice
def test_libreoffice_saved_demo_has_nothing_to_change(synced: tuple[Path, SyncResult],
                                                      tmp_path: Path) -> None:
    original, first = synced
    resaved = libreoffice_resave(original, tmp_path / "lo")
    result = sync(XlsxBackend(resaved), as_of=AS_OF)
    assert result.cells_changed == 0, result.updates[:5]
    assert findings_of(result) == findings_of(first)
