"""Where the fake follows Google on the paths the tool uses: formulas typed with a ``+``,
the value and date renders, data filters matching several columns, and Google's limits
(50,000 characters in a cell, 10,000,000 cells in a spreadsheet) with Google's 400s."""

from __future__ import annotations

import gspread

from tests.fakes.conftest import api_error
from tests.fakes.google_api import FakeGoogle

CELL_LIMIT = "Your input contains more than the maximum of 50000 characters in a single cell."
GRID_LIMIT = (
    "This action would increase the number of cells in the workbook above the limit of "
    "10000000 cells."
)


def test_text_typed_with_a_plus_is_a_formula(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("P", {"S": [[2, 3]]})
    ws = gc.open_by_key(sid).sheet1
    ws.update([["+A1+B1", "+5", "'+A1"]], "C1", value_input_option="USER_ENTERED")
    # (the fake calculates no formula: only what each cell stores is checked)
    assert ws.get("C1:E1", value_render_option="FORMULA") == [["=+A1+B1", 5, "+A1"]]
    ws.update([["+A1"]], "F1", value_input_option="RAW")  # RAW: text, never a formula
    assert ws.get("F1", value_render_option="FORMULA") == [["+A1"]]


def test_renders_of_a_date_a_number_and_a_formula(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("R", {"S": [[]]})
    ws = gc.open_by_key(sid).sheet1
    ws.update([["2026-11-03", "12.5", "=A1+1", "note"]], "A1", value_input_option="USER_ENTERED")
    # the fake calculates nothing: the formula's result is set as Google would have it
    fake.spreadsheet(sid).set_cell("S", 0, 2, "=A1+1", effective=46330)
    fake.spreadsheet(sid).sheets[0].cell(0, 2)["userEnteredFormat"] = {
        "numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}
    }

    def read(render: str, dates: str) -> list[list[object]]:
        got: list[list[object]] = ws.get(
            "A1:D1", value_render_option=render, date_time_render_option=dates
        )
        return got

    assert read("FORMULA", "SERIAL_NUMBER") == [[46329, 12.5, "=A1+1", "note"]]
    assert read("FORMULA", "FORMATTED_STRING") == [["2026-11-03", 12.5, "=A1+1", "note"]]
    assert read("UNFORMATTED_VALUE", "SERIAL_NUMBER") == [[46329, 12.5, 46330, "note"]]
    assert read("UNFORMATTED_VALUE", "FORMATTED_STRING") == [
        ["2026-11-03", 12.5, "2026-11-04", "note"]
    ]
    assert read("FORMATTED_VALUE", "SERIAL_NUMBER") == [
        ["2026-11-03", "12.5", "2026-11-04", "note"]
    ]


def test_a_cell_over_50000_characters_is_refused(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("L", {"S": [[]]})
    sh = gc.open_by_key(sid)
    ws = sh.sheet1
    ws.update([["x" * 50_000]], "A1")  # at the limit: fine
    err = api_error(ws.update, [["x" * 50_001]], "A2")
    assert (err.code, err.error["message"]) == (400, CELL_LIMIT)
    body = {"requests": [{"updateCells": {
        "start": {"sheetId": ws.id, "rowIndex": 2, "columnIndex": 0},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": "y" * 50_001}}]}],
        "fields": "userEnteredValue",
    }}]}
    err = api_error(sh.batch_update, body)
    assert (err.code, err.error["message"]) == (
        400, f"Invalid requests[0].updateCells: {CELL_LIMIT}"
    )
    assert fake.spreadsheet(sid).values("S")[1:] == []  # nothing of either was written


def test_a_grid_over_10000000_cells_is_refused(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("G", {"S": [[]]})
    sh = gc.open_by_key(sid)
    ws = sh.sheet1  # 1000 x 26
    sh.batch_update({"requests": [{"appendDimension": {
        "sheetId": ws.id, "dimension": "ROWS", "length": 10_000_000 // 26 - 1000}}]})
    assert fake.spreadsheet(sid).sheets[0].row_count * 26 <= 10_000_000
    for request in (
        {"appendDimension": {"sheetId": ws.id, "dimension": "ROWS", "length": 1}},
        {"insertDimension": {"range": {"sheetId": ws.id, "dimension": "COLUMNS",
                                       "startIndex": 0, "endIndex": 1}}},
        {"addSheet": {"properties": {"title": "More"}}},
        {"updateSheetProperties": {
            "properties": {"sheetId": ws.id, "gridProperties": {"columnCount": 27}},
            "fields": "gridProperties.columnCount"}},
    ):
        err = api_error(sh.batch_update, {"requests": [request]})
        kind = next(iter(request))
        expected = f"Invalid requests[0].{kind}: {GRID_LIMIT}"
        assert (err.code, err.error["message"]) == (400, expected)
    assert [s.title for s in fake.spreadsheet(sid).sheets] == ["S"]


def test_a_data_filter_writes_every_column_it_matches(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("D", {"S": [["a", "b", "c"]]})
    sh = gc.open_by_key(sid)
    ws = sh.sheet1
    meta = [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": "k", "metadataValue": "v", "visibility": "DOCUMENT",
        "location": {"dimensionRange": {"sheetId": ws.id, "dimension": "COLUMNS",
                                        "startIndex": col, "endIndex": col + 1}}}}}
        for col in (0, 2)]
    sh.batch_update({"requests": meta})
    lookup = {"developerMetadataLookup": {"metadataKey": "k", "metadataValue": "v"}}
    reply = sh.client.request(
        "post", f"https://sheets.googleapis.com/v4/spreadsheets/{sid}/values:batchUpdateByDataFilter",
        json={"valueInputOption": "RAW", "data": [
            {"dataFilter": lookup, "majorDimension": "COLUMNS", "values": [[None, "x"]]},
            {"dataFilter": {"developerMetadataLookup": {"metadataKey": "none"}},
             "majorDimension": "COLUMNS", "values": [["y"]]},
        ]},
    ).json()
    assert [(r["updatedRange"], r["updatedCells"]) for r in reply["responses"]] == [
        ("S!A1:A2", 1), ("S!C1:C2", 1)
    ]
    assert reply["totalUpdatedCells"] == 2
    assert ws.get("A1:C2") == [["a", "b", "c"], ["x", "", "x"]]


def test_a_number_past_any_date_in_a_date_cell_is_shown_as_the_number(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("N", {"S": [[2958466]]})
    fake.spreadsheet(sid).sheets[0].cell(0, 0)["userEnteredFormat"] = {
        "numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}
    }
    ws = gc.open_by_key(sid).sheet1
    got = ws.get("A1", value_render_option="FORMULA", date_time_render_option="FORMATTED_STRING")
    assert got == [["2958466"]]
