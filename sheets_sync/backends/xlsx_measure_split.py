"""The loss measure of a large workbook, shared with a second process.

Measuring a save reads the original package and the saved one in full, which for
a workbook of hundreds of thousands of cells costs about as much as the save
itself. The sheets are independent, so the measure splits them between two forked
workers of about equal share: each reads its sheets' original parts while this
process is still saving (a core is free then), then their saved parts, and
compares them, both at once; this process compares the package as a whole. The losses are the
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
SPLIT_MIN_BYTES = 1024 * 1024
#: Workers: each reads its sheets' original parts while this process saves (one core is
#: free then), and after the save both read and compare at once, one core each.
WORKERS = 2


def _sheet_sizes(source: Source) -> dict[str, int]:
    """Sheet name -> the size of its part, uncompressed."""
    package = read_package(source(), cells=False, only=())
    with zipfile.ZipFile(source()) as zf:
        sizes = {info.filename: info.file_size for info in zf.infolist()}
    return {name: sizes.get(sheet.part, 0) for name, sheet in package.sheets.items()}


def partition(sizes: Mapping[str, int], count: int = WORKERS) -> list[set[str]]:
    """The sheets in ``count`` groups of about equal size (largest first into the lightest
    group); empty groups left out."""
    groups: list[tuple[int, set[str]]] = [(0, set()) for _ in range(count)]
    for name, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        total, names = min(groups, key=lambda group: group[0])
        groups.remove((total, names))
        names.add(name)
        groups.append((total + size, names))
    return [names for _, names in groups if names]


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
        #: the sheets each worker measures (none: everything is measured here)
        self.groups: list[set[str]] = []
        self._workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        self._begun = False

    def begin(self) -> None:
        """Fork the workers, when the workbook is worth it."""
        if self._begun or "fork" not in multiprocessing.get_all_start_methods():
            return
        self._begun = True
        try:
            sizes = _sheet_sizes(self.source)
        except (PackageError, OSError, zipfile.BadZipFile):
            return  # the measure itself will say what is wrong with the file
        if sum(sizes.values()) < self.min_bytes:
            return
        self.groups = partition(sizes)
        context = multiprocessing.get_context("fork")
        for group in self.groups:
            ours, theirs = multiprocessing.Pipe()
            process = context.Process(
                target=_work, args=(theirs, self.source, group, self.args), daemon=True
            )
            process.start()
            theirs.close()
            self._workers.append((process, ours))

    def finish(self, saved: str | Path) -> list[Loss]:
        """Every loss from the original to ``saved``, as :func:`measure_loss` finds them."""
        self.begin()
        for _, conn in self._workers:
            with contextlib.suppress(OSError):
                conn.send(str(saved))
        # Here: the package as a whole (lost sheets, names, parts), or everything.
        ours: set[str] | None = set() if self._workers else None
        before = read_package(self.source(), only=ours)
        after = read_package(str(saved), only=ours)
        groups = loss_groups(before, after, *self.args, sheets=ours)
        if self._workers:
            groups.update(self._collect(saved))
        return in_order(groups, before.sheets)

    def _collect(self, saved: str | Path) -> LossGroups:
        """The workers' losses; a worker's sheets are measured here when it gave none."""
        replies: list[tuple[set[str], tuple[str, Any]]] = []
        for group, (_, conn) in zip(self.groups, self._workers, strict=True):
            reply: tuple[str, Any] = ("lost", None)
            with contextlib.suppress(EOFError, OSError):
                reply = conn.recv()
            replies.append((group, reply))
        self.cancel()
        out: LossGroups = {}
        for group, (kind, payload) in replies:
            if kind == "ok":
                out.update(payload)
                continue
            if kind == "package":
                raise PackageError(str(payload))
            before = read_package(self.source(), only=group)
            after = read_package(str(saved), only=group)
            out.update(loss_groups(before, after, *self.args, sheets=group, whole=False))
        return out

    def cancel(self) -> None:
        """Stop the workers, if any run."""
        workers, self._workers = self._workers, []
        for process, conn in workers:
            conn.close()
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
