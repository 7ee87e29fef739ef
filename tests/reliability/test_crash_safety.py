"""Crash safety of the xlsx backend: SIGKILL at any moment loses nothing.

The real command line runs in a child process (``python -m sheets_sync sync`` and
``provision``) and is killed with SIGKILL after a random delay: half of the runs at a
moment drawn uniformly across the command's measured duration, the other half at a
moment drawn across its save (from when its temp file appears to a little after it is
renamed over the workbook). After every kill the workbook must open (openpyxl and
``XlsxBackend.read``) and hold exactly the state before the run or the state after a
complete run (every cell value, link, conditional format, dropdown and frozen pane of
every tab, the tab order and the template marker). 200 kills in the full run (150
sync, 50 provision), 12 in ``make test``. Temp files a killed save left are counted;
after every other kill that left one, and after every fifth kill, the same command
runs again: it must exit 0, reach the complete state and remove those temp files
(they are aged first: a save removes only those over an hour old, since a younger
one may be another run's save in progress).

Two overlapping syncs of one workbook: the second exits 75 and changes no byte,
whether the first is a real sync held just before its save
(:mod:`tests.reliability.crash_child`) or the test holds the cron lock itself.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.base import CellUpdate, CellValue
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.lock import workbook_lock
from tests.reliability.figures import record, scale

SUITE = "crash_safety"
AS_OF = dt.date(2026, 11, 27)
ROOT = Path(__file__).resolve().parents[2]
BOOK = "book.xlsx"
SEED = 4_2026_11_27
TRY_LATER = 75
#: A run that takes longer than this is hung: the suite stops it and fails.
HUNG_SECONDS = 180.0
#: Environment variables the child processes must not inherit from the machine.
ISOLATED = (
    "SHEETS_SYNC_CONFIG",
    "SHEETS_SYNC_TIMEZONE",
    "SHEETS_SYNC_LOCALE",
    "SHEETS_SYNC_TEMPLATE",
    "SHEETS_SYNC_STATE_DIR",
)

Snapshot = dict[str, Any]


# --- the workbooks --------------------------------------------------------------------------


def _edit_inputs(path: Path) -> None:
    """Change what people typed in a synced demo workbook, so the next sync has work."""
    backend = XlsxBackend(path)
    data = backend.read()
    updates: list[CellUpdate] = []

    def append(tab: str, values: list[CellValue], formats: list[str]) -> None:
        raw = data.tabs[tab]
        row = len(raw.values) + sum(1 for u in updates if u.tab == tab and u.col == 0)
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True)):
            updates.append(CellUpdate(tab, row, col, value, fmt))  # type: ignore[arg-type]

    append(
        "KPI Log",
        [AS_OF - dt.timedelta(days=1), "K7", 64, "Grace Kim", None],
        ["date", "text", "number", "text", "text"],
    )
    append(
        "KPI Log",
        [AS_OF - dt.timedelta(days=2), "K5", 80, "Ben Okafor", "catching up"],
        ["date", "text", "number", "text", "text"],
    )
    append(
        "Reviews",
        [
            AS_OF - dt.timedelta(days=3),
            "G3",
            "Ana Ruiz, Elena Petrova",
            "Back on a monthly rhythm",
            "Review again in December",
        ],
        ["date", "text", "text", "text", "text"],
    )
    raci = data.tabs["RACI"].values
    header = [str(v) for v in raci[0]]
    t7 = next(r for r, row in enumerate(raci) if row and row[0] == "T7")
    updates.append(CellUpdate("RACI", t7, header.index("Priya Shah"), "A"))
    backend.write(data, updates)
    backend.close()


def _strip_provisioning(source: Path, target: Path) -> None:
    """A copy of ``source`` lacking tabs, highlighting, dropdowns, a frozen row, the marker."""
    from openpyxl import load_workbook
    from openpyxl.formatting.formatting import ConditionalFormattingList

    wb = load_workbook(source)
    for name in ("Reviews", "Issues", "Dashboard", "History"):
        del wb[name]
    for name in ("Goals", "KPIs"):
        wb[name].conditional_formatting = ConditionalFormattingList()
    wb["RACI"].data_validations.dataValidation = []
    wb["Goals"].freeze_panes = None
    wb.custom_doc_props.props = []  # type: ignore[attr-defined]
    wb.save(target)


def snapshot(path: Path) -> Snapshot:
    """Everything a person would see of the workbook, as openpyxl loads it."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path)
    props = wb.custom_doc_props.props  # type: ignore[attr-defined]
    snap: Snapshot = {
        "tabs": tuple(wb.sheetnames),
        "marker": sorted((p.name, str(p.value)) for p in props),
    }
    for ws in wb.worksheets:
        cells = {
            cell.coordinate: (cell.value, cell.hyperlink.location if cell.hyperlink else None)
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None
        }
        rules = sorted(
            (str(cf.sqref), tuple(str(rule.formula) for rule in cf.rules))
            for cf in ws.conditional_formatting
        )
        dropdowns = sorted(
            (str(dv.sqref), str(dv.formula1)) for dv in ws.data_validations.dataValidation
        )
        snap[ws.title] = (cells, rules, dropdowns, ws.freeze_panes)
    wb.close()
    return snap


def opened(path: Path) -> tuple[Snapshot | None, str]:
    """The workbook's snapshot when both openpyxl and the backend read it, else None and why."""
    try:
        snap = snapshot(path)
        XlsxBackend(path).read()
    except Exception as exc:  # any failure to open is what this suite counts
        return None, f"{type(exc).__name__}: {exc}"
    return snap, ""


# --- running and killing the real command line ------------------------------------------


def _env(state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED}
    env["SHEETS_SYNC_STATE_DIR"] = str(state)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def command(kind: str, path: Path) -> list[str]:
    """The real CLI: ``sheets-sync sync`` (as of AS_OF) or ``sheets-sync provision``."""
    args = [sys.executable, "-m", "sheets_sync", kind, "--workbook", str(path)]
    return args + (["--as-of", AS_OF.isoformat()] if kind == "sync" else [])


def _temps(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".xlsx.tmp"))


@dataclass
class Run:
    """One child run: its exit code, whether SIGKILL ended it, when its save was seen."""

    rc: int
    killed: bool
    elapsed: float
    save_seen: float | None = None
    save_done: float | None = None
    output: str = ""


def run_cli(
    cmd: list[str],
    env: dict[str, str],
    folder: Path,
    *,
    kill_at: float | None = None,
    kill_after_save_start: float | None = None,
    watch: bool = False,
) -> Run:
    """Run ``cmd`` and SIGKILL it at the moment asked; without one, let it complete.

    ``kill_at`` counts from the start; ``kill_after_save_start`` from the moment the
    temp file of its save appears in ``folder``. ``watch`` records when the save
    was seen (the folder is polled every millisecond only then, sparing the CPU).
    """
    log = folder.parent / f"{folder.name}.log"
    seen: float | None = None
    done: float | None = None
    with open(log, "wb") as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        if kill_after_save_start is None and not watch:
            try:
                proc.wait(timeout=HUNG_SECONDS if kill_at is None else kill_at)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        else:
            while proc.poll() is None:
                now = time.monotonic() - start
                has_temp = bool(_temps(folder))
                if has_temp and seen is None:
                    seen = now
                elif not has_temp and seen is not None and done is None:
                    done = now
                deadline = kill_at if kill_at is not None else HUNG_SECONDS
                if kill_after_save_start is not None and seen is not None:
                    deadline = seen + kill_after_save_start
                if now >= deadline:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    break
                time.sleep(0.001)
        elapsed = time.monotonic() - start
    killed = proc.returncode == -signal.SIGKILL
    output = log.read_text(errors="replace")
    log.unlink()
    if (killed and kill_at is None and kill_after_save_start is None) or elapsed > HUNG_SECONDS:
        pytest.fail(f"{' '.join(cmd)} hung for {HUNG_SECONDS:.0f} s: {output}")
    if seen is not None and done is None and not killed:
        done = elapsed
    return Run(proc.returncode, killed, elapsed, seen, done, output)


# --- the campaign -----------------------------------------------------------------------


@dataclass
class Reference:
    """What a complete run of one command does to its start workbook, and how long it takes."""

    kind: str
    start: Path
    before: Snapshot
    after: Snapshot
    duration: float
    save_window: float


@dataclass
class Tally:
    attempts: int = 0
    killed: int = 0
    completed: int = 0
    unreadable: int = 0
    neither: int = 0
    before: int = 0
    after: int = 0
    temp_files: int = 0
    temp_kills: int = 0
    other_files: int = 0
    recoveries: int = 0
    recovery_failures: int = 0
    stale_after_recovery: int = 0
    problems: list[str] = field(default_factory=list)


def reference(kind: str, start: Path, work: Path, env: dict[str, str]) -> Reference:
    """Two complete runs on copies: the after state (the same both times) and the timings."""
    runs: list[Run] = []
    afters: list[Snapshot] = []
    for n in range(2):
        folder = work / f"{kind}-reference-{n}"
        folder.mkdir()
        shutil.copy2(start, folder / BOOK)
        run = run_cli(command(kind, folder / BOOK), env, folder, watch=True)
        assert run.rc == 0, run.output
        assert run.save_seen is not None, f"{kind} did not save: {run.output}"
        runs.append(run)
        afters.append(snapshot(folder / BOOK))
        assert _temps(folder) == []
    assert afters[0] == afters[1], f"two complete {kind} runs disagree"
    before = snapshot(start)
    assert before != afters[0], f"{kind} has nothing to do on its start workbook"
    windows = [r.save_done - r.save_seen for r in runs if r.save_done and r.save_seen]
    return Reference(
        kind=kind,
        start=start,
        before=before,
        after=afters[0],
        duration=max(r.elapsed for r in runs),
        save_window=max([0.02, *windows]),
    )


def recover(ref: Reference, folder: Path, env: dict[str, str], tally: Tally) -> None:
    """Run the command again after a kill: it must work, finish the job, clear stale temps."""
    tally.recoveries += 1
    old = time.time() - 2 * 3600
    for name in _temps(folder):  # as if the kill happened two hours ago
        os.utime(folder / name, (old, old))
    run = run_cli(command(ref.kind, folder / BOOK), env, folder)
    state, why = opened(folder / BOOK)
    if run.rc != 0 or state != ref.after:
        tally.recovery_failures += 1
        tally.problems.append(
            f"{folder.name}: the next {ref.kind} exited {run.rc} "
            f"({'complete' if state == ref.after else why or 'incomplete state'}): {run.output}"
        )
    left = [n for n in os.listdir(folder) if n != BOOK]
    tally.stale_after_recovery += len(left)
    if left:
        tally.problems.append(f"{folder.name}: left after the next {ref.kind}: {left}")


def campaign(
    ref: Reference, work: Path, env: dict[str, str], kills: int, rng: random.Random, tally: Tally
) -> None:
    """Kill ``kills`` runs of ``ref.kind`` at random moments; check every workbook after."""
    cap = kills * 3
    killed = 0
    while killed < kills and tally.attempts < cap:
        tally.attempts += 1
        folder = work / f"{ref.kind}-{tally.attempts:04d}"
        folder.mkdir()
        path = folder / BOOK
        shutil.copy2(ref.start, path)
        if tally.attempts % 2:
            run = run_cli(
                command(ref.kind, path), env, folder, kill_at=rng.uniform(0, ref.duration * 1.05)
            )
        else:
            run = run_cli(
                command(ref.kind, path),
                env,
                folder,
                kill_after_save_start=rng.uniform(0, ref.save_window * 1.25),
            )
        if run.killed:
            killed += 1
            tally.killed += 1
        else:
            tally.completed += 1
            if run.rc != 0:
                tally.problems.append(f"{folder.name}: {ref.kind} exited {run.rc}: {run.output}")
        state, why = opened(path)
        if state is None:
            tally.unreadable += 1
            tally.problems.append(f"{folder.name}: the workbook does not open: {why}")
        elif state == ref.after:
            tally.after += int(run.killed)
        elif state == ref.before:
            tally.before += int(run.killed)
            if not run.killed:
                tally.problems.append(f"{folder.name}: a complete {ref.kind} changed nothing")
        else:
            tally.neither += 1
            tally.problems.append(f"{folder.name}: neither the state before nor after")
        temps = _temps(folder)
        others = [n for n in os.listdir(folder) if n != BOOK and n not in temps]
        tally.temp_files += len(temps)
        tally.other_files += len(others)
        if others:
            tally.problems.append(f"{folder.name}: unexpected files left: {others}")
        tally.temp_kills += bool(temps)
        if run.killed and ((temps and tally.temp_kills % 2) or killed % 5 == 0):
            recover(ref, folder, env, tally)
        if not tally.problems:
            shutil.rmtree(folder)


@dataclass
class World:
    work: Path
    env: dict[str, str]
    sync: Reference
    provision: Reference


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The start workbooks of both commands, and a reference complete run of each."""
    from sheets_sync.demo import build_demo

    work = tmp_path_factory.mktemp("crash")
    env = _env(work / "state")
    demo = work / "demo.xlsx"
    build_demo(demo, AS_OF)
    sync_start = work / "sync-start.xlsx"
    shutil.copy2(demo, sync_start)
    _edit_inputs(sync_start)
    provision_start = work / "provision-start.xlsx"
    _strip_provisioning(demo, provision_start)
    yield World(
        work=work,
        env=env,
        sync=reference("sync", sync_start, work, env),
        provision=reference("provision", provision_start, work, env),
    )


# --- the tests --------------------------------------------------------------------------


def test_sigkill_leaves_the_state_before_or_after(world: World) -> None:
    rng = random.Random(SEED)
    plan = {"sync": scale(8, 150), "provision": scale(4, 50)}
    tallies: dict[str, Tally] = {}
    for kind, kills in plan.items():
        tallies[kind] = Tally()
        campaign(getattr(world, kind), world.work, world.env, kills, rng, tallies[kind])

    def total(name: str) -> int:
        return sum(getattr(t, name) for t in tallies.values())

    split = ", ".join(f"{kind} {t.killed}" for kind, t in tallies.items())
    record(
        SUITE,
        "runs_killed",
        total("killed"),
        note=f"SIGKILL during the real CLI ({split}); half at a moment across the run, half "
        f"during the save; {total('completed')} more runs finished before their kill moment",
    )
    record(SUITE, "killed_in_state_before", total("before"), note="the workbook untouched")
    record(SUITE, "killed_in_state_after", total("after"), note="the save had completed")
    record(
        SUITE,
        "workbooks_unreadable",
        total("unreadable"),
        must_be=0,
        note="openpyxl load and XlsxBackend.read after every kill",
    )
    record(
        SUITE,
        "states_neither_before_nor_after",
        total("neither"),
        must_be=0,
        note="every cell value, link, rule, dropdown, frozen pane, tab and marker compared",
    )
    record(
        SUITE,
        "leftover_temp_files",
        total("temp_files"),
        note="hidden .book.xlsx.*.xlsx.tmp of saves killed before the rename; the workbook is "
        "intact, the next run ignores them and its save removes those over an hour old",
    )
    record(SUITE, "unexpected_leftover_files", total("other_files"), must_be=0)
    record(
        SUITE,
        "recovery_runs",
        total("recoveries"),
        note="the same command run again after a kill (every other kill that left a temp file, "
        "and every fifth kill)",
    )
    record(
        SUITE,
        "recovery_failures",
        total("recovery_failures"),
        must_be=0,
        note="the next run exits 0 and reaches the complete state",
    )
    record(SUITE, "stale_temp_files_after_recovery", total("stale_after_recovery"), must_be=0)

    problems = [p for t in tallies.values() for p in t.problems]
    assert total("killed") >= sum(plan.values()), problems
    assert total("unreadable") == 0, problems
    assert total("neither") == 0, problems
    assert total("other_files") == 0, problems
    assert total("recovery_failures") == 0, problems
    assert total("stale_after_recovery") == 0, problems
    assert total("recoveries") > 0
    assert not problems


def _changed_bytes(old: bytes, new: bytes) -> int:
    return sum(a != b for a, b in zip(old, new, strict=False)) + abs(len(old) - len(new))


def test_overlapping_syncs_the_second_exits_75_and_changes_nothing(world: World) -> None:
    folder = world.work / "overlap"
    folder.mkdir()
    path = folder / BOOK
    shutil.copy2(world.sync.start, path)
    ready, go = world.work / "overlap.ready", world.work / "overlap.go"
    first_cmd = [sys.executable, "-m", "tests.reliability.crash_child", str(ready), str(go), "--"]
    first_cmd += command("sync", path)[3:]
    first = subprocess.Popen(
        first_cmd, cwd=ROOT, env=world.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + HUNG_SECONDS
        while not ready.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ready.exists(), "the first sync never reached its save"
        # The first sync holds the lock and is about to save: start the second one now.
        before, names = path.read_bytes(), sorted(os.listdir(folder))
        second = subprocess.run(
            command("sync", path),
            cwd=ROOT,
            env=world.env,
            capture_output=True,
            text=True,
            timeout=HUNG_SECONDS,
        )
        changed = _changed_bytes(before, path.read_bytes())
        names_after = sorted(os.listdir(folder))
        assert first.poll() is None, "the first sync did not wait"
    finally:
        go.touch()
        out, _ = first.communicate(timeout=HUNG_SECONDS)
    assert first.returncode == 0, out
    assert snapshot(path) == world.sync.after

    # The same with the test process holding the cron lock, for sync and for provision.
    held_codes: list[int] = []
    held_changed = 0
    for kind, ref in (("sync", world.sync), ("provision", world.provision)):
        other = world.work / f"held-{kind}"
        other.mkdir()
        book = other / BOOK
        shutil.copy2(ref.start, book)
        state = Path(world.env["SHEETS_SYNC_STATE_DIR"])
        with workbook_lock(str(book.resolve()), state):
            old = book.read_bytes()
            held = subprocess.run(
                command(kind, book),
                cwd=ROOT,
                env=world.env,
                capture_output=True,
                text=True,
                timeout=HUNG_SECONDS,
            )
            held_changed += _changed_bytes(old, book.read_bytes())
        held_codes.append(held.returncode)
        assert held.returncode == TRY_LATER, held.stdout + held.stderr
        assert sorted(os.listdir(other)) == [BOOK]

    record(
        SUITE,
        "overlap_exit_code",
        second.returncode,
        must_be=TRY_LATER,
        note="a second sync while a first one holds the lock mid-run; also "
        f"{held_codes} for sync and provision while the test holds the lock",
    )
    record(
        SUITE,
        "overlap_changed_bytes",
        changed + held_changed,
        must_be=0,
        note="bytes of the workbook the refused runs changed",
    )
    assert second.returncode == TRY_LATER, second.stdout + second.stderr
    assert "lock" in (second.stdout + second.stderr).lower()
    assert changed + held_changed == 0
    assert names_after == names


def test_stale_temp_files_are_ignored_and_old_ones_removed(world: World) -> None:
    folder = world.work / "stale"
    folder.mkdir()
    path = folder / BOOK
    shutil.copy2(world.sync.start, path)
    fresh = folder / f".{BOOK}.fresh123.xlsx.tmp"
    stale = folder / f".{BOOK}.stale123.xlsx.tmp"
    truncated = path.read_bytes()[:1000]  # what a save killed half-way leaves
    for temp in (fresh, stale):
        temp.write_bytes(truncated)
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    others = [folder / ".other.xlsx.abc.xlsx.tmp", folder / "notes.xlsx.tmp"]
    for other in others:  # another workbook's temp file and a person's file: never touched
        other.write_bytes(b"keep")
        os.utime(other, (old, old))
    run = run_cli(command("sync", path), world.env, folder)
    assert run.rc == 0, run.output
    assert snapshot(path) == world.sync.after
    assert sorted(os.listdir(folder)) == sorted([BOOK, fresh.name, *(o.name for o in others)])
    assert fresh.read_bytes() == truncated
