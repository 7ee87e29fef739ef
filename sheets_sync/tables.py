"""Raw cell grid <-> typed table: header mapping, coercion, cell addresses.

Columns are found by header (case- and whitespace-insensitive), never by position.
Undeclared columns are kept and left alone. Each value keeps its cell address so
that every finding names the cell to fix.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheets_sync.a1 import a1
from sheets_sync.backends.base import CellValue, RawTab
from sheets_sync.coerce import (
    Invalid,
    Locale,
    coerce_date,
    coerce_email,
    coerce_id,
    coerce_number,
    coerce_text,
    display,
    is_blank,
)
from sheets_sync.findings import Finding, Severity, finding, key_at
from sheets_sync.formulas import is_dde_formula
from sheets_sync.templates import ColumnSpec, TableSpec, normalize_header

if TYPE_CHECKING:
    import pandas as pd

#: How many rows from the top are searched for headers that are not on row 1.
HEADER_SEARCH_ROWS = 50


@dataclass
class Table:
    """One tab read against its spec: typed records plus where each came from."""

    spec: TableSpec
    raw: RawTab | None
    #: normalized header -> grid column, for declared columns that were found
    columns: dict[str, int] = field(default_factory=dict)
    #: grid column -> header text, for columns the template does not declare
    extra: dict[int, str] = field(default_factory=dict)
    #: one dict per record: header -> typed value (None when blank or invalid)
    records: list[dict[str, Any]] = field(default_factory=list)
    #: grid row of each record
    rows: list[int] = field(default_factory=list)
    #: (record index, header) pairs whose cell held something that could not be read
    invalid: set[tuple[int, str]] = field(default_factory=set)
    #: grid rows that are not records (blank inputs) but lie inside the data
    blank_rows: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def present(self) -> bool:
        return self.raw is not None

    def col(self, header: str) -> int | None:
        """Grid column of a declared header, or None when the sheet lacks it."""
        return self.columns.get(normalize_header(header))

    def cell(self, index: int, header: str) -> str:
        """A1 address of a record's cell (empty when the column is missing)."""
        col = self.col(header)
        return a1(self.rows[index], col) if col is not None else ""

    def value(self, index: int, header: str) -> Any:
        return self.records[index].get(header)

    def is_valid(self, index: int, header: str) -> bool:
        return (index, header) not in self.invalid

    def key(self, index: int) -> str:
        """A record's finding key: its key, or ``K12 @ 2026-06-29`` on log tabs."""
        record = self.records[index]
        spec_key = self.spec.key
        if spec_key is not None:
            return str(record.get(spec_key.header) or f"row {self.rows[index] + 1}")
        for ref in ("KPI ID", "Goal ID"):
            if ref in record:
                date = record.get("Date")
                base = record.get(ref) or f"row {self.rows[index] + 1}"
                return key_at(str(base), date if isinstance(date, dt.date) else None)
        return f"row {self.rows[index] + 1}"

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.records)))

    def frame(self) -> pd.DataFrame:
        """The records as a typed DataFrame (dates as datetime64, numbers as float64)."""
        import pandas as pd

        data: dict[str, Any] = {"_row": pd.Series(self.rows, dtype="int64")}
        for spec in self.spec.inputs:
            values = [r.get(spec.header) for r in self.records]
            if spec.type == "date":
                data[spec.header] = _dates(values)
            elif spec.type in ("number", "percent"):
                data[spec.header] = pd.Series(
                    [float("nan") if v is None else v for v in values], dtype="float64"
                )
            else:
                data[spec.header] = pd.Series(values, dtype="object")
        return pd.DataFrame(data)


def _dates(values: list[Any]) -> Any:
    """datetime64 of a column of dates (None as NaT); 20x faster than to_datetime on objects."""
    import pandas as pd

    if any(isinstance(v, dt.datetime) for v in values):
        return pd.to_datetime(pd.Series(values, dtype="object"))
    days = [float(v.toordinal() - _UNIX_ORDINAL) if v is not None else math.nan for v in values]
    return pd.to_datetime(pd.Series(days, dtype="float64"), unit="D")


_UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()

Coercer = Callable[[CellValue], Any]


def coercer(spec: ColumnSpec, locale: Locale) -> Coercer:
    """The function that reads one cell of this column's type."""
    if spec.type == "date":
        return lambda v: coerce_date(v, locale)
    if spec.type in ("number", "percent"):
        return lambda v: coerce_number(v, locale)
    if spec.type == "email":
        return coerce_email
    if spec.type in ("id", "person", "goal", "kpi"):
        return coerce_id
    if spec.enum is not None:
        enum = spec.enum

        def read_enum(value: CellValue) -> str | Invalid | None:
            text = coerce_text(value)
            if not isinstance(text, str):
                return text
            canonical = enum.canonical(text)
            return Invalid("enum") if canonical is None else canonical

        return read_enum
    return coerce_text


def map_headers(
    spec: TableSpec, raw: RawTab, findings: list[Finding]
) -> tuple[dict[str, int], dict[int, str]]:
    """Find each declared column by header; report duplicates; collect undeclared columns."""
    declared = {c.norm for c in spec.columns}
    columns: dict[str, int] = {}
    extra: dict[int, str] = {}
    seen: dict[str, int] = {}
    for col, value in enumerate(raw.header):
        norm = normalize_header(display(value, None) if value is not None else None)
        if not norm:
            if any(not is_blank(raw.get(r, col)) for r in range(1, raw.height)):
                extra[col] = ""
            continue
        if norm in seen:
            findings.append(
                finding(
                    "TABLE-DUPLICATE-HEADER",
                    spec.name,
                    clean_header(value),
                    f"Header {display(value)!r} appears again in {a1(0, col)} (first in "
                    f"{a1(0, seen[norm])}); the first is used. Rename or delete the other.",
                    cell=a1(0, col),
                    column=clean_header(value),
                )
            )
            continue
        seen[norm] = col
        if norm in declared:
            columns[norm] = col
        else:
            extra[col] = clean_header(value)
    for spec_col in spec.columns:
        if spec_col.norm in columns:
            continue
        needed = spec_col.required or spec_col.key or spec_col.required_when is not None
        findings.append(
            finding(
                "TABLE-MISSING-COLUMN",
                spec.name,
                spec_col.header,
                f"Column {spec_col.header!r} is missing from {spec.name}"
                + (
                    "; run `sheets-sync provision` to add it back."
                    if spec_col.computed
                    else "; add the header back (any position), or run `sheets-sync provision` "
                    "to add it."
                ),
                column=spec_col.header,
                severity=None if needed or spec_col.computed else Severity.WARNING,
            )
        )
    return columns, extra


def clean_header(value: CellValue) -> str:
    """A header as people see it, trimmed (never cut short: it names a column or person)."""
    return " ".join(display(value, None).split()) if value is not None else ""


def header_norms(cells: list[CellValue]) -> set[str]:
    return {normalize_header(display(v, None)) for v in cells if v is not None}


def _shows_nothing(raw: RawTab) -> bool:
    return not raw.formulas and all(is_blank(v) for cells in raw.values for v in cells)


def header_row(spec: TableSpec, raw: RawTab) -> int | None:
    """0-based row holding the tab's headers; None when no row near the top holds them.

    Row 0 when it holds any of the template's headers, or when the tab is blank (provision
    puts them there). Otherwise the first of the top HEADER_SEARCH_ROWS rows that holds
    two of them (one, for a one-column tab): one matching word in a title is not a header.
    """
    declared = {c.norm for c in spec.columns}
    if not declared or declared & header_norms(raw.header) or _shows_nothing(raw):
        return 0
    enough = min(2, len(declared))
    for row in range(1, min(raw.height, HEADER_SEARCH_ROWS)):
        if len(declared & header_norms(raw.values[row])) >= enough:
            return row
    return None


def is_misheaded(spec: TableSpec, raw: RawTab | None) -> bool:
    """Whether an input tab holds something other than its headers on row 1.

    Such a tab is neither read nor written: every column is found by its row-1 header
    and every record lies below row 1, so writing to it would land in people's title,
    their header row, or a table of their own that merely shares the name.
    """
    return raw is not None and spec.kind == "table" and header_row(spec, raw) != 0


def header_row_finding(spec: TableSpec, raw: RawTab) -> Finding:
    """TABLE-HEADER-ROW: where the headers are instead, or that they are nowhere."""
    row = header_row(spec, raw)
    if row is None:
        names = [c.header for c in spec.columns]
        expected = ", ".join(names[:2]) + (", ..." if len(names) > 2 else "")
        return finding(
            "TABLE-HEADER-ROW",
            spec.name,
            spec.name,
            f"Tab {spec.name!r} has none of the template's headers on row 1 (expected "
            f"{expected}); it looks like a different table. Rename this tab and run "
            f"`sheets-sync provision` to add the template's {spec.name!r} tab, or put the "
            "template's headers on row 1.",
        )
    declared = {c.norm for c in spec.columns}
    col = next(
        c
        for c, v in enumerate(raw.values[row])
        if v is not None and normalize_header(display(v, None)) in declared
    )
    return finding(
        "TABLE-HEADER-ROW",
        spec.name,
        spec.name,
        f"Tab {spec.name!r} has its headers on row {row + 1}, not row 1; sheets-sync reads "
        "and writes only a tab whose first row is its header row. Delete the rows above row "
        f"{row + 1} (or move the title elsewhere), then run `sheets-sync provision`.",
        cell=a1(row, col),
        # The Issues tab reads a finding's column back from row 1 above its cell; naming
        # the same text here keeps First seen from restarting at every sync.
        column=clean_header(raw.get(0, col)),
    )


def read_table(spec: TableSpec, raw: RawTab | None, locale: Locale) -> Table:
    """Read one tab into typed records, reporting every cell that cannot be read."""
    table = Table(spec=spec, raw=raw)
    if raw is None:
        table.findings.append(
            finding(
                "TABLE-MISSING-TAB",
                spec.name,
                spec.name,
                f"Tab {spec.name!r} is missing; run `sheets-sync provision` to add it.",
            )
        )
        return table
    if is_misheaded(spec, raw):
        # Read as a missing tab (no raw grid): no records, nothing computed or written,
        # and other tabs' references into it go unchecked rather than all reported.
        table.raw = None
        table.findings.append(header_row_finding(spec, raw))
        return table
    if raw.height == 0:
        raw.values.append([])
    table.columns, table.extra = map_headers(spec, raw, table.findings)
    inputs = [
        (c, table.columns[c.norm], coercer(c, locale))
        for c in spec.inputs
        if c.norm in table.columns
    ]
    computed_cols = {table.columns[c.norm] for c in spec.computed if c.norm in table.columns}
    # A formula cell with no calculated value is content even where the grid ends before it.
    height = max([raw.height, *(r + 1 for r, _ in raw.formulas)])
    width = max([raw.width, *(c + 1 for _, c in raw.formulas)])
    person_cols = [col for col in range(width) if col not in computed_cols]
    formulas = raw.formulas
    grid = raw.values
    for row in range(1, height):
        cells = grid[row] if row < len(grid) else []
        if _row_shows_nothing(cells, row, person_cols, formulas):
            table.blank_rows.append(row)
        else:
            _read_record(table, inputs, cells, row, formulas)
    _check_required(table)
    return table


def _read_record(
    table: Table,
    inputs: list[tuple[ColumnSpec, int, Coercer]],
    cells: list[CellValue],
    row: int,
    formulas: dict[tuple[int, int], str],
) -> None:
    """Read one row into a new record, reporting every cell of it that cannot be read."""
    index = len(table.records)
    record: dict[str, Any] = {}
    table.rows.append(row)
    table.records.append(record)
    pending: list[tuple[str, str, str]] = []  # (rule, header, message) until the key is known
    for spec_col, col, read in inputs:
        value = cells[col] if col < len(cells) else None
        if value is None and formulas and (row, col) in formulas:
            if not is_dde_formula(formulas[(row, col)]):  # SECURITY-EXTERNAL-FORMULA instead
                pending.append(
                    (
                        "VALUE-UNCALCULATED",
                        spec_col.header,
                        f"{spec_col.header} holds a formula with no calculated value in the "
                        f"file ({formulas[(row, col)][:60]}); open and save it in a "
                        "spreadsheet program, or type the value.",
                    )
                )
            table.invalid.add((index, spec_col.header))
            record[spec_col.header] = None
            continue
        typed = read(value)
        if isinstance(typed, Invalid):
            table.invalid.add((index, spec_col.header))
            record[spec_col.header] = None
            if spec_col.enum is not None and typed.reason == "enum":
                allowed = ", ".join(spec_col.enum.values)
                pending.append(
                    (
                        "VALUE-ENUM",
                        spec_col.header,
                        f"{spec_col.header} {display(value)!r} is not one of: {allowed}.",
                    )
                )
            else:
                pending.append(
                    (
                        "VALUE-TYPE",
                        spec_col.header,
                        f"{spec_col.header} {display(value)!r} {typed.reason}.",
                    )
                )
        else:
            record[spec_col.header] = typed
    for rule, header, message in pending:
        table.findings.append(
            finding(
                rule,
                table.spec.name,
                table.key(index),
                message,
                cell=table.cell(index, header),
                column=header,
                row=row,
            )
        )


def _row_shows_nothing(
    cells: list[CellValue], row: int, cols: list[int], formulas: dict[tuple[int, int], str]
) -> bool:
    """Whether every one of ``cols`` of a row shows nothing (see _shows_nothing)."""
    width = len(cells)
    for col in cols:
        if col >= width:
            if not formulas:
                break  # the rest of the row is empty, and no formula lies beyond it
            if (row, col) in formulas:
                return False
            continue
        value = cells[col]
        if value is None:
            if formulas and (row, col) in formulas:
                return False  # a formula with no calculated value is content
        elif not is_blank(value):
            return False
    return True


def _check_required(table: Table) -> None:
    """VALUE-REQUIRED for blank required cells and KEY-DUPLICATE for repeated keys."""
    spec = table.spec
    seen: dict[str, int] = {}
    present = [col for col in spec.inputs if col.norm in table.columns]
    invalid = table.invalid
    for index in table:
        record = table.records[index]
        row = table.rows[index]
        for col in present:
            if invalid and (index, col.header) in invalid:
                continue
            needed = col.required or col.key
            if col.required_when is not None:
                other, values = col.required_when
                needed = needed or record.get(other) in values
            if needed and record.get(col.header) is None:
                why = ""
                if col.required_when is not None and not col.required:
                    why = f" for a {record.get(col.required_when[0])} KPI"
                table.findings.append(
                    finding(
                        "VALUE-REQUIRED",
                        spec.name,
                        table.key(index),
                        f"{col.header} is required{why}; fill in {table.cell(index, col.header)}.",
                        cell=table.cell(index, col.header),
                        column=col.header,
                        row=row,
                    )
                )
        key_spec = spec.key
        if key_spec is None:
            continue
        key = record.get(key_spec.header)
        if key is None:
            continue
        folded = str(key).casefold()
        if folded in seen:
            first = table.rows[seen[folded]] + 1
            table.findings.append(
                finding(
                    "KEY-DUPLICATE",
                    spec.name,
                    f"{key} (row {row + 1})",
                    f"{key_spec.header} {key!r} repeats row {first}; this row is ignored until "
                    "it gets its own id.",
                    cell=table.cell(index, key_spec.header),
                    column=key_spec.header,
                    row=row,
                )
            )
        else:
            seen[folded] = index


def duplicate_rows(table: Table) -> set[int]:
    """Record indices whose key repeats an earlier row's (they are not used)."""
    key_spec = table.spec.key
    if key_spec is None:
        return set()
    seen: set[str] = set()
    dupes: set[int] = set()
    for index in table:
        key = table.records[index].get(key_spec.header)
        if key is None:
            continue
        folded = str(key).casefold()
        if folded in seen:
            dupes.add(index)
        seen.add(folded)
    return dupes

