"""Figures the reliability suites measure, for `make reliability` (bench/reliability.py).

Every suite runs a fast subset in `make test` and the full counts when
SHEETS_SYNC_RELIABILITY=full. Each figure is also written as JSON to
$SHEETS_SYNC_FIGURES_DIR/<suite>.json when that variable is set, so the runner can
print one table and keep RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FULL = os.environ.get("SHEETS_SYNC_RELIABILITY") == "full"


def scale(fast: int, full: int) -> int:
    """How many trials: a fast subset in make test, the full count in make reliability."""
    return full if FULL else fast


def record(suite: str, name: str, value: Any, *, must_be: Any = None, note: str = "") -> None:
    """Keep one figure; ``must_be`` is the value it has to have (e.g. 0), if any."""
    print(f"[{suite}] {name}: {value}" + (f" (must be {must_be})" if must_be is not None else ""))
    folder = os.environ.get("SHEETS_SYNC_FIGURES_DIR")
    if not folder:
        return
    path = Path(folder) / f"{suite}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(path.read_text()) if path.exists() else []
    rows = [r for r in rows if r["name"] != name]
    rows.append({"name": name, "value": value, "must_be": must_be, "note": note})
    path.write_text(json.dumps(rows, indent=2, default=str))
