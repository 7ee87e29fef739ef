"""The two "usual gspread approaches" the benchmark compares sheets-sync against.

(b) :func:`dataframe_round_trip`: gspread-dataframe. Every input tab is read with
    ``get_as_dataframe``, the computed columns are filled with pandas
    (:mod:`bench.pandas_rules`), and every tab that has computed columns is written back whole
    with ``set_with_dataframe``.
(c) :func:`naive_per_row`: plain gspread. Every input tab is read with
    ``ws.get_all_values()``, the same columns are computed, and each row whose computed cells
    differ from the sheet gets its own ``ws.update`` request.

Both are written the way a careful user would write them, so that they give the same cell
values as sheets-sync on clean data and do not damage what people typed (what they cost is
the point of the comparison). Their known limits, by design of the approach:

- The Issues columns and the Issues and Dashboard tabs are not maintained, and no findings
  are reported (only the computed columns are).
- (b) rewrites every cell of Goals, KPIs and RACI. A formula a person typed in those tabs is
  read by its value and written back as that value; a date in a column the template does not
  declare as a date comes back as its text (the values API returns dates as formatted text).
- Neither checks that rows stayed where they were read (no guard): an edit made between the
  read and the write can be overwritten (b) or misplace computed values (c).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from bench import pandas_rules as rules

INPUT_TABS = ("People", "Goals", "KPIs", "KPI Log", "RACI", "Reviews")
WRITTEN_TABS = ("Goals", "KPIs", "RACI")


def _spreadsheet(client: Any, spreadsheet_id: str) -> Any:
    """A ``gspread.Spreadsheet`` from a client (one metadata request) or as given."""
    import gspread

    if isinstance(client, gspread.Spreadsheet):
        return client
    return client.open_by_key(spreadsheet_id)


def worksheets(sh: Any) -> dict[str, Any]:
    """Input tabs by template name (tab titles matched case-insensitively), in one request."""
    by_title = {ws.title.strip().casefold(): ws for ws in sh.worksheets()}
    return {tab: by_title[tab.casefold()] for tab in INPUT_TABS if tab.casefold() in by_title}


def _serials(s: pd.Series) -> pd.Series:
    """Date cells as serial numbers (day 0 = 1899-12-30); other cells as they were.

    Written into a date-formatted cell, a serial number stays a date in that cell's own
    format, just as sheets-sync writes dates.
    """
    d = rules.dates(s)
    serial = (d - rules.EPOCH).dt.days
    out = s.astype(object).copy()
    pick = d.notna()
    out[pick] = [int(v) for v in serial[pick]]
    return out


# ------------------------------------------------------------------ (b) gspread-dataframe


def read_frame(ws: Any) -> pd.DataFrame:
    """``get_as_dataframe`` as a careful user calls it, trailing blank rows/columns dropped.

    ``dtype=object`` and ``na_values=[""]`` keep each cell as the API returned it (no
    ``"00123"`` -> 123, no ``"N/A"`` -> NaN); blank rows and unnamed columns inside the data
    are kept, so the frame can be written back to the same cells.
    """
    from gspread_dataframe import get_as_dataframe

    frame = get_as_dataframe(
        ws,
        evaluate_formulas=True,
        dtype=object,
        keep_default_na=False,
        na_values=[""],
        drop_empty_rows=False,
        drop_empty_columns=False,
    )
    filled = frame.notna().to_numpy()
    height = int(filled.any(axis=1).nonzero()[0].max()) + 1 if filled.any() else 0
    width = len(frame.columns)
    while width and not rules.norm(frame.columns[width - 1]) and not filled[:, width - 1].any():
        width -= 1
    return frame.iloc[:height, :width]


def _for_writing(tab: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as ``set_with_dataframe`` should send it: real headers, dates as serials."""
    out = frame.copy()
    date_headers = {rules.norm(h) for h in rules.DATE_COLUMNS.get(tab, ())}
    for i, label in enumerate(out.columns):
        if rules.norm(label) in date_headers:
            out.isetitem(i, _serials(out.iloc[:, i]))
    # gspread-dataframe names blank headers "Unnamed: N"; they are blank on the sheet.
    out.columns = [label if rules.norm(label) else "" for label in out.columns]
    return out


def dataframe_round_trip(client: Any, spreadsheet_id: str, as_of: dt.date) -> dict[str, int]:
    """The gspread-dataframe approach: read every tab, compute, write whole tabs back.

    Returns ``{"tabs_read", "tabs_written", "rows_written", "cells_written"}`` (cells sent,
    header rows included).
    """
    from gspread_dataframe import set_with_dataframe

    sh = _spreadsheet(client, spreadsheet_id)
    sheets = worksheets(sh)
    frames = {tab: read_frame(ws) for tab, ws in sheets.items()}
    computed = rules.compute(frames, as_of)
    cells = rows = written = 0
    for tab in WRITTEN_TABS:
        if tab not in sheets:
            continue
        frame = _for_writing(tab, computed[tab])
        # Every string is sent as a literal (a leading '), so nothing a person typed is
        # re-parsed as a number, date or formula; numbers and date serials go as numbers.
        set_with_dataframe(sheets[tab], frame, string_escaping="full")
        written += 1
        rows += len(frame)
        cells += (len(frame) + 1) * len(frame.columns)
    return {
        "tabs_read": len(frames),
        "tabs_written": written,
        "rows_written": rows,
        "cells_written": cells,
    }


# ------------------------------------------------------------------ (c) naive gspread


def read_values(ws: Any) -> list[list[Any]]:
    """``ws.get_all_values()``, numbers as numbers and dates as their text."""
    from gspread.utils import DateTimeOption, ValueRenderOption

    return ws.get_all_values(
        value_render_option=ValueRenderOption.unformatted,
        date_time_render_option=DateTimeOption.formatted_string,
    )


def _differs(tab: str, header: str, old: pd.Series, new: pd.Series) -> pd.Series:
    """Per row: does the sheet's cell differ from the computed value?"""
    blank_old = rules.blank(old.to_frame())[old.name]
    blank_new = new.isna()
    if header in rules.DATE_COLUMNS.get(tab, ()):
        a, b = rules.dates(old), rules.dates(new)
        same = (a == b) | (a.isna() & b.isna() & ~(blank_old ^ blank_new))
    elif header in rules.NUMBER_COLUMNS.get(tab, ()):
        a, b = rules.numbers(old), rules.numbers(new)
        same = ((a - b).abs() <= 1e-9 * b.abs().clip(lower=1)) | (blank_old & blank_new)
    else:
        same = (old.astype(str) == new.astype(str)) | (blank_old & blank_new)
    return ~same


def _cell_value(tab: str, header: str, value: Any) -> Any:
    """What to send for one computed cell (RAW): dates as serials, blank as ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if header in rules.DATE_COLUMNS.get(tab, ()):
        return _serials(pd.Series([value], dtype=object)).iloc[0]
    if header in rules.NUMBER_COLUMNS.get(tab, ()):
        return float(value)
    return str(value)


def naive_per_row(client: Any, spreadsheet_id: str, as_of: dt.date) -> dict[str, int]:
    """Naive gspread: read every tab, compute, one ``ws.update`` per changed row.

    Returns ``{"tabs_read", "update_calls", "rows_updated", "cells_written"}``.
    """
    from gspread.utils import ValueInputOption, rowcol_to_a1

    sh = _spreadsheet(client, spreadsheet_id)
    sheets = worksheets(sh)
    frames = {tab: rules.frame_from_values(read_values(ws)) for tab, ws in sheets.items()}
    computed = rules.compute(frames, as_of)
    calls = cells = 0
    for tab in WRITTEN_TABS:
        if tab not in sheets or frames[tab].empty:
            continue
        old, new = frames[tab], computed[tab]
        targets = [
            (header, label)
            for header in rules.COMPUTED[tab]
            if (label := rules.column(old, header)) is not None
        ]
        if not targets:
            continue
        changed = pd.concat(
            [_differs(tab, h, old[label], new[label]) for h, label in targets], axis=1
        ).any(axis=1)
        positions = {label: old.columns.get_loc(label) for _, label in targets}
        first, last = min(positions.values()), max(positions.values())
        for index in changed[changed].index:
            row = [None] * (last - first + 1)  # None: leave that cell alone
            for header, label in targets:
                row[positions[label] - first] = _cell_value(tab, header, new.at[index, label])
            sheet_row = int(index) + 2  # 1-based, under the header row
            a1 = f"{rowcol_to_a1(sheet_row, first + 1)}:{rowcol_to_a1(sheet_row, last + 1)}"
            sheets[tab].update(values=[row], range_name=a1, value_input_option=ValueInputOption.raw)
            calls += 1
            cells += len(targets)
    return {
        "tabs_read": len(frames),
        "update_calls": calls,
        "rows_updated": calls,
        "cells_written": cells,
    }
