"""values:batchUpdateByDataFilter: values written where developer metadata points.

``a1Range`` filters and ``developerMetadataLookup`` filters on row- or
column-located metadata are served (what a client anchoring its own columns uses);
gridRange filters answer 501 like any other unimplemented part of the API. As Google
does, a filter that matches several rows or columns gets its values written to every one
of them (one response each), and a filter that matches nothing writes nothing.
spreadsheets.getByDataFilter serves the same filters for a read of just those ranges.
"""

from __future__ import annotations

from tests.fakes.google_api import a1, validate
from tests.fakes.google_api.batch_more import matching_metadata
from tests.fakes.google_api.checkpoint import transaction
from tests.fakes.google_api.errors import ApiError, bad_request
from tests.fakes.google_api.registry import Call, Reply, handler
from tests.fakes.google_api.sheets_api import (
    _input_option,
    get_ss,
    render_spreadsheet,
    write_range,
)
from tests.fakes.google_api.state import Json, Spreadsheet


def _ranges_of(call: Call, ss: Spreadsheet, data_filter: Json) -> list[str]:
    """The A1 ranges a filter selects: its a1Range, or each row or column its metadata is on."""
    if "a1Range" in data_filter:
        return [str(data_filter["a1Range"])]
    found = matching_metadata(call, ss, data_filter)
    places = []
    for meta in found:
        dr = meta.get("location", {}).get("dimensionRange")
        if not dr:
            raise bad_request("The data filter must select row or column metadata.")
        sheet = ss.sheet_by_id(int(dr.get("sheetId", 0)))
        if sheet is None:
            continue
        start, end = int(dr.get("startIndex", 0)), int(dr["endIndex"])
        if dr.get("dimension") == "COLUMNS":
            box = (0, sheet.row_count, start, end)
        else:
            box = (start, end, 0, sheet.column_count)
        places.append(a1.format_range(sheet.title, *box, always_quote=True))
    return list(dict.fromkeys(places))


@handler("sheets.spreadsheets.values.batchUpdateByDataFilter")
def values_batch_update_by_data_filter(call: Call) -> Reply:
    ss = get_ss(call)
    body: Json = call.body or {}
    option = _input_option(body.get("valueInputOption"))
    responses: list[Json] = []
    cells_total = 0
    sheets: set[int] = set()
    touched: set[tuple[int, int, int]] = set()
    with transaction(ss, whole=()):
        for i, item in enumerate(body.get("data", [])):
            data_filter = item.get("dataFilter") or {}
            try:
                places = _ranges_of(call, ss, data_filter)  # none: nothing written
                written_here = [write_range(call, ss, where, item, option) for where in places]
            except ApiError as err:
                err.message = f"Invalid data[{i}]: {err.message}"
                raise
            for reply, written, cells in written_here:
                cells_total += len(cells)
                touched |= cells
                sheets.add(written.sheet.sheet_id)
                entry: Json = {"dataFilter": data_filter, "updatedRange": reply["updatedRange"]}
                for key in ("updatedRows", "updatedColumns", "updatedCells"):
                    if key in reply:
                        entry[key] = reply[key]
                responses.append(entry)
    call.fake.stats.cells_written += cells_total
    out: Json = {"spreadsheetId": ss.spreadsheet_id}
    # The same totals as values.batchUpdate, whose replies the recordings show.
    totals = {
        "totalUpdatedRows": len({(s, r) for s, r, _ in touched}),
        "totalUpdatedColumns": len({(s, c) for s, _, c in touched}),
        "totalUpdatedCells": cells_total,
        "totalUpdatedSheets": len(sheets),
    }
    out.update({k: v for k, v in totals.items() if v})
    if responses:
        out["responses"] = responses
    ss._touch()
    return 200, out


@handler("sheets.spreadsheets.getByDataFilter")
def spreadsheets_get_by_data_filter(call: Call) -> Reply:
    """spreadsheets.get of the ranges the filters match (the same field mask rules)."""
    ss = get_ss(call)
    body: Json = call.body or {}
    tree = validate.parse_fields("sheets", "Spreadsheet", call.q("fields"))
    places: list[str] = []
    for i, data_filter in enumerate(body.get("dataFilters", [])):
        try:
            places += _ranges_of(call, ss, data_filter)
        except ApiError as err:
            err.message = f"Invalid dataFilters[{i}]: {err.message}"
            raise
    grid = bool(body.get("includeGridData"))
    return 200, render_spreadsheet(ss, tree, grid, places)
