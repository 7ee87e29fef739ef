"""The xlsx half of the benchmark.

For each size (S, M, L of :mod:`bench.workloads`), against the floor of one openpyxl
load plus one save of the same file:

- **floor**: ``load_workbook`` + ``save`` (the backend's load options) of the very file the
  sync with changes reads: the built workbook after the workload's edit. (The edit is saved
  by plain openpyxl, which stores every text inline; openpyxl loads that about 20% slower
  than the built workbook's shared-string table, so the built workbook would flatter the
  floor.)
- **sync with changes**: the workload's edit (new KPI readings, Accountable handovers)
  applied with openpyxl beforehand (not timed), then one ``sheets_sync.sync.sync``;
- **sync, nothing to change**: the synced copy synced again; the file must not be
  rewritten (bytes and mtime are compared by this process, not taken from the child).

Targets: sync at most 1.5 x the floor; a sync with nothing to change does not rewrite
the file; time linear in size (L at most 12 x M).

Every measured operation runs in a fresh ``python -m bench.xlsx_child`` process, so
its peak RSS is its own. Runs are interleaved (floor, sync, idle, floor, ...) so
background noise falls on all three alike; each figure is the median of the runs.

Built workbooks are cached in ``bench/.cache/xlsx/`` keyed by size and by a hash of the
workload generator and the template, so repeated runs do not rebuild (L takes minutes).

    python -m bench.xlsx_bench --sizes S,M --runs 5
    python -m bench.xlsx_bench --sizes M --profile     # cProfile one sync with changes
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from copy import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache" / "xlsx"
SYNC_TARGET = 1.5  # sync at most this many times the load-plus-save floor
SCALE_TARGET = 12.0  # a size 10x bigger takes at most this many times as long
SIZE_ORDER = ("S", "M", "L")

FLOOR = "load+save floor"
SYNC = "sync (with changes)"
IDLE = "sync (nothing to change)"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- building the workbooks (cached) -------------------------------------------------------


def _cache_key() -> str:
    """Changes when the workload or the template does, so a stale build is never used."""
    digest = hashlib.sha256()
    sources = [ROOT / "bench" / "workloads.py", ROOT / "bench" / "history_workload.py",
               *sorted((ROOT / "templates").rglob("*.toml"))]
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cached(name: str, folder: Path) -> Path:
    return folder / f"{name}-{_cache_key()}.xlsx"


def _drop_stale(folder: Path, prefix: str, keep: Path) -> None:
    for old in folder.glob(f"{prefix}-*.xlsx"):
        if old != keep and old.name.count("-") == keep.name.count("-"):
            with contextlib.suppress(OSError):
                old.unlink()


def _name(size: str, history_weeks: int) -> str:
    """The cache name of a workload: ``M``, or ``MH156`` with 156 weeks of History."""
    return f"{size}H{history_weeks}" if history_weeks else size


def build(size: str, folder: Path = CACHE, history_weeks: int = 0) -> Path:
    """The synced workbook of ``size`` (built once: provisioned, filled and synced).

    ``history_weeks``: with a History tab of that many weekly columns, written directly
    (bench/history_workload.py) with the other tabs, before the sync.
    """
    from bench.history_workload import history_grid
    from bench.workloads import AS_OF, SIZES, workbook
    from sheets_sync.backends.xlsx import XlsxBackend
    from sheets_sync.demo import fill_demo

    folder.mkdir(parents=True, exist_ok=True)
    name = _name(size, history_weeks)
    target = _cached(name, folder)
    if target.exists():
        return target
    _drop_stale(folder, name, target)
    partial = folder / f".building-{target.name}"
    partial.unlink(missing_ok=True)
    _log(f"building {name} workbook ({SIZES[size].log_rows:,} KPI Log rows) ...")
    started = time.perf_counter()
    backend = XlsxBackend(partial)
    grids = workbook(SIZES[size])
    if history_weeks:
        grids["History"] = history_grid(SIZES[size], grids, history_weeks)
    try:
        fill_demo(backend, as_of=AS_OF, rows=grids)
    finally:
        backend.close()
    os.replace(partial, target)
    _log(f"built {target.name} in {time.perf_counter() - started:.1f} s "
         f"({target.stat().st_size / 1e6:.1f} MB)")
    return target


def _last_row(ws: Any, cols: int) -> int:
    """The last sheet row (1-based) holding a value in the first ``cols`` columns."""
    cells = ws._cells
    for row in range(ws.max_row, 1, -1):
        if any(
            (cell := cells.get((row, c))) is not None and cell.value is not None
            for c in range(1, cols + 1)
        ):
            return row
    return 1


def edited(size: str, round_no: int, folder: Path = CACHE, history_weeks: int = 0) -> Path:
    """The built workbook after the workload's edit of ``round_no``, made with plain openpyxl.

    Like a person typing into the sheet: readings go below the last KPI Log row in that
    row's formats; a handover moves a RACI row's "A" to someone else (the old A becomes I).
    """
    from openpyxl import load_workbook

    from bench.workloads import SIZES, changes, handover

    base = build(size, folder, history_weeks)
    name = f"{_name(size, history_weeks)}-changes-{round_no}"
    target = _cached(name, folder)
    if target.exists():
        return target
    _drop_stale(folder, name, target)
    edit = changes(SIZES[size], round_no)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(base)
    log = wb["KPI Log"]
    last = _last_row(log, 2)
    for offset, reading in enumerate(edit.readings, start=1):
        for c, value in enumerate(reading, start=1):
            above = log.cell(last, c)
            cell = log.cell(last + offset, c)
            if above.has_style:
                cell._style = copy(above._style)  # type: ignore[union-attr]
            if value is not None:
                cell.value = value
    raci = wb["RACI"]
    width = raci.max_column
    for row, person in edit.handovers:
        values = [raci.cell(row + 1, c + 1).value for c in range(width)]
        for col, value in handover(values, person).items():
            raci.cell(row + 1, col + 1).value = value
    partial = folder / f".editing-{target.name}"
    wb.save(partial)
    os.replace(partial, target)
    return target


# --- measuring ------------------------------------------------------------------------------


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.xlsx_child", *args],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.xlsx_child {' '.join(args)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def measure(size: str, runs: int = 5, folder: Path = CACHE,
            history_weeks: int = 0) -> list[dict[str, Any]]:
    """Floor, sync with changes and idle sync of ``size``: ``runs`` interleaved runs each.

    ``history_weeks``: the workload with that many weekly History columns; the rows'
    ``size`` is then e.g. ``M+H156``. Each run's floor is the load and save of the file
    that run's sync with changes reads.
    """
    from bench.workloads import AS_OF, SIZES

    base = build(size, folder, history_weeks)
    sources = [edited(size, i + 1, folder, history_weeks) for i in range(runs)]
    label = f"{size}+H{history_weeks}" if history_weeks else size
    work = Path(tempfile.mkdtemp(prefix="work-", dir=folder))  # same disk as the cache
    floors: list[dict[str, Any]] = []
    syncs: list[dict[str, Any]] = []
    idles: list[dict[str, Any]] = []
    try:
        for i in range(runs):
            out = work / f"floor-{i}.xlsx"
            floors.append(_child("floor", str(sources[i]), str(out)))
            out.unlink(missing_ok=True)

            copy_path = work / f"sync-{i}.xlsx"
            shutil.copyfile(sources[i], copy_path)
            syncs.append(_child("sync", str(copy_path), AS_OF.isoformat()))
            if not syncs[-1]["wrote"]:
                raise RuntimeError(f"{size}: the sync with changes wrote nothing")

            before = _fingerprint(copy_path)
            time.sleep(0.01)  # a rewrite within the same mtime tick would still change bytes
            idle = _child("sync", str(copy_path), AS_OF.isoformat())
            after = _fingerprint(copy_path)
            idle["bytes_changed"] = before[0] != after[0]
            idle["mtime_changed"] = before[1] != after[1]
            idles.append(idle)
            copy_path.unlink(missing_ok=True)
            _log(f"{label} run {i + 1}/{runs}: floor {floors[-1]['seconds']:.2f} s, "
                 f"sync {syncs[-1]['seconds']:.2f} s ({syncs[-1]['cells_changed']} cells), "
                 f"idle {idle['seconds']:.2f} s (rewrote: "
                 f"{idle['bytes_changed'] or idle['mtime_changed']})")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def median(results: list[dict[str, Any]], key: str = "seconds") -> float:
        return float(statistics.median(r[key] for r in results))

    floor_s, floor_cpu = median(floors), median(floors, "cpu_s")
    # Every row has the same keys, so BENCHMARKS.md can make one table of them.
    common = {"size": label, "rows": SIZES[size].log_rows,
              "file_mb": round(base.stat().st_size / 1e6, 1)}

    def row(operation: str, results: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            **common,
            "operation": operation,
            "median_s": round(median(results), 3),
            "runs": [round(r["seconds"], 3) for r in results],
            "cpu_s": round(median(results, "cpu_s"), 3),
            "peak_mb": max(r["peak_mb"] for r in results),
            "worker_peak_mb": max(r.get("worker_peak_mb", 0.0) for r in results),
            "ratio_to_floor": round(median(results) / floor_s, 2),
            # The same on CPU time: what the ratio is when the machine is not busy.
            "cpu_ratio_to_floor": round(median(results, "cpu_s") / floor_cpu, 2),
            "cells_changed": None,
            "rewrote": None,
            **extra,
        }

    rewrote = any(r["bytes_changed"] or r["mtime_changed"] or r["wrote"] for r in idles)
    return [
        row(FLOOR, floors),
        row(SYNC, syncs, cells_changed=round(median(syncs, "cells_changed"))),
        row(IDLE, idles, cells_changed=round(median(idles, "cells_changed")), rewrote=rewrote),
    ]


def add_scaling(rows: list[dict[str, Any]]) -> None:
    """``x_smaller``: a row's time over the same operation's at the next smaller size measured."""
    by_key = {(r["size"], r["operation"]): r for r in rows}
    order = list(SIZE_ORDER)
    for r in rows:
        index = order.index(r["size"])
        smaller = next(
            (by_key[(s, r["operation"])] for s in reversed(order[:index])
             if (s, r["operation"]) in by_key),
            None,
        )
        r["x_smaller"] = (
            None if smaller is None else round(r["median_s"] / smaller["median_s"], 2)
        )


def run(sizes: list[str], runs: int = 5, folder: Path = CACHE) -> list[dict[str, Any]]:
    """Every result row for ``sizes``, ready for BENCHMARKS.md."""
    rows: list[dict[str, Any]] = []
    for size in sizes:
        rows.extend(measure(size, runs, folder))
    add_scaling(rows)
    return rows


def verdicts(rows: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for every target the rows measure."""
    out = []
    for r in rows:
        if r["operation"] == SYNC:
            out.append((f"{r['size']}: sync at most {SYNC_TARGET} x load+save floor",
                        f"{r['ratio_to_floor']:.2f}x", r["ratio_to_floor"] <= SYNC_TARGET))
        if r["operation"] == IDLE:
            out.append((f"{r['size']}: a sync with nothing to change does not rewrite",
                        "rewrote" if r["rewrote"] else "same bytes and mtime", not r["rewrote"]))
    by_size = {r["size"]: r for r in rows if r["operation"] == SYNC}
    if "M" in by_size and "L" in by_size:  # the target; x_smaller shows M / S as well
        factor = by_size["L"]["median_s"] / by_size["M"]["median_s"]
        out.append((f"sync: L at most {SCALE_TARGET:.0f} x M (10x the rows)",
                    f"{factor:.1f}x", factor <= SCALE_TARGET))
    return out


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table, then the targets."""
    lines = [
        "| size | KPI Log rows | file MB | operation | median s | runs (s) | CPU s | peak MB "
        "| x floor | x floor (CPU) | cells changed | rewrote | x smaller size |",
        "|---|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        runs = ", ".join(f"{s:.2f}" for s in r["runs"])
        changed = "" if r["cells_changed"] is None else r["cells_changed"]
        rewrote = "" if r["rewrote"] is None else ("yes" if r["rewrote"] else "no")
        lines.append(
            f"| {r['size']} | {r['rows']:,} | {r['file_mb']} | {r['operation']} "
            f"| {r['median_s']:.2f} | {runs} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} "
            f"| {r['ratio_to_floor']:.2f} | {r['cpu_ratio_to_floor']:.2f} | {changed} | {rewrote} "
            f"| {'' if r['x_smaller'] is None else r['x_smaller']} |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else 'NO'} |" for t, m, ok in verdicts(rows)]
    return "\n".join(lines)


def profile(size: str, folder: Path = CACHE, top: int = 30) -> str:
    """cProfile one sync with changes of ``size`` (in a child); the top lines by cumtime."""
    import io
    import pstats

    from bench.workloads import AS_OF

    source = edited(size, 1, folder)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=folder))
    copy_path = work / f"profile-{size}.xlsx"
    stats_path = work / f"profile-{size}.prof"
    shutil.copyfile(source, copy_path)
    try:
        result = _child("sync", str(copy_path), AS_OF.isoformat(), "--profile", str(stats_path))
        out = io.StringIO()
        out.write(f"sync with changes, {size}: {result['seconds']:.2f} s under cProfile\n")
        stats = pstats.Stats(str(stats_path), stream=out)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        return out.getvalue()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.xlsx_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: S,M,L")
    parser.add_argument("--runs", type=int, default=5, help="runs per operation (median)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where built workbooks live")
    parser.add_argument("--json", type=Path, help="also write the result rows here")
    parser.add_argument("--build-only", action="store_true", help="build the workbooks, no runs")
    parser.add_argument("--rebuild", action="store_true",
                        help="drop the cached workbooks of these sizes first")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile one sync with changes per size instead of measuring")
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if size not in ("S", "M", "L"):
            parser.error(f"unknown size {size!r}")
    if args.rebuild:
        for size in sizes:
            for old in args.cache.glob(f"{size}-*.xlsx"):
                old.unlink()
    if args.build_only:
        for size in sizes:
            print(build(size, args.cache))
        return 0
    if args.profile:
        for size in sizes:
            print(profile(size, args.cache))
        return 0
    rows = run(sizes, args.runs, args.cache)
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
