"""The same scenarios on a local workbook and on Google (real gspread on the API fake)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.base import Link
from sheets_sync.demo import DEMO_PROBLEMS
from sheets_sync.sync import SyncResult, provision, sync
from sheets_sync.templates import load_template, normalize_header
from tests.scenarios.worlds import GoogleWorld, World, XlsxWorld, demo_in

AS_OF = dt.date(2026, 11, 27)
GENERATED = {"Issues", "Dashboard"}


def demo(world: World) -> SyncResult:
    result: SyncResult = demo_in(world, AS_OF)
    return result


def findings(result: SyncResult) -> set[tuple[str, str, str, str]]:
    return {(f.rule, f.tab, f.key, f.cell) for f in result.findings}


def test_demo_scenario(world: World) -> None:
    first = demo(world)
    assert set(DEMO_PROBLEMS) <= {f.rule for f in first.findings}
    again = sync(world.backend(), as_of=AS_OF)
    assert again.cells_changed == 0 and not again.wrote and again.restored == []
    assert findings(again) == findings(first)


def test_demo_gives_the_same_results_on_both_backends(tmp_path: Path) -> None:
    xlsx, google = XlsxWorld(tmp_path), GoogleWorld()
    results = [demo(xlsx), demo(google)]
    assert findings(results[0]) == findings(results[1])
    for tab in ("Goals", "KPIs", "RACI", "Issues"):
        assert normalized(xlsx.grid(tab)) == normalized(google.grid(tab)), tab


def normalized(grid: list[list[Any]]) -> list[list[Any]]:
    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dt.datetime):
            return v.date()
        return v

    rows = [[norm(v) for v in row] for row in grid]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def test_provisioning_is_idempotent_and_loses_nothing(world: World) -> None:
    demo(world)
    before = {t: world.grid(t) for t in ("People", "Goals", "KPI Log")}
    plan = provision(world.backend(), dry_run=True)
    assert plan.empty, plan.steps
    provision(world.backend())
    assert {t: world.grid(t) for t in before} == before
    if isinstance(world, GoogleWorld):
        world.fake.reset_stats()
        provision(world.backend())
        assert world.fake.stats.by_endpoint.get("sheets.spreadsheets.batchUpdate", 0) == 0


def owned(tab: str, header: list[Any]) -> set[int]:
    spec = load_template().table(tab)
    computed = {c.norm for c in spec.computed}
    return {i for i, h in enumerate(header) if normalize_header(h) in computed}


def test_person_edits_then_sync(world: World) -> None:
    first = demo(world)
    kpis = world.grid("KPIs")
    head = [str(h) for h in kpis[0]]
    world.insert_rows("KPIs", 3)
    new_kpi = {"KPI ID": "K99", "Goal ID": "G1", "KPI": "Revenue from joint deals",
               "Direction": "increase", "Baseline": 0, "Target": 1400,
               "Start date": dt.date(2026, 1, 1), "Due date": dt.date(2026, 12, 31),
               "Cadence": "monthly", "Owner": kpis[1][head.index("Owner")]}
    for name, value in new_kpi.items():
        world.set("KPIs", 3, head.index(name), value)
    world.insert_rows("KPI Log", 9, 2)
    for col, value in enumerate(["3 Nov 2026", "K99", "$1,200"]):
        world.set("KPI Log", 9, col, value)
    for col, value in enumerate([dt.date(2026, 10, 1), "K99", 900]):
        world.set("KPI Log", 10, col, value)
    world.set("KPIs", 0, head.index("Unit"), None)  # the optional Unit header deleted
    world.move_column_to_end("Goals", 2)  # Owner
    goals_width = len(world.grid("Goals")[0])
    world.set("Goals", 0, goals_width, "Comments")
    world.set("Goals", 1, goals_width, "ask Contoso for Q1 numbers")
    raci_width = len(world.grid("RACI")[0])
    world.set("RACI", 0, raci_width, "Notes")
    world.set("RACI", 1, raci_width, "call before Friday")
    world.set("RACI", 4, raci_width, "A")

    before = {t: world.grid(t) for t in ("People", "Goals", "KPIs", "KPI Log", "RACI", "Reviews")}
    result = sync(world.backend(), as_of=AS_OF)
    for tab, grid in before.items():
        after = world.grid(tab)
        tool = owned(tab, list(grid[0]))
        for r in range(max(len(grid), len(after))):
            old = grid[r] if r < len(grid) else []
            new = after[r] if r < len(after) else []
            for c in range(max(len(old), len(new))):
                if c in tool:
                    continue
                assert (old[c] if c < len(old) else None) == (new[c] if c < len(new) else None), (
                    tab, r, c)
    kpis = world.grid("KPIs")
    head = [str(h) for h in kpis[0]]
    k99 = next(row for row in kpis if row and row[0] == "K99")
    assert k99[head.index("Status")] == "On track"
    assert k99[head.index("Latest value")] == 1200
    rules = {(f.rule, f.tab, f.key) for f in result.findings}
    assert ("TABLE-MISSING-COLUMN", "KPIs", "Unit") in rules
    assert ("RACI-IGNORED-COLUMN", "RACI", "Notes") in rules
    assert not any(f.rule == "RACI-UNKNOWN-PERSON" for f in result.findings)
    # KPIs and goals the person did not touch keep their statuses
    statuses = {row[0]: row[head.index("Status")] for row in kpis[1:] if row}
    first_kpis = {(f.key) for f in first.findings if f.tab == "KPIs"}
    assert {k for k in first_kpis if k in statuses} == first_kpis
    again = sync(world.backend(), as_of=AS_OF)
    assert again.cells_changed == 0 and not again.wrote


def test_google_issue_links_point_at_the_cell() -> None:
    world = GoogleWorld()
    result = demo(world)
    assert world.spreadsheet_id is not None
    ss = world.fake.spreadsheet(world.spreadsheet_id)
    first = result.findings[0]
    cell = ss.cell("Issues", 1, 3)
    uri = f"#gid={ss.sheet(first.tab).sheet_id}&range={first.cell}"
    # The one formula the tool writes: a link from a sheetId and an A1 address (§7).
    assert cell["userEnteredValue"]["formulaValue"] == f'=HYPERLINK("{uri}","{first.cell}")'
    link = world.backend().read().tabs["Issues"].get(1, 3)
    assert isinstance(link, Link) and (link.tab, link.a1) == (first.tab, first.cell)


def test_a_persons_table_in_the_issues_tab_is_never_overwritten(world: World) -> None:
    """The tool's Issues tab, cleared by a person and reused for a bug list, is theirs now."""
    from sheets_sync.errors import WorkbookError

    demo(world)
    old = world.grid("Issues")
    for r, row in enumerate(old):
        for c, value in enumerate(row):
            if value is not None:
                world.set("Issues", r, c, None)
    bugs = [["Bug", "Status", "Owner"], *[[f"BUG-{i}", "open", "Ana"] for i in range(1, 6)]]
    for r, row in enumerate(bugs):
        for c, value in enumerate(row):
            world.set("Issues", r, c, value)
    theirs = world.grid("Issues")
    with pytest.raises(WorkbookError, match=r"tabs\.issues"):
        sync(world.backend(), as_of=AS_OF)
    with pytest.raises(WorkbookError, match="not made by sheets-sync"):
        provision(world.backend())
    plan = provision(world.backend(), dry_run=True)
    assert plan.conflicts and any("tabs.issues" in step for step in plan.steps)
    assert world.grid("Issues") == theirs
    assert [row[:3] for row in normalized(theirs)[: len(bugs)]] == bugs
    # check still reads the workbook and reports as before
    from sheets_sync.sync import check

    assert {f.rule for f in check(world.backend(), as_of=AS_OF).findings} >= set(DEMO_PROBLEMS)


def _delete_column(world: World, tab: str, col: int) -> None:
    if isinstance(world, XlsxWorld):
        world._edit(tab, lambda ws: ws.delete_cols(col + 1))
    else:
        assert isinstance(world, GoogleWorld)
        world._ss().delete_columns(tab, col, 1)


def test_suspicious_readings_and_a_dde_formula_are_reported(world: World) -> None:
    demo(world)
    log = world.grid("KPI Log")
    k1_reading = next(row for row in log[1:] if row[1] == "K1")
    day = k1_reading[0]
    day = day.date() if isinstance(day, dt.datetime) else day
    world.insert_rows("KPI Log", 1, 3)
    # K1 goes from 0 to 40: 12,500 is implausible, but it is the latest reading and counts
    for col, value in enumerate([dt.date(2026, 11, 26), "K1", 12_500]):
        world.set("KPI Log", 1, col, value)
    for col, value in enumerate([dt.date(2026, 11, 25), "K2", "=cmd|' /C calc'!A0"]):
        world.set("KPI Log", 2, col, value)
    for col, value in enumerate([day, "K1", 7]):  # a second K1 reading on an existing date
        world.set("KPI Log", 3, col, value)
    result = sync(world.backend(), as_of=AS_OF)
    found = {(f.rule, f.key, f.cell) for f in result.findings if f.tab == "KPI Log"}
    assert ("KPI-READING-IMPLAUSIBLE", "K1 @ 2026-11-26", "C2") in found
    assert ("SECURITY-EXTERNAL-FORMULA", "K2 @ 2026-11-25", "C3") in found
    assert not [f for f in result.findings if f.rule == "VALUE-UNCALCULATED" and f.cell == "C3"]
    # the inserted duplicate is above the demo's reading: that lower row is reported
    dupes = [f for f in result.findings if f.rule == "KPI-DUPLICATE-READING"]
    assert any(f.key == f"K1 @ {day.isoformat()}" and "row 4 (7)" in f.message for f in dupes)
    kpis = world.grid("KPIs")
    head = [str(h) for h in kpis[0]]
    k1 = next(row for row in kpis if row and row[0] == "K1")
    assert k1[head.index("Latest value")] == 12_500
    assert k1[head.index("Status")] == "Achieved"
    again = sync(world.backend(), as_of=AS_OF)
    assert again.cells_changed == 0 and findings(again) == findings(result)


def test_pace_column_is_written_and_added_to_an_older_workbook(world: World) -> None:
    demo(world)
    head = [str(h) for h in world.grid("KPIs")[0]]
    assert head.index("Pace") == head.index("Progress") + 1 == head.index("Confidence") - 1
    assert head.index("Confidence") == head.index("Status") - 1
    before = world.grid("KPIs")
    paces = {row[0]: row[head.index("Pace")] for row in before[1:] if row}
    directions = {row[0]: row[head.index("Direction")] for row in before[1:] if row}
    assert any(isinstance(p, int | float) for p in paces.values())
    for kpi, pace in paces.items():
        if str(directions[kpi]).startswith("maintain"):
            assert pace is None, kpi
    _delete_column(world, "KPIs", head.index("Pace"))
    assert "Pace" not in [str(h) for h in world.grid("KPIs")[0] if h is not None]
    result = sync(world.backend(), as_of=AS_OF)
    assert not [f for f in result.findings if f.rule == "TABLE-MISSING-COLUMN"]
    after = world.grid("KPIs")
    new_head = [str(h) for h in after[0]]
    assert "Pace" in new_head
    col = new_head.index("Pace")
    again = {row[0]: row[col] if col < len(row) else None for row in after[1:] if row}
    assert again.keys() == paces.keys()
    assert normalized([list(again.values())]) == normalized([list(paces.values())])
