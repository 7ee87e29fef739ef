"""``python -m sheets_sync``: the same command line as ``sheets-sync``."""

from __future__ import annotations

from sheets_sync.cli import run

if __name__ == "__main__":
    raise SystemExit(run())
