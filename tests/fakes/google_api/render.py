"""State -> API JSON: the Spreadsheet resource, GridData and CellData, as Google shapes them.

Google's habits mirrored here: empty fields are omitted (an empty cell in the middle of a row
is `{}`; trailing empty cells and rows are left out of rowData), `sheetId` 0 is omitted inside
GridRanges, colours drop zero components and come with their `...Style` twin.
"""

from __future__ import annotations

import functools
import math
import struct
from typing import Any

from tests.fakes.google_api import cellvalues as cv
from tests.fakes.google_api import fields as fieldmask
from tests.fakes.google_api.fields import jcopy
from tests.fakes.google_api.state import COL_PX, ROW_PX, Json, Sheet, Spreadsheet, effective

DEFAULT_FORMAT: Json = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def _theme_color(kind: str, rgb: Json) -> Json:
    return {"colorType": kind, "color": {"rgbColor": rgb}}


THEME: Json = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        _theme_color("TEXT", {}),
        _theme_color("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
        _theme_color("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
        _theme_color("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
        _theme_color("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
        _theme_color("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
        _theme_color("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
        _theme_color("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
        _theme_color("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
    ],
}


def spreadsheet_properties(title: str, locale: str, time_zone: str) -> Json:
    return {
        "title": title,
        "locale": locale,
        "autoRecalc": "ON_CHANGE",
        "timeZone": time_zone,
        "defaultFormat": jcopy(DEFAULT_FORMAT),
        "spreadsheetTheme": jcopy(THEME),
    }


# ------------------------------------------------------------------ small normalisers


@functools.lru_cache(maxsize=4096)
def _channel(v: Any) -> Any:
    """Sheets keeps 8 bits per channel and prints them as float32 (0.5 -> 0.49803922)."""
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return v
    q = math.floor(float(v) * 255 + 1e-6) / 255 if 0 <= v <= 1 else float(v)
    target = struct.unpack("f", struct.pack("f", q))[0]
    for digits in range(1, 10):
        short = float(f"{q:.{digits}g}")
        if struct.unpack("f", struct.pack("f", short))[0] == target:
            return cv.number_json(short)
    return cv.number_json(target)


def color(c: Json) -> Json:
    out = {k: _channel(v) for k, v in c.items()}
    return {k: v for k, v in out.items() if v not in (0, 0.0)}


def with_styles(fmt: Json) -> Json:
    """Colours in both forms (`backgroundColor` + `backgroundColorStyle.rgbColor`)."""
    out = jcopy(fmt)

    def pair(obj: Json, plain: str, style: str) -> None:
        if plain in obj and style not in obj:
            obj[style] = {"rgbColor": color(obj[plain])}
        elif style in obj and "rgbColor" in obj[style] and plain not in obj:
            obj[plain] = color(obj[style]["rgbColor"])
        if plain in obj:
            obj[plain] = color(obj[plain])
        if style in obj and "rgbColor" in obj[style]:
            obj[style]["rgbColor"] = color(obj[style]["rgbColor"])

    pair(out, "backgroundColor", "backgroundColorStyle")
    if isinstance(out.get("textFormat"), dict):
        pair(out["textFormat"], "foregroundColor", "foregroundColorStyle")
    for side in out.get("borders", {}).values():
        if isinstance(side, dict):
            pair(side, "color", "colorStyle")
    return out


def grid_range(gr: Json) -> Json:
    out = {k: v for k, v in gr.items() if not (k == "sheetId" and not v)}
    return out


def dimension_range(dr: Json) -> Json:
    return {k: v for k, v in dr.items() if not (k == "sheetId" and not v)}


def deep_merge(base: Json, over: Json) -> Json:
    out = jcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = jcopy(v)
    return out


def _numbers(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _numbers(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_numbers(v) for v in obj]
    if isinstance(obj, float):
        return cv.number_json(obj)
    return obj


# ------------------------------------------------------------------ cells


class CellRenderer:
    """Renders CellData, computing only what the mask asks for; formats are cached by value."""

    def __init__(
        self, locale: str, default_format: Json, mask: fieldmask.Tree | None = None
    ) -> None:
        self.locale = locale
        self.default = default_format
        self.mask = mask
        self._effective: dict[str, Json] = {}
        self._user: dict[str, Json] = {}
        self._format_only: dict[str, Json] = {}

    def want(self, name: str) -> bool:
        return self.mask is None or name in self.mask

    def sub(self, name: str) -> fieldmask.Tree | None:
        return None if self.mask is None else self.mask[name]

    def effective_format(self, user_fmt: Json | None) -> Json:
        key = repr(user_fmt)
        if key not in self._effective:
            full = with_styles(deep_merge(self.default, user_fmt or {}))
            self._effective[key] = fieldmask.select(full, self.sub("effectiveFormat"))
        return self._effective[key]

    def user_format(self, user_fmt: Json) -> Json:
        key = repr(user_fmt)
        if key not in self._user:
            self._user[key] = fieldmask.select(with_styles(user_fmt), self.sub("userEnteredFormat"))
        return self._user[key]

    def render(self, cell: Json) -> Json:
        """CellData of a stored cell ({} when empty), already masked."""
        if not cell:
            return {}
        if len(cell) == 1 and "userEnteredFormat" in cell:  # formatted, empty: the common case
            key = repr(cell["userEnteredFormat"])
            if key not in self._format_only:
                self._format_only[key] = self._render(cell)
            return self._format_only[key]
        return self._render(cell)

    def _render(self, cell: Json) -> Json:
        fast = self._plain(cell)
        if fast is not None:
            return fast
        out: Json = {}
        uev = cell.get("userEnteredValue")
        if uev and self.want("userEnteredValue"):
            out["userEnteredValue"] = fieldmask.select(_numbers(uev), self.sub("userEnteredValue"))
        user_fmt = cell.get("userEnteredFormat")
        ev, link = effective(cell)
        if ev and self.want("effectiveValue"):
            out["effectiveValue"] = fieldmask.select(_numbers(ev), self.sub("effectiveValue"))
        if ev and self.want("formattedValue"):
            number_format = (user_fmt or {}).get("numberFormat") or self.default.get("numberFormat")
            text = cv.formatted_value(ev, number_format, self.locale)
            if text is not None:
                out["formattedValue"] = text
        if user_fmt and self.want("userEnteredFormat"):
            out["userEnteredFormat"] = self.user_format(user_fmt)
        if (ev or user_fmt) and self.want("effectiveFormat"):
            out["effectiveFormat"] = self.effective_format(user_fmt)
        if link and uev and self.want("hyperlink"):
            out["hyperlink"] = link
        for key in ("note", "textFormatRuns", "dataValidation"):
            if cell.get(key) and self.want(key):
                out[key] = fieldmask.select(cell[key], self.sub(key))
        return out


    def _plain(self, cell: Json) -> Json | None:
        """The same CellData as _render for a typed value (no formula, link or note), fast.

        A big read is mostly such cells; _render's general path made the fake, not the
        client under test, the slow end of a benchmark.
        """
        uev = cell.get("userEnteredValue")
        if not uev or len(uev) != 1 or len(cell) > 2 or self.want("formattedValue"):
            return None
        user_fmt = cell.get("userEnteredFormat")
        if len(cell) == 2 and user_fmt is None:
            return None
        if user_fmt and "textFormat" in user_fmt:
            return None  # it may carry a link
        ((kind, value),) = uev.items()
        if kind == "formulaValue":
            return None
        if kind == "numberValue":
            value = cv.number_json(value)
        out: Json = {}
        for name in ("userEnteredValue", "effectiveValue"):
            if self.want(name):
                sub = self.sub(name)
                out[name] = {kind: value} if sub is None or kind in sub else {}
        if user_fmt and self.want("userEnteredFormat"):
            out["userEnteredFormat"] = self.user_format(user_fmt)
        if self.want("effectiveFormat"):
            out["effectiveFormat"] = self.effective_format(user_fmt)
        return out


def cell_data(cell: Json, locale: str, default_format: Json) -> Json:
    """Full CellData of a stored cell ({} when empty)."""
    return jcopy(CellRenderer(locale, default_format).render(cell))


def _dimension_meta(meta: Json | None, default_px: int, extra: list[Json]) -> Json:
    out: Json = {}
    if meta and meta.get("hiddenByUser"):
        out["hiddenByUser"] = True
    out["pixelSize"] = (meta or {}).get("pixelSize", default_px)
    if extra:
        out["developerMetadata"] = extra
    return out


def grid_data(
    ss: Spreadsheet,
    sheet: Sheet,
    box: tuple[int, int, int, int],
    cell_mask: fieldmask.Tree | None = None,
) -> Json:
    """GridData for a box. `cell_mask` (the mask below rowData.values) trims before omitting."""
    r0, r1, c0, c1 = box
    renderer = CellRenderer(ss.locale, ss.props.get("defaultFormat", DEFAULT_FORMAT), cell_mask)
    out: Json = {}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    by_row: dict[int, list[int]] = {}
    for r, c in sheet.cells:
        if r0 <= r < r1 and c0 <= c < c1:
            by_row.setdefault(r, []).append(c)
    rows: list[Json] = []
    for r in range(r0, (max(by_row) + 1) if by_row else r0):
        values: list[Json] = []
        for c in range(c0, max(by_row.get(r, [c0 - 1])) + 1):
            values.append(renderer.render(sheet.cell(r, c)))
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    if rows:
        out["rowData"] = rows
    row_dm = _dimension_dev_meta(ss, sheet, "ROWS")
    col_dm = _dimension_dev_meta(ss, sheet, "COLUMNS")
    out["rowMetadata"] = [
        _dimension_meta(sheet.row_meta.get(r), ROW_PX, row_dm.get(r, [])) for r in range(r0, r1)
    ]
    out["columnMetadata"] = [
        _dimension_meta(sheet.col_meta.get(c), COL_PX, col_dm.get(c, [])) for c in range(c0, c1)
    ]
    return out


def _dimension_dev_meta(ss: Spreadsheet, sheet: Sheet, dim: str) -> dict[int, list[Json]]:
    out: dict[int, list[Json]] = {}
    for meta in ss.dev_meta:
        dr = meta.get("location", {}).get("dimensionRange")
        if dr and int(dr.get("sheetId", 0)) == sheet.sheet_id and dr.get("dimension") == dim:
            for i in range(int(dr.get("startIndex", 0)), int(dr["endIndex"])):
                out.setdefault(i, []).append(developer_metadata(meta))
    return out


# ------------------------------------------------------------------ metadata & rules


def developer_metadata(meta: Json) -> Json:
    out = jcopy(meta)
    loc = out.setdefault("location", {})
    if loc.get("spreadsheet"):
        out["location"] = {"locationType": "SPREADSHEET", "spreadsheet": True}
    elif "sheetId" in loc and "dimensionRange" not in loc:
        out["location"] = {"locationType": "SHEET", "sheetId": loc["sheetId"]}
    elif "dimensionRange" in loc:
        dr = loc["dimensionRange"]
        kind = "ROW" if dr.get("dimension") == "ROWS" else "COLUMN"
        out["location"] = {"locationType": kind, "dimensionRange": dimension_range(dr)}
    return out


def cond_format(rule: Json) -> Json:
    out = jcopy(rule)
    out["ranges"] = [grid_range(g) for g in out.get("ranges", [])]
    boolean = out.get("booleanRule")
    if boolean and "format" in boolean:
        boolean["format"] = with_styles(boolean["format"])
    return _numbers(out)  # type: ignore[no-any-return]


def protected_range(pr: Json) -> Json:
    out = jcopy(pr)
    if "range" in out:
        out["range"] = grid_range(out["range"])
    if "unprotectedRanges" in out:
        out["unprotectedRanges"] = [grid_range(g) for g in out["unprotectedRanges"]]
    return out


def _chart_ranges(data: Json) -> None:
    source = data.get("sourceRange")
    if isinstance(source, dict) and "sources" in source:
        source["sources"] = [grid_range(g) for g in source["sources"]]


def _twin(obj: Json) -> None:
    """``color`` and ``colorStyle.rgbColor`` both, as Google answers a colour it was given."""
    if "color" in obj and "colorStyle" not in obj:
        obj["colorStyle"] = {"rgbColor": obj["color"]}
    elif "rgbColor" in obj.get("colorStyle", {}) and "color" not in obj:
        obj["color"] = obj["colorStyle"]["rgbColor"]
    if "color" in obj:
        obj["color"] = color(obj["color"])
    if "rgbColor" in obj.get("colorStyle", {}):
        obj["colorStyle"]["rgbColor"] = color(obj["colorStyle"]["rgbColor"])


def chart(stored: Json) -> Json:
    """An EmbeddedChart as Google shows it: colours twinned, zero indexes left out."""
    out = jcopy(stored)
    spec = out.get("spec", {})
    basic = spec.get("basicChart", {})
    for domain in basic.get("domains", []):
        _chart_ranges(domain.get("domain", {}))
    for series in basic.get("series", []):
        _chart_ranges(series.get("series", {}))
        _twin(series)
    overlay = out.get("position", {}).get("overlayPosition", {})
    if "anchorCell" in overlay:
        overlay["anchorCell"] = {k: v for k, v in overlay["anchorCell"].items() if v}
    for key in ("offsetXPixels", "offsetYPixels"):
        if not overlay.get(key):
            overlay.pop(key, None)
    if isinstance(out.get("border"), dict):
        _twin(out["border"])
    return _numbers(out)  # type: ignore[no-any-return]


def sheet_properties(sheet: Sheet) -> Json:
    p = sheet.props
    out: Json = {
        "sheetId": p["sheetId"],
        "title": p["title"],
        "index": p.get("index", 0),
        "sheetType": p.get("sheetType", "GRID"),
    }
    grid = p.get("gridProperties", {})
    g: Json = {"rowCount": sheet.row_count, "columnCount": sheet.column_count}
    for key in ("frozenRowCount", "frozenColumnCount"):
        if grid.get(key):
            g[key] = grid[key]
    for key in ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter"):
        if grid.get(key):
            g[key] = True
    out["gridProperties"] = g
    if p.get("hidden"):
        out["hidden"] = True
    tab = p.get("tabColorStyle") or ({"rgbColor": p["tabColor"]} if p.get("tabColor") else None)
    if tab:
        out["tabColorStyle"] = {"rgbColor": color(tab["rgbColor"])} if "rgbColor" in tab else tab
    if p.get("rightToLeft"):
        out["rightToLeft"] = True
    return out


def sheet_resource(ss: Spreadsheet, sheet: Sheet, data: list[Json] | None) -> Json:
    out: Json = {"properties": sheet_properties(sheet)}
    if data is not None:
        out["data"] = data
    if sheet.merges:
        out["merges"] = [grid_range(m) for m in sheet.merges]
    if sheet.cond_formats:
        out["conditionalFormats"] = [cond_format(r) for r in sheet.cond_formats]
    if sheet.protected:
        out["protectedRanges"] = [protected_range(p) for p in sheet.protected]
    if sheet.charts:
        out["charts"] = [chart(c) for c in sheet.charts]
    if sheet.basic_filter is not None:
        bf = jcopy(sheet.basic_filter)
        bf["range"] = grid_range(bf.get("range", {}))
        out["basicFilter"] = bf
    metas = [
        developer_metadata(m)
        for m in ss.dev_meta
        if m.get("location", {}).get("sheetId") == sheet.sheet_id
        and "dimensionRange" not in m.get("location", {})
    ]
    if metas:
        out["developerMetadata"] = metas
    return out


def spreadsheet_resource(
    ss: Spreadsheet,
    data: dict[int, list[Json]] | None,
    only_sheets: set[int] | None = None,
) -> Json:
    """The Spreadsheet resource. `data`: sheetId -> GridData list (None: no grid data)."""
    sheets = []
    for sheet in ss.sheets:
        if only_sheets is not None and sheet.sheet_id not in only_sheets:
            continue
        sheet_data = data.get(sheet.sheet_id) if data is not None else None
        sheets.append(sheet_resource(ss, sheet, sheet_data))
    out: Json = {
        "spreadsheetId": ss.spreadsheet_id,
        "properties": jcopy(ss.props),
        "sheets": sheets,
    }
    if ss.named_ranges:
        out["namedRanges"] = [
            {**jcopy(n), "range": grid_range(n.get("range", {}))} for n in ss.named_ranges
        ]
    metas = [developer_metadata(m) for m in ss.dev_meta if m.get("location", {}).get("spreadsheet")]
    if metas:
        out["developerMetadata"] = metas
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{ss.spreadsheet_id}/edit"
    return out
