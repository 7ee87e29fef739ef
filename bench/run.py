"""`make bench`: sheets-sync against the usual gspread approaches, and xlsx against its floor.

Google: for each size, a fake server process (bench/google_server.py) holds the workload;
every measured run is a fresh client process (bench/google_client.py) so its peak memory
is its own. Before each run the server goes back to the synced workbook and, for "with
changes" runs, applies the workload's edit. Requests, bytes and cells written are counted
by the server; wall time and peak memory by the client; "client s" is wall time minus the
time the fake spent answering (its own work and the added latency), i.e. the client's own
cost. Results go to BENCHMARKS.md and bench/wall_time.png.

    python bench/run.py [--sizes S,M] [--xlsx-sizes S,M,L] [--runs 5] [--large-runs 1]
                        [--only all|history] [--no-history]

The History benchmark (bench/history_bench.py: M with 3 years of weekly History columns)
runs after the rest; ``--only history`` runs it alone and rewrites only the "History at M"
section of BENCHMARKS.md, keeping the other sections as they were measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workloads import SIZES  # noqa: E402

LATENCIES = (0.0, 0.1)
Row = dict[str, Any]


class Server:
    """One bench/google_server.py process."""

    def __init__(self, size: str, history_weeks: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.google_server", "--size", size,
             "--history-weeks", str(history_weeks)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"bench server for {size} did not start")
        info = json.loads(line)
        self.url: str = info["url"]
        self.sid: str = info["spreadsheet_id"]
        self.build_seconds: float = info["build_seconds"]

    def control(self, what: str) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.url}/__bench/{what}", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=600) as reply:
            result: dict[str, Any] = json.loads(reply.read())
            return result

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def client(approach: str, server: Server) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.google_client", approach, server.url, server.sid],
        cwd=ROOT, capture_output=True, text=True, timeout=3600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{approach} client failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(server: Server, approach: str, mode: str, runs: int) -> Row:
    samples = []
    for i in range(runs):
        server.control("reset")
        if mode == "changes":
            server.control(f"changes?round={i + 1}")
        result = client(approach, server)
        stats = server.control("stats")
        result["client_seconds"] = result["seconds"] - stats["server_seconds"]
        samples.append({**result, **stats})
    last = samples[-1]
    by_kind: dict[str, int] = {}
    for endpoint, n in last["by_endpoint"].items():
        short = endpoint.removeprefix("sheets.spreadsheets.")
        by_kind[short] = n
    return {
        "approach": approach,
        "mode": mode,
        "runs": runs,
        "requests": last["requests"],
        "by_endpoint": by_kind,
        "retries": last.get("retries", 0),
        "token_calls": last["token_calls"],
        "cells_written": last["cells_written"],
        "cells_changed": last.get("cells_changed"),
        "bytes_sent": last["bytes_in"],
        "bytes_received": last["bytes_out"],
        "wall_s": statistics.median(s["seconds"] for s in samples),
        "client_s": statistics.median(s["client_seconds"] for s in samples),
        "wall_runs": [round(s["seconds"], 3) for s in samples],
        "peak_mb": max(s["peak_mb"] for s in samples),
    }


def profile_client(server: Server, top: int = 22) -> str:
    """One sheets-sync run with changes under cProfile: where the client's time goes."""
    import io
    import pstats
    import tempfile

    server.control("reset")
    server.control("changes?round=99")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "client.prof"
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m",
                        "bench.google_client", "sheets-sync", server.url, server.sid],
                       cwd=ROOT, check=True, capture_output=True, timeout=3600)
        text = io.StringIO()
        stats = pstats.Stats(str(out), stream=text)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
    lines = [ln for ln in text.getvalue().splitlines() if ln.strip()]
    return "\n".join(lines[:top + 8])


PROFILES: dict[str, str] = {}


def google(sizes: list[str], runs: int) -> list[Row]:
    rows: list[Row] = []
    for size in sizes:
        print(f"google {size}: building the workbook in the server ...", flush=True)
        server = Server(size)
        print(f"  built in {server.build_seconds} s", flush=True)
        try:
            for latency in LATENCIES:
                server.control(f"latency?seconds={latency}")
                plan = [("sheets-sync", "idle"), ("sheets-sync", "changes"),
                        ("dataframe", "changes")]
                if size == "S":
                    plan.append(("naive", "changes"))
                for approach, mode in plan:
                    row = measure(server, approach, mode, runs)
                    row.update(size=size, rows=SIZES[size].log_rows, latency_ms=latency * 1000)
                    print(f"  {size} {latency * 1000:.0f} ms {approach:11} {mode:7} "
                          f"wall {row['wall_s']:.2f} s client {row['client_s']:.2f} s "
                          f"{row['requests']} requests {row['cells_written']} cells "
                          f"{row['peak_mb']:.0f} MB", flush=True)
                    rows.append(row)
            if size == "M":
                server.control("latency?seconds=0")
                PROFILES["M"] = profile_client(server)
        finally:
            server.close()
    return rows


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for approach, label in (("sheets-sync", "(a) sheets-sync sync"),
                            ("dataframe", "(b) gspread-dataframe round trip")):
        for latency, style in ((0.0, "-"), (100.0, "--")):
            points = sorted((r["rows"], r["wall_s"]) for r in rows
                            if r["approach"] == approach and r["mode"] == "changes"
                            and r["latency_ms"] == latency)
            if points:
                ax.plot(*zip(*points, strict=True), style, marker="o",
                        label=f"{label}, {latency:.0f} ms latency")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("KPI Log rows")
    ax.set_ylabel("wall time, median (s)")
    ax.set_title("Sync with changes against the Google API fake")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def machine_line() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{platform.platform()}")


def history_only(args: argparse.Namespace) -> int:
    """``--only history``: measure the History benchmark and replace only its section."""
    from bench import history_bench, report

    started = time.monotonic()
    history = history_bench.run_all(args.runs)
    command = "python bench/run.py " + " ".join(sys.argv[1:])
    section = report.history_section(history, machine=machine_line(), command=command,
                                     minutes=(time.monotonic() - started) / 60, alone=True)
    out = Path(args.out)
    out.write_text(report.with_history(out.read_text() if out.exists() else "", section))
    results_path = ROOT / "bench" / "results.json"
    results: dict[str, Any] = (json.loads(results_path.read_text())
                               if results_path.exists() else {})
    results["history"] = history
    results_path.write_text(json.dumps(results, indent=1, default=str))
    print(section)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--xlsx-sizes", default="S,M,L")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large-runs", type=int, default=1,
                        help="runs of xlsx L (about 7 minutes each on a 2-core machine)")
    parser.add_argument("--pacing-workbooks", type=int, default=1000)
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--only", choices=("all", "history"), default="all",
                        help="history: only the History benchmark (its section of --out)")
    parser.add_argument("--no-history", action="store_true",
                        help="skip the History benchmark")
    args = parser.parse_args()
    if args.only == "history":
        return history_only(args)
    started = time.monotonic()
    google_rows = google([s for s in args.sizes.split(",") if s], args.runs)

    from bench import quota, report, xlsx_bench

    print("xlsx ...", flush=True)
    xlsx_sizes = [s for s in args.xlsx_sizes.split(",") if s]
    xlsx_rows = xlsx_bench.run([s for s in xlsx_sizes if s != "L"], args.runs)
    if "L" in xlsx_sizes:
        xlsx_rows += xlsx_bench.run(["L"], args.large_runs)
        xlsx_bench.add_scaling(xlsx_rows)
    print("quota pacing ...", flush=True)
    pacing = quota.run(workbooks=args.pacing_workbooks)
    print(f"  {pacing}", flush=True)
    plot(google_rows, ROOT / "bench" / "wall_time.png")
    machine = machine_line()
    command = "make bench  # python bench/run.py " + " ".join(sys.argv[1:])
    history = None
    if not args.no_history:
        from bench import history_bench

        history_started = time.monotonic()
        history = history_bench.run_all(args.runs)
        history_minutes = (time.monotonic() - history_started) / 60
    text = report.markdown(google_rows, xlsx_rows, pacing, machine=machine, command=command,
                           minutes=(time.monotonic() - started) / 60, profiles=PROFILES)
    if history is not None:
        text = report.with_history(text, report.history_section(
            history, machine=machine, command=command, minutes=history_minutes, alone=False))
    Path(args.out).write_text(text)
    results: dict[str, Any] = {"google": google_rows, "xlsx": xlsx_rows,
                               "pacing": vars(pacing)}
    if history is not None:
        results["history"] = history
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
