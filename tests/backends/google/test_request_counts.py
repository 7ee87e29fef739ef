"""Requests per sync do not grow with the workbook: 2 with nothing to change (the metadata
and the values), and with changes the row moves (whose reply is the guard's re-read)
and the values write.

Prints the figures (run with -s): requests by endpoint and cells written, for the
demo workbook and for one ten times larger.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.demo import fill_demo
from sheets_sync.sync import sync
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend
from tests.helpers import scaled_demo_rows

AS_OF = dt.date(2026, 11, 27)


def measure(factor: int) -> dict[str, object]:
    fake = FakeGoogle(seed=factor)
    backend = google_backend(fake)
    fill_demo(backend, AS_OF, rows=scaled_demo_rows(AS_OF, factor))
    sid = backend.spreadsheet_id
    assert sid is not None
    fake.reset_stats()
    idle = sync(google_backend(fake, sid), as_of=AS_OF)
    idle_requests = dict(fake.stats.by_endpoint)
    ss = fake.spreadsheet(sid)
    raci = ss.values("RACI")
    ss.set_cell("RACI", 1, len(raci[0]) - 1, "A")  # T1 gets a second Accountable
    fake.reset_stats()
    busy = sync(google_backend(fake, sid), as_of=AS_OF)
    return {
        "rows": sum(len(v) for v in ss.values("KPI Log")),
        "idle": idle_requests,
        "idle_cells": idle.cells_changed,
        "busy": dict(fake.stats.by_endpoint),
        "busy_cells": busy.cells_changed,
        "cells_written": fake.stats.cells_written,
        "bytes": (fake.stats.bytes_in, fake.stats.bytes_out),
    }


@pytest.mark.parametrize("factor", [1, 10])
def test_requests_per_sync_do_not_depend_on_size(factor: int) -> None:
    figures = measure(factor)
    print(f"\n{factor}x demo ({figures['rows']} KPI Log cells): nothing to change "
          f"{sum(figures['idle'].values())} requests {figures['idle']}; "  # type: ignore[attr-defined]
          f"with {figures['busy_cells']} changed cells "
          f"{sum(figures['busy'].values())} requests {figures['busy']}, "  # type: ignore[attr-defined]
          f"{figures['cells_written']} cells written, bytes in/out {figures['bytes']}")
    assert figures["idle"] == {
        "sheets.spreadsheets.get": 1, "sheets.spreadsheets.values.batchGet": 1
    }
    assert figures["idle_cells"] == 0
    # A new finding gets its own Issues row (a batchUpdate inserts it), so the rows below
    # it move rather than being rewritten: fewer cells written than changed value.
    # The read (2), the row shift (whose reply is the guard's re-read), the values.
    assert figures["busy"] == {
        "sheets.spreadsheets.get": 1,
        "sheets.spreadsheets.values.batchGet": 1,
        "sheets.spreadsheets.batchUpdate": 1,
        "sheets.spreadsheets.values.batchUpdateByDataFilter": 1,
    }
    assert 0 < figures["cells_written"] <= figures["busy_cells"]
