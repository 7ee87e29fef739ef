"""spreadsheets.batchUpdate: requests applied in order, all or nothing.

Sheets, cells and dimensions live here; rules, protection, metadata, merges and the rest in
batch_more.py. A kind not implemented answers 501 before anything is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.google_api import fields as fieldmask
from tests.fakes.google_api import limits, render, validate
from tests.fakes.google_api.checkpoint import named_sheets, transaction
from tests.fakes.google_api.errors import ApiError, RequestError, bad_request
from tests.fakes.google_api.fields import jcopy
from tests.fakes.google_api.ranges import checked_box, grid_error, sheet_for
from tests.fakes.google_api.registry import Call, Reply, handler
from tests.fakes.google_api.sheets_api import get_ss, render_spreadsheet
from tests.fakes.google_api.state import Json, Sheet, Spreadsheet

OUTPUT_ONLY_CELL = ("effectiveValue", "formattedValue", "effectiveFormat", "hyperlink")


@dataclass
class Ctx:
    call: Call
    ss: Spreadsheet
    cells_written: int = 0
    renamed: list[str] = field(default_factory=list)

    @property
    def fake(self) -> Any:
        return self.call.fake


Kind = Callable[[Ctx, Json], Json | None]
KINDS: dict[str, Kind] = {}


def kind(name: str) -> Callable[[Kind], Kind]:
    def register(fn: Kind) -> Kind:
        KINDS[name] = fn
        return fn

    return register


def mask_of(req: Json, *, required: bool = True) -> fieldmask.Tree | None:
    raw = req.get("fields")
    if not raw:
        if required:
            raise RequestError("At least one field must be specified.")
        return None
    try:
        return fieldmask.parse(raw)
    except fieldmask.MaskError as exc:
        raise RequestError(f"Invalid field mask: '{exc.path}'") from None


@handler("sheets.spreadsheets.batchUpdate")
def batch_update(call: Call) -> Reply:
    ss = get_ss(call)
    tree = validate.parse_fields("sheets", "BatchUpdateSpreadsheetResponse", call.q("fields"))
    body: Json = call.body or {}
    requests: list[Json] = body.get("requests", [])
    for i, req in enumerate(requests):
        kinds = list(req)
        if not kinds:
            raise bad_request(f"Invalid requests[{i}]: No request set.")
        if len(kinds) > 1:
            raise bad_request(
                "Invalid JSON payload received. Oneof field 'kind' is already set. "
                f"Cannot set '{kinds[1]}'",
                f"requests[{i}]",
            )
        if kinds[0] not in KINDS:
            raise ApiError(501, f"fake: request kind '{kinds[0]}' is not implemented")
    ctx = Ctx(call, ss)
    replies: list[Json] = []
    with transaction(ss, named_sheets(ss, requests)):
        for i, req in enumerate(requests):
            name = next(iter(req))
            try:
                limits.check_text(req[name])
                cells = limits.grid_cells(ss)
                replies.append(KINDS[name](ctx, req[name]) or {})
                limits.check_grid(ss, cells)
            except RequestError as err:
                raise bad_request(f"Invalid requests[{i}].{name}: {err.message}") from None
    call.fake.stats.cells_written += ctx.cells_written
    if ctx.renamed:
        meta = call.fake.files.get(ss.spreadsheet_id)
        if meta is not None:
            meta["name"] = ss.title
    if requests:
        ss._touch()
    out: Json = {"spreadsheetId": ss.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        ranges = body.get("responseRanges", [])
        if tree is None:
            sub, grid = None, bool(body.get("responseIncludeGridData"))
        else:  # "ignored if a field mask was set": the mask says whether cells come back
            sub, grid = tree.get("updatedSpreadsheet"), True
        out["updatedSpreadsheet"] = render_spreadsheet(ss, sub, grid, ranges)
    return 200, fieldmask.select(out, tree)


# ------------------------------------------------------------------ sheets & spreadsheet


def _title_taken(ss: Spreadsheet, title: str, but: Sheet | None = None) -> bool:
    return any(s.title.lower() == title.lower() and s is not but for s in ss.sheets)


@kind("addSheet")
def add_sheet(ctx: Ctx, req: Json) -> Json:
    props = dict(req.get("properties", {}))
    title = props.get("title")
    if title and _title_taken(ctx.ss, title):
        raise RequestError(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    if "sheetId" in props and ctx.ss.sheet_by_id(int(props["sheetId"])) is not None:
        raise RequestError(f"Sheet with id {props['sheetId']} already exists.")
    sheet = ctx.fake.add_sheet(ctx.ss, props, sheet_id=props.get("sheetId"))
    return {"addSheet": {"properties": render.sheet_properties(sheet)}}


@kind("deleteSheet")
def delete_sheet(ctx: Ctx, req: Json) -> None:
    ss = ctx.ss
    sheet = sheet_for(ss, req.get("sheetId"))
    if len(ss.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.reindex()
    sid = sheet.sheet_id
    ss.named_ranges = [
        n for n in ss.named_ranges if int(n.get("range", {}).get("sheetId", 0)) != sid
    ]
    ss.dev_meta = [
        m
        for m in ss.dev_meta
        if m.get("location", {}).get("sheetId") != sid
        and int(m.get("location", {}).get("dimensionRange", {}).get("sheetId", -1)) != sid
    ]


@kind("updateSheetProperties")
def update_sheet_properties(ctx: Ctx, req: Json) -> None:
    ss = ctx.ss
    props = req.get("properties", {})
    sheet = sheet_for(ss, props.get("sheetId"))
    mask = mask_of(req)
    old = jcopy(sheet.props)
    new = jcopy(sheet.props)
    fieldmask.apply_update(new, props, mask)
    new["sheetId"] = old["sheetId"]
    grid = new.setdefault("gridProperties", {})
    for key in ("rowCount", "columnCount"):
        grid.setdefault(key, old["gridProperties"].get(key))
    if not new.get("title"):
        new["title"] = old["title"]
    if new["title"] != old["title"] and _title_taken(ss, new["title"], sheet):
        raise RequestError(
            f'A sheet with the name "{new["title"]}" already exists. Please enter another name.'
        )
    if new.get("hidden") and all(s.props.get("hidden") or s is sheet for s in ss.sheets):
        raise RequestError("You can't hide all the sheets in a document.")
    rows, cols = int(grid["rowCount"]), int(grid["columnCount"])
    if rows < 1 or cols < 1:
        raise RequestError("The sheet must have at least one row and one column.")
    if grid.get("frozenRowCount", 0) >= rows:
        raise RequestError("You can't freeze all visible rows on the sheet.")
    if grid.get("frozenColumnCount", 0) >= cols:
        raise RequestError("You can't freeze all visible columns on the sheet.")
    if rows < sheet.row_count:
        ss.delete_dimension(sheet, "ROWS", rows, sheet.row_count)
    if cols < sheet.column_count:
        ss.delete_dimension(sheet, "COLUMNS", cols, sheet.column_count)
    index = int(new.get("index", old.get("index", 0)) or 0)
    sheet.props = new
    old_index = ss.sheets.index(sheet)
    if index != old_index:
        # indexes are "before the move": to put S1 after S2 in [S1, S2, S3], index is 2
        ss.sheets.remove(sheet)
        target = index - 1 if index > old_index else index
        ss.sheets.insert(max(0, min(target, len(ss.sheets))), sheet)
    ss.reindex()


@kind("updateSpreadsheetProperties")
def update_spreadsheet_properties(ctx: Ctx, req: Json) -> None:
    mask = mask_of(req)
    before = ctx.ss.title
    fieldmask.apply_update(ctx.ss.props, req.get("properties", {}), mask)
    if ctx.ss.title != before:
        ctx.renamed.append(ctx.ss.title)


# ------------------------------------------------------------------ cells


def _write_cell(sheet: Sheet, r: int, c: int, src: Json, mask: fieldmask.Tree | None) -> None:
    target = sheet.cell_for_write(r, c)
    if fieldmask.covers(mask, "userEnteredValue"):
        target.pop("_effective", None)
    fieldmask.apply_update(target, src, mask)
    for key in OUTPUT_ONLY_CELL:
        target.pop(key, None)
    uev = target.get("userEnteredValue")
    if uev is not None and not uev:
        del target["userEnteredValue"]
    sheet.prune(r, c)


@kind("updateCells")
def update_cells(ctx: Ctx, req: Json) -> None:
    ss = ctx.ss
    mask = mask_of(req)
    rows: list[Json] = req.get("rows", [])
    height = len(rows)
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if "range" in req:
        sheet, (r0, r1, c0, c1) = checked_box(ss, req["range"])
        if height > r1 - r0:
            raise RequestError(
                f"Attempting to write row: {r1}, beyond the last requested row of: {r1 - 1}"
            )
        if width > c1 - c0:
            raise RequestError(
                f"Attempting to write column: {c1}, beyond the last requested column of: {c1 - 1}"
            )
    elif "start" in req:
        start = req["start"]
        sheet = sheet_for(ss, start.get("sheetId"))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        r1, c1 = r0 + height, c0 + width
        if height and width and (r1 > sheet.row_count or c1 > sheet.column_count):
            raise RequestError(grid_error(sheet, (r0, r1, c0, c1)))
    else:
        raise RequestError("Must specify either start or range.")
    for i in range(r0, r1):
        values = rows[i - r0].get("values", []) if i - r0 < height else []
        for j in range(c0, c1):
            k = j - c0
            if k < len(values):
                _write_cell(sheet, i, j, values[k] or {}, mask)
                if fieldmask.covers(mask, "userEnteredValue"):
                    ctx.cells_written += 1
            elif "range" in req:
                _write_cell(sheet, i, j, {}, mask)


@kind("repeatCell")
def repeat_cell(ctx: Ctx, req: Json) -> None:
    sheet, (r0, r1, c0, c1) = checked_box(ctx.ss, req.get("range", {}))
    mask = mask_of(req)
    cell = req.get("cell", {})
    for r in range(r0, r1):
        for c in range(c0, c1):
            _write_cell(sheet, r, c, cell, mask)


@kind("appendCells")
def append_cells(ctx: Ctx, req: Json) -> None:
    sheet = sheet_for(ctx.ss, req.get("sheetId"))
    mask = mask_of(req)
    rows: list[Json] = req.get("rows", [])
    last = max((r for (r, _), cell in sheet.cells.items() if cell), default=-1) + 1
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if last + len(rows) > sheet.row_count:
        sheet.set_dimension_count("ROWS", last + len(rows))
    if width > sheet.column_count:
        sheet.set_dimension_count("COLUMNS", width)
    for i, row in enumerate(rows):
        for j, value in enumerate(row.get("values", [])):
            _write_cell(sheet, last + i, j, value or {}, mask)
            if fieldmask.covers(mask, "userEnteredValue"):
                ctx.cells_written += 1


# ------------------------------------------------------------------ dimensions


def dimension(ctx: Ctx, dr: Json, *, allow_end_past: bool = False) -> tuple[Sheet, str, int, int]:
    sheet = sheet_for(ctx.ss, dr.get("sheetId"))
    dim = dr.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise RequestError("range.dimension must be ROWS or COLUMNS.")
    count = sheet.dimension_count(dim)
    start = int(dr.get("startIndex", 0))
    end = int(dr["endIndex"]) if "endIndex" in dr else count
    if start < 0 or end < start:
        raise RequestError(f"Invalid dimension range: startIndex {start}, endIndex {end}.")
    if end > count and not allow_end_past:
        what = "row" if dim == "ROWS" else "column"
        raise RequestError(
            f"range.endIndex ({end}) is beyond the last {what} of the grid ({count} {what}s)."
        )
    return sheet, dim, start, end


@kind("appendDimension")
def append_dimension(ctx: Ctx, req: Json) -> None:
    sheet = sheet_for(ctx.ss, req.get("sheetId"))
    dim = req.get("dimension")
    length = int(req.get("length", 0))
    if dim not in ("ROWS", "COLUMNS") or length <= 0:
        raise RequestError("length must be positive and dimension ROWS or COLUMNS.")
    sheet.set_dimension_count(dim, sheet.dimension_count(dim) + length)


@kind("insertDimension")
def insert_dimension(ctx: Ctx, req: Json) -> None:
    dr = req.get("range", {})
    sheet, dim, start, end = dimension(ctx, dr, allow_end_past=True)
    if start > sheet.dimension_count(dim):
        raise RequestError(
            f"range.startIndex ({start}) must be less than or equal to the "
            f"{'row' if dim == 'ROWS' else 'column'} count ({sheet.dimension_count(dim)})."
        )
    before = bool(req.get("inheritFromBefore", False))
    if before and start == 0:
        raise RequestError("Cannot inherit from before the first row or column (startIndex 0).")
    if end > start:
        ctx.ss.insert_dimension(sheet, dim, start, end, before)


@kind("deleteDimension")
def delete_dimension(ctx: Ctx, req: Json) -> None:
    sheet, dim, start, end = dimension(ctx, req.get("range", {}))
    if end - start >= sheet.dimension_count(dim):
        what = "rows" if dim == "ROWS" else "columns"
        raise RequestError(f"You can't delete all the {what} on the sheet.")
    if end > start:
        ctx.ss.delete_dimension(sheet, dim, start, end)


@kind("moveDimension")
def move_dimension(ctx: Ctx, req: Json) -> None:
    sheet, dim, start, end = dimension(ctx, req.get("source", {}))
    dest = int(req.get("destinationIndex", 0))
    if dest < 0 or dest > sheet.dimension_count(dim):
        raise RequestError(f"destinationIndex {dest} is out of range.")
    if start <= dest <= end or end == start:
        return
    ctx.ss.move_dimension(sheet, dim, start, end, dest)


@kind("updateDimensionProperties")
def update_dimension_properties(ctx: Ctx, req: Json) -> None:
    if "range" not in req:
        raise RequestError("range must be specified.")
    sheet, dim, start, end = dimension(ctx, req["range"])
    mask = mask_of(req)
    props = {k: v for k, v in req.get("properties", {}).items() if k != "developerMetadata"}
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    for i in range(start, end):
        entry = meta.setdefault(i, {})
        fieldmask.apply_update(entry, props, mask)
        entry.pop("developerMetadata", None)
        if not entry:
            del meta[i]


@kind("autoResizeDimensions")
def auto_resize_dimensions(ctx: Ctx, req: Json) -> None:
    if "dimensions" in req:
        dimension(ctx, req["dimensions"])
