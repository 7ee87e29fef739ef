"""batchUpdate requests: what a layout, a plan and cell updates become on the wire.

Also the reverse question for provisioning's idempotence: what of a layout a
sheet (as read by spreadsheets.get) already has.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sheets_sync.backends.base import CellUpdate, TabLayout
from sheets_sync.backends.google.cells import (
    NUMBER_FORMATS,
    cell_data,
    grid_range,
    rgb,
    same_color,
    same_range,
)
from sheets_sync.diff import formula_shape, normalize_formula

HEADER_FILL = "EDEDED"
COMPUTED_FILL = "D9D9D9"
PROTECTION = "sheets-sync: computed column"
MARKER_KEY = "sheets-sync.template"
#: JSON: template tab name -> sheetId of the tab the tool generates it in
GENERATED_KEY = "sheets-sync.generated"
VALUE_FIELDS = "userEnteredValue,textFormatRuns"
DATE_FIELDS = "userEnteredValue,textFormatRuns,userEnteredFormat.numberFormat"

Json = dict[str, Any]


def cell_at(sheet: Json, row: int, col: int) -> Json:
    """CellData at (row, col) of a sheet read with grid data, or {}."""
    data = sheet.get("data") or [{}]
    rows = data[0].get("rowData", [])
    if row >= len(rows):
        return {}
    values = rows[row].get("values", [])
    return values[col] if col < len(values) else {}


def _column_range(sheet_id: int, col: int, first_row: int = 1) -> Json:
    return {
        "sheetId": sheet_id,
        "startRowIndex": first_row,
        "startColumnIndex": col,
        "endColumnIndex": col + 1,
    }


def _rule_formula(rule: Json) -> str | None:
    condition = rule.get("booleanRule", {}).get("condition", {})
    if condition.get("type") != "CUSTOM_FORMULA":
        return None
    values = condition.get("values", [])
    return str(values[0].get("userEnteredValue", "")) if values else None


def missing(sheet: Json, layout: TabLayout, row2: list[Json] | None = None) -> list[str]:
    """What of ``layout`` the sheet lacks (widths and number formats are people's business).

    Dropdowns are compared only when ``row2`` (the cells of row 2, read with their
    dataValidation) is given: the sync's one read leaves them out.
    """
    out: list[str] = []
    props = sheet.get("properties", {})
    sheet_id = int(props.get("sheetId", 0))
    columns = props.get("gridProperties", {}).get("columnCount")
    if props.get("gridProperties", {}).get("frozenRowCount", 0) < 1:
        out.append("header row not frozen")
    not_bold = [
        h
        for c, h in enumerate(layout.headers)
        if h
        and not cell_at(sheet, 0, c).get("userEnteredFormat", {}).get("textFormat", {}).get("bold")
    ]
    if not_bold:
        out.append("header not bold: " + ", ".join(not_bold))
    for col in sorted(layout.computed):
        fill = cell_at(sheet, 0, col).get("userEnteredFormat", {}).get("backgroundColor")
        if not same_color(fill, COMPUTED_FILL):
            out.append(f"grey header on {layout.headers[col]}")
    for validation in layout.validations if row2 is not None else ():
        cell = row2[validation.col] if row2 is not None and validation.col < len(row2) else {}
        rule = cell.get("dataValidation", {})
        condition = rule.get("condition", {})
        values = tuple(str(v.get("userEnteredValue", "")) for v in condition.get("values", []))
        if condition.get("type") != "ONE_OF_LIST" or values != validation.values:
            out.append(f"dropdown on {layout.headers[validation.col]}")
    rules = sheet.get("conditionalFormats", [])
    for wanted in layout.rules:
        target = grid_range(wanted.range_a1, sheet_id, columns)
        if not any(
            _rule_formula(r) is not None
            and normalize_formula(_rule_formula(r) or "") == normalize_formula(wanted.formula)
            and r.get("ranges")
            and same_range(r["ranges"][0], target)
            and same_color(
                r.get("booleanRule", {}).get("format", {}).get("backgroundColor"), wanted.fill
            )
            for r in rules
        ):
            out.append(f"conditional format {wanted.formula} on {wanted.range_a1}")
    for col, text in layout.notes:
        if (cell_at(sheet, 0, col).get("note") or "").strip() != text.strip():
            out.append(f"note on {layout.headers[col] if col < len(layout.headers) else col}")
    protected = [
        p
        for p in sheet.get("protectedRanges", [])
        if p.get("description", "").startswith(PROTECTION) and p.get("warningOnly")
    ]
    for col in sorted(layout.computed):
        if not any(same_range(p.get("range", {}), _column_range(sheet_id, col)) for p in protected):
            out.append(f"edit warning on {layout.headers[col]}")
    return out


def install(
    sheet: Json, layout: TabLayout, sheet_id: int, *, new_tab: bool, columns: int
) -> list[Json]:
    """Requests that (re)install a tab's layout, replacing the tool's own earlier rules."""
    reqs: list[Json] = [
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        }
    ]
    width = len(layout.headers)
    if width:
        reqs.append(_header_style(sheet_id, 0, width, HEADER_FILL))
    for col in sorted(layout.computed):
        reqs.append(_header_style(sheet_id, col, col + 1, COMPUTED_FILL))
    for validation in layout.validations:
        reqs.append(
            {
                "setDataValidation": {
                    "range": _column_range(sheet_id, validation.col),
                    "rule": {
                        "condition": {
                            "type": "ONE_OF_LIST",
                            "values": [{"userEnteredValue": v} for v in validation.values],
                        },
                        "strict": validation.strict,
                        "showCustomUi": True,
                    },
                }
            }
        )
    shapes = {formula_shape(r.formula) for r in layout.rules}
    existing = sheet.get("conditionalFormats", []) if not new_tab else []
    for index in reversed(range(len(existing))):
        formula = _rule_formula(existing[index])
        if formula is not None and formula_shape(formula) in shapes:
            reqs.append({"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": index}})
    for index, rule in enumerate(layout.rules):
        reqs.append(
            {
                "addConditionalFormatRule": {
                    "index": index,
                    "rule": {
                        "ranges": [grid_range(rule.range_a1, sheet_id, columns)],
                        "booleanRule": {
                            "condition": {
                                "type": "CUSTOM_FORMULA",
                                "values": [{"userEnteredValue": "=" + rule.formula}],
                            },
                            "format": {"backgroundColor": rgb(rule.fill)},
                        },
                    },
                }
            }
        )
    for col, text in layout.notes:
        reqs.append(
            {
                "updateCells": {
                    "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": col},
                    "rows": [{"values": [{"note": text}]}],
                    "fields": "note",
                }
            }
        )
    for p in sheet.get("protectedRanges", []) if not new_tab else []:
        if p.get("description", "").startswith(PROTECTION):
            reqs.append({"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}})
    for col in sorted(layout.computed):
        reqs.append(
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": _column_range(sheet_id, col),
                        "description": f"{PROTECTION} {layout.headers[col]}",
                        "warningOnly": True,
                    }
                }
            }
        )
    for col, fmt in layout.formats:
        if fmt in NUMBER_FORMATS:
            reqs.append(
                {
                    "repeatCell": {
                        "range": _column_range(sheet_id, col),
                        "cell": {"userEnteredFormat": {"numberFormat": NUMBER_FORMATS[fmt]}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
    if new_tab:
        for col, chars in layout.widths:
            reqs.append(
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": sheet_id,
                            "dimension": "COLUMNS",
                            "startIndex": col,
                            "endIndex": col + 1,
                        },
                        "properties": {"pixelSize": int(chars * 7 + 5)},
                        "fields": "pixelSize",
                    }
                }
            )
    return reqs


def _header_style(sheet_id: int, start: int, end: int, fill: str) -> Json:
    return {
        "repeatCell": {
            "range": {
                "sheetId": sheet_id,
                "startRowIndex": 0,
                "endRowIndex": 1,
                "startColumnIndex": start,
                "endColumnIndex": end,
            },
            "cell": {
                "userEnteredFormat": {"textFormat": {"bold": True}, "backgroundColor": rgb(fill)}
            },
            "fields": "userEnteredFormat.textFormat.bold,userEnteredFormat.backgroundColor",
        }
    }


def cell_requests(updates: Sequence[CellUpdate], sheet_ids: dict[str, int]) -> list[Json]:
    """updateCells requests holding exactly the changed cells, adjacent cells of a row together."""
    reqs: list[Json] = []
    ordered = sorted(updates, key=lambda u: (u.tab, u.row, u.col))
    run: list[CellUpdate] = []

    def flush() -> None:
        if not run:
            return
        first = run[0]
        dated = any(_is_date(u) for u in run)
        reqs.append(
            {
                "updateCells": {
                    "start": {
                        "sheetId": sheet_ids[first.tab],
                        "rowIndex": first.row,
                        "columnIndex": first.col,
                    },
                    "rows": [{"values": [cell_data(u.value, u.format, sheet_ids) for u in run]}],
                    "fields": DATE_FIELDS if dated else VALUE_FIELDS,
                }
            }
        )
        run.clear()

    for update in ordered:
        if run and (update.tab, update.row, update.col) != (
            run[-1].tab,
            run[-1].row,
            run[-1].col + 1,
        ):
            flush()
        if run and _is_date(update) != _is_date(run[-1]):
            flush()
        run.append(update)
    flush()
    return reqs


def _is_date(update: CellUpdate) -> bool:
    return isinstance(update.value, dt.date)


def _replace_metadata(spreadsheet: Json, key: str, value: str) -> list[Json]:
    """Delete the spreadsheet's metadata under ``key`` and create it anew with ``value``."""
    reqs: list[Json] = []
    for meta in spreadsheet.get("developerMetadata", []):
        if meta.get("metadataKey") == key:
            reqs.append(
                {
                    "deleteDeveloperMetadata": {
                        "dataFilter": {
                            "developerMetadataLookup": {"metadataId": meta["metadataId"]}
                        }
                    }
                }
            )
    reqs.append(
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": key,
                    "metadataValue": value,
                    "location": {"spreadsheet": True},
                    "visibility": "DOCUMENT",
                }
            }
        }
    )
    return reqs


def marker_requests(spreadsheet: Json, template: str, version: str) -> list[Json]:
    """Replace the developer-metadata marker with the template's name and version."""
    return _replace_metadata(spreadsheet, MARKER_KEY, f"{template} {version}")


def generated_requests(spreadsheet: Json, marks: dict[str, int]) -> list[Json]:
    """Record which sheets (by sheetId, which survives renames) the tool generates."""
    return _replace_metadata(spreadsheet, GENERATED_KEY, json.dumps(marks, sort_keys=True))


def read_generated(spreadsheet: Json) -> dict[str, int]:
    """Template tab name -> sheetId, as the generated-tabs metadata records it."""
    for meta in spreadsheet.get("developerMetadata", []):
        if meta.get("metadataKey") == GENERATED_KEY:
            try:
                marks = json.loads(str(meta.get("metadataValue", "")))
            except ValueError:
                return {}
            if isinstance(marks, dict):
                return {str(k): v for k, v in marks.items() if isinstance(v, int)}
    return {}


def read_marker(spreadsheet: Json) -> tuple[str, str] | None:
    for meta in spreadsheet.get("developerMetadata", []):
        if meta.get("metadataKey") == MARKER_KEY:
            name, _, version = str(meta.get("metadataValue", "")).partition(" ")
            return name, version
    return None
