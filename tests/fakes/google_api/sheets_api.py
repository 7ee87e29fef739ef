"""Sheets v4 endpoints: spreadsheets.get/create and the values collection."""

from __future__ import annotations

from typing import Any

from tests.fakes.google_api import a1, limits, render, validate
from tests.fakes.google_api import cellvalues as cv
from tests.fakes.google_api import fields as fieldmask
from tests.fakes.google_api.checkpoint import transaction
from tests.fakes.google_api.errors import ApiError, bad_request, not_found
from tests.fakes.google_api.fields import jcopy
from tests.fakes.google_api.ranges import Bound, Box, resolve
from tests.fakes.google_api.registry import Call, Reply, handler
from tests.fakes.google_api.state import Json, Sheet, Spreadsheet, effective

DATE_TYPES = ("DATE", "TIME", "DATE_TIME")


def get_ss(call: Call) -> Spreadsheet:
    ss = call.fake.spreadsheets.get(call.params.get("spreadsheetId", ""))
    if ss is None:
        raise not_found()
    return ss


# ------------------------------------------------------------------ spreadsheets.get / create


def _wants_data(tree: fieldmask.Tree | None) -> bool:
    if tree is None:
        return True
    sheets = tree.get("sheets", False)
    return sheets is None or (isinstance(sheets, dict) and "data" in sheets)


def _cell_mask(tree: fieldmask.Tree | None) -> fieldmask.Tree | None:
    node: Any = tree
    for name in ("sheets", "data", "rowData", "values"):
        if node is None:
            return None
        node = node.get(name)
    return node  # type: ignore[no-any-return]


def render_spreadsheet(
    ss: Spreadsheet,
    tree: fieldmask.Tree | None,
    include_grid: bool,
    ranges: list[str],
) -> Json:
    with_data = _wants_data(tree) if tree is not None else include_grid
    cell_mask = _cell_mask(tree) if tree is not None else None
    data: dict[int, list[Json]] | None = None
    only: set[int] | None = None
    if ranges:
        bounds = [resolve(ss, r) for r in ranges]
        only = {b.sheet.sheet_id for b in bounds}
        if with_data:
            data = {}
            for b in bounds:
                gd = render.grid_data(ss, b.sheet, b.box, cell_mask)
                data.setdefault(b.sheet.sheet_id, []).append(gd)
    elif with_data:
        data = {
            s.sheet_id: [render.grid_data(ss, s, (0, s.row_count, 0, s.column_count), cell_mask)]
            for s in ss.sheets
        }
    resource = render.spreadsheet_resource(ss, None, only)
    out: Json = fieldmask.select(resource, tree)
    if data is None:
        return out
    # grid data was masked cell by cell while rendering: mask the rest, not the cells again
    data_mask: Any = None if tree is None or tree.get("sheets") is None else tree["sheets"]["data"]
    sheet_ids = [s.sheet_id for s in ss.sheets if only is None or s.sheet_id in only]
    for sheet_out, sid in zip(out.get("sheets", []), sheet_ids, strict=True):
        grids = []
        for gd in data.get(sid, []):
            keep = {k: v for k, v in gd.items() if data_mask is None or k in data_mask}
            for key, value in keep.items():
                if key != "rowData" and data_mask is not None:
                    keep[key] = fieldmask.select(value, data_mask[key])
            grids.append(keep)
        sheet_out["data"] = grids
        order = ["properties", "data"] + [k for k in sheet_out if k not in ("properties", "data")]
        reordered = {k: sheet_out[k] for k in order if k in sheet_out}
        sheet_out.clear()
        sheet_out.update(reordered)
    return out


@handler("sheets.spreadsheets.get")
def spreadsheets_get(call: Call) -> Reply:
    ss = get_ss(call)
    tree = validate.parse_fields("sheets", "Spreadsheet", call.q("fields"))
    return 200, render_spreadsheet(ss, tree, call.qbool("includeGridData"), call.qlist("ranges"))


@handler("sheets.spreadsheets.create")
def spreadsheets_create(call: Call) -> Reply:
    fake = call.fake
    tree = validate.parse_fields("sheets", "Spreadsheet", call.q("fields"))
    body: Json = call.body or {}
    if fake.enforce_service_account_quota:
        raise ApiError(403, "The caller does not have permission")
    props = body.get("properties", {})
    ss = fake.new_spreadsheet(
        props.get("title") or "Untitled spreadsheet",
        locale=props.get("locale", "en_US"),
        time_zone=props.get("timeZone", "Etc/GMT"),
    )
    for key in ("autoRecalc", "defaultFormat", "spreadsheetTheme"):
        if key in props:
            ss.props[key] = jcopy(props[key])
    sheets = body.get("sheets") or [{"properties": {"title": "Sheet1", "sheetId": 0}}]
    for i, spec in enumerate(sheets):
        sp = dict(spec.get("properties", {}))
        sid = sp.get("sheetId", 0 if i == 0 else None)
        sheet = fake.add_sheet(ss, {k: v for k, v in sp.items() if k != "index"}, sheet_id=sid)
        for gd in spec.get("data", []):
            _seed_grid(sheet, gd)
    ss.named_ranges = jcopy(body.get("namedRanges", []))
    ss.dev_meta = jcopy(body.get("developerMetadata", []))
    fake.new_file(
        ss.title, "application/vnd.google-apps.spreadsheet", [], file_id=ss.spreadsheet_id
    )
    return 200, render_spreadsheet(ss, tree, False, [])


def _seed_grid(sheet: Sheet, gd: Json) -> None:
    r0, c0 = int(gd.get("startRow", 0)), int(gd.get("startColumn", 0))
    for dr, row in enumerate(gd.get("rowData", [])):
        for dc, value in enumerate(row.get("values", [])):
            keep = {
                k: jcopy(v)
                for k, v in value.items()
                if k
                in (
                    "userEnteredValue",
                    "userEnteredFormat",
                    "note",
                    "dataValidation",
                    "textFormatRuns",
                )
            }
            if keep:
                sheet.cells[(r0 + dr, c0 + dc)] = keep


# ------------------------------------------------------------------ reading values


def render_value(ss: Spreadsheet, cell: Json, option: str, dt_option: str) -> Any:
    uev = cell.get("userEnteredValue")
    if not uev:
        return ""
    if option == "FORMULA" and "formulaValue" in uev:
        return uev["formulaValue"]
    ev, _ = effective(cell)
    if not ev:
        return ""
    fmt = cell.get("userEnteredFormat", {}).get("numberFormat")
    if option == "FORMATTED_VALUE":
        return cv.formatted_value(ev, fmt, ss.locale) or ""
    if "numberValue" in ev:
        if dt_option == "FORMATTED_STRING" and fmt and fmt.get("type") in DATE_TYPES:
            return cv.formatted_value(ev, fmt, ss.locale)
        return cv.number_json(ev["numberValue"])
    if "stringValue" in ev:
        return ev["stringValue"]
    if "boolValue" in ev:
        return ev["boolValue"]
    return cv.formatted_value(ev, fmt, ss.locale) or ""


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def value_range(ss: Spreadsheet, bound: Bound, option: str, dt_option: str, major: str) -> Json:
    r0, r1, c0, c1 = bound.box
    # only the cells that hold a value are rendered: sheets are sparse (and the benchmark
    # times this fake's answers)
    held = [
        (r, c, cell)
        for (r, c), cell in bound.sheet.cells.items()
        if r0 <= r < r1 and c0 <= c < c1 and cell.get("userEnteredValue")
    ]
    last_r = max((r for r, _, _ in held), default=r0 - 1)
    last_c = max((c for _, c, _ in held), default=c0 - 1)
    grid: list[list[Any]] = [[""] * (last_c + 1 - c0) for _ in range(r0, last_r + 1)]
    for r, c, cell in held:
        grid[r - r0][c - c0] = render_value(ss, cell, option, dt_option)
    if major == "COLUMNS":
        grid = [list(col) for col in zip(*grid, strict=True)] if grid else []
    out: Json = {"range": bound.a1(), "majorDimension": major}
    values = _trim(grid)
    if values:
        out["values"] = values
    return out


def _read_options(call: Call) -> tuple[str, str, str]:
    return (
        call.q("valueRenderOption") or "FORMATTED_VALUE",
        call.q("dateTimeRenderOption") or "SERIAL_NUMBER",
        call.q("majorDimension") or "ROWS",
    )


@handler("sheets.spreadsheets.values.get")
def values_get(call: Call) -> Reply:
    ss = get_ss(call)
    bound = resolve(ss, call.params["range"])
    return 200, value_range(ss, bound, *_read_options(call))


@handler("sheets.spreadsheets.values.batchGet")
def values_batch_get(call: Call) -> Reply:
    ss = get_ss(call)
    opts = _read_options(call)
    out: Json = {"spreadsheetId": ss.spreadsheet_id}
    ranges = [value_range(ss, resolve(ss, r), *opts) for r in call.qlist("ranges")]
    if ranges:
        out["valueRanges"] = ranges
    return 200, out


# ------------------------------------------------------------------ writing values


def write_value(ss: Spreadsheet, sheet: Sheet, r: int, c: int, value: Any, option: str) -> None:
    """One cell written through the values API (RAW or USER_ENTERED)."""
    cell = sheet.cell_for_write(r, c)
    for key in ("_effective", "textFormatRuns"):
        cell.pop(key, None)
    if value == "":
        cell.pop("userEnteredValue", None)
        sheet.prune(r, c)
        return
    if isinstance(value, bool):
        cell["userEnteredValue"] = {"boolValue": value}
    elif isinstance(value, (int, float)):
        cell["userEnteredValue"] = {"numberValue": value}
    elif option == "RAW":
        cell["userEnteredValue"] = {"stringValue": str(value)}
    else:
        current = cell.get("userEnteredFormat", {}).get("numberFormat")
        if current and current.get("type") == "TEXT":
            cell["userEnteredValue"] = {"stringValue": str(value)}
            return
        uev, fmt = cv.parse_user_entered(str(value), ss.locale)
        cell["userEnteredValue"] = uev
        if fmt and not _same_family(current, fmt):
            cell.setdefault("userEnteredFormat", {})["numberFormat"] = fmt


def _same_family(current: Json | None, new: Json) -> bool:
    if not current:
        return False
    a, b = current.get("type"), new.get("type")
    dates = ("DATE", "DATE_TIME")
    return a == b or (a in dates and b in dates)


def _check_cell_value(value: Any, i: int, j: int) -> None:
    if limits.too_long(value):
        raise bad_request(limits.CELL_MESSAGE)
    if isinstance(value, dict):
        raise bad_request(f"Invalid values[{i}][{j}]: struct_value {{\n}}\n")
    if isinstance(value, list):
        raise bad_request(f"Invalid values[{i}][{j}]: list_value {{\n}}\n")


def write_range(
    call: Call, ss: Spreadsheet, range_text: str, data: Json, option: str
) -> tuple[Json, Bound, set[tuple[int, int, int]]]:
    """values.update semantics for one ValueRange: (UpdateValuesResponse, written, cells)."""
    bound = resolve(ss, range_text)
    rows: list[list[Any]] = [list(r) for r in data.get("values", [])]
    if data.get("majorDimension") == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        rows = [[col[i] if i < len(col) else None for col in rows] for i in range(width)]
    r0, r1, c0, c1 = bound.box
    sheet = bound.sheet
    height = len(rows)
    width = max((len(r) for r in rows), default=0)
    if bound.single_cell:
        box: Box = (r0, r0 + height, c0, c0 + width)
        if height and width and (box[1] > sheet.row_count or box[3] > sheet.column_count):
            raise bad_request(_grid_error_text(sheet, box))
    else:
        requested = bound.a1()
        if height > r1 - r0:
            raise bad_request(
                f"Requested writing within range [{requested}], but tried writing to row "
                f"[{r0 + (r1 - r0) + 1}]"
            )
        if width > c1 - c0:
            raise bad_request(
                f"Requested writing within range [{requested}], but tried writing to column "
                f"[{a1.col_letter(c1)}]"
            )
        box = (r0, r0 + height, c0, c0 + width)
    for i, row in enumerate(rows):  # all refused before any is written
        for j, value in enumerate(row):
            if value is not None:
                _check_cell_value(value, i, j)
    cells = 0
    rows_written: set[int] = set()
    cols_written: set[int] = set()
    touched: set[tuple[int, int, int]] = set()
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            write_value(ss, sheet, r0 + i, c0 + j, value, option)
            cells += 1
            rows_written.add(i)
            cols_written.add(j)
            touched.add((sheet.sheet_id, r0 + i, c0 + j))
    reply: Json = {"spreadsheetId": ss.spreadsheet_id}
    written = Bound(sheet, box if height and width else (r0, r0 + 1, c0, c0 + 1), False)
    reply["updatedRange"] = written.a1()
    for key, n in (
        ("updatedRows", len(rows_written)),
        ("updatedColumns", len(cols_written)),
        ("updatedCells", cells),
    ):
        if n:
            reply[key] = n
    return reply, written, touched


def _grid_error_text(sheet: Sheet, box: Box) -> str:
    from tests.fakes.google_api.ranges import grid_error

    return grid_error(sheet, box)


def _input_option(value: str | None) -> str:
    if value is None or value == "INPUT_VALUE_OPTION_UNSPECIFIED":
        raise bad_request("'valueInputOption' is required but not specified")
    return value


def _with_data(call: Call, ss: Spreadsheet, reply: Json, written: Bound, body: Json) -> None:
    include = body.get("includeValuesInResponse") if body else None
    if include is None:
        include = call.qbool("includeValuesInResponse")
    if include:
        opts = (
            (body or {}).get("responseValueRenderOption")
            or call.q("responseValueRenderOption")
            or "FORMATTED_VALUE",
            (body or {}).get("responseDateTimeRenderOption")
            or call.q("responseDateTimeRenderOption")
            or "SERIAL_NUMBER",
        )
        reply["updatedData"] = value_range(ss, written, opts[0], opts[1], "ROWS")


@handler("sheets.spreadsheets.values.update")
def values_update(call: Call) -> Reply:
    ss = get_ss(call)
    option = _input_option(call.q("valueInputOption"))
    body: Json = call.body or {}
    url_range = call.params["range"]
    if body.get("range") and resolve(ss, body["range"]).a1() != resolve(ss, url_range).a1():
        raise bad_request(
            f"Requested range [{body['range']}] doesn't match the range in the URL [{url_range}]"
        )
    with transaction(ss, whole=()):
        reply, written, _ = write_range(call, ss, url_range, body, option)
    call.fake.stats.cells_written += reply.get("updatedCells", 0)
    _with_data(call, ss, reply, written, {})
    ss._touch()
    return 200, reply


@handler("sheets.spreadsheets.values.batchUpdate")
def values_batch_update(call: Call) -> Reply:
    ss = get_ss(call)
    body: Json = call.body or {}
    option = _input_option(body.get("valueInputOption"))
    responses: list[Json] = []
    sheets: set[int] = set()
    touched: set[tuple[int, int, int]] = set()
    with transaction(ss, whole=()):
        for i, item in enumerate(body.get("data", [])):
            try:
                reply, written, cells = write_range(call, ss, item.get("range", ""), item, option)
                touched |= cells
            except ApiError as err:
                err.message = f"Invalid data[{i}]: {err.message}"
                raise
            _with_data(call, ss, reply, written, body)
            responses.append(reply)
            sheets.add(written.sheet.sheet_id)
    call.fake.stats.cells_written += sum(r.get("updatedCells", 0) for r in responses)
    out: Json = {"spreadsheetId": ss.spreadsheet_id}
    totals = {
        "totalUpdatedRows": len({(s, r) for s, r, _ in touched}),
        "totalUpdatedColumns": len({(s, c) for s, _, c in touched}),
        "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
        "totalUpdatedSheets": len(sheets),
    }
    out.update({k: v for k, v in totals.items() if v})
    if responses:
        out["responses"] = responses
    ss._touch()
    return 200, out


def _components(sheet: Sheet, seeds: list[tuple[int, int]]) -> list[set[tuple[int, int]]]:
    filled = {k for k, cell in sheet.cells.items() if cell.get("userEnteredValue")}
    seen: set[tuple[int, int]] = set()
    comps: list[set[tuple[int, int]]] = []
    for seed in seeds:
        if seed in seen or seed not in filled:
            continue
        comp: set[tuple[int, int]] = set()
        stack = [seed]
        while stack:
            r, c = stack.pop()
            if (r, c) in comp:
                continue
            comp.add((r, c))
            for nb in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if nb in filled and nb not in comp:
                    stack.append(nb)
        seen |= comp
        comps.append(comp)
    return comps


@handler("sheets.spreadsheets.values.append")
def values_append(call: Call) -> Reply:
    ss = get_ss(call)
    option = _input_option(call.q("valueInputOption"))
    body: Json = call.body or {}
    bound = resolve(ss, call.params["range"])
    sheet = bound.sheet
    r0, r1, c0, c1 = bound.box
    seeds = sorted(
        k
        for k, cell in sheet.cells.items()
        if cell.get("userEnteredValue") and r0 <= k[0] < r1 and c0 <= k[1] < c1
    )
    comps = _components(sheet, seeds)
    out: Json = {"spreadsheetId": ss.spreadsheet_id}
    start_r, start_c = r0, c0
    if comps:
        table = max(comps, key=lambda comp: (max(r for r, _ in comp), max(c for _, c in comp)))
        tr0, tr1 = min(r for r, _ in table), max(r for r, _ in table) + 1
        tc0, tc1 = min(c for _, c in table), max(c for _, c in table) + 1
        out["tableRange"] = a1.format_range(sheet.title, tr0, tr1, tc0, tc1)
        start_r, start_c = tr1, tc0
    rows: list[list[Any]] = [list(r) for r in body.get("values", [])]
    if body.get("majorDimension") == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        rows = [[col[i] if i < len(col) else None for col in rows] for i in range(width)]
    height, width = len(rows), max((len(r) for r in rows), default=0)
    with transaction(ss, whole=[sheet]):  # rows may be inserted: the sheet's cells move
        if call.q("insertDataOption") == "INSERT_ROWS" and height:
            ss.insert_dimension(sheet, "ROWS", start_r, start_r + height, start_r > 0)
        if start_r + height > sheet.row_count:
            sheet.set_dimension_count("ROWS", start_r + height)
        if start_c + width > sheet.column_count:
            sheet.set_dimension_count("COLUMNS", start_c + width)
        anchor = a1.format_range(sheet.title, start_r, start_r + 1, start_c, start_c + 1)
        reply, written, _ = write_range(call, ss, anchor, {"values": rows}, option)
    call.fake.stats.cells_written += reply.get("updatedCells", 0)
    _with_data(call, ss, reply, written, {})
    out["updates"] = reply
    ss._touch()
    return 200, out


def clear_box(sheet: Sheet, box: Box) -> None:
    r0, r1, c0, c1 = box
    for (r, c), cell in list(sheet.cells.items()):
        if r0 <= r < r1 and c0 <= c < c1:
            for key in ("userEnteredValue", "_effective", "textFormatRuns"):
                cell.pop(key, None)
            sheet.prune(r, c)


@handler("sheets.spreadsheets.values.clear")
def values_clear(call: Call) -> Reply:
    ss = get_ss(call)
    bound = resolve(ss, call.params["range"])
    clear_box(bound.sheet, bound.box)
    ss._touch()
    return 200, {"spreadsheetId": ss.spreadsheet_id, "clearedRange": bound.a1()}


@handler("sheets.spreadsheets.values.batchClear")
def values_batch_clear(call: Call) -> Reply:
    ss = get_ss(call)
    bounds = [resolve(ss, r) for r in (call.body or {}).get("ranges", [])]
    for b in bounds:
        clear_box(b.sheet, b.box)
    out: Json = {"spreadsheetId": ss.spreadsheet_id}
    if bounds:
        out["clearedRanges"] = [b.a1() for b in bounds]
    ss._touch()
    return 200, out
