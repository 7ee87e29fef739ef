"""BENCHMARKS.md from the measured rows: the tables, the targets and whether each is met."""

from __future__ import annotations

import datetime as dt
from typing import Any

Row = dict[str, Any]


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f}"


def google_table(rows: list[Row]) -> str:
    lines = [
        "| size | latency | approach | run | requests (by endpoint) | retries | cells written "
        "| MB sent | MB received | wall s (median) | client s | peak MB |",
        "|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        endpoints = ", ".join(f"{k} {v}" for k, v in sorted(r["by_endpoint"].items()))
        lines.append(
            f"| {r['size']} | {r['latency_ms']:.0f} ms | {r['approach']} | {r['mode']} | "
            f"{r['requests']} ({endpoints}) | {r['retries']} | {r['cells_written']} | "
            f"{_mb(r['bytes_sent'])} | {_mb(r['bytes_received'])} | {r['wall_s']:.2f} | "
            f"{r['client_s']:.2f} | {r['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def xlsx_table(rows: list[Row]) -> str:
    if not rows:
        return "(not measured)"
    keys = [k for k in rows[0] if k not in ("runs",)]
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for r in rows:
        cells = []
        for k in keys:
            v = r.get(k)
            cells.append(f"{v:.2f}" if isinstance(v, float) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _find(rows: list[Row], **match: Any) -> Row | None:
    for r in rows:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return None


def targets(google: list[Row], xlsx: list[Row], pacing: Any) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) — met is None when not measured."""
    out: list[tuple[str, str, bool | None]] = []
    ours = [r for r in google if r["approach"] == "sheets-sync"]
    idle = [r["requests"] for r in ours if r["mode"] == "idle"]
    busy = [r["requests"] for r in ours if r["mode"] == "changes"]
    out.append(("requests, nothing to change: at most 2 (every size)",
                f"{sorted(set(idle))}", bool(idle) and max(idle) <= 2))
    out.append(("requests, with changes: at most 4 (every size)",
                f"{sorted(set(busy))}", bool(busy) and max(busy) <= 4))
    pairs = [(r["cells_written"], r["cells_changed"]) for r in ours if r["mode"] == "changes"]
    out.append(("cells written = cells whose value changed",
                ", ".join(f"{w}/{c}" for w, c in pairs),
                bool(pairs) and all(w == c for w, c in pairs)))
    for latency in (0.0, 100.0):
        a = _find(google, size="M", approach="sheets-sync", mode="changes", latency_ms=latency)
        b = _find(google, size="M", approach="dataframe", mode="changes", latency_ms=latency)
        if a and b:
            out.append((f"M, {latency:.0f} ms: sheets-sync at most 1/3 of gspread-dataframe "
                        "(wall)", f"{a['wall_s']:.2f} s vs {b['wall_s']:.2f} s "
                        f"({a['wall_s'] / b['wall_s']:.2f})", a["wall_s"] <= b["wall_s"] / 3))
    a0 = _find(google, size="M", approach="sheets-sync", mode="changes", latency_ms=0.0)
    if a0:
        out.append(("M: google sync at most 2 s (client's own time, no latency)",
                    f"{a0['client_s']:.2f} s (wall {a0['wall_s']:.2f} s)",
                    a0["client_s"] <= 2.0))
        out.append(("M: peak memory at most 400 MB", f"{a0['peak_mb']:.0f} MB",
                    a0["peak_mb"] <= 400))
    s0 = _find(google, size="S", approach="sheets-sync", mode="changes", latency_ms=0.0)
    if a0 and s0:
        out.append(("google: time linear in size (M / S client time, 10x the rows)",
                    f"{a0['client_s'] / max(s0['client_s'], 1e-9):.1f}x",
                    a0["client_s"] <= 12 * s0["client_s"]))
    for r in xlsx:
        if r.get("operation") == "sync (with changes)" and "ratio_to_floor" in r:
            out.append((f"xlsx {r['size']}: sync at most 1.5 x load+save floor",
                        f"{r['ratio_to_floor']:.2f}x", r["ratio_to_floor"] <= 1.5))
        if r.get("operation") == "sync (nothing to change)" and "rewrote" in r:
            out.append((f"xlsx {r['size']}: a sync with nothing to change does not rewrite",
                        "rewrote" if r["rewrote"] else "same bytes and mtime", not r["rewrote"]))
    m = _find(xlsx, size="M", operation="sync (with changes)")
    big = _find(xlsx, size="L", operation="sync (with changes)")
    if m and big:
        out.append(("xlsx: L at most 12 x M", f"{big['median_s'] / m['median_s']:.1f}x",
                    big["median_s"] <= 12 * m["median_s"]))
    if pacing is not None:
        out.append((f"quota: {pacing.workbooks} workbooks at 60 requests/min, no 429",
                    f"{pacing.status_429} x 429, {pacing.requests} requests, "
                    f"{pacing.simulated_minutes:.1f} simulated min, of which paced "
                    f"{pacing.paced_minutes:.1f}", pacing.status_429 == 0))
    return out


def markdown(google: list[Row], xlsx: list[Row], pacing: Any, *, machine: str, command: str,
             minutes: float, profiles: dict[str, str] | None = None) -> str:
    met = targets(google, xlsx, pacing)
    target_lines = ["| target | measured | met |", "|---|---|---|"]
    for name, measured, ok in met:
        target_lines.append(f"| {name} | {measured} | "
                            f"{'yes' if ok else 'NO' if ok is not None else 'n/a'} |")
    return (
        "# Benchmarks\n\n"
        f"Measured on {dt.date.today().isoformat()} by `{command}` "
        f"({minutes:.0f} min) on {machine}.\n\n"
        "Workloads (bench/workloads.py, deterministic): **M** = 100,000 KPI Log rows, 2,000 "
        "KPIs, 500 goals, 2,000 RACI tasks x 30 people; **S** = M/10; **L** = 10 x M. A run "
        "\"with changes\" first logs a new reading for 1% of the KPIs and hands 1% of the "
        "tasks to a new Accountable.\n\n"
        "## Targets\n\n" + "\n".join(target_lines) + "\n\n"
        "## Google (the project's API fake, served out of process on 127.0.0.1)\n\n"
        "(a) `sheets-sync sync`; (b) gspread-dataframe: `get_as_dataframe` per tab, the same "
        "statuses with pandas, `set_with_dataframe` per tab holding computed columns; (c) "
        "naive gspread, one update call per changed row (S only). Requests, cells and bytes "
        "are counted by the fake (no token calls are made: test credentials); wall time is "
        "the median of the runs, measured in a fresh client process, which also gives the "
        "peak memory; *client s* is wall time minus the time the fake spent answering (its "
        "own work and the added latency).\n\n"
        + google_table(google) + "\n\n![wall time against rows](bench/wall_time.png)\n\n"
        "## xlsx (openpyxl)\n\n"
        "Each operation in a fresh process; *floor* is one `openpyxl.load_workbook` (the "
        "backend's options) plus one save of the same file; *rewrote* compares the file's "
        "sha256 and mtime around a sync with nothing to change; *x_smaller* is the time over "
        "the same operation at the next smaller size.\n\n"
        + xlsx_table(xlsx) + "\n"
        + "".join(
            f"\n## Where the time goes: sheets-sync sync with changes at {size} (cProfile, "
            f"client process)\n\n```\n{text}\n```\n"
            for size, text in (profiles or {}).items()
        )
    )
