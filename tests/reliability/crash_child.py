"""A child process for the crash-safety suite: the real CLI, held just before it saves.

    python -m tests.reliability.crash_child READY GO -- sync --workbook PATH --as-of DATE

runs ``sheets-sync`` with the given arguments, except that the xlsx backend, once it
has planned its write (the cron lock is held by then), creates the file READY and
waits until the file GO exists (at most two minutes) before it saves. The test uses
it to hold one run in the middle while it starts another.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

HOLD_SECONDS = 120.0


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[2] != "--":
        print("usage: crash_child READY GO -- ARGS...", file=sys.stderr)
        return 2
    ready, go = Path(argv[0]), Path(argv[1])

    from sheets_sync.backends.xlsx import XlsxBackend
    from sheets_sync.cli import run

    original = XlsxBackend._save

    def held_save(self: XlsxBackend, *args: Any, **kwargs: Any) -> None:
        ready.touch()
        deadline = time.monotonic() + HOLD_SECONDS
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        original(self, *args, **kwargs)

    XlsxBackend._save = held_save  # type: ignore[method-assign]
    return run(argv[3:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
