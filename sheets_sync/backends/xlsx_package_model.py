"""What :func:`~sheets_sync.backends.xlsx_package.read_package` finds in an .xlsx package."""

from __future__ import annotations

from dataclasses import dataclass, field

from sheets_sync.backends.base import CellError, Chart

__all__ = ["CellError", "CellInfo", "CellPos", "DateText", "Package", "SheetFeatures", "Value"]


class DateText(str):
    """The ISO 8601 text of a ``t="d"`` cell.

    It is a str, as a date cell's value is its text, yet told apart from a text
    cell: a date one writer stores as ISO text and another as a serial number is
    the same value.
    """

    __slots__ = ()


#: A cell's value or a formula's cached result.
Value = None | str | float | bool | CellError

#: A 0-based (row, column) position.
CellPos = tuple[int, int]


@dataclass(frozen=True, slots=True)
class CellInfo:
    """One non-empty cell: its value (or cached result) and formula."""

    #: Text, number, bool, :class:`CellError` or :class:`DateText`; for a formula
    #: cell the cached result, None when it has none.
    value: Value
    #: Formula text without ``=``, whitespace outside quotes removed; ``"<shared>"``
    #: for a cell that only points at a shared formula's master.
    formula: str | None = None
    #: ``""``, ``"array"``, ``"dataTable"`` or ``"shared"``.
    kind: str = ""
    #: The cell spills a dynamic array (``cm`` pointing at XLDAPR cell metadata).
    dynamic: bool = False
    #: The cell holds a rich value (``vm``): a picture in the cell, a linked data type.
    value_meta: bool = False


@dataclass
class SheetFeatures:
    """Everything compared on one sheet; references are normalized A1 (no ``$``)."""

    name: str
    part: str
    #: ``worksheet``, ``chartsheet``, ``macrosheet`` or ``dialogsheet``.
    kind: str
    cells: dict[CellPos, CellInfo] = field(default_factory=dict)
    merged: set[str] = field(default_factory=set)
    #: (sqref, type, operator, formula1, formula2), x14 ones included.
    validations: set[tuple[str, ...]] = field(default_factory=set)
    #: (sqref, rule type, operator, formulas and parameters); x14 rule types start ``x14:``.
    conditional_formats: set[tuple[str, ...]] = field(default_factory=set)
    #: ref -> external URL (plus ``#location``) or ``#location``.
    hyperlinks: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    threaded_comments: dict[str, str] = field(default_factory=dict)
    #: ``pageSetup.orientation`` -> ``landscape``...; schema defaults left out.
    print_settings: dict[str, str] = field(default_factory=dict)
    header_footer: dict[str, str] = field(default_factory=dict)
    #: table display name -> range.
    tables: dict[str, str] = field(default_factory=dict)
    #: (what, anchor cell) such as ("image", "C4"); the anchor is "" when absolute.
    drawings: list[tuple[str, str]] = field(default_factory=list)
    #: the charts among the drawings, read from their chart parts (title, source, anchor)
    charts: list[Chart] = field(default_factory=list)
    #: Counts of features ("sparkline group", "protection", "cell checkbox"...); those
    #: also in ``cell_marks`` or on cells are compared cell by cell instead.
    other: dict[str, int] = field(default_factory=dict)
    #: Per-cell features a loss should name by cell: "cell checkbox", "rich text".
    cell_marks: dict[str, set[CellPos]] = field(default_factory=dict)
    #: The sheet's part and every part reachable from it through relationships.
    related_parts: set[str] = field(default_factory=set)

    def count(self, what: str, n: int = 1) -> None:
        """Add ``n`` to ``other[what]``."""
        self.other[what] = self.other.get(what, 0) + n

    def mark(self, what: str, pos: CellPos) -> None:
        """Remember that the cell at ``pos`` has the per-cell feature ``what``."""
        self.cell_marks.setdefault(what, set()).add(pos)


@dataclass
class Package:
    """An .xlsx package read part by part."""

    #: part name (as stored, no leading ``/``) -> content type ("" when unlisted).
    parts: dict[str, str]
    #: by sheet name, in workbook order.
    sheets: dict[str, SheetFeatures]
    #: (name, scope sheet name or "", formula text).
    defined_names: set[tuple[str, str, str]]
    #: Strict Open XML namespaces were used (read as transitional).
    strict: bool
    #: ``docProps/app.xml`` ``<Application>``.
    app: str | None
    uncompressed_size: int
    #: Serial numbers count from 1904 (Mac Excel's old date system).
    date1904: bool = False
    #: Counts of workbook-level features ("workbook protection", "slicer cache"...).
    other: dict[str, int] = field(default_factory=dict)
    #: part name -> the type of a relationship pointing at it (last segment, lower
    #: case: "xmlmaps", "customxml"), which tells apart parts of a generic content type.
    roles: dict[str, str] = field(default_factory=dict)
