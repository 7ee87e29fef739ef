"""The Sheets API on the wire: what a sheet's formatting is, and batchUpdate requests.

:func:`formatting` reads the facts of a sheet's formatting from spreadsheets.get (what
of a layout is missing is decided by :mod:`sheets_sync.layout`); the rest builds the
requests a layout, a plan and cell updates become.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

from sheets_sync.a1 import a1, parse_range, range_a1, split_ref
from sheets_sync.backends.base import (
    CellUpdate,
    Chart,
    ConditionalRule,
    RowShift,
    TabFormatting,
    TabLayout,
    Validation,
)
from sheets_sync.backends.google.cells import (
    CELL_FORMATS,
    NUMBER_FORMATS,
    cell_data,
    grid_a1,
    grid_range,
    hex_colour,
    rgb,
)
from sheets_sync.layout import (
    COMPUTED_FILL,
    HEADER_FILL,
    formula_shape,
    has_chart,
    is_mark,
    mark_rule,
)

PROTECTION = "sheets-sync: computed column"
#: The description of the edit warning over a whole generated tab (not a PROTECTION: the
#: computed columns' warnings are replaced on every install, this one is made once).
TAB_PROTECTION = "sheets-sync: generated tab"
#: The size of the tool's chart, in pixels.
CHART_WIDTH, CHART_HEIGHT = 600, 300
MARKER_KEY = "sheets-sync.template"
#: JSON: template tab name -> sheetId of the tab the tool generates it in
GENERATED_KEY = "sheets-sync.generated"
VALUE_FIELDS = "userEnteredValue,textFormatRuns"
DATE_FIELDS = "userEnteredValue,textFormatRuns,userEnteredFormat.numberFormat"
DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26

Json = dict[str, Any]


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


def _dropdown(col: int, cell: Json) -> Validation | None:
    rule = cell.get("dataValidation") or {}
    condition = rule.get("condition", {})
    if condition.get("type") != "ONE_OF_LIST":
        return None
    values = tuple(str(v.get("userEnteredValue", "")) for v in condition.get("values", []))
    return Validation(col, values, bool(rule.get("strict")))


def _rules(sheet: Json) -> tuple[ConditionalRule, ...]:
    found = []
    for rule in sheet.get("conditionalFormats", []):
        formula = _rule_formula(rule)
        colour = rule.get("booleanRule", {}).get("format", {}).get("backgroundColor")
        if formula is None or not colour or not rule.get("ranges"):
            continue
        ranges = " ".join(grid_a1(r) for r in rule["ranges"])
        found.append(ConditionalRule(ranges, formula.removeprefix("="), hex_colour(colour)))
    return tuple(found)


def _protected(sheet: Json, sheet_id: int) -> frozenset[int]:
    """Columns under the tool's edit warning: from row 2 down to the last row, one column."""
    found = set()
    for p in sheet.get("protectedRanges", []):
        if not (p.get("description", "").startswith(PROTECTION) and p.get("warningOnly")):
            continue
        r = p.get("range", {})
        col = int(r.get("startColumnIndex", 0))
        if (
            int(r.get("sheetId", 0)) == sheet_id
            and int(r.get("startRowIndex", 0)) == 1
            and "endRowIndex" not in r
            and r.get("endColumnIndex") == col + 1
        ):
            found.add(col)
    return frozenset(found)


def _tab_protected(sheet: Json, sheet_id: int) -> bool:
    """Whether the tab carries the tool's edit warning over the whole tab."""
    edges = ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")
    for p in sheet.get("protectedRanges", []):
        r = p.get("range")
        if (
            p.get("description", "").startswith(TAB_PROTECTION)
            and p.get("warningOnly")
            and r is not None
            and int(r.get("sheetId", 0)) == sheet_id
            and not any(edge in r for edge in edges)
        ):
            return True
    return False


def _source(data: Json) -> list[Json]:
    return list(data.get("sourceRange", {}).get("sources", []))


def _chart(chart: Json, sheet_id: int) -> Chart:
    """A chart as the layout engine knows charts: its source is the bounding range of its
    domain and series ("" when it charts another tab, or is no basic chart)."""
    spec = chart.get("spec", {})
    basic = spec.get("basicChart", {})
    series = basic.get("series", [])
    ranges = [g for d in basic.get("domains", []) for g in _source(d.get("domain", {}))]
    ranges += [g for s in series for g in _source(s.get("series", {}))]
    source = ""
    if ranges and all(int(g.get("sheetId", 0)) == sheet_id for g in ranges):
        # a range open at the bottom (or right) leaves the source open there
        open_bottom = any("endRowIndex" not in g for g in ranges)
        open_right = any("endColumnIndex" not in g for g in ranges)
        source = range_a1(
            min(int(g.get("startRowIndex", 0)) for g in ranges),
            min(int(g.get("startColumnIndex", 0)) for g in ranges),
            None if open_bottom else max(int(g["endRowIndex"]) for g in ranges) - 1,
            None if open_right else max(int(g["endColumnIndex"]) for g in ranges) - 1,
        )
    overlay = chart.get("position", {}).get("overlayPosition")
    anchor = ""
    if overlay is not None:
        cell = overlay.get("anchorCell", {})
        anchor = a1(int(cell.get("rowIndex", 0)), int(cell.get("columnIndex", 0)))
    return Chart(str(spec.get("title", "")), source, anchor, tuple(map(_colour, series)))


def _colour(series: Json) -> str:
    """A series' fill as RGB hex ("" when it has none of its own, or a theme colour)."""
    style = series.get("colorStyle", {})
    if "rgbColor" in style:
        return hex_colour(style["rgbColor"])
    return hex_colour(series["color"]) if "color" in series else ""


def formatting(sheet: Json, row2: list[Json] | None = None) -> TabFormatting:
    """The facts of a sheet's formatting, as spreadsheets.get (with grid data) gives them.

    Dropdowns are known only when ``row2`` (the cells of row 2, read with their
    dataValidation) is given: the sync's one read leaves them out.
    """
    props = sheet.get("properties", {})
    grid = props.get("gridProperties", {})
    header = (sheet.get("data") or [{}])[0].get("rowData", [{}])
    cells: list[Json] = header[0].get("values", []) if header else []
    formats = [cell.get("userEnteredFormat", {}) for cell in cells]
    dropdowns = None
    if row2 is not None:
        found = (_dropdown(col, cell) for col, cell in enumerate(row2))
        dropdowns = tuple(d for d in found if d is not None)
    return TabFormatting(
        frozen_rows=int(grid.get("frozenRowCount", 0)),
        bold=frozenset(c for c, f in enumerate(formats) if f.get("textFormat", {}).get("bold")),
        fills={
            c: hex_colour(f["backgroundColor"])
            for c, f in enumerate(formats)
            if f.get("backgroundColor")
        },
        notes={c: str(cell["note"]) for c, cell in enumerate(cells) if cell.get("note")},
        dropdowns=dropdowns,
        rules=_rules(sheet),
        protected=_protected(sheet, int(props.get("sheetId", 0))),
        columns=int(grid["columnCount"]) if "columnCount" in grid else None,
        charts=tuple(_chart(c, int(props.get("sheetId", 0))) for c in sheet.get("charts", [])),
        tab_protected=_tab_protected(sheet, int(props.get("sheetId", 0))),
    )


def _dropdown_request(sheet_id: int, validation: Validation) -> Json:
    return {
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


def _box(a1: str, sheet_id: int) -> Json:
    """``C5:C7`` -> a GridRange of exactly those cells (marks do not run to the bottom)."""
    box = parse_range(a1)
    if box is None or box.bottom is None or box.right is None:
        raise ValueError(f"not a closed A1 range: {a1}")
    return {
        "sheetId": sheet_id,
        "startRowIndex": box.top,
        "endRowIndex": box.bottom + 1,
        "startColumnIndex": box.left,
        "endColumnIndex": box.right + 1,
    }


def _mark_rule(layout: TabLayout, sheet_id: int) -> Json | None:
    """The conditional format marking the layout's cells to fix, as the API takes it."""
    rule = mark_rule(layout)
    if rule is None:
        return None
    return {
        "ranges": [_box(part, sheet_id) for part in rule.range_a1.split()],
        "booleanRule": {
            "condition": {
                "type": "CUSTOM_FORMULA",
                "values": [{"userEnteredValue": "=" + rule.formula}],
            },
            "format": {"backgroundColor": rgb(rule.fill)},
        },
    }


def _is_mark_rule(rule: Json) -> bool:
    formula = _rule_formula(rule)
    return formula is not None and is_mark(formula)


def without_marks(sheet: Json, sheet_id: int) -> tuple[Json, list[Json]]:
    """The sheet as read without the tool's marks, and the requests that delete them."""
    existing = sheet.get("conditionalFormats", [])
    reqs = [
        {"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": index}}
        for index in reversed(range(len(existing)))
        if _is_mark_rule(existing[index])
    ]
    kept = [rule for rule in existing if not _is_mark_rule(rule)]
    return {**sheet, "conditionalFormats": kept}, reqs


def mark_requests(sheet: Json, layout: TabLayout, sheet_id: int) -> list[Json]:
    """Replace the tool's mark on values to fix: first of the tab's rules, so it shows.

    Google applies only the first rule that matches a cell, so the mark goes at index 0,
    above the row colours; without cells to mark it is only removed.
    """
    if layout.marks is None:
        return []
    reqs: list[Json] = []
    existing = sheet.get("conditionalFormats", [])
    for index in reversed(range(len(existing))):
        if _is_mark_rule(existing[index]):
            reqs.append({"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": index}})
    rule = _mark_rule(layout, sheet_id)
    if rule is not None:
        reqs.append({"addConditionalFormatRule": {"index": 0, "rule": rule}})
    return reqs


def _rule_requests(sheet: Json, layout: TabLayout, sheet_id: int, columns: int) -> list[Json]:
    """Replace the tool's earlier conditional formats (same shape) with the layout's.

    The mark on values to fix stays first: the layout's when it has marks, else the one
    the sheet holds, put back as it was.
    """
    reqs: list[Json] = []
    shapes = {formula_shape(r.formula) for r in layout.rules}
    existing = sheet.get("conditionalFormats", [])
    marks: list[Json] = []
    for index in reversed(range(len(existing))):
        formula = _rule_formula(existing[index])
        if formula is not None and (formula_shape(formula) in shapes or is_mark(formula)):
            reqs.append({"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": index}})
            if is_mark(formula):
                marks.insert(0, existing[index])
    if layout.marks is not None:
        wanted = _mark_rule(layout, sheet_id)
        marks = [wanted] if wanted is not None else []
    for mark in marks:
        kept = {k: v for k, v in mark.items() if k in ("ranges", "booleanRule")}
        reqs.append({"addConditionalFormatRule": {"index": 0, "rule": kept}})
    for index, rule in enumerate(layout.rules, start=len(marks)):
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
    return reqs


def _protection_requests(sheet: Json, layout: TabLayout, sheet_id: int) -> list[Json]:
    """Replace the tool's edit warnings with one per computed column."""
    reqs: list[Json] = []
    for p in sheet.get("protectedRanges", []):
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
    return reqs


def _tab_protection_requests(sheet: Json, layout: TabLayout, sheet_id: int) -> list[Json]:
    """The edit warning over the whole tab, once: never a second one."""
    if not layout.protect_tab or _tab_protected(sheet, sheet_id):
        return []
    return [
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": sheet_id},
                    "description": f"{TAB_PROTECTION} {layout.name}",
                    "warningOnly": True,
                }
            }
        }
    ]


def _chart_spec(chart: Chart, sheet_id: int) -> Json:
    """A stacked column chart of ``chart.source``: its first row names the series (one
    header row), its first column holds the categories, each other column is a series."""
    box = parse_range(chart.source)
    if box is None or box.right is None:
        raise ValueError(f"not a chart source: {chart.source}")

    def column(col: int) -> Json:
        grid: Json = {
            "sheetId": sheet_id,
            "startRowIndex": box.top,
            "startColumnIndex": col,
            "endColumnIndex": col + 1,
        }
        if box.bottom is not None:
            grid["endRowIndex"] = box.bottom + 1
        return {"sourceRange": {"sources": [grid]}}

    series: list[Json] = []
    for index, col in enumerate(range(box.left + 1, box.right + 1)):
        one: Json = {"series": column(col), "targetAxis": "LEFT_AXIS"}
        if index < len(chart.colors) and chart.colors[index]:
            one["colorStyle"] = {"rgbColor": rgb(chart.colors[index])}
        series.append(one)
    return {
        "title": chart.title,
        "basicChart": {
            "chartType": "COLUMN",
            "stackedType": "STACKED",
            "legendPosition": "RIGHT_LEGEND",
            "headerCount": 1,
            "axis": [{"position": "BOTTOM_AXIS"}, {"position": "LEFT_AXIS"}],
            "domains": [{"domain": column(box.left)}],
            "series": series,
        },
    }


def chart_requests(sheet: Json, layout: TabLayout, sheet_id: int) -> list[Json]:
    """Replace the tool's chart (the tab's charts of its title) unless it is there as wanted.

    A chart of another title is a person's: it is never touched.
    """
    wanted = layout.chart
    if wanted is None:
        return []
    ours = [c for c in sheet.get("charts", []) if c.get("spec", {}).get("title") == wanted.title]
    if len(ours) == 1 and has_chart(TabFormatting(charts=(_chart(ours[0], sheet_id),)), wanted):
        return []
    reqs: list[Json] = [{"deleteEmbeddedObject": {"objectId": c["chartId"]}} for c in ours]
    cell = split_ref(wanted.anchor)
    if cell is None:
        raise ValueError(f"not a cell: {wanted.anchor}")
    row, col = cell
    reqs.append(
        {
            "addChart": {
                "chart": {
                    "spec": _chart_spec(wanted, sheet_id),
                    "position": {
                        "overlayPosition": {
                            "anchorCell": {
                                "sheetId": sheet_id,
                                "rowIndex": row,
                                "columnIndex": col,
                            },
                            "widthPixels": CHART_WIDTH,
                            "heightPixels": CHART_HEIGHT,
                        }
                    },
                }
            }
        }
    )
    return reqs


def _column_requests(layout: TabLayout, sheet_id: int, *, new_tab: bool) -> list[Json]:
    """Number formats of data columns, and (on a new tab) column widths and wrapped text."""
    reqs: list[Json] = []
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
    for col, chars in layout.widths if new_tab else ():
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
    for col in layout.center if new_tab else ():
        reqs.append(
            {
                "repeatCell": {
                    "range": _column_range(sheet_id, col),
                    "cell": {"userEnteredFormat": {"horizontalAlignment": "CENTER"}},
                    "fields": "userEnteredFormat.horizontalAlignment",
                }
            }
        )
    for col in layout.wrap if new_tab else ():
        reqs.append(
            {
                "repeatCell": {
                    "range": _column_range(sheet_id, col),
                    "cell": {
                        "userEnteredFormat": {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}
                    },
                    "fields": "userEnteredFormat.wrapStrategy,userEnteredFormat.verticalAlignment",
                }
            }
        )
    return reqs


def install(
    sheet: Json, layout: TabLayout, sheet_id: int, *, new_tab: bool, columns: int
) -> list[Json]:
    """Requests that (re)install a tab's layout, replacing the tool's own earlier rules."""
    existing = sheet if not new_tab else {}
    reqs: list[Json] = [
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        }
    ]
    if layout.headers:
        reqs.append(_header_style(sheet_id, 0, len(layout.headers), HEADER_FILL))
    for col in sorted(layout.computed):
        reqs.append(_header_style(sheet_id, col, col + 1, COMPUTED_FILL))
    reqs += [_dropdown_request(sheet_id, v) for v in layout.validations]
    reqs += _rule_requests(existing, layout, sheet_id, columns)
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
    reqs += _protection_requests(existing, layout, sheet_id)
    reqs += _tab_protection_requests(existing, layout, sheet_id)
    reqs += chart_requests(existing, layout, sheet_id)
    return reqs + _column_requests(layout, sheet_id, new_tab=new_tab)


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
        dated = any(_is_formatted(u) for u in run)
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
        if run and _is_formatted(update) != _is_formatted(run[-1]):
            flush()
        run.append(update)
    flush()
    return reqs


def _is_formatted(update: CellUpdate) -> bool:
    """Whether the cell's value carries a number format (a date, a percent...)."""
    value = update.value
    if isinstance(value, dt.date):
        return True
    return (
        update.format in CELL_FORMATS
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    )


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


def grow_requests(
    cells: Sequence[CellUpdate], ids: dict[str, int], sizes: dict[str, Json]
) -> list[Json]:
    """appendDimension where writes land beyond a sheet's grid (Google rejects them otherwise)."""
    reqs = []
    for tab in sorted({u.tab for u in cells}):
        rows = max(u.row for u in cells if u.tab == tab) + 1
        cols = max(u.col for u in cells if u.tab == tab) + 1
        have_rows = int(sizes.get(tab, {}).get("rowCount", DEFAULT_ROWS))
        have_cols = int(sizes.get(tab, {}).get("columnCount", DEFAULT_COLUMNS))
        if rows > have_rows:
            reqs.append(
                {
                    "appendDimension": {
                        "sheetId": ids[tab],
                        "dimension": "ROWS",
                        "length": rows - have_rows,
                    }
                }
            )
        if cols > have_cols:
            reqs.append(
                {
                    "appendDimension": {
                        "sheetId": ids[tab],
                        "dimension": "COLUMNS",
                        "length": cols - have_cols,
                    }
                }
            )
    return reqs


def row_requests(
    shifts: Sequence[RowShift], ids: dict[str, int], sizes: Mapping[str, Mapping[str, Any]]
) -> list[Json]:
    """moveDimension requests for each shift's row moves. A new row is one of the
    grid's empty rows below what was read, moved up, while there is one (so the grid
    does not grow by a row for every finding that ever appears); then insertDimension."""
    reqs: list[Json] = []
    for shift in shifts:
        if shift.tab not in ids:
            continue
        sheet_id = ids[shift.tab]
        grid_rows = int(sizes.get(shift.tab, {}).get("rowCount", DEFAULT_ROWS))
        used = shift.rows  # rows in use: below them the grid is empty
        for kind, row, to in shift.ops:
            if kind == "move":
                _move_row(reqs, sheet_id, row, to)
            elif used < grid_rows:
                _move_row(reqs, sheet_id, used, row)
                used += 1
            else:
                span = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": row,
                        "endIndex": row + 1}
                reqs.append({"insertDimension": {"range": span, "inheritFromBefore": row > 1}})
                used += 1
                grid_rows += 1
    return reqs


def _move_row(reqs: list[Json], sheet_id: int, row: int, to: int) -> None:
    """Append the move of one row; a row that follows the last move's rows, to follow
    them where they went, joins that move instead (one request per block of rows)."""
    last = reqs[-1].get("moveDimension") if reqs else None
    if last is not None and last["source"]["sheetId"] == sheet_id:
        start, end = last["source"]["startIndex"], last["source"]["endIndex"]
        dest = last["destinationIndex"]
        down = dest >= end and (row, to) == (start, dest)  # the next row, to the same place
        up = dest < start and (row, to) == (end, dest + end - start)  # the next, just below
        if down or up:
            last["source"]["endIndex"] = end + 1
            return
    source = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": row, "endIndex": row + 1}
    reqs.append({"moveDimension": {"source": source, "destinationIndex": to}})


def new_sheet_id(used: set[int]) -> int:
    """A sheetId not in ``used`` (the same one for the same workbook: repeatable)."""
    rng = random.Random(len(used))
    while True:
        candidate = rng.randrange(1, 2**31 - 1)
        if candidate not in used:
            return candidate
