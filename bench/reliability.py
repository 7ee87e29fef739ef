"""`make reliability`: run every reliability suite at full size, print one table of figures,
and keep them in RELIABILITY.md with the command and the date.

Each suite (tests/reliability/test_*.py) records its figures through
tests/reliability/figures.py; this runner only collects and presents them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "make reliability"


#: The suites, split in two halves of about equal length that run side by side (2 cores).
HALVES = (
    ("test_concurrent_edits.py", "test_crash_safety.py", "test_security.py"),
    ("test_api_faults.py", "test_bad_input.py", "test_data_preservation.py",
     "test_real_workbooks.py", "test_concurrent_acknowledgements.py"),
)


def run_suites(figures_dir: Path, extra: list[str]) -> int:
    env = {**os.environ, "SHEETS_SYNC_RELIABILITY": "full",
           "SHEETS_SYNC_FIGURES_DIR": str(figures_dir)}
    suites = ROOT / "tests" / "reliability"
    listed = {name for half in HALVES for name in half}
    missing = sorted(p.name for p in suites.glob("test_*.py") if p.name not in listed)
    halves = [list(HALVES[0]) + missing, list(HALVES[1])]
    procs = [
        subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          *(str(suites / name) for name in half), *extra], cwd=ROOT, env=env)
        for half in halves
    ]
    codes = [p.wait() for p in procs]
    return max(codes)


def collect(figures_dir: Path) -> list[tuple[str, dict[str, object]]]:
    rows = []
    for path in sorted(figures_dir.glob("*.json")):
        for row in json.loads(path.read_text()):
            rows.append((path.stem, row))
    return rows


def verdict(row: dict[str, object]) -> str:
    must = row.get("must_be")
    if must is None:
        return ""
    return "ok" if row["value"] == must else "FAILED"


def table(rows: list[tuple[str, dict[str, object]]]) -> str:
    lines = ["| suite | figure | value | must be | |", "|---|---|---:|---:|---|"]
    for suite, row in rows:
        must = "" if row.get("must_be") is None else str(row["must_be"])
        note = f" ({row['note']})" if row.get("note") else ""
        lines.append(f"| {suite} | {row['name']}{note} | {row['value']} | {must} | "
                     f"{verdict(row)} |")
    return "\n".join(lines)


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        code = run_suites(Path(tmp), sys.argv[1:])
        rows = collect(Path(tmp))
    minutes = (time.monotonic() - started) / 60
    text = table(rows)
    print("\n" + text)
    failed = [r for _, r in rows if verdict(r) == "FAILED"]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    (ROOT / "RELIABILITY.md").write_text(
        "# Reliability figures\n\n"
        f"Measured by `{COMMAND}` on {dt.date.today().isoformat()} ({machine}); "
        f"the suites took {minutes:.1f} min and pytest exited {code}.\n"
        "Each figure comes from a test that fails when a \"must be\" figure is not met; "
        "`make test` runs a fast subset of the same suites.\n\n" + text + "\n"
    )
    print(f"\nwrote RELIABILITY.md ({len(rows)} figures, {len(failed)} failed)")
    return code or (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main())
