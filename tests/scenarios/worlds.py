"""One behavioural suite, two backends: a workbook plus a "person" who edits it.

Each World gives a fresh backend per call (as each cron run would open one) and
edits cells the way people do in that program: openpyxl for a local workbook,
the fake's own human edits (no API request) for Google.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Protocol

from sheets_sync.backends.base import Backend, CellValue


class World(Protocol):
    name: str

    def backend(self) -> Backend: ...
    def grid(self, tab: str) -> list[list[CellValue]]: ...
    def set(self, tab: str, row: int, col: int, value: Any) -> None: ...
    def insert_rows(self, tab: str, at: int, count: int = 1) -> None: ...
    def move_column_to_end(self, tab: str, col: int) -> None: ...
    def rename_tab(self, tab: str, new_name: str) -> None: ...
    def delete_tab(self, tab: str) -> None: ...
    def sort_rows(self, tab: str, col: int, descending: bool = False) -> None: ...


class XlsxWorld:
    name = "xlsx"

    def __init__(self, folder: Path) -> None:
        self.path = folder / "partnership.xlsx"

    def backend(self) -> Backend:
        from sheets_sync.backends.xlsx import XlsxBackend

        return XlsxBackend(self.path)

    def grid(self, tab: str) -> list[list[CellValue]]:
        return self.backend().read().tabs[tab].values

    def _edit(self, tab: str, fn: Any) -> None:
        import openpyxl

        wb = openpyxl.load_workbook(self.path)
        fn(wb[tab])
        wb.save(self.path)

    def set(self, tab: str, row: int, col: int, value: Any) -> None:
        def edit(ws: Any) -> None:
            ws.cell(row + 1, col + 1).value = value

        self._edit(tab, edit)

    def insert_rows(self, tab: str, at: int, count: int = 1) -> None:
        self._edit(tab, lambda ws: ws.insert_rows(at + 1, count))

    def rename_tab(self, tab: str, new_name: str) -> None:
        def edit(ws: Any) -> None:
            ws.title = new_name

        self._edit(tab, edit)

    def delete_tab(self, tab: str) -> None:
        import openpyxl

        wb = openpyxl.load_workbook(self.path)
        wb.remove(wb[tab])
        wb.save(self.path)

    def sort_rows(self, tab: str, col: int, descending: bool = False) -> None:
        """Data > Sort on one column: whole rows below the header move."""

        def edit(ws: Any) -> None:
            rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
            rows = [r for r in rows if any(v is not None for v in r)]
            rows.sort(key=lambda r: str(r[col] if col < len(r) and r[col] is not None else ""),
                      reverse=descending)
            for r, values in enumerate(rows, start=2):
                for c, value in enumerate(values, start=1):
                    ws.cell(r, c).value = value

        self._edit(tab, edit)

    def move_column_to_end(self, tab: str, col: int) -> None:
        def edit(ws: Any) -> None:
            last = ws.max_column + 1
            for row in range(1, ws.max_row + 1):
                ws.cell(row, last).value = ws.cell(row, col + 1).value
            ws.delete_cols(col + 1)

        self._edit(tab, edit)


class GoogleWorld:
    name = "google"

    def __init__(self) -> None:
        from tests.fakes.google_api import FakeGoogle

        self.fake = FakeGoogle()
        self.spreadsheet_id: str | None = None

    def backend(self) -> Backend:
        from tests.fakes.google_backend import google_backend

        backend = google_backend(self.fake, self.spreadsheet_id)
        self._last = backend
        return backend

    def remember(self, backend: Any) -> None:
        """After provisioning created the spreadsheet, later backends open it by id."""
        self.spreadsheet_id = backend.spreadsheet_id

    def _ss(self) -> Any:
        assert self.spreadsheet_id is not None
        return self.fake.spreadsheet(self.spreadsheet_id)

    def grid(self, tab: str) -> list[list[CellValue]]:
        return self.backend().read().tabs[tab].values

    def set(self, tab: str, row: int, col: int, value: Any) -> None:
        sheet = self._ss().sheet(tab)
        if col >= sheet.column_count:
            self._ss().insert_columns(tab, sheet.column_count, col + 1 - sheet.column_count)
        if isinstance(value, dt.date) or value is None or not isinstance(value, str):
            self._ss().set_cell(tab, row, col, value)
        else:
            self._ss().set_cell(tab, row, col, value)

    def insert_rows(self, tab: str, at: int, count: int = 1) -> None:
        self._ss().insert_rows(tab, at, count)

    def rename_tab(self, tab: str, new_name: str) -> None:
        self._ss().rename_sheet(tab, new_name)

    def delete_tab(self, tab: str) -> None:
        self._ss().remove_sheet(tab)

    def sort_rows(self, tab: str, col: int, descending: bool = False) -> None:
        self._ss().sort_rows(tab, col, descending=descending)

    def move_column_to_end(self, tab: str, col: int) -> None:
        ss = self._ss()
        values = [row[col] if col < len(row) else None for row in ss.values(tab, dates=True)]
        width = max(len(r) for r in ss.values(tab)) if ss.values(tab) else 0
        ss.insert_columns(tab, width, 1)
        for row, value in enumerate(values):
            if value is not None:
                ss.set_cell(tab, row, width, value)
        ss.delete_columns(tab, col, 1)


def demo_in(world: World, as_of: dt.date) -> Any:
    """Provision and fill the demo workbook in ``world``, synced as of ``as_of``."""
    from sheets_sync.demo import fill_demo

    backend = world.backend()
    result = fill_demo(backend, as_of)
    if isinstance(world, GoogleWorld):
        world.remember(backend)
    return result
