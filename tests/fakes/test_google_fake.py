"""The Google API fake driven by the real gspread client (in-process adapter)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import gspread
import pytest
import requests

from tests.fakes.conftest import api_error
from tests.fakes.google_api import FakeGoogle, RequestInfo

Json = dict[str, Any]


# ------------------------------------------------------------------ create, write, read


def test_create_update_and_read_back(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.create("Partnership")
    assert [ws.title for ws in sh.worksheets()] == ["Sheet1"]
    ws = sh.sheet1
    assert (ws.row_count, ws.col_count, ws.id) == (1000, 26, 0)
    reply = ws.update([["A1", "B1", "", "D1"], ["", "b2", "", ""], ["", "", "", ""]], "A1")
    assert reply["updatedRange"] == "Sheet1!A1:D3"
    assert reply["updatedCells"] == 12
    assert ws.get("A1:D4") == [["A1", "B1", "", "D1"], ["", "b2"]]
    assert ws.get_all_values() == [["A1", "B1", "", "D1"], ["", "b2", "", ""]]
    ranges = sh.values_batch_get(["Sheet1!A1:B1", "Sheet1!B2:D2"])["valueRanges"]
    assert [r["range"] for r in ranges] == ["Sheet1!A1:B1", "Sheet1!B2:D2"]
    assert [r["values"] for r in ranges] == [[["A1", "B1"]], [["b2"]]]
    assert fake.spreadsheet(sh.id).values("Sheet1") == [["A1", "B1", None, "D1"], [None, "b2"]]
    assert fake.files[sh.id]["name"] == "Partnership"
    assert fake.stats.by_endpoint["drive.files.create"] == 1


def test_values_get_echoes_ranges_like_google(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("R", {"KPI Log": [["a", "b"], ["c"]], "It's": [["x"], ["y"]]})
    sh = gc.open_by_key(sid)
    assert sh.values_get("'KPI Log'")["range"] == "'KPI Log'!A1:Z1000"
    assert sh.values_get("'KPI Log'!1:1") == {
        "range": "'KPI Log'!A1:Z1",
        "majorDimension": "ROWS",
        "values": [["a", "b"]],
    }
    assert sh.values_get("'It''s'!A:A")["values"] == [["x"], ["y"]]
    assert sh.values_get("'KPI Log'!B2:A1")["range"] == "'KPI Log'!A1:B2"
    empty = sh.values_get("'KPI Log'!D5:E6")
    assert empty == {"range": "'KPI Log'!D5:E6", "majorDimension": "ROWS"}
    columns = sh.values_get("'KPI Log'!A1:B2", params={"majorDimension": "COLUMNS"})
    assert columns["values"] == [["a", "c"], ["b"]]
    err = api_error(sh.values_get, "Nope!A1")
    assert (err.code, err.error["message"]) == (400, "Unable to parse range: Nope!A1")
    err = api_error(sh.values_get, "'KPI Log'!A1:B1001")
    assert err.error["message"] == (
        "Range ('KPI Log'!A1:B1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )


def test_user_entered_parsing_and_render_options(fake: FakeGoogle, gc: gspread.Client) -> None:
    ws = gc.open_by_key(fake.create_spreadsheet("U")).sheet1
    rows = [["=4/2", "2020-01-01", "string", 53], ["=3/2", 0.12, "1999-01-02", "TRUE"]]
    ws.update(rows, "A1", value_input_option="USER_ENTERED")
    assert ws.get("A1:D2") == [
        ["2", "2020-01-01", "string", "53"],
        ["1.5", "0.12", "1999-01-02", "TRUE"],
    ]
    assert ws.get("A1:D2", value_render_option="UNFORMATTED_VALUE") == [
        [2, 43831, "string", 53],
        [1.5, 0.12, 36162, True],
    ]
    assert ws.get("A1:B1", value_render_option="FORMULA") == [["=4/2", 43831]]
    assert ws.get(
        "B1", value_render_option="UNFORMATTED_VALUE", date_time_render_option="FORMATTED_STRING"
    ) == [["2020-01-01"]]
    ws.update([["=1+1", "12", "2020-01-01"]], "A5")  # RAW: text stays text
    assert ws.get("A5:C5", value_render_option="UNFORMATTED_VALUE") == [
        ["=1+1", "12", "2020-01-01"]
    ]
    ss = fake.spreadsheet(ws.spreadsheet_id)
    assert ss.values("Sheet1", dates=True)[0][1] == dt.date(2020, 1, 1)


def test_append_rows_finds_the_table(fake: FakeGoogle, gc: gspread.Client) -> None:
    ws = gc.open_by_key(fake.create_spreadsheet("A", {"Sheet1": [["h1", "h2"], ["1", "2"]]})).sheet1
    reply = ws.append_rows([["3", "4"], ["5", "6"]])
    assert reply["tableRange"] == "Sheet1!A1:B2"
    assert reply["updates"]["updatedRange"] == "Sheet1!A3:B4"
    assert ws.get_all_values()[-1] == ["5", "6"]
    ws.resize(rows=4)
    ws.append_rows([["7", "8"]])  # append grows the grid
    assert ws.spreadsheet.worksheet("Sheet1").row_count == 5


def test_seeded_formulas_and_links(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("F", {"T": [['=HYPERLINK("https://x.test/a","a link")']]})
    ss = fake.spreadsheet(sid)
    ss.set_cell("T", 1, 0, '=IMPORTXML("https://x.test","//a")', effective="scraped")
    ss.set_cell("T", 2, 0, "=SUM(B1:B9)")  # not evaluated, nothing seeded
    meta = gc.open_by_key(sid).fetch_sheet_metadata(
        params={
            "includeGridData": "true",
            "fields": "sheets.data.rowData.values(effectiveValue,hyperlink,userEnteredValue)",
        }
    )
    rows = meta["sheets"][0]["data"][0]["rowData"]
    assert rows[0]["values"][0]["effectiveValue"] == {"stringValue": "a link"}
    assert rows[0]["values"][0]["hyperlink"] == "https://x.test/a"
    assert rows[1]["values"][0]["effectiveValue"] == {"stringValue": "scraped"}
    assert rows[2]["values"][0] == {"userEnteredValue": {"formulaValue": "=SUM(B1:B9)"}}


# ------------------------------------------------------------------ batchUpdate


def test_batch_update_applies_several_kinds(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("B", {"KPIs": [["Name", "Value", "Link"], ["a", 1]]})
    sh = gc.open_by_key(sid)
    gid = sh.worksheet("KPIs").id
    col_c = {"sheetId": gid, "startRowIndex": 1, "startColumnIndex": 2, "endColumnIndex": 3}
    reply = sh.batch_update(
        {
            "requests": [
                {
                    "addSheet": {
                        "properties": {"title": "Issues", "gridProperties": {"rowCount": 50}}
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": gid, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                },
                {
                    "updateCells": {
                        "start": {"sheetId": gid, "rowIndex": 1, "columnIndex": 2},
                        "rows": [
                            {
                                "values": [
                                    {
                                        "userEnteredValue": {"stringValue": "see A1"},
                                        "textFormatRuns": [
                                            {"format": {"link": {"uri": "#gid=0&range=A1"}}}
                                        ],
                                    }
                                ]
                            }
                        ],
                        "fields": "userEnteredValue,textFormatRuns",
                    }
                },
                {
                    "repeatCell": {
                        "range": {"sheetId": gid, "endRowIndex": 1},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold",
                    }
                },
                {
                    "addConditionalFormatRule": {
                        "index": 0,
                        "rule": {
                            "ranges": [col_c],
                            "booleanRule": {
                                "condition": {
                                    "type": "TEXT_CONTAINS",
                                    "values": [{"userEnteredValue": "x"}],
                                },
                                "format": {"backgroundColor": {"red": 1, "green": 0.5, "blue": 0}},
                            },
                        },
                    }
                },
                {
                    "setDataValidation": {
                        "range": {**col_c, "endRowIndex": 10},
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": "yes"}, {"userEnteredValue": "no"}],
                            },
                            "strict": True,
                            "showCustomUi": True,
                        },
                    }
                },
                {"addProtectedRange": {"protectedRange": {"range": col_c, "warningOnly": True}}},
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "sheets-sync.template",
                            "metadataValue": "partnership@1",
                            "location": {"spreadsheet": True},
                            "visibility": "DOCUMENT",
                        }
                    }
                },
                {"appendDimension": {"sheetId": gid, "dimension": "ROWS", "length": 10}},
                {"autoResizeDimensions": {"dimensions": {"sheetId": gid, "dimension": "COLUMNS"}}},
            ]
        }
    )
    replies = reply["replies"]
    assert len(replies) == 10
    assert replies[0]["addSheet"]["properties"]["gridProperties"] == {
        "rowCount": 50,
        "columnCount": 26,
    }
    assert replies[1] == replies[2] == {}
    protected = replies[6]["addProtectedRange"]["protectedRange"]
    assert protected["warningOnly"] is True and isinstance(protected["protectedRangeId"], int)
    marker = replies[7]["createDeveloperMetadata"]["developerMetadata"]
    assert marker["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    ss = fake.spreadsheet(sid)
    sheet = ss.sheet("KPIs")
    assert (sheet.frozen_rows, sheet.row_count) == (1, 1010)
    assert ss.cell("KPIs", 0, 1)["userEnteredFormat"] == {"textFormat": {"bold": True}}
    meta = sh.fetch_sheet_metadata(
        params={
            "includeGridData": "true",
            "ranges": "KPIs!C2",
            "fields": "developerMetadata,sheets(conditionalFormats,"
            "data.rowData.values(hyperlink,dataValidation.condition.type))",
        }
    )
    kpis = meta["sheets"][0]
    cell = kpis["data"][0]["rowData"][0]["values"][0]
    assert cell == {
        "hyperlink": "#gid=0&range=A1",
        "dataValidation": {"condition": {"type": "ONE_OF_LIST"}},
    }
    rule = kpis["conditionalFormats"][0]
    assert rule["booleanRule"]["format"]["backgroundColor"] == {"red": 1, "green": 0.49803922}
    assert meta["developerMetadata"][0]["metadataValue"] == "partnership@1"
    assert fake.stats.cells_written == 1


def test_batch_update_is_all_or_nothing(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("T", {"Sheet1": [["keep"]]})
    sh = gc.open_by_key(sid)
    before = fake.state_dict()
    err = api_error(
        sh.batch_update,
        {
            "requests": [
                {"addSheet": {"properties": {"title": "New"}}},
                {
                    "updateCells": {
                        "start": {"sheetId": 0},
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": "changed"}}]}],
                        "fields": "userEnteredValue",
                    }
                },
                {"deleteSheet": {"sheetId": 4242}},
            ]
        },
    )
    assert err.code == 400
    assert err.error == {
        "code": 400,
        "message": "Invalid requests[2].deleteSheet: No grid with id: 4242",
        "status": "INVALID_ARGUMENT",
    }
    ss = fake.spreadsheet(sid)
    assert [s.title for s in ss.sheets] == ["Sheet1"]
    assert ss.values("Sheet1") == [["keep"]]
    assert fake.state_dict() == before
    assert fake.stats.cells_written == 0


def test_unknown_request_kind_is_501_and_applies_nothing(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("K")
    sh = gc.open_by_key(sid)
    err = api_error(
        sh.batch_update,
        {
            "requests": [
                {"addSheet": {"properties": {"title": "X"}}},
                {"addBanding": {"bandedRange": {}}},
            ]
        },
    )
    assert err.code == 501
    assert err.error == {
        "code": 501,
        "message": "fake: request kind 'addBanding' is not implemented",
        "status": "UNIMPLEMENTED",
    }
    assert [s.title for s in fake.spreadsheet(sid).sheets] == ["Sheet1"]


def test_bodies_are_checked_against_the_discovery_document(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("V"))
    err = api_error(sh.batch_update, {"requests": [{"updateCells": {"foo": 1, "fields": "*"}}]})
    message = (
        "Invalid JSON payload received. Unknown name \"foo\" at 'requests[0].update_cells': "
        "Cannot find field."
    )
    assert (err.code, err.error["message"], err.error["status"]) == (
        400,
        message,
        "INVALID_ARGUMENT",
    )
    err = api_error(sh.batch_update, {"requests": [], "bogus": True})
    assert (
        err.error["message"]
        == 'Invalid JSON payload received. Unknown name "bogus": Cannot find field.'
    )
    err = api_error(
        sh.batch_update,
        {"requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": "many"}}]},
    )
    assert err.error["message"] == (
        "Invalid value at 'requests[0].append_dimension.length' (TYPE_INT32), \"many\""
    )
    err = api_error(
        sh.values_update, "Sheet1!A1", params={"valueInputOption": "RAW"}, body={"values": "X"}
    )
    assert err.error["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )
    err = api_error(sh.fetch_sheet_metadata, params={"includeGridDataa": "true"})
    assert err.error["message"].startswith(
        'Invalid JSON payload received. Unknown name "includeGridDataa": '
        "Cannot bind query parameter."
    )
    # snake_case names are accepted, as by Google
    sh.batch_update(
        {"requests": [{"append_dimension": {"sheet_id": 0, "dimension": "ROWS", "length": 1}}]}
    )
    assert fake.spreadsheet(sh.id).sheet("Sheet1").row_count == 1001


def test_update_cells_beyond_the_grid(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("G", {"X": [["a"]]}))
    err = api_error(
        sh.batch_update,
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 0, "rowIndex": 1000},
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": "late"}}]}],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        },
    )
    assert err.error["message"] == (
        "Invalid requests[0].updateCells: Range ('X'!A1001) exceeds grid limits. "
        "Max rows: 1000, max columns: 26"
    )


# ------------------------------------------------------------------ fields masks


def test_fields_mask_on_spreadsheets_get(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet(
        "M", {"People": [["Name", "Joined"], ["Ann", dt.date(2026, 1, 5)]], "Empty": []}
    )
    sh = gc.open_by_key(sid)
    fields = (
        "spreadsheetId,properties(title,locale,timeZone),"
        "sheets(properties(sheetId,title,gridProperties(rowCount,frozenRowCount)),"
        "data(rowData(values(userEnteredValue,effectiveValue,effectiveFormat/numberFormat/type))))"
    )
    meta = sh.fetch_sheet_metadata(params={"includeGridData": "true", "fields": fields})
    assert set(meta) == {"spreadsheetId", "properties", "sheets"}
    assert meta["properties"] == {"title": "M", "locale": "en_US", "timeZone": "Europe/London"}
    people, empty = meta["sheets"]
    assert people["properties"] == {
        "sheetId": 0,
        "title": "People",
        "gridProperties": {"rowCount": 1000},
    }
    joined = people["data"][0]["rowData"][1]["values"][1]
    assert joined == {
        "userEnteredValue": {"numberValue": 46027},
        "effectiveValue": {"numberValue": 46027},
        "effectiveFormat": {"numberFormat": {"type": "DATE"}},
    }
    assert empty["data"] == [{}]
    plain = sh.fetch_sheet_metadata()  # no mask: no grid data, Google's full shape
    assert "data" not in plain["sheets"][0]
    assert plain["spreadsheetUrl"].endswith(f"/d/{sid}/edit")
    full = sh.fetch_sheet_metadata(params={"includeGridData": "true", "ranges": "People!A1:B2"})
    grid = full["sheets"][0]["data"][0]
    assert len(full["sheets"]) == 1 and len(grid["rowMetadata"]) == 2
    assert grid["rowData"][1]["values"][1]["formattedValue"] == "2026-01-05"
    err = api_error(sh.fetch_sheet_metadata, params={"fields": "sheets(bogus)"})
    assert err.code == 400


def test_include_spreadsheet_in_response(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("I"))
    reply = gc.http_client.request(
        "post",
        f"https://sheets.googleapis.com/v4/spreadsheets/{sh.id}:batchUpdate",
        params={"fields": "replies,updatedSpreadsheet.sheets.properties.title"},
        json={
            "requests": [{"addSheet": {"properties": {"title": "Two"}}}],
            "includeSpreadsheetInResponse": True,
        },
    ).json()
    assert reply["updatedSpreadsheet"] == {
        "sheets": [{"properties": {"title": "Sheet1"}}, {"properties": {"title": "Two"}}]
    }
    assert "spreadsheetId" not in reply


def test_response_ranges_come_back_after_the_requests_in_the_order_asked(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("R", {"T": [["Key", "N"], ["a", 1], ["b", 2], ["c", 3]]})
    sh = gc.open_by_key(sid)
    source = {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
    fields = ("updatedSpreadsheet.sheets(properties.title,"
              "data(startRow,startColumn,rowData.values(effectiveValue,formattedValue)))")
    reply = gc.http_client.request(
        "post",
        f"https://sheets.googleapis.com/v4/spreadsheets/{sh.id}:batchUpdate",
        params={"fields": fields},
        json={
            "requests": [{"moveDimension": {"source": source, "destinationIndex": 4}}],
            "includeSpreadsheetInResponse": True,
            # ignored under a field mask: the mask asks for the cells
            "responseIncludeGridData": False,
            "responseRanges": ["T!1:1", "T!B2:B", "T!A2:A"],
        },
    ).json()
    (sheet,) = reply["updatedSpreadsheet"]["sheets"]
    assert sheet["properties"] == {"title": "T"}
    header, numbers, keys = sheet["data"]
    assert "startRow" not in header and "startColumn" not in header  # zero: left out
    assert [v["formattedValue"] for v in header["rowData"][0]["values"]] == ["Key", "N"]
    assert (numbers["startRow"], numbers["startColumn"]) == (1, 1)
    assert [r["values"][0]["effectiveValue"] for r in numbers["rowData"]] == [
        {"numberValue": 2}, {"numberValue": 3}, {"numberValue": 1}
    ]
    assert (keys["startRow"], keys.get("startColumn", 0)) == (1, 0)
    assert [r["values"][0]["effectiveValue"]["stringValue"] for r in keys["rowData"]] == [
        "b", "c", "a"
    ]


# ------------------------------------------------------------------ human edits


def test_human_edits_shift_formats_validation_and_rules(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("H", {"RACI": [["Task", "Owner"], ["t1", "ann"], ["t2", "bob"]]})
    sh = gc.open_by_key(sid)
    rng = {
        "sheetId": 0,
        "startRowIndex": 1,
        "endRowIndex": 3,
        "startColumnIndex": 1,
        "endColumnIndex": 2,
    }
    sh.batch_update(
        {
            "requests": [
                {
                    "addConditionalFormatRule": {
                        "rule": {
                            "ranges": [rng],
                            "booleanRule": {
                                "condition": {"type": "BLANK"},
                                "format": {"backgroundColor": {"red": 1}},
                            },
                        }
                    }
                },
                {
                    "addProtectedRange": {
                        "protectedRange": {"range": rng, "description": "computed"}
                    }
                },
                {
                    "repeatCell": {
                        "range": rng,
                        "cell": {"userEnteredFormat": {"backgroundColor": {"blue": 1}}},
                        "fields": "userEnteredFormat.backgroundColor",
                    }
                },
                {"mergeCells": {"range": {**rng, "startColumnIndex": 2, "endColumnIndex": 4}}},
            ]
        }
    )
    ss = fake.spreadsheet(sid)
    ss.insert_rows("RACI", 0)  # a person inserts a row above the header
    sheet = ss.sheet("RACI")
    assert sheet.cond_formats[0]["ranges"][0]["startRowIndex"] == 2
    assert sheet.protected[0]["range"]["endRowIndex"] == 4
    assert sheet.merges[0]["startRowIndex"] == 2
    assert ss.cell("RACI", 2, 1)["userEnteredFormat"]["backgroundColor"] == {"blue": 1}
    ss.insert_columns("RACI", 0)
    assert sheet.cond_formats[0]["ranges"][0]["startColumnIndex"] == 2
    ss.delete_rows("RACI", 0)
    ss.delete_columns("RACI", 0)
    assert ss.values("RACI") == [["Task", "Owner"], ["t1", "ann"], ["t2", "bob"]]
    assert sheet.cond_formats[0]["ranges"][0] == rng
    ss.sort_rows("RACI", 1, descending=True)  # data moves with its formatting
    assert ss.values("RACI") == [["Task", "Owner"], ["t2", "bob"], ["t1", "ann"]]
    ss.move_rows("RACI", 2, 1, 1)
    assert ss.values("RACI")[1:] == [["t1", "ann"], ["t2", "bob"]]
    ss.rename_header("RACI", 1, "Accountable")
    assert gc.open_by_key(sid).sheet1.row_values(1) == ["Task", "Accountable"]
    ss.delete_rows("RACI", 1, 2)  # every row of the rule's range: the rule goes
    assert sheet.cond_formats == [] and sheet.protected == [] and sheet.merges == []


def test_person_edits_text_without_parsing(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("P", {"T": [["when", "n"]]})
    ss = fake.spreadsheet(sid)
    ss.set_cell("T", 1, 0, "2026-03-01")
    ss.set_cell("T", 1, 1, "12")
    ss.set_cell("T", 2, 0, dt.date(2026, 3, 1))
    ws = gc.open_by_key(sid).sheet1
    assert ws.get("A2:B3", value_render_option="UNFORMATTED_VALUE") == [
        ["2026-03-01", "12"],
        [46082],
    ]
    assert ss.values("T", dates=True)[2] == [dt.date(2026, 3, 1)]


# ------------------------------------------------------------------ faults, latency, hooks, stats


def test_429_then_success_counts_the_retry(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("Q"))
    fake.faults.add(status=429, count=1, endpoint="sheets.spreadsheets.values.get")
    err = api_error(sh.values_get, "Sheet1!A1")
    assert err.code == 429
    assert err.error["status"] == "RESOURCE_EXHAUSTED"
    assert err.error["message"].startswith("Quota exceeded for quota metric 'Read requests'")
    assert sh.values_get("Sheet1!A1") == {"range": "Sheet1!A1", "majorDimension": "ROWS"}
    assert fake.stats.retries_seen == 1
    assert [r.status for r in fake.requests[-2:]] == [429, 200]


@pytest.mark.parametrize(
    ("status", "google_status"),
    [(500, "INTERNAL"), (503, "UNAVAILABLE"), (403, "PERMISSION_DENIED")],
)
def test_injected_errors_have_google_bodies(
    fake: FakeGoogle, gc: gspread.Client, status: int, google_status: str
) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("E"))
    fake.faults.add(status=status)
    err = api_error(sh.fetch_sheet_metadata)
    assert (err.code, err.error["status"]) == (status, google_status)


def test_rate_limit_403_says_why(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("E"))
    fake.faults.add(status=403, reason="rateLimitExceeded")
    err = api_error(sh.fetch_sheet_metadata)
    assert err.error["details"][0]["reason"] == "rateLimitExceeded"


def test_timeouts_and_resets_raise_in_the_client(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("T"))
    fake.faults.timeout(count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        sh.values_get("Sheet1!A1")
    fake.faults.reset(count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        sh.values_get("Sheet1!A1")
    sh.values_get("Sheet1!A1")
    assert fake.stats.retries_seen == 2
    assert fake.requests[-3].status is None


def test_random_faults_are_reproducible(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("R"))

    def outcomes() -> list[str]:
        out = []
        for _ in range(30):
            try:
                sh.values_get("Sheet1!A1")
                out.append("ok")
            except gspread.exceptions.APIError as exc:
                out.append(str(exc.code))
            except requests.exceptions.RequestException as exc:
                out.append(type(exc).__name__)
        return out

    fake.faults.probability(0.5, seed=7)
    first = outcomes()
    fake.faults.clear()
    fake.faults.probability(0.5, seed=7)
    assert outcomes() == first
    assert 0 < first.count("ok") < 30


def test_latency(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("L"))
    fake.latency = 0.05
    start = time.monotonic()
    sh.values_get("Sheet1!A1")
    assert time.monotonic() - start >= 0.05


def test_before_request_hook_edits_between_requests(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("H", {"Goals": [["Goal"], ["g1"]]})
    ws = gc.open_by_key(sid).sheet1
    seen: list[str] = []

    def person(f: FakeGoogle, info: RequestInfo) -> None:
        seen.append(info.endpoint)
        if info.method == "PUT" and "human" not in seen:
            seen.append("human")
            f.spreadsheet(sid).insert_rows("Goals", 1)

    fake.before_request(person)
    ws.update([["written"]], "A2")
    assert fake.spreadsheet(sid).values("Goals") == [["Goal"], ["written"], ["g1"]]
    assert seen == ["sheets.spreadsheets.values.update", "human"]


def test_stats_and_the_token_endpoint(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("S"))
    ws = sh.sheet1
    fake.reset_stats()
    ws.update([["a", "b"], ["c", None]], "A1")
    sh.values_batch_get(["Sheet1!A1:B2"])
    stats = fake.stats
    assert stats.requests == 2 and len(fake.requests) == 2
    assert stats.by_endpoint == {
        "sheets.spreadsheets.values.update": 1,
        "sheets.spreadsheets.values.batchGet": 1,
    }
    assert stats.cells_written == 3
    assert stats.bytes_in > 0 and stats.bytes_out > 0
    assert fake.requests[0].json["values"] == [["a", "b"], ["c", None]]
    assert stats.token_calls == 0
    reply = gc.http_client.session.post("https://oauth2.googleapis.com/token", data={"a": "b"})
    assert reply.status_code == 500
    assert "must never be called" in reply.text
    assert fake.stats.token_calls == 1 and fake.stats.requests == 2


def test_unknown_ids_and_endpoints(fake: FakeGoogle, gc: gspread.Client) -> None:
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("nope")
    err = api_error(gc.http_client.fetch_sheet_metadata, "nope")
    assert err.error == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }
    session = gc.http_client.session
    reply = session.get("https://www.googleapis.com/drive/v3/files/nope")
    assert reply.status_code == 404
    assert reply.json()["error"]["errors"][0]["reason"] == "notFound"
    reply = session.get("https://sheets.googleapis.com/v4/nothing/here")
    assert reply.status_code == 501
    assert reply.json()["error"]["status"] == "UNIMPLEMENTED"


def test_quota_per_minute(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("Q"))
    now = [0.0]
    fake.quota(per_minute=3, clock=lambda: now[0])
    for _ in range(3):
        sh.values_get("Sheet1!A1")
    assert api_error(sh.values_get, "Sheet1!A1").code == 429
    now[0] = 61.0
    sh.values_get("Sheet1!A1")


def test_rules_protection_and_metadata_lifecycle(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("L", {"Goals": [["Goal", "Status"], ["g1", "ok"]]})
    sh = gc.open_by_key(sid)
    col = {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 1, "endColumnIndex": 2}

    def rule(text: str) -> Json:
        condition = {"type": "TEXT_EQ", "values": [{"userEnteredValue": text}]}
        return {"ranges": [col], "booleanRule": {"condition": condition, "format": {}}}

    replies = sh.batch_update(
        {
            "requests": [
                {"addConditionalFormatRule": {"rule": rule("late"), "index": 0}},
                {"addConditionalFormatRule": {"rule": rule("ok"), "index": 1}},
                {"addProtectedRange": {"protectedRange": {"range": col, "description": "tool"}}},
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "k",
                            "metadataValue": "1",
                            "location": {"spreadsheet": True},
                            "visibility": "DOCUMENT",
                        }
                    }
                },
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": 0,
                            "dimension": "COLUMNS",
                            "startIndex": 0,
                            "endIndex": 1,
                        },
                        "properties": {"pixelSize": 240},
                        "fields": "pixelSize",
                    }
                },
            ]
        }
    )["replies"]
    pid = replies[2]["addProtectedRange"]["protectedRange"]["protectedRangeId"]
    lookup = {"developerMetadataLookup": {"metadataKey": "k"}}
    replies = sh.batch_update(
        {
            "requests": [
                {"deleteConditionalFormatRule": {"sheetId": 0, "index": 0}},
                {"deleteProtectedRange": {"protectedRangeId": pid}},
                {
                    "updateDeveloperMetadata": {
                        "dataFilters": [lookup],
                        "developerMetadata": {"metadataValue": "2"},
                        "fields": "metadataValue",
                    }
                },
                {
                    "moveDimension": {
                        "source": {
                            "sheetId": 0,
                            "dimension": "ROWS",
                            "startIndex": 1,
                            "endIndex": 2,
                        },
                        "destinationIndex": 0,
                    }
                },
            ]
        }
    )["replies"]
    deleted = replies[0]["deleteConditionalFormatRule"]["rule"]
    assert deleted["booleanRule"]["condition"]["values"] == [{"userEnteredValue": "late"}]
    assert replies[2]["updateDeveloperMetadata"]["developerMetadata"][0]["metadataValue"] == "2"
    sheet = fake.spreadsheet(sid).sheet("Goals")
    assert len(sheet.cond_formats) == 1 and sheet.protected == []
    assert sheet.col_meta == {0: {"pixelSize": 240}}
    assert fake.spreadsheet(sid).values("Goals") == [["g1", "ok"], ["Goal", "Status"]]
    gone = sh.batch_update({"requests": [{"deleteDeveloperMetadata": {"dataFilter": lookup}}]})
    assert (
        gone["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"][0]["metadataKey"]
        == "k"
    )
    assert fake.spreadsheet(sid).dev_meta == []


def test_timeout_after_apply_and_reusable_snapshots(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("S", {"T": [["a"]]})
    ws = gc.open_by_key(sid).sheet1
    ss = fake.spreadsheet(sid)
    snap = ss.snapshot()
    fake.faults.timeout(after_apply=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        ws.update([["b"]], "A1")
    assert ss.values("T") == [["b"]]  # applied: only the reply was lost
    ss.restore(snap)
    ss.set_cell("T", 0, 0, "c")
    ss.restore(snap)
    assert ss.values("T") == [["a"]]


def test_append_insert_rows_and_values_batch_update(fake: FakeGoogle, gc: gspread.Client) -> None:
    sid = fake.create_spreadsheet("A", {"T": [["h"], ["1"], [], ["tail"]]})
    sh = gc.open_by_key(sid)
    reply = sh.values_append(
        "T!A1:A2",
        params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
        body={"values": [["2"]]},
    )
    assert reply["updates"]["updatedRange"] == "T!A3"
    assert fake.spreadsheet(sid).values("T") == [["h"], ["1"], ["2"], [], ["tail"]]
    reply = sh.values_batch_update(
        {
            "valueInputOption": "USER_ENTERED",
            "data": [
                {"range": "T!B1", "values": [["=2*3"]]},
                {"range": "T!C1:C2", "values": [["x"], ["y"]]},
            ],
        }
    )
    assert (
        reply["totalUpdatedCells"],
        reply["totalUpdatedRows"],
        reply["totalUpdatedColumns"],
    ) == (3, 2, 2)
    assert fake.spreadsheet(sid).values("T")[0] == ["h", 6, "x"]
