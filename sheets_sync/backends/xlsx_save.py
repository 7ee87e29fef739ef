"""Saving an xlsx workbook: atomically, and only when the save keeps what the file held.

A save goes to a temp file in the workbook's folder, is checked (its size, and for
a file another program saved, everything the file held, measured part by part),
fsynced, and then replaces the workbook with ``os.replace``. A process killed
mid-save leaves its temp file behind and the workbook untouched; a later save
removes such files once an hour old.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.backends.base import TabLayout
from sheets_sync.backends.xlsx_measure import describe, measure_loss, parts_kept
from sheets_sync.backends.xlsx_measure_split import SplitMeasure
from sheets_sync.backends.xlsx_package import PackageError
from sheets_sync.backends.xlsx_read import CachedCells, Source
from sheets_sync.backends.xlsx_writer import save_workbook
from sheets_sync.errors import WorkbookError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

#: A save's temp file this old is an interrupted save's (its process was killed): the
#: next save of the same workbook removes it. A younger one may be a save in progress.
STALE_TEMP_SECONDS = 3600
#: The largest file a save may write, unless configured otherwise (``xlsx.max_file_mb``).
MAX_FILE_MB = 256
#: A save of a workbook the tool did not create writes at most this factor times the file
#: it read, plus what the tool added (its tabs, columns and values) and a fixed allowance:
#: openpyxl writes styles, shared strings and relationships a little more verbosely than
#: Excel, never by more than this on the real-workbook corpus.
OUTPUT_SIZE_FACTOR = 2.0
OUTPUT_SIZE_ALLOWANCE = 1024 * 1024


@dataclass(frozen=True)
class SaveCheck:
    """What a save must keep: measured or not, and what the tool itself changed or added."""

    measured: bool
    changed: set[tuple[str, int, int]]
    created: set[str]
    added_bytes: int
    layouts: tuple[TabLayout, ...] = ()
    #: not measured unless a quick look at the parts finds one of a kind gone
    maybe: bool = False
    #: the tool's charts the workbook recorded: tab -> titles (replacing them is no loss)
    charts: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Original:
    """The workbook file a save replaces, as it was read."""

    path: Path
    #: the path as given, for messages
    given: str
    #: what it was read from (the file, or the readable copy made of it)
    source: Source
    size: int
    max_file_bytes: int


def _mb(size: float) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def file_version(path: Path) -> tuple[int, int] | None:
    """(mtime, size) of a file, the guard's version of it; None when there is no file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size)


def _umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def _temp_prefix(target: Path) -> str:
    return f".{target.name}."


def remove_stale_temps(target: Path) -> None:
    """Remove temp files that killed saves of ``target`` left behind (SIGKILL, power loss)."""
    prefix = _temp_prefix(target)
    cutoff = time.time() - STALE_TEMP_SECONDS
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith(".xlsx.tmp")):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)



def save_atomically(
    wb: Workbook,
    original: Original,
    cached: CachedCells,
    check: SaveCheck,
    recheck: Callable[[], object],
) -> None:
    """Save to a temp file in the same folder, check it, fsync it, then atomically replace.

    Nothing replaces the workbook unless the temp file keeps everything the file
    read held (measured, for a file another program saved) and is of bounded size.
    ``recheck`` (the write guard) runs again just before the file is replaced.
    """
    target = original.path
    folder = target.parent.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    try:
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=_temp_prefix(target), suffix=".xlsx.tmp", delete=False
        ) as handle:
            tmp = Path(handle.name)
    except OSError as exc:
        raise WorkbookError(f"cannot write in {folder}: {exc}") from exc
    measure = SplitMeasure(original.source, check.changed, check.created, check.layouts,
                           check.charts)
    try:
        if check.measured:
            measure.begin()  # its worker reads the original while openpyxl saves
        save_workbook(wb, tmp, cached)
        check_saved(tmp, original, check, measure)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        # Saving a big workbook takes a while: look again just before replacing.
        recheck()
        os.replace(tmp, target)
    except BaseException as exc:
        measure.cancel()
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise WorkbookError(f"could not save {original.given}: {exc}") from exc
        if isinstance(exc, OverflowError):  # openpyxl writes no integer beyond a double
            raise WorkbookError(
                f"could not save {original.given}: it holds a number too large for a "
                f"spreadsheet ({exc}); `sheets-sync check` names the cell"
            ) from exc
        raise
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    remove_stale_temps(target)


def check_saved(
    tmp: Path, original: Original, check: SaveCheck, measure: SplitMeasure | None = None
) -> None:
    """Refuse a save that would lose what the file held, or that grew out of bounds."""
    size = tmp.stat().st_size
    reasons: list[str] = []
    if size > original.max_file_bytes:
        reasons.append(
            f"the saved file would be {_mb(size)}, over the limit of "
            f"{_mb(original.max_file_bytes)} (xlsx.max_file_mb)"
        )
    if check.maybe and not parts_kept(original.source(), tmp):
        check = replace(check, measured=True)
    if check.measured:
        bound = OUTPUT_SIZE_FACTOR * original.size + check.added_bytes
        if size > bound + OUTPUT_SIZE_ALLOWANCE:
            reasons.append(
                f"the saved file would grow from {_mb(original.size)} to {_mb(size)}, "
                f"more than {OUTPUT_SIZE_FACTOR:g} times its size plus what sheets-sync adds"
            )
        if measure is None:
            measure = SplitMeasure(
                original.source, check.changed, check.created, check.layouts, check.charts
            )
        try:
            losses = measure.finish(tmp)
        except PackageError as exc:  # then nobody can say what a save keeps: refuse
            reasons.append(f"its package cannot be compared with the saved one ({exc})")
        else:
            if losses:
                reasons.append(describe(losses))
    if reasons:
        said = "; ".join(r.rstrip(".") for r in reasons)
        raise WorkbookError(
            f"{original.path.name} was not saved: sheets-sync would lose content this file "
            f"holds if it saved it. {said}. Nothing was changed. Remove or "
            "move that content to another workbook, or keep using this file without "
            "sheets-sync writing to it (`sheets-sync check` still reads it)."
        )


def trial_save(wb: Workbook, source: Source, cached: CachedCells) -> list[str]:
    """What a save of ``wb`` would lose of the file read from ``source``: a trial save."""
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        save_workbook(wb, name, cached)
        losses = measure_loss(source(), name, set(), set())
    except Exception as exc:  # e.g. a workbook with no visible sheet cannot be saved
        return [f"a trial save failed ({type(exc).__name__}: {exc})"]
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    return [describe(losses)] if losses else []
