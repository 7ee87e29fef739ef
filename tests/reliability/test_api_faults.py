"""API faults: syncs of the Google backend while 30% of requests fail.

Every trial starts from the same small synced workbook (the demo, its grids trimmed to
just past the data, as people delete unused rows), gives the sync real work (a RACI role
cell and a new KPI Log reading; some trials also drop a tool-installed protected range or
conditional format, or shrink the Issues grid, so the write is a batch that is not safe to
apply twice), and syncs with 429, 500, 503, timeouts and connection resets injected into
30% of the requests (a different seed per sync, 2 to 5 attempts per request). A third of
the trials also lose the reply of a write after Google applied it (the values write,
or the batchUpdate that grows the grid or restores formatting), so a retried write runs
twice.

Each sync must complete or fail with a SheetsSyncError whose message says what happened,
and the spreadsheet's whole state afterwards must be the state before the sync or the
state a fault-free sync leaves (computed once per trial from the same starting point).
A sync that must also grow a grid or restore formatting sends that structure first, then
all values in one request: failing between the two leaves every value as before (the
Issues tab's rows moved whole, with their cells and notes, new ones blank)
and the structure as a correct sync's, which is counted apart ("structure"), not as
"neither".
No cell people own may change. Then a 429 storm: every request refused for as long as the
sync keeps trying ends within the configured time bound (a fake clock), as TryLater, which
the command line turns into exit 75.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.google.http import PolicyHTTPClient, RetryPolicy
from sheets_sync.demo import demo_rows, fill_demo
from sheets_sync.errors import SheetsSyncError, TryLater
from sheets_sync.sync import sync
from sheets_sync.templates import load_template, normalize_header
from tests.fakes.google_api import FakeGoogle, Spreadsheet, serve
from tests.fakes.google_api.checkpoint import Checkpoint
from tests.fakes.google_backend import google_backend
from tests.reliability.figures import record, scale

SUITE = "api_faults"
AS_OF = dt.date(2026, 11, 27)
SYNCS = scale(25, 500)
KINDS = (429, 500, 503, "timeout", "reset")
BATCH_UPDATE = "sheets.spreadsheets.batchUpdate"
VALUES_WRITE = "sheets.spreadsheets.values.batchUpdateByDataFilter"
GENERATED = ("Issues", "Dashboard", "History")
FORMATTED = ("Goals", "KPIs", "RACI")
#: What a clean failure says: what went wrong and what to do.
CLEAR = (
    re.compile(
        r"Google API still failing after \d+ attempts in \d+\.\ds "
        r"\((HTTP (429|500|503)|ReadTimeout|ConnectionError)\); nothing more was written\. "
        r"Try again later\.$"
    ),
    re.compile(
        r"The connection to Google was lost during a write \((ReadTimeout|ConnectionError)\): "
        r"Google may or may not have applied it, .* Run the command again"
    ),
)
#: The 429 storm: the configured bound on retrying one request, in (simulated) seconds.
STORM_BOUND = 120.0


@dataclass
class World:
    fake: FakeGoogle
    sid: str
    base: Any  # a snapshot of the synced workbook

    @property
    def ss(self) -> Spreadsheet:
        return self.fake.spreadsheet(self.sid)


@pytest.fixture(autouse=True)
def _verify_rollbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write the fake refuses must leave nothing behind: checked against a full copy."""
    monkeypatch.setattr(Checkpoint, "verify", True)


@pytest.fixture(scope="module")
def world() -> World:
    fake = FakeGoogle(seed=11)
    backend = google_backend(fake)
    rows = demo_rows(AS_OF)
    log = rows["KPI Log"]  # a quarter of the readings keeps each trial quick
    rows["KPI Log"] = log[:1] + [r for i, r in enumerate(log[1:]) if i % 4 == 0]
    fill_demo(backend, AS_OF, rows=rows)
    sid = backend.spreadsheet_id
    assert sid is not None
    ss = fake.spreadsheet(sid)
    for sheet in list(ss.sheets):  # a small workbook: unused rows deleted, as people do
        keep = max(len(ss.values(sheet.title)) + 40, 60)
        ss.delete_rows(sheet.title, keep, sheet.row_count - keep)
    sync(google_backend(fake, sid), as_of=AS_OF)
    assert sync(google_backend(fake, sid), as_of=AS_OF, dry_run=True).cells_changed == 0
    return World(fake, sid, ss.snapshot())


# -- the whole state, and the cells people own ----------------------------------------------
def state(ss: Spreadsheet, snap: Any = None) -> dict[str, Any]:
    """Everything the spreadsheet holds (or a snapshot of it), ids the server assigns left out."""
    snap = snap if snap is not None else ss.snapshot()
    sheets = []
    for sheet in snap["sheets"]:
        fields = dict(vars(sheet))
        fields["protected"] = [
            {k: v for k, v in p.items() if k != "protectedRangeId"} for p in fields["protected"]
        ]
        sheets.append(fields)
    meta = [{k: v for k, v in m.items() if k != "metadataId"} for m in snap["dev_meta"]]
    return {
        "props": snap["props"],
        "named_ranges": snap["named_ranges"],
        "dev_meta": meta,
        "sheets": sheets,
    }


def _computed() -> dict[str, set[str]]:
    template = load_template()
    return {
        t.name: {c.norm for c in t.computed} for t in template.tables if t.kind == "table"
    }


COMPUTED = _computed()


def user_cells(st: dict[str, Any]) -> dict[tuple[str, int, int], Any]:
    """Every stored cell people own: all tabs but Issues/Dashboard, minus computed columns."""
    out: dict[tuple[str, int, int], Any] = {}
    for sheet in st["sheets"]:
        title = str(sheet["props"]["title"])
        if title in GENERATED:
            continue
        headers = {
            c: normalize_header(cell.get("userEnteredValue", {}).get("stringValue", ""))
            for (r, c), cell in sheet["cells"].items()
            if r == 0
        }
        computed = COMPUTED.get(title, set())
        for (r, c), cell in sheet["cells"].items():
            if headers.get(c) not in computed:
                out[(title, r, c)] = cell
    return out


def cells_lost(before: dict[str, Any], after: dict[str, Any]) -> int:
    old, new = user_cells(before), user_cells(after)
    return sum(1 for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def split(st: dict[str, Any]) -> tuple[dict[Any, Any], dict[str, Any]]:
    """(every cell's value, everything else: grid sizes, formats, rules, anchors).

    A date's number format goes with its value: writing a date sets both.
    """
    values = {}
    sheets = []
    for sheet in st["sheets"]:
        cells = {}
        for key, cell in sheet["cells"].items():
            fmt = dict(cell.get("userEnteredFormat") or {})
            number_format = fmt.pop("numberFormat", None)
            values[(sheet["props"]["title"], *key)] = (cell.get("userEnteredValue"), number_format)
            rest = {k: v for k, v in cell.items()
                    if k not in ("userEnteredValue", "_effective", "userEnteredFormat")}
            if fmt:
                rest["userEnteredFormat"] = fmt
            if rest:
                cells[key] = rest
        sheets.append({**sheet, "cells": cells})
    return values, {**st, "sheets": sheets}


def ending(before: dict[str, Any], correct: dict[str, Any], after: dict[str, Any]) -> str:
    """correct, before, structure (the sync's structural batchUpdate landed, its values
    write did not: every value as before, grid/formatting/anchors as a correct sync's), or
    neither."""
    if after == correct:
        return "correct"
    if after == before:
        return "before"
    values_after, rest_after = split(after)
    values_before = split(before)[0]
    if rest_after == split(correct)[1] and (
        values_after == values_before or rows_moved_only(values_before, values_after)
    ):
        return "structure"
    return "neither"


def rows_moved_only(before: dict[Any, Any], after: dict[Any, Any]) -> bool:
    """Every value as before, except that Issues rows moved as the structure moves them:
    whole rows, each with all its cells (none deleted); new ones blank."""
    def outside(values: dict[Any, Any]) -> dict[Any, Any]:
        return {k: v for k, v in values.items() if k[0] != "Issues"}

    def rows(values: dict[Any, Any]) -> list[tuple[Any, ...]]:
        by_row: dict[int, list[Any]] = {}
        for (tab, row, col), value in values.items():
            if tab == "Issues" and value[0] is not None:  # a new row: formats only
                by_row.setdefault(row, []).append((col, value))
        return [tuple(sorted(cells)) for _, cells in sorted(by_row.items())]

    if outside(before) != outside(after):
        return False
    return sorted(map(repr, rows(before))) == sorted(map(repr, rows(after)))


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Where two states differ (for the failure message)."""
    out = [k for k in ("props", "named_ranges", "dev_meta") if a[k] != b[k]]
    sheets_a = {s["props"]["title"]: s for s in a["sheets"]}
    sheets_b = {s["props"]["title"]: s for s in b["sheets"]}
    for title in sorted(sheets_a.keys() | sheets_b.keys()):
        sa, sb = sheets_a.get(title), sheets_b.get(title)
        if sa is None or sb is None:
            out.append(f"{title}: tab only on one side")
            continue
        for key in sa:
            if sa[key] != sb[key]:
                if key == "cells":
                    cells = [k for k in sa[key].keys() | sb[key].keys()
                             if sa[key].get(k) != sb[key].get(k)]
                    out.append(f"{title}: {len(cells)} cells, e.g. {sorted(cells)[:3]}")
                else:
                    out.append(f"{title}: {key}")
    return out


# -- the work each sync gets --------------------------------------------------------------
def give_the_sync_work(ss: Spreadsheet, rng: random.Random, extra: str) -> str:
    """A person's edits that move computed values, and, for some trials, more."""
    grid = ss.values("RACI")
    row = rng.randrange(1, len(grid))
    col = len(grid[0]) - 1 - rng.randrange(0, 5)  # one of the people's role columns
    current = grid[row][col] if col < len(grid[row]) else None
    ss.set_cell("RACI", row, col, None if current == "A" else "A")  # Accountable changes
    log = ss.values("KPI Log")
    kpis = [r[0] for r in ss.values("KPIs")[1:] if r and r[0]]
    ss.insert_rows("KPI Log", len(log), 1)  # a new reading: Latest value changes
    ss.set_cell("KPI Log", len(log), 0, AS_OF - dt.timedelta(days=rng.randrange(0, 3)))
    ss.set_cell("KPI Log", len(log), 1, rng.choice(kpis))
    ss.set_cell("KPI Log", len(log), 2, rng.randrange(1, 2000))
    if extra == "format":  # another program dropped something provisioning installed
        sheet = ss.sheet(rng.choice(FORMATTED))
        with ss._lock:
            if sheet.protected and (rng.random() < 0.5 or not sheet.cond_formats):
                sheet.protected.pop(rng.randrange(len(sheet.protected)))
                return f"{sheet.title}: protected range dropped"
            sheet.cond_formats.pop(rng.randrange(len(sheet.cond_formats)))
            return f"{sheet.title}: conditional format dropped"
    if extra == "grow":  # the Issues grid is too short for the findings: the write grows it
        height = len(ss.values("Issues"))
        sheet = ss.sheet("Issues")
        ss.delete_rows("Issues", height - 3, sheet.row_count - (height - 3))
        return "Issues grid shrunk"
    return "cells"


# -- one trial ----------------------------------------------------------------------------
@dataclass
class Tally:
    syncs: int = 0
    completed: int = 0
    failed_cleanly: int = 0
    unclear: list[str] = field(default_factory=list)
    cells_lost: int = 0
    neither: list[str] = field(default_factory=list)
    completed_not_correct: list[str] = field(default_factory=list)
    wrong_exit_code: list[str] = field(default_factory=list)
    retries: int = 0
    injected: int = 0
    lost_replies: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    ends: Counter[str] = field(default_factory=Counter)


def clear_failure(exc: BaseException) -> bool:
    """A SheetsSyncError that says what happened, with the exit code it stands for."""
    if not isinstance(exc, SheetsSyncError):
        return False
    text = str(exc)
    return any(p.search(text) for p in CLEAR)


def run_trial(world: World, index: int, tally: Tally) -> None:
    fake, ss = world.fake, world.ss
    rng = random.Random(index)
    lose_reply = index % 3 == 0
    attempts = (2, 3, 5)[(index // 3) % 3]
    extra = ("cells", "cells", "format", "cells", "grow")[index % 5]
    fake.faults.clear()
    ss.restore(world.base)
    what = give_the_sync_work(ss, rng, extra)
    start = ss.snapshot()
    before = state(ss, start)

    expected = sync(google_backend(fake, world.sid), as_of=AS_OF)  # (b): no faults
    correct = state(ss)
    assert expected.cells_changed > 0 or expected.restored, f"trial {index}: no work"
    assert cells_lost(before, correct) == 0, f"trial {index}: a fault-free sync changed user cells"
    ss.restore(start)

    label = f"trial {index} ({what}, {attempts} attempts{', reply lost' if lose_reply else ''})"
    policy = RetryPolicy(max_attempts=attempts, base_delay=0.0, max_delay=0.0)
    backend = google_backend(fake, world.sid, policy=policy)
    injected = fake.faults.injected
    if lose_reply:  # the write is applied, its reply never arrives
        structural = extra in ("format", "grow") and index % 2
        fake.faults.timeout(after_apply=True,
                            endpoint=BATCH_UPDATE if structural else VALUES_WRITE)
    fake.faults.probability(0.3, KINDS, seed=10_000 + index)
    outcome = "completed"
    result = None
    try:
        result = sync(backend, as_of=AS_OF)
    except Exception as exc:  # classifying every failure is the point
        message = f"{type(exc).__name__}: {exc}"
        tally.failures[re.sub(r"\d+(\.\d+)?", "N", message)[:160]] += 1
        if clear_failure(exc):
            outcome = "failed"
            code = exc.exit_code if isinstance(exc, SheetsSyncError) else 0
            wants = 75 if "(HTTP 429)" in str(exc) else 1
            if code != wants or isinstance(exc, TryLater) != (wants == 75):
                tally.wrong_exit_code.append(f"{label}: exit {code} for {message}")
        else:
            outcome = "unclear"
            tally.unclear.append(f"{label}: {message}")
    finally:
        if lose_reply and fake.faults.pending == 0:
            tally.lost_replies += 1
        fake.faults.clear()
    after = state(ss)

    tally.syncs += 1
    tally.retries += backend.http.stats.retries
    tally.injected += fake.faults.injected - injected
    lost = cells_lost(before, after)
    tally.cells_lost += lost
    ended = ending(before, correct, after)
    tally.ends[f"{outcome} -> {ended}"] += 1
    if ended == "neither":
        tally.neither.append(f"{label} {outcome}: {differences(correct, after)[:4]}")
    if outcome == "completed":
        tally.completed += 1
        assert result is not None
        if ended != "correct" or result.updates != expected.updates:
            tally.completed_not_correct.append(f"{label}: ended {ended}")
    elif outcome == "failed":
        tally.failed_cleanly += 1


def test_syncs_under_api_faults_complete_or_fail_cleanly(world: World) -> None:
    tally = Tally()
    for index in range(SYNCS):
        run_trial(world, index, tally)
    world.fake.faults.clear()

    record(SUITE, "syncs", tally.syncs, note="30% of requests fail: 429, 500, 503, timeout, reset")
    record(SUITE, "completed", tally.completed)
    record(SUITE, "failed_cleanly", tally.failed_cleanly,
           note="SheetsSyncError/TryLater saying what happened and what to do")
    record(SUITE, "unclear_failures", len(tally.unclear), must_be=0)
    record(SUITE, "cells_lost", tally.cells_lost, must_be=0,
           note="user cells differing from before the sync")
    record(SUITE, "states_neither_before_nor_correct", len(tally.neither), must_be=0)
    record(SUITE, "failed_with_structure_done_values_before",
           sum(n for end, n in tally.ends.items() if end.endswith("structure")),
           note="grid grown or formatting restored, every value as before; next sync ends it")
    record(SUITE, "completed_not_correct", len(tally.completed_not_correct), must_be=0)
    record(SUITE, "wrong_exit_codes", len(tally.wrong_exit_code), must_be=0,
           note="75 (TryLater) when the last reply was 429, else 1")
    record(SUITE, "retries", tally.retries)
    record(SUITE, "faults_injected", tally.injected)
    record(SUITE, "replies_lost_after_apply", tally.lost_replies,
           note="write applied, reply lost; sent again only when that is safe")
    print(f"[{SUITE}] outcomes: {dict(sorted(tally.ends.items()))}")
    for message, n in tally.failures.most_common():
        print(f"[{SUITE}]   {n} x {message}")

    assert not tally.unclear, tally.unclear[:5]
    assert tally.cells_lost == 0
    assert not tally.neither, tally.neither[:5]
    assert not tally.completed_not_correct, tally.completed_not_correct[:5]
    assert not tally.wrong_exit_code, tally.wrong_exit_code[:5]
    assert tally.completed and tally.failed_cleanly  # both ends were exercised
    assert tally.lost_replies and tally.ends["completed -> correct"]


# -- 429 storms ---------------------------------------------------------------------------
class FakeClock:
    """Simulated time: sleeping advances it, and so does each request (its round trip)."""

    def __init__(self, per_request: float) -> None:
        self.now = 0.0
        self.per_request = per_request

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def request(self, _fake: FakeGoogle, _info: Any) -> None:
        self.now += self.per_request


STORM_AT = ("sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet", VALUES_WRITE)


def storm(world: World, endpoint: str | None, per_request: float) -> tuple[float, int]:
    """Every request to ``endpoint`` refused with 429 for hours: (simulated seconds, retries)."""
    fake, ss = world.fake, world.ss
    fake.faults.clear()
    ss.restore(world.base)
    give_the_sync_work(ss, random.Random(1), "cells")
    before = state(ss)
    policy = RetryPolicy(max_attempts=1_000_000, max_seconds=STORM_BOUND)
    backend = google_backend(fake, world.sid, policy=policy)
    clock = FakeClock(per_request)
    backend.http.clock = clock.clock
    backend.http.sleep = clock.sleep
    backend.http.rng = random.Random(7)  # the jitter
    fake.faults.add(429, count=1_000_000, endpoint=endpoint)
    fake.before_request(clock.request)
    try:
        with pytest.raises(TryLater, match=r"still failing after \d+ attempts .*\(HTTP 429\)"):
            sync(backend, as_of=AS_OF)
    finally:
        fake.faults.clear()
        fake.clear_hooks()
    # No value was written; the Issues rows may have moved (structure, sent first).
    after = state(ss)
    assert after == before or rows_moved_only(split(before)[0], split(after)[0])
    return clock.now, backend.http.stats.retries


def test_a_429_storm_ends_within_the_time_bound_as_try_later(world: World) -> None:
    """The storm starts at the read, at the guard's re-read, or at the write."""
    seen = {endpoint.rsplit(".", 1)[-1]: storm(world, endpoint, 0.0) for endpoint in STORM_AT}
    # Each refused request takes a round trip too: the last one may end past the bound
    # by at most that round trip (the policy never starts a wait that would cross it).
    trips, trip_retries = storm(world, None, 0.4)
    worst = max(seconds for seconds, _ in seen.values())
    detail = "; ".join(f"{k}: {s:.1f} s, {n} retries" for k, (s, n) in seen.items())
    record(SUITE, "storm_seconds_vs_bound", f"{worst:.1f} s of {STORM_BOUND:.0f} s",
           note=f"simulated; {detail}; with 0.4 s round trips: {trips:.1f} s")
    assert worst <= STORM_BOUND
    assert all(retries > 5 for _, retries in seen.values())  # it kept trying, with backoff
    assert trips <= STORM_BOUND + 0.4 and trip_retries > 5


def test_a_429_storm_exits_75_at_the_command_line(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sheets_sync.cli import run

    fake, ss = world.fake, world.ss
    ss.restore(world.base)
    clock = FakeClock(per_request=0.0)
    monkeypatch.setattr(PolicyHTTPClient, "clock", staticmethod(clock.clock))
    monkeypatch.setattr(PolicyHTTPClient, "sleep", staticmethod(clock.sleep))
    monkeypatch.setenv("SHEETS_SYNC_STATE_DIR", str(tmp_path / "state"))
    for name in ("SHEETS_SYNC_CONFIG", "SHEETS_SYNC_TIMEZONE", "SHEETS_SYNC_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "sheets-sync.toml"
    config.write_text(
        f"[google]\nmax_attempts = 1000000\nmax_retry_seconds = {STORM_BOUND}\n\n"
        f'[[workbooks]]\nname = "acme"\nbackend = "google"\nspreadsheet_id = "{world.sid}"\n'
    )
    server = serve(fake, 0)
    monkeypatch.setenv("SHEETS_SYNC_GOOGLE_API_ROOT", server.url)
    fake.faults.add(429, count=1_000_000)
    try:
        code = run(["sync", "--config", str(config), "--as-of", AS_OF.isoformat()])
    finally:
        fake.faults.clear()
        server.close()
    err = capsys.readouterr().err
    record(SUITE, "storm_cli_exit_code", code, must_be=75)
    assert code == 75, err
    assert "Try again later" in err and "HTTP 429" in err and "Traceback" not in err
    assert clock.now <= STORM_BOUND
