"""A person edits the sheet while a sync runs (google, on the fake): the guard's promise, measured.

Each trial gives the sync work (an Accountable changes, a KPI reading arrives), then a
person's edit lands inside the sync: a row inserted, deleted, sorted or moved; a column
inserted; a header renamed; or a value typed into a computed cell.

The guard's re-read is a values read, or, when the sync's only structural change is
moving Issues rows, the reply of the request that moves them (the moves carry whole
rows, so they lose nothing when the guard then finds the sheet changed).

Group 1: the edit lands between the sync's read and its guard re-read. The guard sees
every edit that moves rows or columns and re-plans, so no value lands on a wrong row.
Group 2: the edit lands between the guard and the write, a window no client of the API
can see. Computed values are written through column anchors (developer metadata), so
an inserted column cannot redirect them onto a column people own; a row moved in the
window can misplace a computed value inside its own column (counted and reported), and
the next sync repairs every one.

In both groups no cell people own changes, and the state after the next sync equals
what one sync of the same edited sheet gives when nobody edits during it.

The workbook is a trimmed demo (a few goals, KPIs and tasks, grids cut to 60 rows) so a
trial takes a fraction of a second; SHEETS_SYNC_RELIABILITY=full runs 1,000 per group.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from sheets_sync.backends.base import CellUpdate, WorkbookData
from sheets_sync.demo import demo_rows, fill_demo
from sheets_sync.sync import sync
from sheets_sync.templates import load_template, normalize_header
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend, is_guard
from tests.reliability.figures import record, scale

SUITE = "concurrent_edits"
AS_OF = dt.date(2026, 11, 27)
TRIALS = scale(25, 1000)
GRID_ROWS = 60
EDITED = ("Goals", "KPIs", "RACI")
INPUT_TABS = ("People", "Goals", "KPIs", "KPI Log", "RACI", "Reviews")
ALL_TABS = (*INPUT_TABS, "Issues", "Dashboard")
TEMPLATE = load_template()
COMPUTED = {t: {c.norm for c in TEMPLATE.table(t).computed} for t in INPUT_TABS}
KEYS = {"Goals": "goal id", "KPIs": "kpi id", "RACI": "task id"}
WRITES = ("sheets.spreadsheets.batchUpdate", "sheets.spreadsheets.values.batchUpdateByDataFilter")
KINDS = ("insert row", "delete row", "sort", "move row", "insert column", "rename header",
         "type into computed cell")


def small_demo() -> dict[str, list[list[Any]]]:
    """The demo cut to 4 goals with their KPIs, readings, reviews and 8 tasks."""
    rows = demo_rows(AS_OF)
    goals = rows["Goals"][:5]
    goal_ids = {r[0] for r in goals[1:]}
    kpis = [rows["KPIs"][0], *[r for r in rows["KPIs"][1:] if r[1] in goal_ids][:6]]
    kpi_ids = {r[0] for r in kpis[1:]}
    log_header = [normalize_header(h) for h in rows["KPI Log"][0]]
    kpi_col = log_header.index("kpi id")
    log = [rows["KPI Log"][0], *[r for r in rows["KPI Log"][1:] if r[kpi_col] in kpi_ids][:30]]
    review_header = [normalize_header(h) for h in rows["Reviews"][0]]
    goal_col = review_header.index("goal id")
    picked = [r for r in rows["Reviews"][1:] if r[goal_col] in goal_ids][:12]
    reviews = [rows["Reviews"][0], *picked]
    return {**rows, "Goals": goals, "KPIs": kpis, "KPI Log": log,
            "RACI": rows["RACI"][:9], "Reviews": reviews}


@pytest.fixture(scope="module")
def base() -> tuple[FakeGoogle, str, Any]:
    fake = FakeGoogle(seed=11)
    backend = google_backend(fake)
    fill_demo(backend, AS_OF, rows=small_demo())
    sid = backend.spreadsheet_id
    assert sid is not None
    ss = fake.spreadsheet(sid)
    for sheet in ss.sheets:  # the empty rows below make every read of the fake slower
        if sheet.row_count > GRID_ROWS:
            ss.delete_rows(sheet.title, GRID_ROWS, sheet.row_count - GRID_ROWS)
    assert sync(google_backend(fake, sid), as_of=AS_OF, dry_run=True).cells_changed == 0
    return fake, sid, ss.snapshot()


def values(fake: FakeGoogle, sid: str) -> dict[str, list[list[Any]]]:
    """Every value of every tab, trailing empties trimmed."""
    ss = fake.spreadsheet(sid)
    out = {}
    for tab in ALL_TABS:
        rows = [list(r) for r in ss.values(tab)]
        for row in rows:
            while row and row[-1] in (None, ""):
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        out[tab] = rows
    return out


def user_cells(fake: FakeGoogle, sid: str) -> dict[str, list[list[Any]]]:
    """Every cell people own: the input tabs minus the columns headed by a computed header."""
    ss = fake.spreadsheet(sid)
    out = {}
    for tab in INPUT_TABS:
        grid = ss.values(tab)
        header = [normalize_header(h) if isinstance(h, str) else h for h in
                  (grid[0] if grid else [])]
        width = max((len(r) for r in grid), default=0)
        keep = [i for i in range(width) if i >= len(header) or header[i] not in COMPUTED[tab]]
        rows = [[row[i] if i < len(row) else None for i in keep] for row in grid]
        # A row holding only computed values (written where a person just deleted the
        # last row) has no user cell in it: it is not a change to anything people own.
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        out[tab] = rows
    return out


def give_the_sync_work(fake: FakeGoogle, sid: str, rng: random.Random) -> None:
    """A change that moves computed values, so the sync has something to write."""
    ss = fake.spreadsheet(sid)
    grid = ss.values("RACI")
    row = rng.randrange(1, len(grid))
    col = len(grid[0]) - 1 - rng.randrange(0, 5)  # a person's role column
    current = grid[row][col] if col < len(grid[row]) else None
    ss.set_cell("RACI", row, col, None if current == "A" else "A")  # Accountable changes
    log = ss.values("KPI Log")
    kpis = [r[0] for r in ss.values("KPIs")[1:] if r and r[0]]
    ss.insert_rows("KPI Log", len(log), 1)  # a new reading: Latest value changes
    ss.set_cell("KPI Log", len(log), 0, AS_OF)
    ss.set_cell("KPI Log", len(log), 1, rng.choice(kpis))
    ss.set_cell("KPI Log", len(log), 2, rng.randrange(1, 2000))


def person_edits(fake: FakeGoogle, sid: str, rng: random.Random, kind: str) -> str:
    """One edit a person makes to a keyed tab; returns what was done."""
    ss = fake.spreadsheet(sid)
    tab = rng.choice(EDITED)
    grid = ss.values(tab)
    rows = len(grid)
    header = [normalize_header(h) if isinstance(h, str) else "" for h in grid[0]]
    if kind == "insert row":
        at = rng.randrange(1, rows + 1)
        ss.insert_rows(tab, at, 1)
        ss.set_cell(tab, at, 0, f"NEW{rng.randrange(1000)}")
    elif kind == "delete row":
        ss.delete_rows(tab, rng.randrange(1, rows), 1)
    elif kind == "sort":
        ss.sort_rows(tab, rng.randrange(0, 3), descending=rng.random() < 0.5)
    elif kind == "move row":
        src = rng.randrange(1, rows)
        dest = rng.choice([d for d in range(1, rows + 1) if d not in (src, src + 1)] or [1])
        ss.move_rows(tab, src, 1, dest)
    elif kind == "insert column":
        at = rng.randrange(0, len(header) + 1)
        ss.insert_columns(tab, at, 1)
        ss.set_cell(tab, 0, at, "Comments")
        for r in rng.sample(range(1, rows), k=min(3, rows - 1)):
            ss.set_cell(tab, r, at, f"note {r}")
    elif kind == "rename header":
        # A column people own gets a new name (a computed header renamed is the tool's).
        owned = [i for i, h in enumerate(header) if h and h not in COMPUTED[tab]]
        col = rng.choice(owned)
        ss.rename_header(tab, col, f"{grid[0][col]} (old)")
    else:
        computed = [i for i, h in enumerate(header) if h in COMPUTED[tab]]
        ss.set_cell(tab, rng.randrange(1, rows), rng.choice(computed), "typed by hand")
    return f"{kind} in {tab}"


def misplaced(fake: FakeGoogle, sid: str, data: WorkbookData, updates: list[CellUpdate]) -> int:
    """Computed values now on another record's row than the one they were planned for.

    Values are written through column anchors, so only rows can shift under them: a
    value is misplaced when the key in its row now differs from the key that row held
    in the read the sync planned from (the key column found by the header it had then).
    """
    ss = fake.spreadsheet(sid)
    wrong = 0
    for tab in {u.tab for u in updates if u.tab in KEYS}:
        grid = ss.values(tab)
        header = [normalize_header(h) if isinstance(h, str) else "" for h in grid[0]]
        key_then = data.key_columns.get(tab, 0)
        # The key column now is the one headed as the planning read's key column was
        # (a person may have renamed that header, or moved the column).
        then_header = normalize_header(data.tabs[tab].get(0, key_then))
        key_now = header.index(then_header) if then_header in header else None
        for u in (u for u in updates if u.tab == tab and u.row > 0):
            planned = data.tabs[tab].get(u.row, key_then)
            now = (grid[u.row][key_now] if key_now is not None and u.row < len(grid)
                   and key_now < len(grid[u.row]) else None)
            wrong += planned != now
    return wrong


@dataclass
class Trial:
    seed: int
    edit: str
    replans: int
    misplaced: int
    user_cells_changed: bool
    repaired: bool
    same_as_fresh: bool


def in_window(fake: FakeGoogle, window: str, act: Callable[[], None]) -> list[str]:
    """Have ``act`` (a person's edit) run once inside the sync: just before the guard's
    re-read ("before-guard"), or just before the first write after it ("after-guard").
    Returns the requests the sync makes, as they are seen (for failure messages)."""
    seen: list[str] = []
    done: list[bool] = []

    def hook(_fake: FakeGoogle, info: Any) -> None:
        guard = is_guard(info)
        # after the guard: the first write after its re-read (which may be a write itself)
        after = info.endpoint in WRITES and "guard" in seen
        due = guard if window == "before-guard" else after
        seen.append("guard" if guard else info.endpoint)
        if done:
            return
        if due:
            done.append(True)
            act()

    fake.before_request(hook)
    return seen


def run_trial(base: tuple[FakeGoogle, str, Any], seed: int, window: str) -> Trial:
    fake, sid, snapshot = base
    kind = KINDS[seed % len(KINDS)]
    ss = fake.spreadsheet(sid)
    ss.restore(snapshot)
    fake.clear_hooks()
    give_the_sync_work(fake, sid, random.Random(seed))
    edit_rng = random.Random(seed * 7919 + 1)
    landed: dict[str, Any] = {}

    def edit() -> None:
        landed["edit"] = person_edits(fake, sid, edit_rng, kind)
        landed["cells"] = user_cells(fake, sid)

    seen = in_window(fake, window, edit)
    backend = google_backend(fake, sid)
    written: list[tuple[WorkbookData, list[CellUpdate]]] = []
    write: Callable[..., Any] = backend.write

    def recording_write(data: Any, updates: Any, plan: Any = None) -> Any:
        written.append((data, list(updates)))
        return write(data, updates, plan)

    backend.write = recording_write  # type: ignore[method-assign]
    result = sync(backend, as_of=AS_OF)
    fake.clear_hooks()
    assert landed, f"the person's edit never happened (requests: {seen})"
    changed = user_cells(fake, sid) != landed["cells"]
    wrong = misplaced(fake, sid, *written[-1]) if written else 0
    sync(google_backend(fake, sid), as_of=AS_OF)
    repaired = sync(google_backend(fake, sid), as_of=AS_OF, dry_run=True).cells_changed == 0
    after_next = values(fake, sid)

    # The same edit, made while no sync runs, then one sync: what a fresh sync gives.
    ss.restore(snapshot)
    give_the_sync_work(fake, sid, random.Random(seed))
    person_edits(fake, sid, random.Random(seed * 7919 + 1), kind)
    sync(google_backend(fake, sid), as_of=AS_OF)
    fresh = values(fake, sid)
    return Trial(seed, landed["edit"], result.replans, wrong, changed, repaired,
                 after_next == fresh)


def summarize(trials: list[Trial], window: str) -> dict[str, int]:
    figures = {
        "trials": len(trials),
        "re-planned": sum(1 for t in trials if t.replans),
        "misplaced": sum(t.misplaced for t in trials),
        "trials with a misplaced value": sum(1 for t in trials if t.misplaced),
        "user cells changed": sum(t.user_cells_changed for t in trials),
        "repaired": sum(t.repaired for t in trials),
        "differ from a fresh sync": sum(not t.same_as_fresh for t in trials),
    }
    by_kind = {k: sum(1 for t in trials if t.edit.startswith(k)) for k in KINDS}
    print(f"\n{window}: {figures}; edits by kind {by_kind}")
    failed = [t for t in trials if t.user_cells_changed or not t.repaired or not t.same_as_fresh]
    for t in failed[:5]:
        print(f"  failed: {t}")
    return figures


def test_edits_before_the_guard_never_land_on_a_wrong_row(
    base: tuple[FakeGoogle, str, Any],
) -> None:
    trials = [run_trial(base, seed, "before-guard") for seed in range(TRIALS)]
    f = summarize(trials, "before the guard")
    record(SUITE, "edits between read and guard re-read", f["trials"])
    record(SUITE, "of which the guard re-planned", f["re-planned"])
    record(SUITE, "values written onto a wrong row", f["misplaced"], must_be=0)
    record(SUITE, "user cells changed (edits before the guard)", f["user cells changed"],
           must_be=0)
    record(SUITE, "states after the next sync unlike a fresh sync's (before the guard)",
           f["differ from a fresh sync"], must_be=0)
    assert f["misplaced"] == 0
    assert f["user cells changed"] == 0
    assert f["repaired"] == f["trials"]
    assert f["differ from a fresh sync"] == 0
    assert f["re-planned"] > 0  # the guard did see edits: the test can tell


def test_edits_between_guard_and_write_are_repaired_by_the_next_sync(
    base: tuple[FakeGoogle, str, Any],
) -> None:
    trials = [run_trial(base, 100_000 + seed, "after-guard") for seed in range(TRIALS)]
    f = summarize(trials, "between guard and write")
    record(SUITE, "edits between guard re-read and write", f["trials"])
    record(SUITE, "computed values misplaced by them", f["misplaced"],
           note=f"in {f['trials with a misplaced value']} trials")
    record(SUITE, "of those trials repaired by the next sync (%)",
           round(100 * f["repaired"] / f["trials"], 1), must_be=100.0)
    record(SUITE, "user cells changed (edits after the guard)", f["user cells changed"],
           must_be=0)
    record(SUITE, "states after the next sync unlike a fresh sync's (after the guard)",
           f["differ from a fresh sync"], must_be=0)
    assert f["user cells changed"] == 0
    assert f["repaired"] == f["trials"]
    assert f["differ from a fresh sync"] == 0
    assert f["misplaced"] > 0  # the window is real: the test would see a misplaced value


def test_an_inserted_column_cannot_redirect_computed_values(
    base: tuple[FakeGoogle, str, Any],
) -> None:
    """The case anchors exist for: a column inserted left of Status, after the guard."""
    fake, sid, snapshot = base
    ss = fake.spreadsheet(sid)
    ss.restore(snapshot)
    grid = ss.values("Goals")
    header = [normalize_header(h) for h in grid[0]]
    status = header.index("status")
    ss.set_cell("Goals", 1, status, "typed by hand")  # the sync has Status to rewrite
    fake.clear_hooks()

    def hook(_fake: FakeGoogle, info: Any) -> None:
        if info.endpoint in WRITES and ss.values("Goals")[0][status] != "Comments":
            ss.insert_columns("Goals", status, 1)
            ss.set_cell("Goals", 0, status, "Comments")
            ss.set_cell("Goals", 1, status, "keep me")

    fake.before_request(hook)
    sync(google_backend(fake, sid), as_of=AS_OF)
    fake.clear_hooks()
    after = ss.values("Goals")
    assert after[1][status] == "keep me"
    assert after[1][status + 1] == grid[1][status]
