"""A write that fails leaves nothing behind, whichever requests ran before the failing one.

The fake undoes a failed write from a checkpoint that copies only what the write can change
(checkpoint.py). These tests apply each request kind the fake knows, then a failing request in
the same batch, and compare the whole state with the state before. The conftest also turns on
the checkpoint's own check against a full copy.
"""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_api.batch import KINDS
from tests.fakes.google_api.checkpoint import Checkpoint, transaction
from tests.fakes.google_api.errors import ApiError

Json = dict[str, Any]

OTHER = 7  # the second tab's sheetId
FAIL: Json = {"deleteSheet": {"sheetId": 4242}}


def _grid(sheet: int, r0: int, r1: int, c0: int, c1: int) -> Json:
    return {
        "sheetId": sheet,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }


CHART_SPEC: Json = {
    "title": "c",
    "basicChart": {
        "chartType": "LINE",
        "domains": [{"domain": {"sourceRange": {"sources": [_grid(0, 0, 3, 0, 1)]}}}],
        "series": [{"series": {"sourceRange": {"sources": [_grid(0, 0, 3, 1, 2)]}}}],
    },
}

REQUESTS: dict[str, Json] = {
    "addSheet": {"properties": {"title": "New"}},
    "deleteSheet": {"sheetId": OTHER},
    "updateSheetProperties": {
        "properties": {"sheetId": 0, "title": "Renamed", "gridProperties": {"frozenRowCount": 1}},
        "fields": "title,gridProperties.frozenRowCount",
    },
    "updateSpreadsheetProperties": {"properties": {"title": "Other"}, "fields": "title"},
    "updateCells": {
        "start": {"sheetId": OTHER, "rowIndex": 0, "columnIndex": 0},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}, "note": "n"}]}],
        "fields": "userEnteredValue,note",
    },
    "repeatCell": {
        "range": _grid(0, 0, 3, 0, 2),
        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
        "fields": "userEnteredFormat.textFormat.bold",
    },
    "appendCells": {
        "sheetId": 0,
        "rows": [{"values": [{"userEnteredValue": {"numberValue": 9}}]}],
        "fields": "userEnteredValue",
    },
    "appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 5},
    "insertDimension": {
        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 3},
        "inheritFromBefore": True,
    },
    "deleteDimension": {
        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
    },
    "moveDimension": {
        "source": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2},
        "destinationIndex": 4,
    },
    "updateDimensionProperties": {
        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
        "properties": {"pixelSize": 40},
        "fields": "pixelSize",
    },
    "autoResizeDimensions": {
        "dimensions": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}
    },
    "addConditionalFormatRule": {
        "rule": {
            "ranges": [_grid(0, 0, 3, 1, 2)],
            "booleanRule": {
                "condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "1"}]},
                "format": {"textFormat": {"bold": True}},
            },
        },
        "index": 0,
    },
    "deleteConditionalFormatRule": {"sheetId": 0, "index": 0},
    "setDataValidation": {
        "range": _grid(0, 1, 3, 0, 1),
        "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "a"}]}},
    },
    "addProtectedRange": {"protectedRange": {"range": _grid(0, 0, 1, 0, 2)}},
    "createDeveloperMetadata": {
        "developerMetadata": {
            "metadataKey": "k2",
            "metadataValue": "v",
            "location": {"sheetId": OTHER},
            "visibility": "DOCUMENT",
        }
    },
    "deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataKey": "k"}}},
    "addNamedRange": {"namedRange": {"name": "more", "range": _grid(OTHER, 0, 2, 0, 1)}},
    "mergeCells": {"range": _grid(0, 0, 2, 0, 2), "mergeType": "MERGE_ALL"},
    "updateBorders": {
        "range": _grid(0, 0, 2, 0, 2),
        "top": {"style": "SOLID"},
    },
    "sortRange": {
        "range": _grid(0, 1, 4, 0, 2),
        "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "DESCENDING"}],
    },
    "setBasicFilter": {"filter": {"range": _grid(0, 0, 4, 0, 2)}},
    "findReplace": {"find": "a", "replacement": "z", "allSheets": True},
    "copyPaste": {
        "source": _grid(0, 0, 3, 0, 2),
        "destination": _grid(OTHER, 5, 8, 0, 2),
        "pasteType": "PASTE_NORMAL",
    },
    "cutPaste": {
        "source": _grid(0, 0, 3, 0, 2),
        "destination": {"sheetId": OTHER, "rowIndex": 10, "columnIndex": 3},
        "pasteType": "PASTE_NORMAL",
    },
    "addChart": {
        "chart": {
            "spec": CHART_SPEC,
            "position": {"overlayPosition": {"anchorCell": {"sheetId": OTHER}}},
        }
    },
}


@pytest.fixture
def book(fake: FakeGoogle, gc: gspread.Client) -> tuple[FakeGoogle, gspread.Spreadsheet]:
    sid = fake.create_spreadsheet(
        "R", {"Main": [["h", "n"], ["a", 3], ["b", 1], ["c", 2]], "Other": [["keep", "a"]]}
    )
    ss = fake.spreadsheet(sid)
    ss.sheets[1].props["sheetId"] = OTHER
    ss.set_note("Main", 1, 0, "note")
    sh = gc.open_by_key(sid)
    sh.batch_update(
        {
            "requests": [
                {"addNamedRange": {"namedRange": {"name": "nr", "range": _grid(0, 1, 4, 1, 2)}}},
                {"createDeveloperMetadata": REQUESTS["createDeveloperMetadata"]},
                {"addConditionalFormatRule": REQUESTS["addConditionalFormatRule"]},
                {"addChart": REQUESTS["addChart"]},
                {"mergeCells": {"range": _grid(OTHER, 3, 5, 0, 2), "mergeType": "MERGE_ALL"}},
                {"setBasicFilter": {"filter": {"range": _grid(OTHER, 0, 2, 0, 2)}}},
                {"addProtectedRange": {"protectedRange": {"range": _grid(OTHER, 0, 1, 0, 1)}}},
            ]
        }
    )
    ss.dev_meta[0]["metadataKey"] = "k"
    return fake, sh


def _on_what_the_book_holds(ss: Any) -> dict[str, Json]:
    """Requests for the kinds that name something the fixture created, by its id."""
    named = ss.named_ranges[0]["namedRangeId"]
    chart = ss.sheets[1].charts[0]["chartId"]
    meta = ss.dev_meta[0]["metadataId"]
    rule = REQUESTS["addConditionalFormatRule"]["rule"]
    protected = ss.sheets[1].protected[0]["protectedRangeId"]
    return {
        "updateConditionalFormatRule": {"sheetId": 0, "index": 0, "rule": rule},
        "deleteProtectedRange": {"protectedRangeId": protected},
        "updateProtectedRange": {
            "protectedRange": {"protectedRangeId": protected, "description": "d"},
            "fields": "description",
        },
        "updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {"metadataId": meta}}],
            "developerMetadata": {"metadataValue": "w"},
            "fields": "metadataValue",
        },
        "deleteNamedRange": {"namedRangeId": named},
        "updateNamedRange": {
            "namedRange": {"namedRangeId": named, "name": "nr2"},
            "fields": "name",
        },
        "unmergeCells": {"range": _grid(OTHER, 3, 5, 0, 2)},
        "clearBasicFilter": {"sheetId": OTHER},
        "updateChartSpec": {"chartId": chart, "spec": {**CHART_SPEC, "title": "d"}},
        "deleteEmbeddedObject": {"objectId": chart},
    }


def test_every_request_kind_is_covered(book: tuple[FakeGoogle, gspread.Spreadsheet]) -> None:
    fake, sh = book
    assert set(REQUESTS) | set(_on_what_the_book_holds(fake.spreadsheet(sh.id))) == set(KINDS)


def test_a_failing_batch_undoes_the_kinds_that_name_ids(
    book: tuple[FakeGoogle, gspread.Spreadsheet],
) -> None:
    fake, sh = book
    ss = fake.spreadsheet(sh.id)
    start = ss.snapshot()
    for kind, request in _on_what_the_book_holds(ss).items():
        ss.restore(start)
        before = fake.state_dict()
        with pytest.raises(gspread.exceptions.APIError):
            sh.batch_update({"requests": [{kind: request}, FAIL]})
        assert fake.state_dict() == before, kind
        sh.batch_update({"requests": [{kind: request}]})
        assert fake.state_dict() != before, kind


@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_a_failing_batch_undoes_each_kind(
    book: tuple[FakeGoogle, gspread.Spreadsheet], kind: str
) -> None:
    fake, sh = book
    request = {kind: REQUESTS[kind]}
    before = fake.state_dict()
    with pytest.raises(gspread.exceptions.APIError):
        sh.batch_update({"requests": [request, FAIL]})
    assert fake.state_dict() == before
    sh.batch_update({"requests": [request]})  # the request itself is valid
    assert fake.state_dict() != before


def test_a_failing_values_batch_undoes_the_ranges_written_before(
    book: tuple[FakeGoogle, gspread.Spreadsheet],
) -> None:
    fake, sh = book
    before = fake.state_dict()
    data = [
        {"range": "Main!A2:B3", "values": [["", "=1+1"], ["new", ""]]},  # clears and creates
        {"range": "Other!A1", "values": [["x"]]},
        {"range": "Nowhere!A1", "values": [["y"]]},
    ]
    with pytest.raises(gspread.exceptions.APIError):
        sh.values_batch_update({"valueInputOption": "USER_ENTERED", "data": data})
    assert fake.state_dict() == before


def test_a_values_write_copies_no_sheet_whole(
    book: tuple[FakeGoogle, gspread.Spreadsheet], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, sh = book
    seen: list[Checkpoint] = []
    real_init = Checkpoint.__init__

    def spy(self: Checkpoint, *args: Any) -> None:
        real_init(self, *args)
        seen.append(self)

    monkeypatch.setattr(Checkpoint, "__init__", spy)
    sh.values_update("Main!A2", params={"valueInputOption": "RAW"}, body={"values": [["v"]]})
    assert len(seen) == 1
    assert len(seen[0].whole) == 0
    assert fake.spreadsheet(sh.id).values("Main")[1][0] == "v"


def test_a_rollback_that_misses_a_change_is_reported(
    book: tuple[FakeGoogle, gspread.Spreadsheet],
) -> None:
    fake, sh = book
    ss = fake.spreadsheet(sh.id)
    point = Checkpoint(ss, whole=())
    ss.sheets[0].cells[(0, 0)]["userEnteredValue"] = {"stringValue": "behind its back"}
    with pytest.raises(AssertionError, match="did not cover"):
        point.rollback()
    point.close()


def test_api_errors_roll_back_and_pass_through(
    book: tuple[FakeGoogle, gspread.Spreadsheet],
) -> None:
    fake, _ = book
    ss = fake.spreadsheet(fake.create_spreadsheet("T", {"S": [["a"]]}))
    with pytest.raises(ApiError), transaction(ss, whole=()):
        ss.sheets[0].cell_for_write(0, 0)["userEnteredValue"] = {"stringValue": "b"}
        ss.sheets[0].cell_for_write(5, 5)["note"] = "new"
        raise ApiError(400, "no")
    assert ss.values("S") == [["a"]]
    assert (5, 5) not in ss.sheets[0].cells
    assert ss.sheets[0].journal is None
