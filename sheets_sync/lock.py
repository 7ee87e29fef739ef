"""The cron lock: one sync per workbook at a time on this host (exit 75 otherwise)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sheets_sync.errors import ConfigError, TryLater

ENV_STATE_DIR = "SHEETS_SYNC_STATE_DIR"


def state_folder(state_dir: Path | None = None) -> Path:
    """The folder of the run's state (locks, the digest ledger), created if missing.

    A library caller's default ``Config()`` has no state_dir: the environment's
    ``SHEETS_SYNC_STATE_DIR`` then decides, as it does for the command line.
    """
    env = os.environ.get(ENV_STATE_DIR)
    folder = state_dir or (Path(env) if env else Path(tempfile.gettempdir()) / "sheets-sync")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("state_dir", f"{folder} cannot be used for lock files: {exc}") from exc
    return folder


def lock_path(identity: str, state_dir: Path | None = None) -> Path:
    """Where the lock file of a workbook lives (one per workbook identity)."""
    folder = state_folder(state_dir)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", identity)[-40:]
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return folder / f"{slug}.{digest}.lock"


@contextmanager
def workbook_lock(identity: str, state_dir: Path | None = None) -> Iterator[Path]:
    """Hold the workbook's lock, or raise TryLater at once if another sync holds it."""
    from filelock import FileLock, Timeout

    path = lock_path(identity, state_dir)
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise TryLater(
            f"another sheets-sync run holds the lock on {identity} ({path}); try again later"
        ) from exc
    except OSError as exc:  # the folder is there but cannot be written to
        raise ConfigError("state_dir", f"cannot write the lock file {path}: {exc}") from exc
    try:
        yield path
    finally:
        lock.release()
