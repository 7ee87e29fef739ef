"""Re-measure the xlsx rows of BENCHMARKS.md, keeping its Google rows and pacing (results.json).

    python bench/rerun_xlsx.py [--sizes S,M] [--runs 5] [--large-runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report, xlsx_bench  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large-runs", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    saved = json.loads((ROOT / "bench" / "results.json").read_text())
    sizes = [s for s in args.sizes.split(",") if s]
    rows = xlsx_bench.run([s for s in sizes if s != "L"], args.runs)
    if "L" in sizes:
        rows += xlsx_bench.run(["L"], args.large_runs)
        xlsx_bench.add_scaling(rows)
    old = (ROOT / "BENCHMARKS.md").read_text()
    profiles = dict(re.findall(r"## Where the time goes: sheets-sync sync with changes at (\w+) "
                               r"\(cProfile, client process\)\n\n```\n(.*?)\n```", old, re.S))
    head = re.search(r"by `(.*?)` \((\d+) min\)", old)
    command = (head.group(1) if head else "make bench") + "; xlsx rows: python bench/rerun_xlsx.py"
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, "
               f"{platform.python_implementation()} {platform.python_version()}, "
               f"{platform.platform()}")
    minutes = (int(head.group(2)) if head else 0) + (time.monotonic() - started) / 60
    text = report.markdown(saved["google"], rows, SimpleNamespace(**saved["pacing"]),
                           machine=machine, command=command, minutes=minutes,
                           profiles=profiles)
    history = old.find(report.HISTORY_HEADING)
    if history >= 0:  # the History section is measured by `run.py --only history`: kept
        text = report.with_history(text, old[history:])
    (ROOT / "BENCHMARKS.md").write_text(text)
    saved["xlsx"] = rows
    (ROOT / "bench" / "results.json").write_text(json.dumps(saved, indent=1, default=str))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
