"""One measured xlsx operation, run in a fresh process so its peak memory is its own.

    python -m bench.xlsx_child floor SRC.xlsx OUT.xlsx
    python -m bench.xlsx_child sync  WORKBOOK.xlsx AS_OF [--profile FILE.prof]

Prints one JSON object on stdout: ``seconds`` (time.perf_counter around the operation
only, after every import), ``cpu_s`` (the CPU time of this process and of the children it
waited for over the same span: steadier than wall time on a busy machine), ``peak_mb``
(VmHWM of this process, imports included) and ``worker_peak_mb`` (the peak resident memory
of the largest child, the save's loss-measure worker, pages it shares with this process
included), plus what the operation did. Used by :mod:`bench.xlsx_bench`; nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import warnings
from typing import Any


def _peak_mb() -> float:
    from bench.peak import peak_mb

    return peak_mb()


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its finished children (the loss measure's worker)."""
    import os

    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _worker_peak_mb() -> float:
    """The largest finished child's peak resident memory (pages shared with us included)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _preimport(*names: str) -> None:
    """Import what the operation would import lazily, so its time is the operation's own."""
    import importlib

    for name in names:
        importlib.import_module(name)


#: openpyxl's reader and writer, imported before either operation is timed.
OPENPYXL = ("openpyxl", "openpyxl.reader.excel", "openpyxl.writer.excel",
            "openpyxl.packaging.custom", "openpyxl.packaging.extended",
            "openpyxl.styles.numbers", "openpyxl.utils.datetime",
            "openpyxl.worksheet.hyperlink", "openpyxl.comments", "encodings.cp437")


def floor(src: str, out: str) -> dict[str, Any]:
    """One openpyxl load and one save of the same file, with the backend's load options."""
    _preimport(*OPENPYXL)
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started, cpu = time.perf_counter(), time.process_time()
        # XlsxBackend loads with ExcelReader(read_only=False, keep_vba=False,
        # data_only=False, keep_links=True): the same as these.
        wb = load_workbook(src, read_only=False, keep_vba=False, data_only=False,
                           keep_links=True)
        wb.save(out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_s": cpu}


def sync(path: str, as_of: str, profile: str | None = None) -> dict[str, Any]:
    """One ``sheets_sync.sync.sync`` of the workbook, as the CLI would run it."""
    import pkgutil

    import sheets_sync.rules

    # What a sync imports lazily: pandas (tables, rules), every rule module, openpyxl.
    rules = [m.name for m in pkgutil.iter_modules(sheets_sync.rules.__path__, "sheets_sync.rules.")]
    _preimport(*OPENPYXL, "pandas", *rules)
    from sheets_sync.backends.xlsx import XlsxBackend
    from sheets_sync.sync import sync as run_sync
    from sheets_sync.templates import load_template

    template = load_template()  # read from disk once, like any process would: not timed
    day = dt.date.fromisoformat(as_of)
    backend = XlsxBackend(path)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    started, cpu = time.perf_counter(), _cpu_with_children()
    if profiler is not None:
        profiler.enable()
    result = run_sync(backend, template=template, as_of=day)
    if profiler is not None:
        profiler.disable()
    seconds, cpu = time.perf_counter() - started, _cpu_with_children() - cpu
    backend.close()
    if profiler is not None and profile:
        profiler.dump_stats(profile)
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "cells_changed": result.cells_changed,
        "wrote": result.wrote,
        "findings": len(result.findings),
    }


def main(argv: list[str]) -> int:
    op, *args = argv
    profile = None
    if "--profile" in args:
        at = args.index("--profile")
        profile = args[at + 1]
        del args[at : at + 2]
    if op == "floor":
        report = floor(*args)
    elif op == "sync":
        report = sync(args[0], args[1], profile)
    else:
        raise SystemExit(f"unknown operation {op!r}")
    report["peak_mb"] = _peak_mb()
    report["worker_peak_mb"] = _worker_peak_mb()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
