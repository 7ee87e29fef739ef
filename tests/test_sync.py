"""The pipeline end to end on an in-memory backend: minimal writes, First seen, the Issues tab."""

from __future__ import annotations

import datetime as dt

from sheets_sync.backends.base import Link
from sheets_sync.sync import check, sync
from tests.fakes.memory import MemoryBackend
from tests.helpers import AS_OF, base_tabs


def issues(backend: MemoryBackend) -> list[dict[str, object]]:
    grid = backend.grid("Issues")
    header = [str(h) for h in grid[0]]
    return [dict(zip(header, row, strict=False)) for row in grid[1:]]


def test_second_sync_changes_nothing() -> None:
    backend = MemoryBackend(base_tabs())
    first = sync(backend, as_of=AS_OF)
    assert first.cells_changed > 0 and first.wrote
    writes = backend.writes
    second = sync(backend, as_of=AS_OF)
    assert second.cells_changed == 0 and not second.wrote and second.restored == []
    assert backend.writes == writes


def test_dry_run_and_check_write_nothing() -> None:
    backend = MemoryBackend(base_tabs())
    before = backend.read().tabs
    assert sync(backend, as_of=AS_OF, dry_run=True).cells_changed > 0
    assert check(backend, as_of=AS_OF).dry_run
    assert backend.read().tabs == before and backend.writes == 0


def test_first_seen_is_kept_while_reported_and_reset_after() -> None:
    tabs = base_tabs()
    tabs["RACI"][1][7] = "R"  # T1 loses its A
    backend = MemoryBackend(tabs)
    sync(backend, as_of=AS_OF)
    later = AS_OF + dt.timedelta(days=5)
    result = sync(backend, as_of=later)
    row = next(r for r in issues(backend) if r["Rule"] == "RACI-NO-A")
    assert row["First seen"] == AS_OF and row["Age (days)"] == 5
    assert row["Cell"] == Link("E2", "RACI", "E2")
    assert row["Key"] == "T1" and row["Severity"] == "error"
    assert result.first_seen[("RACI-NO-A", "RACI", "T1", "Accountable")] == AS_OF
    # rows move: the identity is not the cell address
    backend.tabs["RACI"].values.insert(1, ["T0", "Earlier task", "G1", None, None, None, None,
                                           "A", "R"])
    backend.version += 1
    sync(backend, as_of=later)
    row = next(r for r in issues(backend) if r["Rule"] == "RACI-NO-A")
    assert row["First seen"] == AS_OF and row["Cell"] == Link("E3", "RACI", "E3")
    # fixed, then broken again: First seen starts over
    backend.set("RACI", 2, 7, "A")
    sync(backend, as_of=later)
    assert not any(r["Rule"] == "RACI-NO-A" for r in issues(backend))
    backend.set("RACI", 2, 7, "C")
    sync(backend, as_of=later + dt.timedelta(days=1))
    row = next(r for r in issues(backend) if r["Rule"] == "RACI-NO-A")
    assert row["First seen"] == later + dt.timedelta(days=1)


def test_issues_cells_and_sort_order() -> None:
    tabs = base_tabs()
    tabs["RACI"][1][7] = "R"  # RACI-NO-A (error)
    tabs["Goals"][1][3] = None  # GOAL-ONE-SIDED (info)
    tabs["KPI Log"][1][2] = 30  # KPI-OFF-TRACK (warning)
    backend = MemoryBackend(tabs)
    sync(backend, as_of=AS_OF)
    rows = issues(backend)
    assert [r["Rule"] for r in rows] == ["RACI-NO-A", "KPI-OFF-TRACK", "GOAL-ONE-SIDED"]
    goals = backend.grid("Goals")
    assert goals[1][11] == "GOAL-ONE-SIDED"
    assert backend.grid("RACI")[1][6] == "RACI-NO-A"
    assert backend.grid("KPIs")[1][16] == "Off track"


def test_person_cells_are_never_written() -> None:
    tabs = base_tabs()
    tabs["Goals"][1][5] = "someday"  # a bad date stays as the person typed it
    tabs["Goals"][1][6] = "MONTHLY"  # enum spelling is theirs too
    tabs["KPIs"][1][10] = " ana "
    backend = MemoryBackend(tabs)
    before = backend.read()
    result = sync(backend, as_of=AS_OF)
    owned = {("Goals", c) for c in range(7, 12)} | {("KPIs", c) for c in range(11, 18)} | {
        ("RACI", c) for c in range(4, 7)
    } | {("People", c) for c in range(4, 8)}
    for u in result.updates:
        assert u.tab in ("Issues", "Dashboard", "History") or (u.tab, u.col) in owned, u
    after = backend.read()
    for name in ("KPI Log", "Reviews"):
        assert after.tabs[name].values == before.tabs[name].values
    people = [row[:4] for row in after.tabs["People"].values]
    assert people == [row[:4] for row in before.tabs["People"].values]
    assert after.tabs["Goals"].values[1][:7] == before.tabs["Goals"].values[1][:7]


def test_stale_computed_values_of_cleared_rows_are_cleared() -> None:
    backend = MemoryBackend(base_tabs())
    sync(backend, as_of=AS_OF)
    for col in range(11):
        backend.set("KPIs", 1, col, None)  # a person clears the KPI's inputs
    sync(backend, as_of=AS_OF)
    assert backend.grid("KPIs")[1:] == []


def test_sync_recreates_generated_tabs_and_computed_columns() -> None:
    backend = MemoryBackend(base_tabs())
    sync(backend, as_of=AS_OF)
    del backend.tabs["Dashboard"]
    for row in backend.tabs["KPIs"].values:
        del row[16]  # a person deletes the Status column
    result = sync(backend, as_of=AS_OF)
    assert "add tab 'Dashboard'" in result.restored
    kpis = backend.grid("KPIs")
    assert kpis[0][-1] == "Status" and kpis[1][-1] == "On track"
