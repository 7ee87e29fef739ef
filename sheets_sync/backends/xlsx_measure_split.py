"""The loss measure of a large workbook, shared with a second process.

Measuring a save reads the original package and the saved one in full, which for
a workbook of hundreds of thousands of cells costs about as much as the save
itself. The sheets are independent, so the measure splits them: a forked worker
takes the largest sheets and reads their original parts while this process is
still saving, then reads their saved parts and compares them; this process
reads and compares the rest, and the package as a whole. The losses are the
same, in the same order, as one process measuring everything
(:func:`~sheets_sync.backends.xlsx_measure.measure_loss`).

A worker that fails or dies never skips the measure: its sheets are then measured
here. Where ``fork`` is not available, or the workbook is small, everything is
measured here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import zipfile
from collections.abc import Collection, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sheets_sync.backends.base import TabLayout
from sheets_sync.backends.xlsx_measure import Loss, LossGroups, in_order, loss_groups
from sheets_sync.backends.xlsx_package import PackageError, read_package
from sheets_sync.backends.xlsx_read import Source

#: Below this much sheet XML (uncompressed) a second process costs more than it saves.
SPLIT_MIN_BYTES = 24 * 1024 * 1024
#: The worker takes the largest sheets up to this share of the sheet XML: it reads its
#: original parts during the save, so after the save it has one read left, and this
#: process two.
WORKER_SHARE = 2 / 3


def _sheet_sizes(source: Source) -> dict[str, int]:
    """Sheet name -> the size of its part, uncompressed."""
    package = read_package(source(), cells=False, only=())
    with zipfile.ZipFile(source()) as zf:
        sizes = {info.filename: info.file_size for info in zf.infolist()}
    return {name: sizes.get(sheet.part, 0) for name, sheet in package.sheets.items()}


def worker_sheets(sizes: Mapping[str, int], share: float = WORKER_SHARE) -> set[str]:
    """The largest sheets, up to ``share`` of all the sheet XML (at least the largest)."""
    total = sum(sizes.values())
    chosen: set[str] = set()
    taken = 0
    for name, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        if chosen and taken + size > share * total:
            continue
        chosen.add(name)
        taken += size
    return chosen if len(chosen) < len(sizes) else set()


class SplitMeasure:
    """A loss measure begun before the save it measures (see the module's docstring)."""

    def __init__(
        self,
        source: Source,
        changed: Collection[tuple[str, int, int]],
        created: Collection[str],
        layouts: Collection[TabLayout] = (),
        charts: Mapping[str, Collection[str]] | None = None,
        *,
        min_bytes: int | None = None,
    ) -> None:
        self.source = source
        self.args: tuple[Any, ...] = (set(changed), set(created), tuple(layouts), charts)
        self.min_bytes = SPLIT_MIN_BYTES if min_bytes is None else min_bytes
        self.sizes: dict[str, int] = {}
        self.theirs: set[str] = set()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._begun = False

    def begin(self) -> None:
        """Fork the worker for the largest sheets, when the workbook is worth it."""
        if self._begun or "fork" not in multiprocessing.get_all_start_methods():
            return
        self._begun = True
        try:
            self.sizes = _sheet_sizes(self.source)
        except (PackageError, OSError, zipfile.BadZipFile):
            return  # the measure itself will say what is wrong with the file
        if sum(self.sizes.values()) < self.min_bytes:
            return
        self.theirs = worker_sheets(self.sizes)
        if not self.theirs:
            return
        ours, theirs = multiprocessing.Pipe()
        context = multiprocessing.get_context("fork")
        process = context.Process(
            target=_work, args=(theirs, self.source, self.theirs, self.args), daemon=True
        )
        process.start()
        theirs.close()
        self._process, self._conn = process, ours

    def finish(self, saved: str | Path) -> list[Loss]:
        """Every loss from the original to ``saved``, as :func:`measure_loss` finds them."""
        self.begin()
        conn, process = self._conn, self._process
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(str(saved))
        ours = None if process is None else set(self.sizes) - self.theirs
        before = read_package(self.source(), only=ours)
        after = read_package(str(saved), only=ours)
        groups = loss_groups(before, after, *self.args, sheets=ours)
        if process is not None:
            groups.update(self._collect(saved))
        return in_order(groups, before.sheets)

    def _collect(self, saved: str | Path) -> LossGroups:
        """The worker's losses; measured here when the worker could not give them."""
        reply: tuple[str, Any] = ("lost", None)
        if self._conn is not None:
            with contextlib.suppress(EOFError, OSError):
                reply = self._conn.recv()
        self.cancel()
        kind, payload = reply
        if kind == "ok":
            groups: LossGroups = payload
            return groups
        if kind == "package":
            raise PackageError(str(payload))
        before = read_package(self.source(), only=self.theirs)
        after = read_package(str(saved), only=self.theirs)
        return loss_groups(before, after, *self.args, sheets=self.theirs, whole=False)

    def cancel(self) -> None:
        """Stop the worker, if one runs."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None:
            if process.is_alive():
                process.terminate()
            process.join()


def _work(conn: Connection, source: Source, sheets: set[str], args: tuple[Any, ...]) -> None:
    """The worker: read its sheets' original parts, wait for the save, compare."""
    try:
        before = read_package(source(), only=sheets)
        saved = conn.recv()
        after = read_package(saved, only=sheets)
        conn.send(("ok", loss_groups(before, after, *args, sheets=sheets, whole=False)))
    except PackageError as exc:
        conn.send(("package", str(exc)))
    except EOFError:
        pass  # the save failed and the measure was cancelled
    except Exception as exc:  # measured again by the parent, which knows better
        with contextlib.suppress(Exception):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
