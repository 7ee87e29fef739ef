"""sheets-sync: keeps a partnership's shared spreadsheet honest.

The public API. Everything the CLI does is a few lines over these functions::

    from sheets_sync import open_workbook, provision, sync
    backend = open_workbook("partnership.xlsx")
    provision(backend)
    result = sync(backend)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.config import Config, WorkbookConfig, load_config
from sheets_sync.errors import ConfigError, SheetsSyncError, TryLater
from sheets_sync.report import render
from sheets_sync.sync import SyncResult, analyze, check, provision, sync
from sheets_sync.templates import load_template

if TYPE_CHECKING:
    from sheets_sync.backends.base import Backend

__version__ = "0.1.0"


def open_workbook(
    workbook: WorkbookConfig | str | os.PathLike[str], config: Config | None = None
) -> Backend:
    """The backend for a configured workbook, or for a local .xlsx path."""
    if not isinstance(workbook, WorkbookConfig):
        workbook = WorkbookConfig(name=Path(workbook).stem, backend="xlsx", path=Path(workbook))
    if workbook.backend == "xlsx":
        from sheets_sync.backends.xlsx import XlsxBackend

        assert workbook.path is not None
        return XlsxBackend(workbook.path, max_file_mb=(config or Config()).xlsx.max_file_mb)
    if workbook.backend == "google":
        from sheets_sync.backends.google import open_google

        return open_google(workbook, config or Config())
    raise ConfigError("workbooks.backend", f"unknown backend {workbook.backend!r}")


__all__ = [
    "Config",
    "ConfigError",
    "SheetsSyncError",
    "SyncResult",
    "TryLater",
    "WorkbookConfig",
    "analyze",
    "check",
    "load_config",
    "load_template",
    "open_workbook",
    "provision",
    "render",
    "sync",
]
