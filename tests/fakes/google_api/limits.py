"""Google's size limits: 50,000 characters in a cell, 10,000,000 cells in a spreadsheet.

Both are refused with a 400 whose message is Google's (a values write says it plainly;
batchUpdate puts ``Invalid requests[i].<kind>: `` in front, as for every request).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.google_api.errors import RequestError
from tests.fakes.google_api.state import Spreadsheet

CELL_CHARACTERS = 50_000
SPREADSHEET_CELLS = 10_000_000
CELL_MESSAGE = (
    f"Your input contains more than the maximum of {CELL_CHARACTERS} characters in a single cell."
)
GRID_MESSAGE = (
    "This action would increase the number of cells in the workbook above the limit of "
    f"{SPREADSHEET_CELLS} cells."
)


def too_long(value: Any) -> bool:
    """Whether one written value is text over the cell limit."""
    return isinstance(value, str) and len(value) > CELL_CHARACTERS


def check_text(request: Any) -> None:
    """Refuse a batchUpdate request that puts too long a text in a cell."""
    stack = [request]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            entered = node.get("userEnteredValue")
            if isinstance(entered, dict) and any(too_long(v) for v in entered.values()):
                raise RequestError(CELL_MESSAGE)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def grid_cells(ss: Spreadsheet) -> int:
    """Every sheet's grid, in cells."""
    return sum(sheet.row_count * sheet.column_count for sheet in ss.sheets)


def check_grid(ss: Spreadsheet, before: int) -> None:
    """Refuse a request that grew the spreadsheet past the limit (the batch is undone)."""
    after = grid_cells(ss)
    if after > before and after > SPREADSHEET_CELLS:
        raise RequestError(GRID_MESSAGE)
