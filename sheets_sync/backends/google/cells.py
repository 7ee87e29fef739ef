"""Sheets API CellData <-> the pipeline's cell values, and A1 <-> GridRange."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from urllib.parse import parse_qs

from sheets_sync.a1 import column_index, range_a1
from sheets_sync.backends.base import CellError, CellFormat, CellValue, Link
from sheets_sync.coerce import SERIAL_EPOCH, coerce_id
from sheets_sync.templates import normalize_header

ERROR_CODES = {
    "REF": "#REF!",
    "NAME": "#NAME?",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "N_A": "#N/A",
    "NUM": "#NUM!",
    "NULL_VALUE": "#NULL!",
    "ERROR": "#ERROR!",
    "LOADING": "#LOADING",
}
NUMBER_FORMATS: dict[CellFormat, dict[str, str]] = {
    "date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
    "percent": {"type": "PERCENT", "pattern": "0%"},
    "number": {"type": "NUMBER", "pattern": "#,##0.##"},
    "integer": {"type": "NUMBER", "pattern": "#,##0"},
    "decimal": {"type": "NUMBER", "pattern": "#,##0.00"},
}
#: Display formats a written number carries (``number`` leaves the cell's format alone).
CELL_FORMATS: frozenset[CellFormat] = frozenset({"percent", "integer", "decimal"})
_A1 = re.compile(r"^([A-Z]+)?(\d+)?$")


def serial_to_value(serial: float, kind: str | None) -> CellValue:
    """A number shown as a date or date-time becomes a date (or datetime).

    A number no date can hold (3000000 typed into a date column) stays a number, for the
    pipeline to report rather than crash on.
    """
    try:
        if kind == "DATE" or (kind == "DATE_TIME" and serial == int(serial)):
            return SERIAL_EPOCH + dt.timedelta(days=int(serial))
        if kind in ("DATE_TIME", "TIME"):
            base = dt.datetime.combine(SERIAL_EPOCH, dt.time())
            return base + dt.timedelta(days=serial)
    except (OverflowError, ValueError):
        pass
    return serial


def date_to_serial(value: dt.date) -> float:
    if isinstance(value, dt.datetime):
        base = dt.datetime.combine(SERIAL_EPOCH, dt.time())
        return (value.replace(tzinfo=None) - base) / dt.timedelta(days=1)
    return float((value - SERIAL_EPOCH).days)


def parse_link(uri: str, titles: dict[int, str]) -> tuple[str, str] | None:
    """``#gid=123&range=B7`` -> (tab title, ``B7``) when it points inside this spreadsheet."""
    if not uri.startswith("#"):
        return None
    query = parse_qs(uri[1:])
    try:
        gid = int(query["gid"][0])
    except (KeyError, ValueError):
        return None
    title = titles.get(gid)
    if title is None:
        return None
    return title, query.get("range", ["A1"])[0]


def read_cell(cell: dict[str, Any], titles: dict[int, str]) -> tuple[CellValue, str | None]:
    """(value, formula) of one CellData from spreadsheets.get."""
    formula = cell.get("userEnteredValue", {}).get("formulaValue")
    ev = cell.get("effectiveValue")
    value: CellValue = None
    if ev:
        if "numberValue" in ev:
            kind = cell.get("effectiveFormat", {}).get("numberFormat", {}).get("type")
            value = serial_to_value(float(ev["numberValue"]), kind)
        elif "stringValue" in ev:
            value = str(ev["stringValue"])
        elif "boolValue" in ev:
            value = bool(ev["boolValue"])
        elif "errorValue" in ev:
            value = CellError(ERROR_CODES.get(ev["errorValue"].get("type", ""), "#ERROR!"))
    link = cell.get("hyperlink")
    if isinstance(link, str) and isinstance(value, str):
        target = parse_link(link, titles)
        if target is not None:
            value = Link(value, target[0], target[1])
    return value, formula


def cell_data(value: CellValue, fmt: CellFormat, sheet_ids: dict[str, int]) -> dict[str, Any]:
    """CellData for updateCells: typed values, text never parsed (so never a formula)."""
    if value is None:
        return {}
    if isinstance(value, Link):
        gid = sheet_ids.get(value.tab, 0)
        return {
            "userEnteredValue": {"stringValue": value.text},
            "textFormatRuns": [
                {"startIndex": 0, "format": {"link": {"uri": f"#gid={gid}&range={value.a1}"}}}
            ],
        }
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, dt.date):
        return {
            "userEnteredValue": {"numberValue": date_to_serial(value)},
            "userEnteredFormat": {"numberFormat": NUMBER_FORMATS["date"]},
        }
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return {"userEnteredValue": {"stringValue": str(value)}}
        if fmt in CELL_FORMATS:
            return {
                "userEnteredValue": {"numberValue": value},
                "userEnteredFormat": {"numberFormat": NUMBER_FORMATS[fmt]},
            }
        return {"userEnteredValue": {"numberValue": value}}
    if isinstance(value, CellError):
        return {"userEnteredValue": {"stringValue": value.code}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def grid_range(a1: str, sheet_id: int, columns: int | None = None) -> dict[str, int]:
    """``B2:C10000`` -> a GridRange; rows run to the bottom (so rows added later are covered)."""
    first, _, last = a1.partition(":")
    start = _A1.match(first)
    end = _A1.match(last or first)
    if start is None or end is None:
        raise ValueError(f"not an A1 range: {a1}")
    out = {"sheetId": sheet_id}
    if start[1]:
        out["startColumnIndex"] = column_index(start[1])
    if end[1]:
        end_col = column_index(end[1]) + 1
        out["endColumnIndex"] = min(end_col, columns) if columns else end_col
    if start[2]:
        out["startRowIndex"] = int(start[2]) - 1
    return out


def grid_a1(grid: dict[str, Any]) -> str:
    """A GridRange as A1 (``F2:F``: no end row, to the bottom), the reverse of grid_range."""
    end_row, end_col = grid.get("endRowIndex"), grid.get("endColumnIndex")
    return range_a1(
        int(grid.get("startRowIndex", 0)),
        int(grid.get("startColumnIndex", 0)),
        int(end_row) - 1 if end_row is not None else None,
        int(end_col) - 1 if end_col is not None else None,
    )


def rgb(hex_color: str) -> dict[str, float]:
    """``F4CCCC`` -> the API's 0..1 colour."""
    h = hex_color.lstrip("#")[-6:]
    return {
        k: round(int(h[i : i + 2], 16) / 255, 4) for k, i in (("red", 0), ("green", 2), ("blue", 4))
    }


def hex_colour(api: dict[str, Any]) -> str:
    """The API's 0..1 colour -> ``F4CCCC`` (a missing channel is 0)."""
    return "".join(
        f"{round(float(api.get(k, 0.0)) * 255):02X}" for k in ("red", "green", "blue")
    )


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def iso_value(text: str) -> CellValue:
    """``2026-11-03`` (how the tool's date format shows a date) as a date, and a date-time
    shown ``2026-11-03 14:30:00`` as one; any other text unchanged."""
    if len(text) < 10 or text[4] != "-":
        return text  # most text: no regex needed to tell
    m = _ISO_DATE.match(text)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _ISO_TIME.match(text)
        if m:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]),
                               int(m[6] or 0))
    except ValueError:
        pass  # 2026-02-31 is text that looks like a date, not one
    return text


def guard_text(value: object) -> str:
    """A value as the write guard compares it with what its re-read gives."""
    # The guard's re-read (values.batchGet, unformatted) gives an error as its text and a
    # date as its serial number: compare the read's CellError and dates the same way. Text
    # that looks like an ISO date is the date the values read made of it: that read cannot
    # tell the two apart.
    if isinstance(value, str):
        value = iso_value(value)
    if isinstance(value, CellError):
        value = value.code
    elif isinstance(value, dt.date):
        value = date_to_serial(value)
    if isinstance(value, float):
        value = round(value, 6)  # a date-time's serial, back and forth through timedelta
    typed = coerce_id(value)  # type: ignore[arg-type]
    return normalize_header(typed) if isinstance(typed, str) else ""


def trim(values: list[str]) -> list[str]:
    """``values`` without its trailing blanks."""
    while values and not values[-1]:
        values.pop()
    return values
