"""Issues rows move whole on Google, sent before the guard, whose re-read is their reply.

A sync whose only structural change is moving Issues rows makes four requests: the
read (2), the moves (their reply brings back what the guard compares), the values. The
moves lose nothing wherever they land, so a person who moved rows meanwhile costs a
re-plan, never a note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.backends.base import CellError, RowShift
from sheets_sync.backends.google import replies, wire
from sheets_sync.backends.google.cells import guard_text
from sheets_sync.demo import fill_demo
from sheets_sync.row_shifts import apply_ops, row_ops
from sheets_sync.sync import sync
from sheets_sync.templates import normalize_header
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend, is_guard
from tests.reliability.test_concurrent_acknowledgements import identity, issues

AS_OF = dt.date(2026, 11, 27)


def synced_demo() -> tuple[FakeGoogle, str]:
    fake = FakeGoogle(seed=3)
    backend = google_backend(fake)
    fill_demo(backend, AS_OF)
    sid = backend.spreadsheet_id
    assert sid is not None
    sync(google_backend(fake, sid), as_of=AS_OF)
    return fake, sid


def note_every_finding(fake: FakeGoogle, sid: str) -> dict[tuple[Any, ...], str]:
    """A comment beside each finding, naming it: where it ends up shows where it went."""
    grid, cols = issues(fake, sid)
    notes = {}
    for row in range(1, len(grid)):
        if grid[row] and grid[row][cols["rule"]]:
            note = "note " + "/".join(str(v) for v in identity(grid[row], cols))
            fake.spreadsheet(sid).set_cell("Issues", row, cols["comment"], note)
            notes[identity(grid[row], cols)] = note
    return notes


def new_finding(fake: FakeGoogle, sid: str) -> None:
    """T1 gets a second Accountable: a finding the Issues tab does not hold yet."""
    ss = fake.spreadsheet(sid)
    ss.set_cell("RACI", 1, len(ss.values("RACI")[0]) - 1, "A")


def notes_by_finding(fake: FakeGoogle, sid: str) -> dict[tuple[Any, ...], Any]:
    grid, cols = issues(fake, sid)
    return {
        identity(row, cols): row[cols["comment"]] if cols["comment"] < len(row) else None
        for row in grid[1:]
        if row and row[cols["rule"]]
    }


def requests_of(fake: FakeGoogle) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    fake.before_request(lambda _f, info: seen.append((info.endpoint, info.json)))
    return seen


def test_four_requests_rows_moved_before_the_guard_and_the_grid_does_not_grow() -> None:
    fake, sid = synced_demo()
    notes = note_every_finding(fake, sid)
    rows_before = fake.spreadsheet(sid).sheet("Issues").row_count
    new_finding(fake, sid)
    seen = requests_of(fake)
    result = sync(google_backend(fake, sid), as_of=AS_OF)
    fake.clear_hooks()
    assert [endpoint for endpoint, _ in seen] == [
        "sheets.spreadsheets.get",
        "sheets.spreadsheets.values.batchGet",
        "sheets.spreadsheets.batchUpdate",
        "sheets.spreadsheets.values.batchUpdateByDataFilter",
    ]
    body = seen[2][1]
    assert {kind for request in body["requests"] for kind in request} == {"moveDimension"}
    assert body["includeSpreadsheetInResponse"] is True
    assert "'Issues'!1:1" in body["responseRanges"]
    assert result.replans == 0
    # the new finding took one of the grid's empty rows: no row was added
    assert fake.spreadsheet(sid).sheet("Issues").row_count == rows_before
    now = notes_by_finding(fake, sid)
    assert len(now) == len(notes) + 1
    for key, note in notes.items():
        assert now.get(key, note) == note  # beside its finding, or gone with it
    assert sync(google_backend(fake, sid), as_of=AS_OF).cells_changed == 0


def test_rows_moved_by_a_person_before_the_guard_cost_a_replan_not_a_note() -> None:
    fake, sid = synced_demo()
    notes = note_every_finding(fake, sid)
    new_finding(fake, sid)
    moved: list[bool] = []

    def person_inserts_a_row_at_the_top(_fake: FakeGoogle, info: Any) -> None:
        if is_guard(info) and not moved:
            moved.append(True)
            fake.spreadsheet(sid).insert_rows("Issues", 1, 1)

    seen = requests_of(fake)
    fake.before_request(person_inserts_a_row_at_the_top)
    result = sync(google_backend(fake, sid), as_of=AS_OF)
    fake.clear_hooks()
    assert moved and result.replans == 1
    guards = [json for endpoint, json in seen
              if endpoint == "sheets.spreadsheets.batchUpdate" and json.get("responseRanges")]
    assert len(guards) == 2  # the moves, sent twice: once on the old rows, once after
    now = notes_by_finding(fake, sid)
    for key, note in notes.items():
        assert now.get(key, note) == note
    assert sync(google_backend(fake, sid), as_of=AS_OF).cells_changed == 0


def test_a_full_grid_gets_a_row_inserted() -> None:
    fake, sid = synced_demo()
    ss = fake.spreadsheet(sid)
    used = len(ss.values("Issues"))
    sheet = ss.sheet("Issues")
    ss.delete_rows("Issues", used, sheet.row_count - used)  # no empty row below the findings
    assert sheet.row_count == used
    new_finding(fake, sid)
    seen = requests_of(fake)
    sync(google_backend(fake, sid), as_of=AS_OF)
    fake.clear_hooks()
    kinds = [kind for endpoint, json in seen if endpoint == "sheets.spreadsheets.batchUpdate"
             for request in json["requests"] for kind in request]
    assert "insertDimension" in kinds
    assert sheet.row_count == used + 1
    assert sync(google_backend(fake, sid), as_of=AS_OF).cells_changed == 0


def test_structure_beyond_moves_is_guarded_first() -> None:
    fake, sid = synced_demo()
    new_finding(fake, sid)
    ss = fake.spreadsheet(sid)
    goals = ss.values("Goals")
    status = [normalize_header(h) for h in goals[0]].index("status")
    ss.set_cell("Goals", 0, status, None)  # a computed column's header: the sync puts it back
    seen = requests_of(fake)
    sync(google_backend(fake, sid), as_of=AS_OF)
    fake.clear_hooks()
    endpoints = [endpoint for endpoint, _ in seen]
    first_write = endpoints.index("sheets.spreadsheets.batchUpdate")
    assert endpoints[first_write - 1] == "sheets.spreadsheets.values.batchGet"  # the guard
    assert not seen[first_write][1].get("responseRanges")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from("abcdefghij")), max_size=12),
    st.lists(st.sampled_from("abcdefghij"), max_size=10, unique=True),
    st.integers(min_value=0, max_value=4),
)
def test_the_requests_leave_the_rows_where_the_plan_says(
    before_keys: list[str | None], after: list[str], spare: int
) -> None:
    """Moves merged into blocks, new rows taken from the empty rows below (``spare`` of
    them) or inserted: the fake applying the requests agrees with ``apply_ops``."""
    before = [None, *before_keys]
    ops = row_ops(before, after)
    grid = [["header"], *[[key or "", f"note {row}"] for row, key in enumerate(before_keys, 1)]]
    fake = FakeGoogle()
    sid = fake.create_spreadsheet("P", {"Issues": grid})
    ss = fake.spreadsheet(sid)
    sheet = ss.sheet("Issues")
    extra = sheet.row_count - len(grid) - spare
    if extra > 0:
        ss.delete_rows("Issues", len(grid) + spare, extra)
    shift = RowShift("Issues", tuple(ops), (), rows=len(grid))
    ids = {"Issues": sheet.sheet_id}
    requests = wire.row_requests([shift], ids, {"Issues": {"rowCount": sheet.row_count}})
    if requests:
        backend = google_backend(fake, sid)
        backend.http.batch_update(sid, {"requests": requests})
    expected = [[v for v in row if v != ""] for row in apply_ops(grid, ops)]
    got = [[v for v in row if v not in ("", None)] for row in ss.values("Issues")]
    while got and not got[-1]:
        got.pop()
    while expected and not expected[-1]:
        expected.pop()
    assert got == expected
    moves = [r for r in requests if "moveDimension" in r]
    assert len(moves) <= sum(1 for op in ops if op[0] == "move") + len(after)


def test_neighbouring_rows_move_in_one_request() -> None:
    sheet_id, sizes = 7, {"Issues": {"rowCount": 100}}

    def sources(before: list[str | None], after: list[str]) -> list[tuple[int, int, int]]:
        shift = RowShift("Issues", tuple(row_ops(before, after)), (), rows=len(before))
        return [
            (m["source"]["startIndex"], m["source"]["endIndex"], m["destinationIndex"])
            for r in wire.row_requests([shift], {"Issues": sheet_id}, sizes)
            for m in [r["moveDimension"]]
        ]

    # two gone findings side by side go below the others together
    assert sources([None, "a", "b", "c", "d"], ["a", "d"]) == [(2, 4, 5)]
    # two new findings side by side take two empty rows from below in one move
    assert sources([None, "a", "b"], ["a", "n1", "n2", "b"]) == [(3, 5, 2)]
    # two findings that moved up together
    assert sources([None, "a", "b", "c", "d", "e"], ["d", "e", "a", "b", "c"]) == [
        (4, 6, 6), (4, 6, 1)
    ]


def test_the_reply_reads_as_the_guard_values_read_would() -> None:
    reply = {"updatedSpreadsheet": {"sheets": [{
        "properties": {"title": "Goals"},
        "data": [
            {"rowData": [{"values": [{"effectiveValue": {"stringValue": "Goal ID"}}, {}]}]},
            {"startRow": 1, "rowData": [
                {"values": [{"effectiveValue": {"stringValue": "G1"}}]},
                {},
                {"values": [{"effectiveValue": {"numberValue": 46329}}]},
                {"values": [{"effectiveValue": {"errorValue": {"type": "N_A", "message": "x"}}}]},
                {"values": [{"effectiveValue": {"boolValue": True}}]},
            ]},
        ],
    }]}}
    got = replies.guard_values(reply)
    assert got[("Goals", -1)] == [guard_text("Goal ID"), ""]
    assert got[("Goals", 0)] == [
        guard_text("G1"), "", guard_text(46329), guard_text("#N/A"), guard_text(True)
    ]
    assert guard_text(CellError("#N/A")) == guard_text("#N/A")
