"""A spreadsheet's read: its metadata, then every tab's values in one compact request.

1. ``spreadsheets.get`` with a field mask: spreadsheet and sheet properties, conditional
   formats, protected ranges, charts, developer metadata (the column anchors), and of the
   cells only what formatting restore compares (notes, bold, fill), for the header rows
   alone: its ranges name each tab's row 1 (the template's tabs, when the backend is told
   them; see ``GoogleBackend.expect_tabs``).
2. ``values:batchGet`` of every tab with the ``FORMULA`` render and dates as formatted
   strings: values are plain JSON (a tenth of the bytes of CellData), a formula comes as
   its text, and a date comes as it is shown, so a date typed into a number column is
   text there (VALUE-TYPE), never a serial number passed off as a number.
3. Only when the sheet needs it, ``spreadsheets.getByDataFilter`` of just the cells the
   values cannot settle, as CellData: formulas (their results; and a text that starts
   with ``=`` looks the same in the FORMULA render), error values (a text ``#N/A`` looks
   the same as the error), and dates in date columns shown in a way only Google can read
   back (their serial numbers and formats).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.a1 import column_letter, quote_tab
from sheets_sync.backends.base import CellValue, Link, RawTab
from sheets_sync.backends.google.cells import ERROR_CODES, iso_value, parse_link, read_cell
from sheets_sync.coerce import Locale, coerce_date
from sheets_sync.templates import normalize_header

META_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),developerMetadata,"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount)),"
    "conditionalFormats,protectedRanges(protectedRangeId,range,description,warningOnly),"
    "charts(chartId,spec(title,basicChart(domains,series)),position/overlayPosition/anchorCell),"
    "data(columnMetadata/developerMetadata(metadataId,metadataKey,metadataValue),"
    "rowData/values(note,userEnteredFormat(textFormat/bold,backgroundColor))))"
)
VALUES = {
    "valueRenderOption": "FORMULA",
    "dateTimeRenderOption": "FORMATTED_STRING",
    "majorDimension": "ROWS",
}
#: What the look-up asks of each cell: what the read of a whole CellData used to.
LOOKUP_FIELDS = (
    "sheets(properties/title,data(startRow,startColumn,rowData/values("
    "userEnteredValue,effectiveValue,effectiveFormat/numberFormat/type,hyperlink)))"
)
#: A header row is looked for this far down (people add title rows above it).
HEADER_SEARCH_ROWS = 20
_HYPERLINK = re.compile(
    r'^=HYPERLINK\(\s*"((?:[^"]|"")*)"\s*[,;]\s*"((?:[^"]|"")*)"\s*\)$', re.IGNORECASE
)
_ERRORS = frozenset(ERROR_CODES.values())
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})$")


def _real(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return False
    return True


def needs_lookup(text: str, locale: Locale) -> bool:
    """Whether a date column's shown text needs its cell looked up to be read for sure.

    Not when it can be no date at all (``TBD``; ``31/02/2026``: Google shows only real
    dates), nor when it reads as one date in any locale (``22 Jul 2026``). Yes for day,
    month and year in digits that make a real date (``11/13/2026``): the values cannot
    tell that date from the same text typed as text, which the tables read with the
    configured locale, not the spreadsheet's. Yes too for a date shown in a way only
    Google can read back (``Tuesday, November 3``).
    """
    if not any(ch.isdigit() for ch in text):
        return False
    m = _NUMERIC.match(text.strip())
    if m:
        a, b, year = int(m[1]), int(m[3]), int(m[4])
        return _real(year, b, a) or _real(year, a, b)
    return not isinstance(coerce_date(text, locale), dt.date)


def hyperlink(formula: str, titles: Mapping[int, str]) -> CellValue | None:
    """The value of ``=HYPERLINK("#gid=…&range=B7","B7")``, the link the tool writes to a
    cell of this spreadsheet: a Link. None for any other formula (a link elsewhere too),
    whose result must be looked up."""
    m = _HYPERLINK.match(formula)
    if m is None:
        return None
    target, text = m[1].replace('""', '"'), m[2].replace('""', '"')
    inside = parse_link(target, dict(titles))
    return Link(text, inside[0], inside[1]) if inside is not None else None


def date_columns(rows: list[list[Any]], headers: Collection[str]) -> set[int]:
    """The columns under any of ``headers`` (normalized) in the first row that has one."""
    if not headers:
        return set()
    for row in rows[:HEADER_SEARCH_ROWS]:
        found = {
            c for c, v in enumerate(row)
            if isinstance(v, str) and v and normalize_header(v) in headers
        }
        if found:
            return found
    return set()


@dataclass
class TabRead:
    """One tab as read, and the cells whose value needs a second look."""

    tab: RawTab
    date_cols: set[int]
    #: (row, col) of the cells the values cannot settle: formulas, error values, dates
    #: shown so only Google can read them back
    lookups: list[tuple[int, int]] = field(default_factory=list)


def read_tab(
    title: str,
    rows: list[list[Any]],
    titles: Mapping[int, str],
    date_headers: Collection[str],
    locale: Locale | None = None,
    *,
    links: bool = False,
) -> TabRead:
    """A tab from its values (FORMULA render, dates as shown).

    ``links``: the tab is one the tool generates, whose ``=HYPERLINK("#gid=…","B7")``
    links are read without a look-up. Anywhere else text that starts with ``=`` may be
    text (a person's quote-prefixed entry looks the same in this render), so it is
    looked up like every formula.
    """
    locale = locale or Locale()
    dates = date_columns(rows, date_headers)
    read = TabRead(RawTab(title, []), dates)
    formulas = read.tab.formulas
    for r, row in enumerate(rows):
        cells: list[CellValue] = []
        for c, v in enumerate(row):
            value: CellValue
            if v == "" or v is None:
                value = None
            elif isinstance(v, bool):
                value = v
            elif isinstance(v, int | float):
                value = float(v)
            else:
                text = str(v)
                if text.startswith("=") and len(text) > 1:
                    formulas[(r, c)] = text
                    value = hyperlink(text, titles) if links else None
                    if value is None:
                        read.lookups.append((r, c))
                elif text in _ERRORS:
                    value = text
                    read.lookups.append((r, c))  # an error, or the same text typed
                else:
                    value = iso_value(text)
                    if c in dates and isinstance(value, str):
                        if needs_lookup(value, locale):
                            read.lookups.append((r, c))
                        elif isinstance(parsed := coerce_date(value, locale), dt.date):
                            value = parsed  # a date shown as 22 Jul 2026, read as one
            cells.append(value)
        while cells and cells[-1] is None:
            cells.pop()
        read.tab.values.append(cells)
    while read.tab.values and not read.tab.values[-1]:
        read.tab.values.pop()
    return read


#: A run of cells to look up: (column, first row, last row).
Run = tuple[int, int, int]


def lookup_runs(cells: Iterable[tuple[int, int]]) -> list[Run]:
    """``cells`` as runs of consecutive rows in a column (one data filter each)."""
    runs: list[Run] = []
    for r, c in sorted(cells, key=lambda rc: (rc[1], rc[0])):
        if runs and runs[-1][0] == c and runs[-1][2] == r - 1:
            runs[-1] = (c, runs[-1][1], r)
        else:
            runs.append((c, r, r))
    return runs


def lookup_filter(title: str, run: Run) -> dict[str, Any]:
    """The a1Range data filter of one run."""
    c, top, bottom = run
    letter = column_letter(c)
    return {"a1Range": f"{quote_tab(title)}!{letter}{top + 1}:{letter}{bottom + 1}"}


def apply_lookup(read: TabRead, grids: list[dict[str, Any]], titles: Mapping[int, str]) -> None:
    """Put the looked-up cells (GridData with startRow/startColumn) into the tab."""
    wanted = set(read.lookups)
    for grid in grids:
        top, left = int(grid.get("startRow", 0)), int(grid.get("startColumn", 0))
        for dr, row in enumerate(grid.get("rowData", [])):
            for dc, cell in enumerate(row.get("values", [])):
                r, c = top + dr, left + dc
                if (r, c) in wanted:
                    _put(read, r, c, cell, titles)


def _put(read: TabRead, r: int, c: int, cell: dict[str, Any], titles: Mapping[int, str]) -> None:
    tab = read.tab
    value, formula = read_cell(cell, dict(titles))
    if formula is None:
        tab.formulas.pop((r, c), None)  # text that starts with "=", or an error value
    else:
        tab.formulas[(r, c)] = formula
    while len(tab.values) <= r:
        tab.values.append([])
    row = tab.values[r]
    while len(row) <= c:
        row.append(None)
    row[c] = value


__all__ = [
    "LOOKUP_FIELDS",
    "META_FIELDS",
    "VALUES",
    "TabRead",
    "apply_lookup",
    "date_columns",
    "hyperlink",
    "iso_value",
    "lookup_filter",
    "lookup_runs",
    "needs_lookup",
    "read_tab",
]
