"""The Backend interface: a backend moves cells and structure, nothing else.

The pipeline speaks only in the types of this module. A backend reads every tab as
a raw grid in one go, applies a list of cell updates (plus any formatting it must
restore) in one go, applies a provisioning plan, and reports its identity.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sheets_sync.a1 import quote_tab, tab_key


@dataclass(frozen=True)
class Link:
    """A cell showing ``text`` that links to ``target`` (``'Tab'!A1``) in the same workbook."""

    text: str
    tab: str
    a1: str


@dataclass(frozen=True)
class CellError:
    """A spreadsheet error value such as ``#REF!`` or ``#N/A``."""

    code: str


#: What a cell can hold once read: blank, text, number, boolean, date, a link or an error.
CellValue = None | str | int | float | bool | dt.date | dt.datetime | Link | CellError

#: How a written value should be shown. ``number`` is any number, shown as the cell
#: already shows it; ``integer`` (``1,234``), ``decimal`` (``1,234.57``) and ``percent``
#: (``87%``) are display formats the tool sets on the cells it writes.
CellFormat = Literal["text", "number", "integer", "decimal", "date", "percent"]


@dataclass
class RawTab:
    """One tab as a grid: row 0 is the header row; rows may be ragged."""

    name: str
    values: list[list[CellValue]]
    #: (row, col) -> formula text (with the leading ``=``) for cells that hold a formula.
    #: A formula cell whose value is None has no calculated value in the file.
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    def get(self, row: int, col: int) -> CellValue:
        if row < len(self.values):
            cells = self.values[row]
            if col < len(cells):
                return cells[col]
        return None

    @property
    def header(self) -> list[CellValue]:
        return self.values[0] if self.values else []

    @property
    def height(self) -> int:
        return len(self.values)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.values), default=0)


@dataclass
class WorkbookData:
    """Every tab of a workbook, read in one go, in the workbook's tab order."""

    identity: str
    tabs: dict[str, RawTab]
    #: Opaque token a backend uses to detect that the workbook changed since this read.
    version: object = None
    timezone: str | None = None
    locale: str | None = None
    #: tab -> column of its key, filled in by the pipeline: what a write guard re-reads
    key_columns: dict[str, int] = field(default_factory=dict)
    #: tab -> more columns a write guard re-reads: on the Issues tab, where people type
    #: beside the tool's rows, the finding's columns and the people's
    guard_columns: dict[str, list[int]] = field(default_factory=dict)
    #: tab -> columns the tool computes, filled in by the pipeline: what a backend may
    #: anchor to write by column identity rather than position
    computed_columns: dict[str, set[int]] = field(default_factory=dict)

    def tab(self, name: str) -> RawTab | None:
        """Find a tab by name, case- and whitespace-insensitively."""
        if name in self.tabs:
            return self.tabs[name]
        wanted = tab_key(name)
        for tab_name, tab in self.tabs.items():
            if tab_key(tab_name) == wanted:
                return tab
        return None


@dataclass(frozen=True)
class CellUpdate:
    """Set one cell (0-based row and column) to a value."""

    tab: str
    row: int
    col: int
    value: CellValue
    format: CellFormat = "text"


@dataclass(frozen=True)
class Validation:
    """A dropdown: cells of ``col`` from row 1 (0-based) down must be one of ``values``."""

    col: int
    values: tuple[str, ...]
    strict: bool = False  # False: warn but accept, so people are never blocked from typing


@dataclass(frozen=True)
class ConditionalRule:
    """Fill ``range_a1`` with ``fill`` (RGB hex) where ``formula`` holds.

    The formula is written relative to the range's top-left cell, without a leading ``=``.
    """

    range_a1: str
    formula: str
    fill: str


@dataclass(frozen=True)
class Chart:
    """A stacked column chart the tool keeps on a tab.

    ``source`` is the table it charts, as an A1 range on the same tab (``E1:L13``): its
    first row names the series, its first column holds the categories (the x axis), and
    each other column is one series, stacked. ``anchor`` is the cell its top-left corner
    sits on. ``colors`` gives each series its fill (RGB hex), in column order. The tool
    knows its own chart by ``title``.
    """

    title: str
    source: str
    anchor: str
    colors: tuple[str, ...] = ()


@dataclass(frozen=True)
class TabLayout:
    """What provisioning installs on one tab, at the tab's current column positions."""

    name: str
    headers: tuple[str, ...]
    computed: frozenset[int] = frozenset()
    widths: tuple[tuple[int, float], ...] = ()
    validations: tuple[Validation, ...] = ()
    rules: tuple[ConditionalRule, ...] = ()
    notes: tuple[tuple[int, str], ...] = ()  # (col, text) notes on header cells
    formats: tuple[tuple[int, CellFormat], ...] = ()  # (col, format) for data rows
    #: the chart the tool keeps on this tab (made when missing or its source changed)
    chart: Chart | None = None
    #: the whole tab warns before a person edits it (Google; a generated tab)
    protect_tab: bool = False
    freeze_header: bool = True
    #: cells holding a value to fix, as A1 ranges (``C5:C7``, ``E9``), marked with
    #: ``mark_fill`` by a conditional format the tool owns; () when none (the mark is
    #: removed); None when the layout leaves marks as they are (provisioning)
    marks: tuple[str, ...] | None = None
    mark_fill: str = "F4A3A3"
    #: what the marked cells are, for the sync's report (the Issues tab greys the rows
    #: of muted findings with the same kind of mark)
    mark_reason: str = "to fix"
    #: columns whose data cells wrap their text (installed on new tabs only, like widths)
    wrap: tuple[int, ...] = ()
    #: columns whose data cells are centred (installed on new tabs only, like widths)
    center: tuple[int, ...] = ()
    #: pages tall a printout fits (0: as many as needed); a printout is one page wide,
    #: landscape, with the header row on every page. Where a backend prints at all.
    print_pages_tall: int = 0
    #: pages wide when printed (0: as many as it takes); leading columns on every page
    print_pages_wide: int = 1
    print_title_columns: int = 0
    print_scale: int = 0  # percent; 0: fit to pages


@dataclass(frozen=True)
class TabFormatting:
    """A tab's formatting as a backend reads it: facts, never a judgement.

    What of a :class:`TabLayout` is missing is decided from these, the same way for
    every backend, by :func:`sheets_sync.layout.missing`. A field that is None was
    not read (a Google sync leaves dropdowns out) or does not exist in that kind of
    workbook (edit warnings in xlsx): it is not compared.
    """

    #: rows frozen at the top
    frozen_rows: int = 0
    #: header cells (0-based columns) shown bold
    bold: frozenset[int] = frozenset()
    #: header cell -> its fill colour (RGB hex), for cells with a solid fill
    fills: Mapping[int, str] = field(default_factory=dict)
    #: header cell -> the text of its note
    notes: Mapping[int, str] = field(default_factory=dict)
    #: list dropdowns that cover a column's data rows (strict: they refuse other values)
    dropdowns: tuple[Validation, ...] | None = ()
    #: formula conditional formats, one per fill colour their format names
    rules: tuple[ConditionalRule, ...] = ()
    #: columns that warn before a person edits them
    protected: frozenset[int] | None = None
    #: how many columns the tab's grid has, when it has a fixed grid (ranges stop there)
    columns: int | None = None
    #: the charts on the tab (None: not read)
    charts: tuple[Chart, ...] | None = None
    #: whether the whole tab warns before a person edits it (None: not read, or no such
    #: thing in that kind of workbook)
    tab_protected: bool | None = None


@dataclass(frozen=True)
class RowShift:
    """Rows of a generated tab where people type beside the tool's cells (Issues), moved
    rather than rewritten: a backend that can move rows applies ``ops`` (each
    ``("move", row, destination)`` or ``("insert", row, row)``, 0-based, in order; see
    :mod:`sheets_sync.row_shifts`), then ``updates``
    (the tool's cells after the move) instead of the sync's updates of ``tab``. What
    people typed in a row then travels with the row, even when they typed it while the
    sync was writing. A backend that cannot move rows writes the sync's updates."""

    tab: str
    ops: tuple[tuple[str, int, int], ...]
    updates: tuple[CellUpdate, ...]
    #: how many rows of the tab were read (header included): the grid's rows below
    #: them were empty, so a backend may move one up for a new row instead of adding one
    rows: int = 0


@dataclass
class Plan:
    """What provisioning (or a sync restoring formatting) will do: empty means up to date."""

    template: str
    version: str
    add_tabs: list[str] = field(default_factory=list)
    header_cells: list[CellUpdate] = field(default_factory=list)
    formatting: list[TabLayout] = field(default_factory=list)
    #: human-readable reasons, one per missing piece
    steps: list[str] = field(default_factory=list)
    #: full layout of every tab, so a backend creating tabs can order and style them
    layouts: list[TabLayout] = field(default_factory=list)
    write_marker: bool = False
    #: generated tabs to mark as the tool's: template tab name -> the tab's name
    generated: dict[str, str] = field(default_factory=dict)
    #: tabs the plan must not touch because a person owns a tab of a generated tab's name
    conflicts: list[str] = field(default_factory=list)
    #: layouts whose marked cells (values to fix) change, and what changes, one phrase each
    marks: list[TabLayout] = field(default_factory=list)
    mark_steps: list[str] = field(default_factory=list)
    #: generated tabs whose rows move with what people typed beside them
    row_shifts: list[RowShift] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.add_tabs or self.header_cells or self.formatting or self.write_marker
            or self.generated or self.marks or self.row_shifts
        )


@dataclass
class WriteResult:
    """What a backend did: whether it touched storage at all."""

    wrote: bool = False


class Backend(ABC):
    """Moves cells and structure for the pipeline; knows nothing of goals or KPIs."""

    @property
    @abstractmethod
    def identity(self) -> str:
        """A human-readable name of the workbook (path, or spreadsheet id)."""

    @property
    def lock_key(self) -> str:
        """What the cron lock is keyed on: one lock per workbook, however it is named."""
        return self.identity

    @abstractmethod
    def exists(self) -> bool:
        """Whether the workbook exists yet (provisioning creates it)."""

    @abstractmethod
    def read(self) -> WorkbookData:
        """Read every tab as a raw grid, with formulas, in one go."""

    def expect_dates(self, columns: Mapping[str, Collection[str]]) -> None:
        """A hint before :meth:`read`: the headers of the date columns, per tab. A backend
        that reads dates as they are shown (Google) reads those columns' cells as dates
        whatever their display format; the others need no hint."""
        return None

    def expect_tabs(self, names: Collection[str]) -> None:
        """A hint before :meth:`read`: the tabs the template names. A backend that pays
        per byte read (Google) asks for just those tabs' header rows and values, and
        for everything only when one of them is not there."""
        return None

    @abstractmethod
    def formatting_of(self, tab: str) -> TabFormatting | None:
        """The formatting tab ``tab`` holds (as last read); None when there is no such tab.

        Facts only: :func:`sheets_sync.layout.missing` decides what of a layout is missing.
        """

    def prepare_provision(self) -> None:  # noqa: B027 - optional hook
        """Read whatever provisioning compares that a sync's read leaves out."""

    @abstractmethod
    def marker(self) -> tuple[str, str] | None:
        """The (template, version) marker provisioning left, as last read."""

    def generated_tabs(self) -> dict[str, str]:
        """The tabs carrying the tool's mark, as last read: template tab name -> tab name.

        A generated tab (Issues, Dashboard) is the tool's only when it carries this
        mark (or, in a workbook provisioned before marks existed, when it still has the
        generated headers): a person's tab of the same name is never taken over.
        """
        return {}

    def cell_link(self, tab: str, a1: str) -> str:
        """A link a person can follow to a cell (after a read): the workbook and the cell."""
        return f"{self.identity}#{quote_tab(tab)}!{a1}"

    def save_concerns(self) -> list[str]:
        """Why this backend would refuse to write the workbook as last read ([] when none).

        ``check`` reads workbooks a sync would not save, and says why with these.
        """
        return []

    @abstractmethod
    def write(
        self,
        data: WorkbookData,
        updates: Sequence[CellUpdate],
        plan: Plan | None = None,
    ) -> WriteResult:
        """Apply ``plan`` (if any) then ``updates`` in one go.

        ``data`` is the read the updates were planned from; a backend refuses
        (:class:`~sheets_sync.errors.GuardError`) when the rows it is about to
        write are no longer where that read found them.
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release anything held open."""
