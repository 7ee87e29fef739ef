"""A write checks Google's reply: the cells Google updated must be the cells sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sheets_sync.backends.google.replies import WriteMismatch, check, filter_key, mismatches
from sheets_sync.demo import fill_demo
from sheets_sync.sync import sync
from sheets_sync.templates import normalize_header
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend

AS_OF = dt.date(2026, 11, 27)
WRITE = "sheets.spreadsheets.values.batchUpdateByDataFilter"
ANCHOR = {"developerMetadataLookup": {"metadataKey": "k", "metadataValue": "v"}}
BOX = {"a1Range": "'Issues'!A2:B3"}


def sent(data_filter: dict[str, Any], *column: Any) -> dict[str, Any]:
    return {"dataFilter": data_filter, "majorDimension": "COLUMNS", "values": [list(column)]}


def reply(*pairs: tuple[dict[str, Any], int]) -> dict[str, Any]:
    return {"responses": [{"dataFilter": f, "updatedCells": n} for f, n in pairs]}


NAMES = {filter_key(ANCHOR): "'Goals' column Status", filter_key(BOX): "the cells 'Issues'!A2:B3"}


def test_cells_sent_are_the_non_null_ones() -> None:
    items = [sent(ANCHOR, None, "On track", None, "", "At risk"), sent(BOX, 1, 2)]
    assert mismatches(items, reply((ANCHOR, 3), (BOX, 2)), NAMES) == []


@pytest.mark.parametrize(
    ("updated", "why"),
    [
        ([], "0 of 2 cells written, it is not in the sheet any more"),
        ([1], "1 of 2 cells written, part of it is not in the sheet any more"),
        ([2, 2], "4 of 2 cells written, it is in the sheet more than once"),
    ],
)
def test_a_filter_that_wrote_other_cells_is_named(updated: list[int], why: str) -> None:
    items = [sent(ANCHOR, "On track", "At risk")]
    got = reply(*[(ANCHOR, n) for n in updated])
    assert mismatches(items, got, NAMES) == [f"'Goals' column Status: {why}"]
    with pytest.raises(WriteMismatch, match="the next sync writes these cells"):
        check(items, got, NAMES)


def test_a_column_deleted_between_guard_and_write_fails_the_sync_and_the_next_repairs() -> None:
    fake = FakeGoogle(seed=3)
    backend = google_backend(fake)
    fill_demo(backend, AS_OF)
    sid = backend.spreadsheet_id
    assert sid is not None
    ss = fake.spreadsheet(sid)
    header = [normalize_header(h) for h in ss.values("Goals")[0]]
    status = header.index("status")
    ss.set_cell("Goals", 1, status, "typed by hand")  # gives the sync a Status to write

    def delete_status(_fake: FakeGoogle, info: Any) -> None:
        if info.endpoint == WRITE:
            fake.clear_hooks()
            ss.delete_columns("Goals", status)

    fake.before_request(delete_status)
    with pytest.raises(WriteMismatch) as failed:
        sync(google_backend(fake, sid), as_of=AS_OF)
    fake.clear_hooks()
    assert "'Goals' column Status: 0 of 1 cells written" in str(failed.value)
    assert failed.value.exit_code == 1

    repaired = sync(google_backend(fake, sid), as_of=AS_OF)
    assert repaired.wrote
    goals = ss.values("Goals")
    assert "status" in [normalize_header(h) for h in goals[0]]
    again = sync(google_backend(fake, sid), as_of=AS_OF)
    assert again.cells_changed == 0 and not again.wrote
