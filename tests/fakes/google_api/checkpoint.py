"""Undo for one write request: every write is all-or-nothing, as on Google.

Copying the whole spreadsheet before each write (what `Spreadsheet.snapshot` does) is exact but
costs seconds on a large spreadsheet, and the benchmark times this fake's answers. A checkpoint
copies only what the request can change:

- always: the spreadsheet's own state and every sheet's state apart from its cells (properties,
  merges, rules, charts...: small, and structural edits adjust them across sheets);
- the whole cell map of each sheet a structural request names (moving rows rebuilds it;
  see `JOURNALED` for the kinds that are not structural);
- for every other sheet, a cell journal: the first time a cell is changed through
  `Sheet.cell_for_write` or `Sheet.prune`, its value before is kept.

With `Checkpoint.verify` on (the fake's own tests turn it on), a rollback also compares the
restored spreadsheet with a full copy taken at the start, so a write path that changes cells
some other way fails loudly instead of leaving a half-applied request behind.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from tests.fakes.google_api.errors import ApiError

if TYPE_CHECKING:
    from tests.fakes.google_api.state import Sheet, Spreadsheet

_ABSENT = object()


def _dumps(data: Any) -> bytes:
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)


class Checkpoint:
    """What one write request may change, copied before it runs."""

    verify: ClassVar[bool] = False

    def __init__(self, ss: Spreadsheet, whole: Iterable[Sheet] | None) -> None:
        self.ss = ss
        self.sheets = list(ss.sheets)
        named = set(map(id, self.sheets if whole is None else whole))
        #: the sheets whose cells are copied whole
        self.whole = [sheet for sheet in self.sheets if id(sheet) in named]
        self.top = _dumps((ss.props, ss.named_ranges, ss.dev_meta))
        self.frames: dict[int, bytes] = {}
        self.journaled: list[Sheet] = []
        for sheet in self.sheets:
            cells = sheet.cells
            if id(sheet) in named:
                self.frames[id(sheet)] = _dumps(sheet)
                continue
            sheet.cells = {}  # the shell only: the journal keeps the cells' old values
            try:
                self.frames[id(sheet)] = _dumps(sheet)
            finally:
                sheet.cells = cells
            sheet.journal = {}
            self.journaled.append(sheet)
        self.full = _dumps(_state(ss)) if self.verify else None

    def close(self) -> None:
        """Stop journaling (the request is over, applied or rolled back)."""
        for sheet in self.journaled:
            sheet.journal = None

    def rollback(self) -> None:
        """Put back everything the request changed."""
        ss = self.ss
        ss.props, ss.named_ranges, ss.dev_meta = pickle.loads(self.top)
        restored: list[Sheet] = []
        for sheet in self.sheets:
            copy: Sheet = pickle.loads(self.frames[id(sheet)])
            if sheet.journal is not None:
                cells = sheet.cells
                for key, old in sheet.journal.items():
                    if old is None:
                        cells.pop(key, None)
                    else:
                        cells[key] = old
                copy.cells = cells
            copy.journal = None
            restored.append(copy)
        ss.sheets = restored
        self.journaled = []
        if self.full is not None and pickle.loads(self.full) != _state(ss):
            raise AssertionError(
                "fake: a rolled-back request left changes the checkpoint did not cover"
            )


@contextmanager
def transaction(ss: Spreadsheet, whole: Iterable[Sheet] | None = None) -> Iterator[None]:
    """Run one write request: on an API error, undo all of it and re-raise.

    `whole`: the sheets whose cell maps are copied whole (None: every sheet). Other sheets'
    cells are journaled cell by cell.
    """
    with ss.lock:
        point = Checkpoint(ss, whole)
        try:
            yield
        except ApiError:
            point.rollback()
            raise
        finally:
            point.close()


def _state(ss: Spreadsheet) -> Any:
    from tests.fakes.google_api.persist import spreadsheet  # persist imports state

    return spreadsheet(ss)


def journal_before(sheet: Sheet, key: tuple[int, int]) -> None:
    """Keep a cell's value before its first change in this request (if journaling)."""
    journal = sheet.journal
    if journal is None or key in journal:
        return
    old = sheet.cells.get(key, _ABSENT)
    journal[key] = None if old is _ABSENT else pickle.loads(_dumps(old))


#: kinds that change cells only through `cell_for_write` and `prune`, or not at all: the
#: journal covers them. Every other kind (moving rows, sorting, merging, find-and-replace,
#: cutting, and any kind added later) gets the sheets it names copied whole.
JOURNALED = frozenset(
    {
        "addSheet",
        "deleteSheet",
        "updateSheetProperties",
        "updateSpreadsheetProperties",
        "updateCells",
        "repeatCell",
        "appendCells",
        "appendDimension",
        "updateDimensionProperties",
        "autoResizeDimensions",
        "addConditionalFormatRule",
        "updateConditionalFormatRule",
        "deleteConditionalFormatRule",
        "setDataValidation",
        "addProtectedRange",
        "deleteProtectedRange",
        "updateProtectedRange",
        "createDeveloperMetadata",
        "updateDeveloperMetadata",
        "deleteDeveloperMetadata",
        "addNamedRange",
        "deleteNamedRange",
        "updateNamedRange",
        "unmergeCells",
        "updateBorders",
        "setBasicFilter",
        "clearBasicFilter",
        "copyPaste",
        "addChart",
        "updateChartSpec",
        "deleteEmbeddedObject",
    }
)


def named_sheets(ss: Spreadsheet, requests: list[Any]) -> list[Sheet] | None:
    """The sheets whose cells a batchUpdate may move (None: it may move any sheet's)."""
    ids: set[int] = set()
    for request in requests:
        if not isinstance(request, dict) or set(request) <= JOURNALED:
            continue
        ids.add(0)  # a range without a sheetId means the sheet with id 0
        stack: list[Any] = [request]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                for key, value in item.items():
                    if key in ("allSheets", "a1Range") and value:
                        return None
                    if key.lower().endswith("sheetid") and isinstance(value, int):
                        ids.add(value)
                    elif isinstance(value, (dict, list)):
                        stack.append(value)
    return [sheet for sheet in ss.sheets if sheet.sheet_id in ids]
