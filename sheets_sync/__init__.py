"""sheets-sync: keeps a partnership's shared spreadsheet honest.

The public API. Everything the CLI does is a few lines over these functions::

    import sheets_sync
    backend = sheets_sync.open_workbook("partnership.xlsx")
    sheets_sync.provision(backend)
    result = sheets_sync.sync(backend)
    print(sheets_sync.render(result))
    tables = sheets_sync.frames(backend)  # pandas DataFrames, computed columns filled

Importing this package stays cheap (``sheets-sync --help`` depends on it): pandas,
openpyxl and gspread are imported by the functions that need them.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sheets_sync.backends.base import Backend, Plan
from sheets_sync.config import Config, WorkbookConfig, load_config
from sheets_sync.errors import ConfigError, GuardError, SheetsSyncError, TryLater, WorkbookError
from sheets_sync.findings import Finding, Severity
from sheets_sync.frames import frames
from sheets_sync.report import render
from sheets_sync.sync import SyncResult, analyze, check, provision, sync
from sheets_sync.templates import load_template

try:
    # pyproject.toml is the one place the version is written; the installed metadata carries it.
    __version__ = version("sheets-sync")
except PackageNotFoundError:  # a source tree on sys.path without being installed
    __version__ = "0+unknown"


def open_workbook(
    workbook: WorkbookConfig | str | os.PathLike[str], config: Config | None = None
) -> Backend:
    """The backend for a configured workbook, or for a local .xlsx path."""
    if not isinstance(workbook, WorkbookConfig):
        workbook = WorkbookConfig(name=Path(workbook).stem, backend="xlsx", path=Path(workbook))
    if workbook.backend == "xlsx":
        from sheets_sync.backends.xlsx import XlsxBackend

        if workbook.path is None:
            raise ConfigError(
                "workbooks.path", f"workbook {workbook.name!r} is an xlsx workbook without a path"
            )
        return XlsxBackend(workbook.path, max_file_mb=(config or Config()).xlsx.max_file_mb)
    if workbook.backend == "google":
        from sheets_sync.backends.google import open_google

        return open_google(workbook, config or Config())
    raise ConfigError("workbooks.backend", f"unknown backend {workbook.backend!r}")


__all__ = [
    "Backend",
    "Config",
    "ConfigError",
    "Finding",
    "GuardError",
    "Plan",
    "Severity",
    "SheetsSyncError",
    "SyncResult",
    "TryLater",
    "WorkbookConfig",
    "WorkbookError",
    "__version__",
    "analyze",
    "check",
    "frames",
    "load_config",
    "load_template",
    "open_workbook",
    "provision",
    "render",
    "sync",
]
