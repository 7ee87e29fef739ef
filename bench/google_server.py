"""The Google API fake, served out of process for the benchmark, with one workload loaded.

``python -m bench.google_server --size M [--latency 0.1] [--history-weeks 156]`` builds the
workbook (provisioned and synced by sheets-sync, so it starts up to date), prints one JSON line
``{"url": ..., "spreadsheet_id": ...}`` and serves until killed. Its own work runs in this
process, so none of it is counted as the client's CPU or memory.

Control endpoints (not counted in the stats, never delayed):
- ``POST /__bench/reset``: back to the synced workbook; stats zeroed.
- ``POST /__bench/changes?round=N``: apply ``bench.workloads.changes`` (as a person would).
- ``GET /__bench/stats``: requests by endpoint, bytes in and out, cells written.
- ``POST /__bench/latency?seconds=S``: added to every API request from now on.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.history_workload import history_grid
from bench.workloads import AS_OF, SIZES, Size, changes, handover, workbook
from sheets_sync.sync import provision, sync
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_api.core import Stats
from tests.fakes.google_api.server import FakeServer
from tests.fakes.google_backend import google_backend


def build(fake: FakeGoogle, size: Size, history_weeks: int = 0) -> str:
    """Provision a spreadsheet, put the workload's cells in, and sync it once.

    ``history_weeks``: also a History tab of that many weekly columns, written directly
    (bench/history_workload.py) before the sync, which fills the current week's column.
    """
    backend = google_backend(fake, title=f"Bench {size.name}")
    provision(backend)
    sid = backend.spreadsheet_id
    assert sid is not None
    ss = fake.spreadsheet(sid)
    grids = workbook(size)
    if history_weeks:
        grids["History"] = history_grid(size, grids, history_weeks)
    for tab, grid in grids.items():
        sheet = ss.sheet(tab)
        rows, cols = len(grid), max(len(r) for r in grid)
        # Size the grid to the data (Sheets' 10M-cell limit counts grid cells).
        if sheet.row_count < rows + 10:
            ss.insert_rows(tab, sheet.row_count, rows + 10 - sheet.row_count)
        elif sheet.row_count > rows + 10:
            ss.delete_rows(tab, rows + 10, sheet.row_count - rows - 10)
        if sheet.column_count < cols:
            ss.insert_columns(tab, sheet.column_count, cols - sheet.column_count)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value is not None:
                    ss.set_cell(tab, r, c, value)
    result = sync(google_backend(fake, sid), as_of=AS_OF)
    assert result.cells_changed > 0
    return sid


def apply_changes(fake: FakeGoogle, sid: str, size: Size, round_no: int) -> int:
    """The workload's edit, made as a person would: readings appended, owners handed over."""
    ss = fake.spreadsheet(sid)
    edit = changes(size, round_no)
    log = ss.sheet("KPI Log")
    height = len(ss.values("KPI Log"))
    need = height + len(edit.readings) - log.row_count
    if need > 0:
        ss.insert_rows("KPI Log", log.row_count, need)
    cells = 0
    for i, reading in enumerate(edit.readings):
        for c, value in enumerate(reading):
            if value is not None:
                ss.set_cell("KPI Log", height + i, c, value)
                cells += 1
    raci = ss.values("RACI")
    for row, person in edit.handovers:
        for col, value in handover(raci[row], person).items():
            ss.set_cell("RACI", row, col, value)
            cells += 1
    return cells


class BenchServer(FakeServer):
    """FakeServer plus the control endpoints."""

    def __init__(self, fake: FakeGoogle, size: Size, sid: str) -> None:
        super().__init__(fake, 0)
        self.size = size
        self.sid = sid
        self.snapshot = fake.spreadsheet(sid).snapshot()
        self.latency = 0.0
        #: seconds spent answering API requests (the fake's own work, latency included;
        #: not the sending of the reply, which the client's reading paces)
        self.busy = 0.0
        handle = fake.handle

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return handle(*args, **kwargs)
            finally:
                self.busy += time.perf_counter() - started

        fake.handle = timed  # type: ignore[method-assign]

    def _zero(self) -> None:
        """Stats and busy time to zero, before the next measured run."""
        # The request log too (it keeps every body and would grow with every run), and
        # the state a reset replaced is collected now, untimed, not inside a run.
        gc.collect()
        self.fake.reset_stats()
        self.busy = 0.0

    def control(self, method: str, path: str) -> dict[str, Any] | None:
        parts = urlsplit(path)
        if not parts.path.startswith("/__bench/"):
            return None
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        what = parts.path.removeprefix("/__bench/")
        fake = self.fake
        if what == "reset":
            fake.spreadsheet(self.sid).restore(self.snapshot)
            self._zero()
            return {"ok": True}
        if what == "changes":
            cells = apply_changes(fake, self.sid, self.size, int(query.get("round", "1")))
            self._zero()
            return {"cells": cells}
        if what == "latency":
            self.latency = float(query.get("seconds", "0"))
            fake.latency = self.latency
            return {"latency": self.latency}
        if what == "stats":
            s = fake.stats
            return {
                "requests": s.requests,
                "by_endpoint": dict(s.by_endpoint),
                "bytes_in": s.bytes_in,
                "bytes_out": s.bytes_out,
                "cells_written": s.cells_written,
                "token_calls": s.token_calls,
                "server_seconds": round(self.busy, 4),
            }
        return {"error": f"unknown control {what}"}


def _patch_handler() -> None:
    from tests.fakes.google_api import server as fake_server

    serve_api = fake_server._Handler._serve

    def serve(handler: Any) -> None:
        server = handler.server
        if isinstance(server, BenchServer) and handler.path.startswith("/__bench/"):
            length = int(handler.headers.get("Content-Length") or 0)
            if length:
                handler.rfile.read(length)
            body = json.dumps(server.control(handler.command, handler.path)).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        serve_api(handler)

    for verb in ("do_GET", "do_POST", "do_PUT", "do_PATCH", "do_DELETE"):
        setattr(fake_server._Handler, verb, serve)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.google_server")
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--history-weeks", type=int, default=0,
                        help="a History tab of this many weekly columns (0: as the sync makes it)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    fake = FakeGoogle(seed=5)
    size = SIZES[args.size]
    sid = build(fake, size, args.history_weeks)
    _patch_handler()
    server = BenchServer(fake, size, sid).start()
    server.control("POST", f"/__bench/latency?seconds={args.latency}")
    fake.stats = Stats()
    print(json.dumps({"url": server.url, "spreadsheet_id": sid,
                      "build_seconds": round(time.monotonic() - started, 1)}), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
