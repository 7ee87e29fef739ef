"""The History benchmark: workload M with 3 years of weekly History columns.

Run by ``make bench`` after the rest, or alone (rewriting only the "History at M" section
of BENCHMARKS.md)::

    make bench BENCH_ARGS="--only history --runs 3"
    python bench/run.py --only history --runs 3

Google (the same fake server and fresh client processes as the rest of the bench): M
without extra History (the History tab as the build's sync makes it: one column) and M
with 156 weekly columns (bench/history_workload.py: the grid written directly, not a
rebuild), each synced with nothing to change and with the workload's changes, at 0 ms
and 100 ms latency (plain M at 0 ms only: it is the comparison). xlsx: M with the same
History, its load+save floor, a sync with changes and a sync with nothing to change.
"""

from __future__ import annotations

from typing import Any

from bench.history_workload import WEEKS
from bench.workloads import SIZES

Row = dict[str, Any]
SIZE = "M"


def google(runs: int, latencies: tuple[float, ...] = (0.0, 0.1)) -> tuple[list[Row], str]:
    """The Google rows (plain M, then M with History) and a profile of one History sync."""
    from bench import run

    rows: list[Row] = []
    profile = ""
    for weeks, lats in ((0, (0.0,)), (WEEKS, latencies)):
        label = f"{SIZE}+H{weeks}" if weeks else SIZE
        print(f"history google {label}: building the workbook in the server ...", flush=True)
        server = run.Server(SIZE, history_weeks=weeks)
        print(f"  built in {server.build_seconds} s", flush=True)
        try:
            for latency in lats:
                server.control(f"latency?seconds={latency}")
                for mode in ("idle", "changes"):
                    row = run.measure(server, "sheets-sync", mode, runs)
                    row.update(size=label, rows=SIZES[SIZE].log_rows, history_weeks=weeks,
                               latency_ms=latency * 1000)
                    print(f"  {label} {latency * 1000:.0f} ms {mode:7} wall {row['wall_s']:.2f} s "
                          f"client {row['client_s']:.2f} s {row['requests']} requests "
                          f"{row['cells_written']} cells {row['bytes_received'] / 1e6:.1f} MB in "
                          f"{row['peak_mb']:.0f} MB peak", flush=True)
                    rows.append(row)
            if weeks:
                server.control("latency?seconds=0")
                profile = run.profile_client(server)
        finally:
            server.close()
    return rows, profile


def xlsx(runs: int, plain_runs: int = 1) -> list[Row]:
    """Floor, sync with changes and sync with nothing to change of M with the History,
    then of plain M (``plain_runs`` runs: the comparison, measured with the same code)."""
    from bench import xlsx_bench

    print(f"history xlsx {SIZE}+H{WEEKS} ...", flush=True)
    rows = xlsx_bench.measure(SIZE, runs, history_weeks=WEEKS)
    if plain_runs:
        print(f"history xlsx {SIZE} (comparison) ...", flush=True)
        rows += xlsx_bench.measure(SIZE, plain_runs)
    return rows


def xlsx_profile(top: int = 25) -> str:
    """cProfile of one xlsx sync with changes of M with the History (cumulative, then own)."""
    import io
    import pstats
    import shutil
    import tempfile
    from pathlib import Path

    from bench import xlsx_bench
    from bench.workloads import AS_OF

    source = xlsx_bench.edited(SIZE, 1, history_weeks=WEEKS)
    work = Path(tempfile.mkdtemp(prefix="work-", dir=xlsx_bench.CACHE))
    try:
        copy_path, stats_path = work / "profile.xlsx", work / "profile.prof"
        shutil.copyfile(source, copy_path)
        result = xlsx_bench._child("sync", str(copy_path), AS_OF.isoformat(),
                                   "--profile", str(stats_path))
        out = io.StringIO()
        out.write(f"sync with changes, {SIZE}+H{WEEKS}: {result['seconds']:.2f} s under "
                  f"cProfile, {result['cells_changed']} cells changed\n")
        stats = pstats.Stats(str(stats_path), stream=out)
        stats.strip_dirs().sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(12)
        return "\n".join(ln for ln in out.getvalue().splitlines() if ln.strip())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def source_digest() -> str:
    """A digest of sheets_sync's sources and the templates: the code that was measured."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted([*(root / "sheets_sync").rglob("*.py"),
                        *(root / "templates").rglob("*.toml")]):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run_all(runs: int) -> dict[str, Any]:
    code_before = source_digest()
    google_rows, profile = google(runs)
    xlsx_rows = xlsx(runs)
    slow = any(r["operation"] == "sync (with changes)" and r["ratio_to_floor"] > 1.5
               for r in xlsx_rows if r.get("size", "").endswith(f"H{WEEKS}"))
    print("history xlsx profile ..." if slow else "", flush=True)
    return {"weeks": WEEKS, "goals_kpis": SIZES[SIZE].goals + SIZES[SIZE].kpis,
            "google": google_rows, "xlsx": xlsx_rows, "profile": profile,
            "xlsx_profile": xlsx_profile() if slow else "",
            "code": [code_before, source_digest()]}
