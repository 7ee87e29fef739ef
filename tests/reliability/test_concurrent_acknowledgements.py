"""A person acknowledges a finding on the Issues tab while a sync runs (google, on the fake).

People type Acknowledged by beside the tool's rows, and the sync rewrites those rows. Each
trial gives the sync work that reorders the Issues tab (an Accountable changes, a reading
arrives), then a person types an acknowledgement beside a random finding while the sync
runs. Afterwards the acknowledgement must sit beside the finding it was typed next to (or
be gone with that finding, when the sync's work settled it), and beside no other.

Window "before the guard": the name is typed between the sync's read and the guard's
re-read (or the row moves whose reply is the guard's re-read).
Window "between guard and write": no client of the API can see an edit there. The sync
moves the Issues rows (whole rows, people's cells included) rather than rewriting them,
and a new finding always gets an empty row, so a note typed there stays with its finding.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sheets_sync.sync import sync
from sheets_sync.templates import normalize_header
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend
from tests.reliability.figures import record, scale
from tests.reliability.test_concurrent_edits import (
    AS_OF,
    base,  # noqa: F401  (the module's fixture: a small synced demo on the fake)
    give_the_sync_work,
    in_window,
)

SUITE = "concurrent_acknowledgements"
TRIALS = scale(40, 500)
PERSON = "Ana Ruiz"


@dataclass
class Trial:
    seed: int
    replans: int
    kept: bool  # beside its finding, or gone with it
    elsewhere: int  # other findings showing it
    moved: bool  # the sync moved Issues rows (the case a rewrite would get wrong)


def issues(fake: FakeGoogle, sid: str) -> tuple[list[list[Any]], dict[str, int]]:
    grid = [list(r) for r in fake.spreadsheet(sid).values("Issues")]
    cols = {normalize_header(h): c for c, h in enumerate(grid[0]) if isinstance(h, str)}
    return grid, cols


def identity(row: list[Any], cols: dict[str, int]) -> tuple[Any, ...]:
    return tuple(row[cols[h]] if cols[h] < len(row) else None for h in ("rule", "tab", "key"))


def type_acknowledgement(fake: FakeGoogle, sid: str, rng: random.Random, note: str) -> Any:
    """Type ``note`` as Acknowledged by beside a random finding; returns its identity."""
    grid, cols = issues(fake, sid)
    rows = [r for r in range(1, len(grid)) if grid[r] and grid[r][cols["rule"]]]
    row = rng.choice(rows)
    fake.spreadsheet(sid).set_cell("Issues", row, cols["acknowledged by"], note)
    fake.spreadsheet(sid).set_cell("Issues", row, cols["comment"], note)
    return identity(grid[row], cols)


def run_trial(world: tuple[FakeGoogle, str, Any], seed: int, window: str) -> Trial:
    fake, sid, snapshot = world
    ss = fake.spreadsheet(sid)
    ss.restore(snapshot)
    fake.clear_hooks()
    give_the_sync_work(fake, sid, random.Random(seed))
    rng = random.Random(seed * 31 + 7)
    note = f"{PERSON}"
    typed: dict[str, Any] = {}

    def type_it() -> None:
        typed["identity"] = type_acknowledgement(fake, sid, rng, note)

    seen = in_window(fake, window, type_it)
    backend = google_backend(fake, sid)
    write = backend.write
    moved: list[bool] = []

    def recording_write(data: Any, updates: Any, plan: Any = None) -> Any:
        moved.append(bool(plan is not None and plan.row_shifts))
        return write(data, updates, plan)

    backend.write = recording_write  # type: ignore[method-assign]
    result = sync(backend, as_of=AS_OF)
    fake.clear_hooks()
    assert typed, f"the acknowledgement was never typed (requests: {seen})"
    sync(google_backend(fake, sid), as_of=AS_OF)  # the next sync reads it back
    grid, cols = issues(fake, sid)
    showing = [identity(r, cols) for r in grid[1:]
               if len(r) > cols["acknowledged by"] and r[cols["acknowledged by"]] == note]
    present = any(identity(r, cols) == typed["identity"] for r in grid[1:])
    kept = (typed["identity"] in showing) if present else not showing
    elsewhere = sum(1 for i in showing if i != typed["identity"])
    return Trial(seed, result.replans, kept, elsewhere, bool(moved and moved[-1]))


def figures(trials: list[Trial], window: str) -> dict[str, int]:
    out = {
        "trials": len(trials),
        "re-planned": sum(1 for t in trials if t.replans),
        "lost": sum(1 for t in trials if not t.kept),
        "attached to another finding": sum(t.elsewhere for t in trials),
        "rows moved by the sync": sum(1 for t in trials if t.moved),
    }
    print(f"\n{window}: {out}")
    return out


def check_window(f: dict[str, int], window: str, typed: str) -> None:
    """Record a window's figures; nothing lost, nothing attached to another finding."""
    record(SUITE, f"acknowledgements typed {typed}", f["trials"])
    record(SUITE, f"acknowledgements lost ({window})", f["lost"], must_be=0)
    record(SUITE, f"acknowledgements attached to another finding ({window})",
           f["attached to another finding"], must_be=0)
    assert f["lost"] == 0
    assert f["attached to another finding"] == 0


def test_an_acknowledgement_typed_before_the_guard_stays_with_its_finding(
    base: tuple[FakeGoogle, str, Any],  # noqa: F811
) -> None:
    f = figures([run_trial(base, seed, "before-guard") for seed in range(TRIALS)],
                "before the guard")
    check_window(f, "before the guard", "between read and guard re-read")
    record(SUITE, "of which the guard re-planned", f["re-planned"])
    assert f["re-planned"] == f["trials"]  # the guard saw every one: the test can tell


def test_an_acknowledgement_typed_between_guard_and_write_moves_with_its_finding(
    base: tuple[FakeGoogle, str, Any],  # noqa: F811
) -> None:
    f = figures([run_trial(base, 100_000 + seed, "after-guard") for seed in range(TRIALS)],
                "between guard and write")
    check_window(f, "after the guard", "between guard re-read and write")
    record(SUITE, "of which the sync moved Issues rows", f["rows moved by the sync"])
    assert f["rows moved by the sync"] > 0  # rows did move under the note: the test can tell
