"""batchUpdate kinds: conditional formats, validation, protection, developer metadata,
named ranges, merges, borders, sorting, filters and find/replace."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.google_api import fields as fieldmask
from tests.fakes.google_api import render
from tests.fakes.google_api.batch import Ctx, dimension, kind, mask_of
from tests.fakes.google_api.errors import RequestError, unimplemented
from tests.fakes.google_api.fields import jcopy
from tests.fakes.google_api.ranges import Box, checked_box, sheet_for
from tests.fakes.google_api.state import Json, Sheet, effective

# ------------------------------------------------------------------ conditional formats


def _rule_sheet(ctx: Ctx, rule: Json) -> Sheet:
    ranges = rule.get("ranges") or []
    if not ranges:
        raise RequestError("At least one range must be specified.")
    sheets = {int(r.get("sheetId", 0)) for r in ranges}
    if len(sheets) > 1:
        raise RequestError("All ranges of a conditional format rule must be on the same sheet.")
    for r in ranges:
        checked_box(ctx.ss, r)
    if not rule.get("booleanRule") and not rule.get("gradientRule"):
        raise RequestError("A conditional format rule needs a booleanRule or a gradientRule.")
    return sheet_for(ctx.ss, sheets.pop())


def _rule_at(sheet: Sheet, index: int) -> Json:
    if not 0 <= index < len(sheet.cond_formats):
        raise RequestError(f"No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    return sheet.cond_formats[index]


@kind("addConditionalFormatRule")
def add_conditional_format_rule(ctx: Ctx, req: Json) -> None:
    rule = jcopy(req.get("rule", {}))
    sheet = _rule_sheet(ctx, rule)
    index = int(req.get("index", 0))
    if index < 0 or index > len(sheet.cond_formats):
        raise RequestError(f"index {index} is out of range (0..{len(sheet.cond_formats)}).")
    sheet.cond_formats.insert(index, rule)


@kind("updateConditionalFormatRule")
def update_conditional_format_rule(ctx: Ctx, req: Json) -> Json:
    index = int(req.get("index", 0))
    out: Json = {}
    if "rule" in req:
        rule = jcopy(req["rule"])
        sheet = _rule_sheet(ctx, rule)
        old = _rule_at(sheet, index)
        sheet.cond_formats[index] = rule
        out = {"newRule": render.cond_format(rule), "oldRule": render.cond_format(old)}
        if index:
            out["newIndex"] = out["oldIndex"] = index
    elif "newIndex" in req:
        sheet = sheet_for(ctx.ss, req.get("sheetId"))
        rule = _rule_at(sheet, index)
        new_index = int(req["newIndex"])
        if not 0 <= new_index < len(sheet.cond_formats):
            raise RequestError(f"newIndex {new_index} is out of range.")
        sheet.cond_formats.pop(index)
        sheet.cond_formats.insert(new_index, rule)
        out = {"newRule": render.cond_format(rule), "oldRule": render.cond_format(rule)}
        if new_index:
            out["newIndex"] = new_index
        if index:
            out["oldIndex"] = index
    else:
        raise RequestError("Either rule or newIndex must be specified.")
    return {"updateConditionalFormatRule": out}


@kind("deleteConditionalFormatRule")
def delete_conditional_format_rule(ctx: Ctx, req: Json) -> Json:
    sheet = sheet_for(ctx.ss, req.get("sheetId"))
    index = int(req.get("index", 0))
    rule = _rule_at(sheet, index)
    sheet.cond_formats.pop(index)
    return {"deleteConditionalFormatRule": {"rule": render.cond_format(rule)}}


# ------------------------------------------------------------------ data validation


@kind("setDataValidation")
def set_data_validation(ctx: Ctx, req: Json) -> None:
    sheet, (r0, r1, c0, c1) = checked_box(ctx.ss, req.get("range", {}))
    rule = req.get("rule")
    if rule is not None and not rule.get("condition", {}).get("type"):
        raise RequestError("The data validation rule needs a condition type.")
    for r in range(r0, r1):
        for c in range(c0, c1):
            cell = sheet.cell_for_write(r, c)
            if rule:
                cell["dataValidation"] = jcopy(rule)
            else:
                cell.pop("dataValidation", None)
            sheet.prune(r, c)


# ------------------------------------------------------------------ protected ranges


def _all_protected(ctx: Ctx) -> list[tuple[Sheet, Json]]:
    return [(s, p) for s in ctx.ss.sheets for p in s.protected]


def _protected_sheet(ctx: Ctx, pr: Json) -> Sheet:
    if "range" in pr and "namedRangeId" in pr:
        raise RequestError("Only one of range or namedRangeId may be specified.")
    if "range" in pr:
        sheet, _ = checked_box(ctx.ss, pr["range"])
        return sheet
    if "namedRangeId" in pr:
        named = next(
            (n for n in ctx.ss.named_ranges if n.get("namedRangeId") == pr["namedRangeId"]), None
        )
        if named is None:
            raise RequestError(f"No named range with id: {pr['namedRangeId']}")
        return sheet_for(ctx.ss, named.get("range", {}).get("sheetId"))
    raise RequestError("A protected range needs a range or a namedRangeId.")


def _clean_editors(editors: Json | None) -> Json:
    return {k: list(v) for k, v in (editors or {}).items() if v}


@kind("addProtectedRange")
def add_protected_range(ctx: Ctx, req: Json) -> Json:
    pr = jcopy(req.get("protectedRange", {}))
    sheet = _protected_sheet(ctx, pr)
    pid = pr.get("protectedRangeId")
    if pid is not None and any(p["protectedRangeId"] == pid for _, p in _all_protected(ctx)):
        raise RequestError(f"A protected range with id {pid} already exists.")
    if pid is None:
        pid = ctx.fake.rng.randrange(1, 2_147_483_647)
    stored: Json = {"protectedRangeId": int(pid)}
    for key in ("range", "namedRangeId", "description", "unprotectedRanges"):
        if pr.get(key):
            stored[key] = pr[key]
    if pr.get("warningOnly"):
        stored["warningOnly"] = True
    stored["requestingUserCanEdit"] = True
    editors = _clean_editors(pr.get("editors"))
    reply = render.protected_range({**stored, "editors": jcopy(editors)})
    users = editors.setdefault("users", [])
    if ctx.fake.user_email not in users:
        users.insert(0, ctx.fake.user_email)
    stored["editors"] = editors
    sheet.protected.append(stored)
    return {"addProtectedRange": {"protectedRange": reply}}


def _find_protected(ctx: Ctx, pid: Any) -> tuple[Sheet, Json]:
    for sheet, pr in _all_protected(ctx):
        if pr["protectedRangeId"] == int(pid or 0):
            return sheet, pr
    raise RequestError(f"No protected range with id: {pid}")


@kind("deleteProtectedRange")
def delete_protected_range(ctx: Ctx, req: Json) -> None:
    sheet, pr = _find_protected(ctx, req.get("protectedRangeId"))
    sheet.protected.remove(pr)


@kind("updateProtectedRange")
def update_protected_range(ctx: Ctx, req: Json) -> None:
    src = req.get("protectedRange", {})
    sheet, pr = _find_protected(ctx, src.get("protectedRangeId"))
    mask = mask_of(req)
    new = jcopy(pr)
    fieldmask.apply_update(new, src, mask)
    new["protectedRangeId"] = pr["protectedRangeId"]
    new["editors"] = _clean_editors(new.get("editors"))
    if not new.get("warningOnly"):
        new.pop("warningOnly", None)
    target = _protected_sheet(ctx, new)
    sheet.protected.remove(pr)
    target.protected.append(new)


# ------------------------------------------------------------------ developer metadata


def _location(ctx: Ctx, loc: Json) -> Json:
    if loc.get("spreadsheet"):
        return {"spreadsheet": True}
    if "dimensionRange" in loc:
        dr = jcopy(loc["dimensionRange"])
        dimension(ctx, dr)
        return {"dimensionRange": dr}
    if "sheetId" in loc:
        sheet_for(ctx.ss, loc["sheetId"])
        return {"sheetId": int(loc["sheetId"])}
    raise RequestError("The developer metadata location must be specified.")


@kind("createDeveloperMetadata")
def create_developer_metadata(ctx: Ctx, req: Json) -> Json:
    meta = jcopy(req.get("developerMetadata", {}))
    if (
        not meta.get("visibility")
        or meta["visibility"] == "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED"
    ):
        raise RequestError("Developer metadata visibility must be specified.")
    if "location" not in meta:
        raise RequestError("The developer metadata location must be specified.")
    mid = meta.get("metadataId")
    if mid is not None and any(m["metadataId"] == mid for m in ctx.ss.dev_meta):
        raise RequestError(f"Developer metadata with id {mid} already exists.")
    stored: Json = {"metadataId": int(mid) if mid is not None else ctx.fake.rng.randrange(1, 2**31)}
    for key in ("metadataKey", "metadataValue"):
        if key in meta:
            stored[key] = meta[key]
    stored["location"] = _location(ctx, meta["location"])
    stored["visibility"] = meta["visibility"]
    ctx.ss.dev_meta.append(stored)
    return {"createDeveloperMetadata": {"developerMetadata": render.developer_metadata(stored)}}


def _location_type(meta: Json) -> str:
    return str(render.developer_metadata(meta)["location"]["locationType"])


def _matches(ctx: Ctx, meta: Json, data_filter: Json) -> bool:
    lookup = data_filter.get("developerMetadataLookup")
    if lookup is None:
        raise unimplemented("DataFilter other than developerMetadataLookup")
    if "metadataId" in lookup and int(lookup["metadataId"]) != meta["metadataId"]:
        return False
    for key in ("metadataKey", "metadataValue", "visibility"):
        if key in lookup and lookup[key] != meta.get(key):
            return False
    if "locationType" in lookup and lookup["locationType"] != _location_type(meta):
        return False
    where = lookup.get("metadataLocation")
    if where:
        wanted = render.developer_metadata({"location": _location(ctx, where)})["location"]
        if wanted != render.developer_metadata(meta)["location"]:
            return False
    return True


def matching_metadata(call: Any, ss: Any, data_filter: Json) -> list[Json]:
    """The developer metadata a DataFilter's developerMetadataLookup selects."""
    ctx = Ctx(call=call, ss=ss)
    return [m for m in ss.dev_meta if _matches(ctx, m, data_filter)]


@kind("updateDeveloperMetadata")
def update_developer_metadata(ctx: Ctx, req: Json) -> Json:
    filters = req.get("dataFilters") or []
    if not filters:
        raise RequestError("At least one data filter must be specified.")
    mask = mask_of(req)
    src = jcopy(req.get("developerMetadata", {}))
    if "location" in src:
        src["location"] = _location(ctx, src["location"])
    updated: list[Json] = []
    for meta in ctx.ss.dev_meta:
        if any(_matches(ctx, meta, f) for f in filters):
            fieldmask.apply_update(meta, src, mask)
            updated.append(render.developer_metadata(meta))
    out: Json = {}
    if updated:
        out["developerMetadata"] = updated
    return {"updateDeveloperMetadata": out}


@kind("deleteDeveloperMetadata")
def delete_developer_metadata(ctx: Ctx, req: Json) -> Json:
    data_filter = req.get("dataFilter")
    if not data_filter:
        raise RequestError("A data filter must be specified.")
    gone = [m for m in ctx.ss.dev_meta if _matches(ctx, m, data_filter)]
    ctx.ss.dev_meta = [m for m in ctx.ss.dev_meta if m not in gone]
    out: Json = {}
    if gone:
        out["deletedDeveloperMetadata"] = [render.developer_metadata(m) for m in gone]
    return {"deleteDeveloperMetadata": out}


# ------------------------------------------------------------------ named ranges

_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELLISH = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[Rr][0-9]*[Cc][0-9]*$|^(true|false)$", re.I)


@kind("addNamedRange")
def add_named_range(ctx: Ctx, req: Json) -> Json:
    nr = jcopy(req.get("namedRange", {}))
    name = nr.get("name", "")
    if not _NAME_OK.match(name) or _CELLISH.match(name):
        raise RequestError(f"The named range name '{name}' is invalid.")
    if any(n.get("name", "").lower() == name.lower() for n in ctx.ss.named_ranges):
        raise RequestError(f"A named range with the name '{name}' already exists.")
    checked_box(ctx.ss, nr.get("range", {}))
    nid = nr.get("namedRangeId") or str(ctx.fake.rng.randrange(10**8, 10**9))
    stored = {"namedRangeId": str(nid), "name": name, "range": nr.get("range", {})}
    ctx.ss.named_ranges.append(stored)
    return {
        "addNamedRange": {"namedRange": {**stored, "range": render.grid_range(stored["range"])}}
    }


def _named(ctx: Ctx, nid: Any) -> Json:
    for nr in ctx.ss.named_ranges:
        if nr["namedRangeId"] == str(nid):
            return nr
    raise RequestError(f"No named range with id: {nid}")


@kind("deleteNamedRange")
def delete_named_range(ctx: Ctx, req: Json) -> None:
    ctx.ss.named_ranges.remove(_named(ctx, req.get("namedRangeId")))


@kind("updateNamedRange")
def update_named_range(ctx: Ctx, req: Json) -> None:
    src = req.get("namedRange", {})
    nr = _named(ctx, src.get("namedRangeId"))
    fieldmask.apply_update(nr, src, mask_of(req))
    checked_box(ctx.ss, nr.get("range", {}))


# ------------------------------------------------------------------ merges, borders, sorting


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _inside(a: Box, b: Box) -> bool:
    return b[0] <= a[0] and a[1] <= b[1] and b[2] <= a[2] and a[3] <= b[3]


def _merge_box(sheet: Sheet, m: Json) -> Box:
    from tests.fakes.google_api.ranges import grid_box

    return grid_box(sheet, m)


@kind("mergeCells")
def merge_cells(ctx: Ctx, req: Json) -> None:
    sheet, box = checked_box(ctx.ss, req.get("range", {}))
    r0, r1, c0, c1 = box
    kind_ = req.get("mergeType", "MERGE_ALL")
    if kind_ == "MERGE_COLUMNS":
        boxes = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    elif kind_ == "MERGE_ROWS":
        boxes = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    else:
        boxes = [box]
    boxes = [b for b in boxes if (b[1] - b[0]) * (b[3] - b[2]) > 1]
    keep = []
    for m in sheet.merges:
        mb = _merge_box(sheet, m)
        if _inside(mb, box):
            continue
        if _overlaps(mb, box):
            raise RequestError(
                "You must select all cells in a merged region to merge or unmerge them."
            )
        keep.append(m)
    for b in boxes:
        keep.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": b[0],
                "endRowIndex": b[1],
                "startColumnIndex": b[2],
                "endColumnIndex": b[3],
            }
        )
        for r in range(b[0], b[1]):
            for c in range(b[2], b[3]):
                if (r, c) != (b[0], b[2]) and (r, c) in sheet.cells:
                    sheet.cells[(r, c)].pop("userEnteredValue", None)
                    sheet.prune(r, c)
    sheet.merges = keep


@kind("unmergeCells")
def unmerge_cells(ctx: Ctx, req: Json) -> None:
    sheet, box = checked_box(ctx.ss, req.get("range", {}))
    keep = []
    for m in sheet.merges:
        mb = _merge_box(sheet, m)
        if _inside(mb, box):
            continue
        if _overlaps(mb, box):
            raise RequestError(
                "You must select all cells in a merged region to merge or unmerge them."
            )
        keep.append(m)
    sheet.merges = keep


@kind("updateBorders")
def update_borders(ctx: Ctx, req: Json) -> None:
    sheet, (r0, r1, c0, c1) = checked_box(ctx.ss, req.get("range", {}))

    def put(r: int, c: int, side: str, border: Json | None) -> None:
        if border is None:
            return
        cell = sheet.cell_for_write(r, c)
        borders = cell.setdefault("userEnteredFormat", {}).setdefault("borders", {})
        if border.get("style") == "NONE":
            borders.pop(side, None)
        else:
            borders[side] = jcopy(border)
        if not borders:
            del cell["userEnteredFormat"]["borders"]
            if not cell["userEnteredFormat"]:
                del cell["userEnteredFormat"]
        sheet.prune(r, c)

    for r in range(r0, r1):
        for c in range(c0, c1):
            put(r, c, "top", req.get("top") if r == r0 else req.get("innerHorizontal"))
            put(r, c, "bottom", req.get("bottom") if r == r1 - 1 else req.get("innerHorizontal"))
            put(r, c, "left", req.get("left") if c == c0 else req.get("innerVertical"))
            put(r, c, "right", req.get("right") if c == c1 - 1 else req.get("innerVertical"))


@kind("sortRange")
def sort_range(ctx: Ctx, req: Json) -> None:
    sheet, box = checked_box(ctx.ss, req.get("range", {}))
    specs = req.get("sortSpecs") or []
    for spec in specs:
        col = int(spec.get("dimensionIndex", 0))
        if not box[2] <= col < box[3]:
            raise RequestError(f"sortSpecs dimensionIndex {col} is outside the range.")
    ctx.ss.sort_range(sheet, box, specs)


@kind("setBasicFilter")
def set_basic_filter(ctx: Ctx, req: Json) -> None:
    flt = jcopy(req.get("filter", {}))
    sheet, (r0, r1, c0, c1) = checked_box(ctx.ss, flt.get("range", {}))
    flt["range"] = {
        "sheetId": sheet.sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }
    sheet.basic_filter = flt


@kind("clearBasicFilter")
def clear_basic_filter(ctx: Ctx, req: Json) -> None:
    sheet_for(ctx.ss, req.get("sheetId")).basic_filter = None


# ------------------------------------------------------------------ find / replace


@kind("findReplace")
def find_replace(ctx: Ctx, req: Json) -> Json:
    find = req.get("find", "")
    if not find:
        raise RequestError("find must be specified.")
    replacement = req.get("replacement", "")
    flags = 0 if req.get("matchCase") else re.IGNORECASE
    pattern = find if req.get("searchByRegex") else re.escape(find)
    if req.get("matchEntireCell"):
        pattern = f"^(?:{pattern})$"
    try:
        regex = re.compile(pattern, flags)
    except re.error:
        raise RequestError(f"Invalid regular expression: {find}") from None
    if "range" in req:
        sheet, box = checked_box(ctx.ss, req["range"])
        targets = [(sheet, box)]
    elif "sheetId" in req:
        sheet = sheet_for(ctx.ss, req["sheetId"])
        targets = [(sheet, (0, sheet.row_count, 0, sheet.column_count))]
    else:
        targets = [(s, (0, s.row_count, 0, s.column_count)) for s in ctx.ss.sheets]
    counts = {"valuesChanged": 0, "formulasChanged": 0, "occurrencesChanged": 0}
    rows: set[tuple[int, int]] = set()
    sheets: set[int] = set()
    for sheet, (r0, r1, c0, c1) in targets:
        for (r, c), cell in list(sheet.cells.items()):
            if not (r0 <= r < r1 and c0 <= c < c1):
                continue
            uev = cell.get("userEnteredValue") or {}
            key = "formulaValue" if "formulaValue" in uev else "stringValue"
            if key == "formulaValue" and not req.get("includeFormulas"):
                continue
            text = uev.get(key)
            if text is None:
                ev, _ = effective(cell)
                if ev and "numberValue" in ev and not req.get("includeFormulas"):
                    continue
                continue
            new, n = regex.subn(replacement, text)
            if n:
                cell["userEnteredValue"] = {key: new}
                counts["formulasChanged" if key == "formulaValue" else "valuesChanged"] += 1
                counts["occurrencesChanged"] += n
                rows.add((sheet.sheet_id, r))
                sheets.add(sheet.sheet_id)
    out: Json = {k: v for k, v in counts.items() if v}
    if rows:
        out["rowsChanged"] = len(rows)
        out["sheetsChanged"] = len(sheets)
    return {"findReplace": out}


# ------------------------------------------------------------------ copy / cut & paste

PASTE_FIELDS: dict[str, tuple[str, ...]] = {
    "PASTE_NORMAL": (
        "userEnteredValue",
        "userEnteredFormat",
        "note",
        "dataValidation",
        "textFormatRuns",
        "_effective",
    ),
    "PASTE_NO_BORDERS": (
        "userEnteredValue",
        "userEnteredFormat",
        "note",
        "dataValidation",
        "textFormatRuns",
        "_effective",
    ),
    "PASTE_VALUES": ("userEnteredValue",),
    "PASTE_FORMAT": ("userEnteredFormat",),
    "PASTE_FORMULA": ("userEnteredValue", "_effective"),
    "PASTE_DATA_VALIDATION": ("dataValidation",),
    "PASTE_CONDITIONAL_FORMATTING": (),
}


def _paste(dest: Sheet, r: int, c: int, cell: Json, paste_type: str) -> None:
    keys = PASTE_FIELDS.get(paste_type, PASTE_FIELDS["PASTE_NORMAL"])
    target = dest.cell_for_write(r, c)
    for key in keys:
        target.pop(key, None)
        if key in cell:
            target[key] = jcopy(cell[key])
    if paste_type == "PASTE_VALUES" and "userEnteredValue" in cell:
        ev, _ = effective(cell)
        if ev:
            target["userEnteredValue"] = ev
        else:
            target.pop("userEnteredValue", None)
    if paste_type == "PASTE_NO_BORDERS":
        target.get("userEnteredFormat", {}).pop("borders", None)
    dest.prune(r, c)


@kind("copyPaste")
def copy_paste(ctx: Ctx, req: Json) -> None:
    src_sheet, (r0, r1, c0, c1) = checked_box(ctx.ss, req.get("source", {}))
    dst_sheet, (d0, d1, e0, e1) = checked_box(ctx.ss, req.get("destination", {}))
    paste_type = req.get("pasteType", "PASTE_NORMAL")
    transpose = req.get("pasteOrientation") == "TRANSPOSE"
    cells = {
        (r - r0, c - c0): jcopy(src_sheet.cell(r, c)) for r in range(r0, r1) for c in range(c0, c1)
    }
    height, width = (c1 - c0, r1 - r0) if transpose else (r1 - r0, c1 - c0)
    # the destination repeats the source when it is a multiple of it, else takes it once
    reps_r = max(1, (d1 - d0) // height) if (d1 - d0) % height == 0 else 1
    reps_c = max(1, (e1 - e0) // width) if (e1 - e0) % width == 0 else 1
    if d0 + height * reps_r > dst_sheet.row_count or e0 + width * reps_c > dst_sheet.column_count:
        raise RequestError("The paste would go beyond the grid.")
    for i in range(reps_r):
        for j in range(reps_c):
            for (dr, dc), cell in cells.items():
                tr, tc = (dc, dr) if transpose else (dr, dc)
                _paste(dst_sheet, d0 + i * height + tr, e0 + j * width + tc, cell, paste_type)


@kind("cutPaste")
def cut_paste(ctx: Ctx, req: Json) -> None:
    src_sheet, (r0, r1, c0, c1) = checked_box(ctx.ss, req.get("source", {}))
    dest = req.get("destination", {})
    dst_sheet = sheet_for(ctx.ss, dest.get("sheetId"))
    d0, e0 = int(dest.get("rowIndex", 0)), int(dest.get("columnIndex", 0))
    if d0 + (r1 - r0) > dst_sheet.row_count or e0 + (c1 - c0) > dst_sheet.column_count:
        raise RequestError("The paste would go beyond the grid.")
    paste_type = req.get("pasteType", "PASTE_NORMAL")
    cells = {
        (r - r0, c - c0): src_sheet.cells.pop((r, c), {})
        for r in range(r0, r1)
        for c in range(c0, c1)
    }
    for (dr, dc), cell in cells.items():
        _paste(dst_sheet, d0 + dr, e0 + dc, cell, paste_type)
