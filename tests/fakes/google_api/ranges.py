"""Binding A1 strings and GridRanges to a sheet, with Google's errors for bad ones."""

from __future__ import annotations

from dataclasses import dataclass

from tests.fakes.google_api import a1
from tests.fakes.google_api.errors import ApiError, RequestError, bad_request
from tests.fakes.google_api.state import Json, Sheet, Spreadsheet

Box = tuple[int, int, int, int]  # r0, r1, c0, c1 (half-open, bounded)


@dataclass
class Bound:
    sheet: Sheet
    box: Box
    single_cell: bool  # written as one cell: an anchor for writes

    def a1(self) -> str:
        return a1.format_range(self.sheet.title, *self.box)


def grid_error(sheet: Sheet, box: Box) -> str:
    text = a1.format_range(sheet.title, *box, always_quote=True)
    return (
        f"Range ({text}) exceeds grid limits. Max rows: {sheet.row_count}, "
        f"max columns: {sheet.column_count}"
    )


def resolve(ss: Spreadsheet, text: str) -> Bound:
    """An A1 range of the values API, bound and checked against the grid."""
    try:
        pr = a1.parse(text)
    except a1.A1Error:
        raise bad_request(f"Unable to parse range: {text}") from None
    if pr.name is not None:
        sheet = ss.find_sheet(pr.name) if pr.sheet is None else None
        if sheet is not None:
            return Bound(sheet, (0, sheet.row_count, 0, sheet.column_count), False)
        named = next((n for n in ss.named_ranges if n.get("name") == pr.name), None)
        if named is None:
            raise bad_request(f"Unable to parse range: {text}")
        sheet = ss.sheet_by_id(int(named.get("range", {}).get("sheetId", 0)))
        if sheet is None:
            raise bad_request(f"Unable to parse range: {text}")
        return Bound(sheet, grid_box(sheet, named.get("range", {})), False)
    if pr.sheet is None:
        if not ss.sheets:
            raise bad_request(f"Unable to parse range: {text}")
        sheet = ss.sheets[0]
    else:
        found = ss.find_sheet(pr.sheet)
        if found is None:
            raise bad_request(f"Unable to parse range: {text}")
        sheet = found
    if pr.whole_sheet:
        return Bound(sheet, (0, sheet.row_count, 0, sheet.column_count), False)
    assert pr.r0 is not None and pr.c0 is not None
    r1 = pr.r1 if pr.r1 is not None else max(sheet.row_count, pr.r0 + 1)
    c1 = pr.c1 if pr.c1 is not None else max(sheet.column_count, pr.c0 + 1)
    box = (pr.r0, r1, pr.c0, c1)
    if r1 > sheet.row_count or c1 > sheet.column_count:
        raise bad_request(grid_error(sheet, box))
    return Bound(sheet, box, pr.single_cell)


def grid_box(sheet: Sheet, gr: Json) -> Box:
    """A GridRange's box; open ends run to the grid's edge."""
    r0 = int(gr.get("startRowIndex", 0))
    c0 = int(gr.get("startColumnIndex", 0))
    r1 = int(gr["endRowIndex"]) if "endRowIndex" in gr else sheet.row_count
    c1 = int(gr["endColumnIndex"]) if "endColumnIndex" in gr else sheet.column_count
    return r0, r1, c0, c1


def sheet_for(ss: Spreadsheet, sheet_id: int | None) -> Sheet:
    """The sheet a batch request names (`No grid with id: N` when it is not there)."""
    sid = int(sheet_id or 0)
    sheet = ss.sheet_by_id(sid)
    if sheet is None:
        raise RequestError(f"No grid with id: {sid}")
    return sheet


def checked_box(ss: Spreadsheet, gr: Json) -> tuple[Sheet, Box]:
    """A batch request's GridRange: the sheet exists, the box is ordered and inside the grid."""
    sheet = sheet_for(ss, gr.get("sheetId"))
    box = grid_box(sheet, gr)
    r0, r1, c0, c1 = box
    if r0 < 0 or c0 < 0:
        raise RequestError("GridRange start indexes must be non-negative.")
    if r1 < r0 or c1 < c0:
        raise RequestError(
            f"The start index of a range must be less than or equal to the end index "
            f"(startRowIndex={r0}, endRowIndex={r1})"
        )
    if r1 > sheet.row_count or c1 > sheet.column_count:
        raise RequestError(grid_error(sheet, (r0, max(r1, r0 + 1), c0, max(c1, c0 + 1))))
    return sheet, box


def not_found_error() -> ApiError:
    return ApiError(404, "Requested entity was not found.")
