"""History: periods, the persistent off-track rule (hand-worked), and rebuild = sync."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync.periods import parse_period, period_of
from sheets_sync.rebuild import rebuild_history
from sheets_sync.sync import sync
from tests.fakes.memory import MemoryBackend
from tests.helpers import AS_OF, D, base_tabs, run

HEADER = ["Kind", "ID", "Name", "Owner"]


def off_track_world(w46: str, w47: str, review: dt.date) -> dict[str, Any]:
    """K1 Off track this week (W48), with History cells for the two weeks before."""
    tabs = base_tabs()
    tabs["KPI Log"][1][2] = 10  # 10 of 100 by late November: far behind pace
    tabs["Reviews"][1][0] = review
    tabs["History"] = [[*HEADER, "2026-W46", "2026-W47"], ["KPI", "K1", "Signups", "Ana", w46, w47]]
    return tabs


def persistent(tabs: dict[str, Any]) -> list[Any]:
    return [f for f in run(tabs).findings if f.rule == "KPI-OFF-TRACK-PERSISTENT"]


def test_off_track_three_periods_with_no_review_since() -> None:
    (found,) = persistent(off_track_world("Off track", "Off track", D(2026, 11, 1)))
    assert (found.tab, found.key, found.column) == ("KPIs", "K1", "Status")
    assert found.message.startswith(
        "Off track or overdue for 3 periods in a row (2026-W46 Off track, 2026-W47 Off track, "
        "2026-W48 Off track), and goal G1 has had no review since 2026-11-09 (last review "
        "2026-11-01)"
    )


def test_overdue_counts_as_off_track() -> None:
    assert persistent(off_track_world("Overdue", "Off track", D(2026, 11, 1)))


def test_a_review_in_the_window_means_someone_met() -> None:
    assert persistent(off_track_world("Off track", "Off track", D(2026, 11, 9))) == []


def test_off_track_for_two_periods_is_not_persistent() -> None:
    assert persistent(off_track_world("On track", "Off track", D(2026, 11, 1))) == []
    assert persistent(off_track_world("", "Off track", D(2026, 11, 1))) == []


def test_a_closed_period_that_was_at_risk_breaks_the_run() -> None:
    assert persistent(off_track_world("Off track", "At risk", D(2026, 11, 1))) == []


def test_periods_round_trip_and_order() -> None:
    for day in (D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 4), AS_OF):
        for kind in ("week", "month"):
            period = period_of(day, kind)  # type: ignore[arg-type]
            assert period.first <= day <= period.last
            assert parse_period(period.label, kind) == period  # type: ignore[arg-type]
    assert period_of(D(2026, 12, 31), "week").label == "2026-W53"
    assert parse_period("2026-W54", "week") is None
    assert parse_period("2026-13", "month") is None


readings = st.lists(
    st.tuples(
        st.dates(D(2026, 1, 1), D(2026, 12, 31)),
        st.floats(0, 150, allow_nan=False).map(lambda v: round(v, 1)),
    ),
    max_size=8,
)


def _with(rows: list[tuple[dt.date, float]]) -> dict[str, Any]:
    tabs = base_tabs()
    tabs["KPI Log"] = [tabs["KPI Log"][0], *[[d, "K1", v, "Ana", None] for d, v in rows]]
    return tabs


def _column(backend: MemoryBackend, label: str) -> dict[tuple[str, str], Any]:
    grid = backend.read().tabs["History"].values
    col = grid[0].index(label)
    return {(r[0], r[1]): (r[col] if col < len(r) else None) for r in grid[1:] if r and r[0]}


def _statuses(backend: MemoryBackend) -> dict[tuple[str, str], Any]:
    out = {}
    for kind, tab in (("Goal", "Goals"), ("KPI", "KPIs")):
        grid = backend.read().tabs[tab].values
        status = grid[0].index("Status")
        for row in grid[1:]:
            out[(kind, row[0])] = row[status] if status < len(row) else None
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=readings, day=st.dates(D(2026, 1, 5), D(2027, 2, 28)), later=st.integers(0, 70))
def test_a_rebuilt_column_is_what_a_sync_on_that_day_writes(
    rows: list[tuple[dt.date, float]], day: dt.date, later: int
) -> None:
    today = day + dt.timedelta(days=later)
    period = period_of(day, "week")
    rebuilt = MemoryBackend(_with(rows))
    sync(rebuilt, as_of=today)
    rebuild_history(rebuilt, start=D(2026, 1, 1), as_of=today)
    synced = MemoryBackend(_with(rows))
    sync(synced, as_of=min(period.last, today))
    assert _column(rebuilt, period.label) == _statuses(synced)


def test_a_name_that_is_a_date_written_as_text_is_not_rewritten() -> None:
    # Google's values read shows text that looks like an ISO date as it shows a date, and
    # reads it as one: the name written as text must still read back as "the same".
    from sheets_sync.backends.base import RawTab
    from sheets_sync.history import HEADERS, Item, column_updates, read_history

    period = period_of(AS_OF, "weekly")
    names = {"G1": D(2026, 11, 3), "G2": dt.datetime(2026, 11, 3, 10, 30)}
    shown = {"G1": "2026-11-03", "G2": "2026-11-03 10:30:00"}
    raw = RawTab("History", [[*HEADERS, period.label],
                             ["Goal", "G1", names["G1"], "Ana", "On track"],
                             ["Goal", "G2", names["G2"], "Ana", "On track"]])
    items = [Item("Goal", key, shown[key], "Ana", "On track") for key in ("G1", "G2")]
    updates, why = column_updates("History", read_history(raw, "weekly"), items, period)
    assert (updates, why) == ([], None)
    # A different text is still written.
    items[0] = Item("Goal", "G1", "2026-11-04", "Ana", "On track")
    updates, _ = column_updates("History", read_history(raw, "weekly"), items, period)
    assert [(u.row, u.col, u.value) for u in updates] == [(1, 2, "2026-11-04")]
