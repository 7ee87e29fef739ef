"""``sheets-sync demo``: a realistic partnership workbook, provisioned, filled and synced.

The sample data lives in :mod:`sheets_sync.demo.data` and is laid out as tabs by
:mod:`sheets_sync.demo.rows`; this module fills any backend with it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.backends.base import Backend, CellFormat, CellUpdate, CellValue
from sheets_sync.demo.data import DEMO_ACKNOWLEDGED, DEMO_PROBLEMS
from sheets_sync.demo.rows import demo_rows

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.sync import SyncResult


def _demo_format(value: CellValue) -> CellFormat:
    """How a demo cell is written: dates as dates, numbers as numbers, the rest as text."""
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return "text"


#: How far back the demo's history goes: a year.
DEMO_HISTORY_DAYS = 364


def fill_demo(
    backend: Backend,
    as_of: dt.date,
    config: Config | None = None,
    rows: dict[str, list[list[CellValue]]] | None = None,
) -> SyncResult:
    """Provision ``backend`` (any backend), fill it with :func:`demo_rows`, and sync it."""
    from sheets_sync.sync import provision, sync

    provision(backend, config)
    data = backend.read()
    updates = [
        CellUpdate(tab.name if (tab := data.tab(name)) else name, r, c, value, _demo_format(value))
        for name, grid in (rows or demo_rows(as_of)).items()
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if value is not None
    ]
    backend.write(data, updates)
    # The role columns exist now: give them their dropdowns and header style, so
    # the sync below reports the data's problems rather than formatting it restored.
    provision(backend, config)
    return sync(backend, config, as_of=as_of)


def acknowledge_demo(backend: Backend, as_of: dt.date) -> None:
    """Type the demo people's acknowledgements and snoozes beside their findings on the
    Issues tab (:data:`~sheets_sync.demo.data.DEMO_ACKNOWLEDGED`), as a person would."""
    from sheets_sync.templates import normalize_header

    data = backend.read()
    issues = data.tab("Issues")
    if issues is None:
        return
    col = {normalize_header(v): c for c, v in enumerate(issues.header) if v is not None}
    updates: list[CellUpdate] = []
    for rule, key, column, value, comment in DEMO_ACKNOWLEDGED:
        typed: CellValue = as_of + dt.timedelta(days=value) if isinstance(value, int) else value
        for row in range(1, issues.height):
            if issues.get(row, col["rule"]) == rule and issues.get(row, col["key"]) == key:
                where = col[normalize_header(column)]
                updates.append(CellUpdate(issues.name, row, where, typed, _demo_format(typed)))
                updates.append(CellUpdate(issues.name, row, col["comment"], comment))
                break
    if updates:
        backend.write(data, updates)


def build_demo(path: Path, as_of: dt.date, config: Config | None = None) -> SyncResult:
    """Provision a fresh demo workbook at ``path``, fill it with :func:`demo_rows`, sync it,
    have its people acknowledge one finding and snooze another, and rebuild a year of
    history (the History tab and the Dashboard's trend).

    An existing file at ``path`` is replaced (unless a person has it open in an
    editor: :class:`~sheets_sync.errors.TryLater`); the parent folder is created.
    """
    from sheets_sync.backends.xlsx import XlsxBackend, editor_lock
    from sheets_sync.errors import TryLater
    from sheets_sync.rebuild import rebuild_history

    path = Path(path)
    holder = editor_lock(path)
    if holder is not None:
        raise TryLater(f"{holder}; not replacing it now. Close it there, or try again later.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    backend = XlsxBackend(path)
    try:
        result = fill_demo(backend, as_of, config)
        acknowledge_demo(backend, as_of)
        rebuilt = rebuild_history(
            backend, config, start=as_of - dt.timedelta(days=DEMO_HISTORY_DAYS), as_of=as_of
        )
        return rebuilt.synced or result
    finally:
        backend.close()


__all__ = ["DEMO_PROBLEMS", "acknowledge_demo", "build_demo", "demo_rows", "fill_demo"]
