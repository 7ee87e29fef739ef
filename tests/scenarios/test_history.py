"""The History tab on both backends: weekly columns, a sync that never rewrites the past,
and what people do to the tab (delete it, sort it, type into it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sheets_sync.backends.base import Link
from sheets_sync.sync import SyncResult, sync
from tests.scenarios.worlds import World, XlsxWorld, demo_in

#: Three Mondays, and the Wednesday after the third.
MONDAYS = (dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30))
WEDNESDAY = dt.date(2026, 12, 2)
LABELS = ("2026-W47", "2026-W48", "2026-W49")


def plain(value: Any) -> Any:
    return value.text if isinstance(value, Link) else value


def statuses(world: World) -> dict[tuple[str, str], Any]:
    """(Kind, ID) -> the Status column's value, from Goals and KPIs."""
    out: dict[tuple[str, str], Any] = {}
    for kind, tab, key in (("Goal", "Goals", "Goal ID"), ("KPI", "KPIs", "KPI ID")):
        grid = world.grid(tab)
        header = [str(h) for h in grid[0]]
        k, s = header.index(key), header.index("Status")
        for row in grid[1:]:
            if k < len(row) and row[k]:
                out[(kind, str(row[k]))] = row[s] if s < len(row) else None
    return out


def history(world: World) -> dict[str, dict[tuple[str, str], Any]]:
    """Period label -> (Kind, ID) -> the History cell."""
    grid = world.grid("History")
    header = [plain(h) for h in grid[0]]
    assert header[:4] == ["Kind", "ID", "Name", "Owner"]
    out: dict[str, dict[tuple[str, str], Any]] = {}
    for col, label in enumerate(header[4:], start=4):
        out[str(label)] = {
            (str(row[0]), str(row[1])): (row[col] if col < len(row) else None)
            for row in grid[1:]
            if row and row[0]
        }
    return out


def unchanged(world: World, before: bytes | None) -> bool:
    if isinstance(world, XlsxWorld):
        return world.path.read_bytes() == before
    return True


def snapshot(world: World) -> bytes | None:
    return world.path.read_bytes() if isinstance(world, XlsxWorld) else None


def weekly(world: World) -> list[dict[tuple[str, str], Any]]:
    """The demo synced on three Mondays; the Status columns after each."""
    demo_in(world, MONDAYS[0])
    seen = [statuses(world)]
    for monday in MONDAYS[1:]:
        sync(world.backend(), as_of=monday)
        seen.append(statuses(world))
    return seen


def test_three_weekly_syncs_make_three_columns(world: World) -> None:
    seen = weekly(world)
    columns = history(world)
    assert list(columns) == list(LABELS)
    for label, status in zip(LABELS, seen, strict=True):
        assert columns[label] == status, label


def test_a_sync_in_the_same_week_rewrites_only_that_weeks_column(world: World) -> None:
    weekly(world)
    before = world.grid("History")
    # A reading for K5 changes its status this week.
    log = world.grid("KPI Log")
    world.set("KPI Log", len(log), 0, WEDNESDAY)
    world.set("KPI Log", len(log), 1, "K5")
    world.set("KPI Log", len(log), 2, 99)
    result = sync(world.backend(), as_of=WEDNESDAY)
    after = world.grid("History")
    current = [plain(h) for h in after[0]].index(LABELS[-1])
    changed = {
        (r, c)
        for r in range(max(len(before), len(after)))
        for c in range(max(len(before[0]), len(after[0])))
        if plain(before[r][c] if r < len(before) and c < len(before[r]) else None)
        != plain(after[r][c] if r < len(after) and c < len(after[r]) else None)
    }
    assert changed and {c for _, c in changed} == {current}
    assert history(world)[LABELS[-1]] == statuses(world)
    assert any(u.tab == "History" for u in result.updates)
    # Nothing new to do: a no-op (no write at all; an xlsx file stays byte-identical).
    before_bytes = snapshot(world)
    again = sync(world.backend(), as_of=WEDNESDAY)
    assert again.cells_changed == 0 and not again.wrote
    assert unchanged(world, before_bytes)


def test_a_deleted_history_tab_comes_back_with_this_period_only(world: World) -> None:
    weekly(world)
    world.delete_tab("History")
    result: SyncResult = sync(world.backend(), as_of=WEDNESDAY)
    assert list(history(world)) == [LABELS[-1]]
    assert any("history rebuild" in note for note in result.notes)


def test_a_sorted_history_keeps_every_past_cell(world: World) -> None:
    weekly(world)
    before = history(world)
    world.sort_rows("History", 2, descending=True)  # by Name
    sync(world.backend(), as_of=WEDNESDAY)
    after = history(world)
    for label in LABELS[:-1]:
        assert after[label] == before[label], label
    assert after[LABELS[-1]] == statuses(world)


def test_a_past_cell_a_person_typed_is_never_rewritten(world: World) -> None:
    weekly(world)
    grid = world.grid("History")
    col = [plain(h) for h in grid[0]].index(LABELS[0])
    world.set("History", 1, col, "typed by hand")
    others = {tab: world.grid(tab) for tab in ("Goals", "KPIs", "KPI Log")}
    sync(world.backend(), as_of=WEDNESDAY)
    assert world.grid("History")[1][col] == "typed by hand"
    for tab in ("KPI Log",):
        assert world.grid(tab) == others[tab]


def test_the_dashboard_trend_counts_the_history(tmp_path: Path) -> None:
    world = XlsxWorld(tmp_path)
    weekly(world)
    dash = world.grid("Dashboard")
    header = [plain(h) for h in dash[0]]
    period = header.index("Period")
    rows = {str(r[period]): [*r, *[None] * len(header)] for r in dash[1:13] if period < len(r)}
    assert list(rows)[-3:] == list(LABELS)
    off = header.index("Off track")
    for label in LABELS:
        kpis = [s for (kind, _), s in history(world)[label].items() if kind == "KPI"]
        assert rows[label][off] == kpis.count("Off track"), label
    assert rows[next(iter(rows))][off] is None  # a period with no History column: blank
