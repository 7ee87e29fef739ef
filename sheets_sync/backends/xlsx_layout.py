"""Provisioned formatting on an openpyxl worksheet: the facts of it, and installing a layout.

A :class:`TabLayout` says how a tab should look: a frozen, bold header row, grey
headers over computed columns, dropdowns, conditional formats, header notes,
column widths and number formats. :func:`formatting` reads what a worksheet has
(what of a layout is missing is decided by :mod:`sheets_sync.layout`, the same way
for every backend); :func:`install` adds what is missing, never duplicating what
people or other programs already put there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import copy
from typing import TYPE_CHECKING

from sheets_sync.a1 import column_index, column_letter, split_ref, tab_key
from sheets_sync.backends.base import ConditionalRule, TabFormatting, TabLayout, Validation
from sheets_sync.layout import (
    COMPUTED_FILL,
    HEADER_FILL,
    formula_shape,
    has_dropdown,
    has_rule,
    header_name,
    is_mark,
    mark_rule,
    normalize_formula,
    same_colour,
    same_note,
)

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.styles.fills import PatternFill
    from openpyxl.styles.fonts import Font
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    from sheets_sync.backends.xlsx_content import X14Item

    _Dropdowns = dict[int, list[tuple[DataValidation, CellRange]]]

NOTE_AUTHOR = "sheets-sync"
#: Dropdowns cover a column from row 2 to this row.
VALIDATION_LAST_ROW = 5000
#: Column number formats are applied to at least this many rows.
FORMAT_MIN_ROWS = 200
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
#: The number formats of the display formats (``number`` leaves a cell's format alone).
COLUMN_FORMATS = {
    "date": DATE_FORMAT,
    "percent": PERCENT_FORMAT,
    "integer": INTEGER_FORMAT,
    "decimal": DECIMAL_FORMAT,
}
#: Printouts: the header row repeats on every page.
PRINT_TITLE_ROWS = "1:1"


def normalize_sqref(sqref: object) -> tuple[str, ...]:
    """A range list (``"B2:B100 D2:D100"``) as sorted, unanchored, upper-case ranges."""
    return tuple(sorted(str(sqref).replace("$", "").upper().split()))


def list_values(formula: str | None) -> tuple[str, ...] | None:
    """The values of a list dropdown's inline formula (``"a,b,c"``), or None for other kinds."""
    text = (formula or "").strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return None
    return tuple(v.strip() for v in text[1:-1].replace('""', '"').split(","))


def _rgbs(fill: object) -> list[str]:
    """The RGB colours (6 hex digits) a fill names, ignoring openpyxl's empty default."""
    found = []
    for attr in ("fgColor", "bgColor"):
        colour = getattr(fill, attr, None)
        rgb = getattr(colour, "rgb", None)
        if isinstance(rgb, str) and rgb.upper() != "00000000" and rgb[-6:].upper() not in found:
            found.append(rgb[-6:].upper())
    return found


def _solid_colour(cell: Cell | MergedCell) -> str | None:
    """The colour of a cell's solid fill (its foreground, else its background), or None."""
    fill = cell.fill
    if getattr(fill, "fill_type", None) != "solid":
        return None
    colours = _rgbs(fill)
    return colours[0] if colours else None


def _frozen_rows(ws: Worksheet) -> int:
    panes = ws.freeze_panes
    cell = split_ref(panes) if panes else None
    return cell[0] if cell is not None else 0


# --- what is there ------------------------------------------------------------------------


def _validation_rows(ws: Worksheet) -> int:
    """The last row a dropdown must reach to count as covering the column."""
    # LibreOffice clips a dropdown to the rows it considers used (about 1000 below
    # the data), so a dropdown counts when it reaches the data, not row 5000.
    return max(min(ws.max_row, VALIDATION_LAST_ROW), 2)


def _validation_cols(ws: Worksheet) -> _Dropdowns:
    """Column index -> the list dropdowns over it (from row 2 or above)."""
    from openpyxl.worksheet.cell_range import CellRange

    out: _Dropdowns = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        for rng in dv.sqref.ranges:
            cr = CellRange(str(rng))
            if cr.min_row is None or cr.min_row > 2:
                continue
            for col in range(cr.min_col or 1, (cr.max_col or 0) + 1):
                out.setdefault(col - 1, []).append((dv, cr))
    return out


def _dropdowns(ws: Worksheet) -> tuple[Validation, ...]:
    """The inline-list dropdowns that cover a column's data rows."""
    rows = _validation_rows(ws)
    found: list[Validation] = []
    for col, ranges in sorted(_validation_cols(ws).items()):
        for dv, cr in ranges:
            values = list_values(dv.formula1)
            if values is None or (cr.max_row or 0) < rows:
                continue
            # Blank errorStyle means "stop" in Excel; a dropdown showing no error blocks nobody.
            strict = bool(dv.showErrorMessage) and (dv.errorStyle or "stop") == "stop"
            found.append(Validation(col, values, strict))
    return tuple(found)


def _rules(ws: Worksheet) -> tuple[ConditionalRule, ...]:
    """Formula conditional formats, once per colour their fill names."""
    found: list[ConditionalRule] = []
    for cf in ws.conditional_formatting:
        ranges = " ".join(normalize_sqref(cf.sqref))
        for rule in cf.rules:
            formulas = [str(f) for f in (rule.formula or [])]
            if rule.type != "expression" or len(formulas) != 1:
                continue
            fill = rule.dxf.fill if rule.dxf is not None else None
            found.extend(ConditionalRule(ranges, formulas[0], rgb) for rgb in _rgbs(fill))
    return tuple(found)


def formatting(ws: Worksheet) -> TabFormatting:
    """The facts of a worksheet's formatting, for :func:`sheets_sync.layout.missing`."""
    # The model's cell map: ws.cell() would create cells just by looking.
    header = {c - 1: cell for (r, c), cell in ws._cells.items() if r == 1}
    fills = {c: colour for c, cell in header.items() if (colour := _solid_colour(cell))}
    return TabFormatting(
        frozen_rows=_frozen_rows(ws),
        bold=frozenset(c for c, cell in header.items() if cell.font.b),
        fills=fills,
        notes={c: cell.comment.text or "" for c, cell in header.items() if cell.comment},
        dropdowns=_dropdowns(ws),
        rules=_rules(ws),
    )


def is_layout_item(item: X14Item, layouts: dict[str, TabLayout]) -> bool:
    """Whether an Excel 2010 (x14) rule or dropdown is one of the layouts' own.

    ``layouts`` is keyed by :func:`~sheets_sync.a1.tab_key`.
    """
    layout = layouts.get(tab_key(item.sheet))
    if layout is None:
        return False
    if item.kind == "cf":
        return is_mark(item.formula) or any(
            normalize_sqref(r.range_a1) == normalize_sqref(item.sqref)
            and normalize_formula(r.formula) == normalize_formula(item.formula)
            for r in layout.rules
        )
    values = list_values(item.formula)
    letters = re.match(r"\$?([A-Za-z]+)", item.sqref.strip())
    col = column_index(letters.group(1)) if letters else -1
    return any(
        v.col == col and tuple(x.strip() for x in v.values) == values for v in layout.validations
    )


# --- installing ---------------------------------------------------------------------------


def _solid(rgb: str) -> PatternFill:
    from openpyxl.styles import PatternFill

    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def font_like(cell: Cell | MergedCell, **changes: object) -> Font:
    """A copy of the cell's font with some attributes changed (fonts are immutable)."""
    font: Font = copy(cell.font)  # type: ignore[assignment]
    for name, value in changes.items():
        setattr(font, name, value)
    return font


def _install_header(ws: Worksheet, layout: TabLayout) -> None:
    for c in range(len(layout.headers)):
        cell = ws.cell(1, c + 1)
        if not cell.font.b:
            cell.font = font_like(cell, b=True)
        if c in layout.computed:
            if not same_colour(_solid_colour(cell), COMPUTED_FILL):
                cell.fill = _solid(COMPUTED_FILL)
        elif getattr(cell.fill, "fill_type", None) is None:
            cell.fill = _solid(HEADER_FILL)


def _install_validation(ws: Worksheet, validation: Validation, header: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    # Replace the tool's earlier dropdown on this column (other values, or clipped by
    # another program) instead of stacking a second one over it.
    for dv, cr in _validation_cols(ws).get(validation.col, []):
        if cr.min_col == cr.max_col:
            dv.sqref.remove(cr)
            if not dv.sqref.ranges:
                ws.data_validations.dataValidation.remove(dv)
    letter = column_letter(validation.col)
    values = [v.replace('"', '""') for v in validation.values]
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showDropDown=False,  # sic: False shows the dropdown arrow
        showErrorMessage=True,
        errorStyle="stop" if validation.strict else "warning",
        errorTitle=header[:32],
        error="Pick one of: " + ", ".join(validation.values),
    )
    dv.add(f"{letter}2:{letter}{VALIDATION_LAST_ROW}")
    ws.add_data_validation(dv)


def _install_rule(ws: Worksheet, rule: ConditionalRule) -> None:
    from openpyxl.formatting.rule import FormulaRule

    formula = rule.formula.strip()
    formula = formula[1:] if formula.startswith("=") else formula
    # A rule with the same range and formula but another colour is an older version of it.
    want_ref = normalize_sqref(rule.range_a1)
    want_formula = normalize_formula(rule.formula)
    for key in [str(cf.sqref) for cf in ws.conditional_formatting]:
        if normalize_sqref(key) != want_ref:
            continue
        # The list the formatting list iterates over: its rules must change in place.
        rules = ws.conditional_formatting[key]
        rules[:] = [
            r for r in rules
            if [normalize_formula(str(f)) for f in (r.formula or [])] != [want_formula]
        ]
        if not rules:
            del ws.conditional_formatting[key]
    fill = rule.fill.lstrip("#").upper()
    ws.conditional_formatting.add(
        rule.range_a1,
        FormulaRule(formula=[formula], fill=_solid(fill)),  # type: ignore[no-untyped-call]
    )


def _prune_stale_rules(ws: Worksheet, layout: TabLayout) -> None:
    """Drop the tool's earlier rules that point at old columns (people moved or added some).

    A rule is the tool's when its formula has the shape of one of the layout's rules;
    left in place it would colour whatever column now stands where its column was.
    """
    shapes = {formula_shape(r.formula) for r in layout.rules}
    wanted = {(normalize_sqref(r.range_a1), normalize_formula(r.formula)) for r in layout.rules}
    for key in [str(cf.sqref) for cf in ws.conditional_formatting]:
        ref = normalize_sqref(key)
        rules = ws.conditional_formatting[key]
        rules[:] = [
            r
            for r in rules
            if not (
                r.type == "expression"
                and len(r.formula or []) == 1
                and formula_shape(str(r.formula[0])) in shapes
                and (ref, normalize_formula(str(r.formula[0]))) not in wanted
            )
        ]
        if not rules:
            del ws.conditional_formatting[key]


def install_marks(ws: Worksheet, layout: TabLayout) -> None:
    """Set the tool's mark on cells holding a value to fix to the layout's cells.

    The mark is a conditional format (so people's own cell formats and values stay as
    they are) at priority 1, above the row colours; without cells to mark it is removed.
    """
    from openpyxl.formatting.rule import FormulaRule

    if layout.marks is None:
        return
    for key in [str(cf.sqref) for cf in ws.conditional_formatting]:
        rules = ws.conditional_formatting[key]
        rules[:] = [
            r for r in rules
            if not (len(r.formula or []) == 1 and is_mark(str(r.formula[0])))
        ]
        if not rules:
            del ws.conditional_formatting[key]
    rule = mark_rule(layout)
    if rule is None:
        return
    others = sorted(
        (r for cf in ws.conditional_formatting for r in cf.rules),
        key=lambda r: r.priority or 0,
    )
    for number, other in enumerate(others, start=2):
        other.priority = number
    fill = rule.fill.lstrip("#").upper()
    mark = FormulaRule(formula=[rule.formula], fill=_solid(fill))  # type: ignore[no-untyped-call]
    mark.priority = 1
    ws.conditional_formatting.add(rule.range_a1, mark)
    # LibreOffice shows the first of overlapping formats the file lists, whatever their
    # priority: the mark is written first too.
    blocks = vars(ws.conditional_formatting)["_cf_rules"]  # openpyxl's ordered blocks
    for key in [k for k, rules in blocks.items() if any(r is mark for r in rules)]:
        blocks.move_to_end(key, last=False)


def _install_formats(ws: Worksheet, layout: TabLayout) -> None:
    last = max(ws.max_row, FORMAT_MIN_ROWS)
    for col, fmt in layout.formats:
        number_format = COLUMN_FORMATS.get(fmt)
        if number_format is None:
            continue
        for row in range(2, last + 1):
            cell = ws.cell(row, col + 1)
            if cell.number_format == "General":
                cell.number_format = number_format


def _install_wrap(ws: Worksheet, layout: TabLayout) -> None:
    """Wrap long-text columns and centre count columns: as the columns' own style (what a
    cell typed there later takes) and on the cells already there nobody aligned."""
    from openpyxl.styles import Alignment

    wanted = [(col, Alignment(wrap_text=True, vertical="top")) for col in layout.wrap]
    wanted += [(col, Alignment(horizontal="center")) for col in layout.center]
    for col, alignment in wanted:
        ws.column_dimensions[column_letter(col)].alignment = alignment
        for row, _, cell in _existing_cells(ws, col=col + 1):
            if row > 1 and cell.alignment == Alignment():
                cell.alignment = alignment


def _existing_cells(
    ws: Worksheet, *, row: int | None = None, col: int | None = None
) -> list[tuple[int, int, Cell | MergedCell]]:
    """(row, column, cell) of the cells a sheet holds in a row or column (1-based),
    without creating blank ones."""
    cells = ws._cells  # ws[row] would create a cell in every column
    return [
        (r, c, cell)
        for (r, c), cell in cells.items()
        if (row is None or r == row) and (col is None or c == col)
    ]


#: Points per line of 11-point text, and the tallest row Excel allows.
LINE_HEIGHT, MAX_ROW_HEIGHT = 15.0, 409.0
#: Width (in characters) of a column nobody sized.
DEFAULT_WIDTH = 8.43


def _lines(text: str, width: float) -> int:
    per_line = max(1, int(width * 1.1))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def fit_row_heights(ws: Worksheet, rows: Iterable[int], *, ours: bool) -> None:
    """Align the cells the tool wrote as their column asks, and make rows tall enough for
    the wrapped text in them.

    Spreadsheet programs size a row when a person types into it, not when a file is
    opened, so without this a wrapped cell's second line prints over the next row.
    ``rows`` are 1-based. A height a person chose is kept unless the tab is the
    tool's own (``ours``), whose rows it rewrites at every sync.
    """
    from openpyxl.styles import Alignment

    plain = Alignment()
    column_alignment = {
        letter: dim.alignment
        for letter, dim in ws.column_dimensions.items()
        if dim.alignment != plain
    }
    widths = {
        letter: dim.width for letter, dim in ws.column_dimensions.items() if dim.width
    }
    wanted = set(rows)
    by_row: dict[int, list[tuple[str, Cell | MergedCell]]] = {}
    for (r, c), cell in ws._cells.items():
        if r in wanted:
            by_row.setdefault(r, []).append((column_letter(c - 1), cell))
    for row in sorted(wanted):
        cells = by_row.get(row, [])
        for letter, cell in cells:
            alignment = column_alignment.get(letter)
            if alignment is not None and cell.value is not None and cell.alignment == plain:
                cell.alignment = copy(alignment)  # type: ignore[assignment]
        dim = ws.row_dimensions[row]
        if dim.height is not None and not ours:
            continue
        lines = 1
        for letter, cell in cells:
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = widths.get(letter, DEFAULT_WIDTH)
                lines = max(lines, _lines(cell.value, width))
        height = None if lines == 1 else min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)
        if dim.height != height:
            dim.height = height
        if height is not None:
            # In a tall row, cells at the bottom would sit a line or more below the
            # wrapped text they belong with: read a row from its top.
            for _, cell in cells:
                if cell.alignment == plain:
                    cell.alignment = Alignment(vertical="top")


def has_print_setup(ws: Worksheet) -> bool:
    """Whether a person (or a program) set up printing of ``ws``: anything but the defaults."""
    setup = ws.page_setup
    fit = ws.sheet_properties.pageSetUpPr
    chosen = (
        setup.orientation not in (None, "default")
        or setup.scale is not None
        or setup.fitToWidth is not None
        or setup.fitToHeight is not None
        or (fit is not None and bool(fit.fitToPage))
        or ws.print_title_rows is not None
        or ws.print_title_cols is not None
        or bool(ws.print_area)
        or bool(ws.row_breaks.brk)
        or bool(ws.col_breaks.brk)
    )
    return bool(chosen)


def _install_print(ws: Worksheet, layout: TabLayout) -> None:
    """Landscape, ``print_pages_wide`` wide and ``print_pages_tall`` tall (0: as many as it
    takes), the header row (and ``print_title_columns``) on every page.

    Only on a tab whose print setup is still the default: a person's is theirs.
    """
    from openpyxl.worksheet.properties import PageSetupProperties

    if has_print_setup(ws):
        return
    ws.page_setup.orientation = "landscape"
    fit = not layout.print_scale
    if fit:
        ws.page_setup.fitToHeight = layout.print_pages_tall
        ws.page_setup.fitToWidth = layout.print_pages_wide
    else:
        ws.page_setup.scale = layout.print_scale
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=fit)
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = fit
    if ws.parent is None or not ws.parent.chartsheets:
        # openpyxl numbers a sheet's print titles (a sheet-scoped defined name) by its
        # place among worksheets, not among all sheets: with a chartsheet before it, the
        # titles would land on another tab.
        ws.print_title_rows = PRINT_TITLE_ROWS
        if layout.print_title_columns:
            ws.print_title_cols = f"A:{column_letter(layout.print_title_columns - 1)}"


def install(ws: Worksheet, layout: TabLayout, *, new_tab: bool) -> None:
    """Install what of ``layout`` is missing on ``ws``, never duplicating what is there."""
    from openpyxl.comments import Comment

    if layout.freeze_header and _frozen_rows(ws) < 1:
        ws.freeze_panes = "A2"
    _install_header(ws, layout)
    for col, width in layout.widths:
        letter = column_letter(col)
        # A person's column width is theirs: only set widths nobody chose yet.
        if new_tab or letter not in ws.column_dimensions:
            ws.column_dimensions[letter].width = width
    there = TabFormatting(dropdowns=_dropdowns(ws))
    for validation in layout.validations:
        if not has_dropdown(there, validation):
            _install_validation(ws, validation, header_name(layout, validation.col))
    _prune_stale_rules(ws, layout)
    there = TabFormatting(rules=_rules(ws))
    for rule in layout.rules:
        if not has_rule(there, rule):
            _install_rule(ws, rule)
    for col, text in layout.notes:
        cell = ws.cell(1, col + 1)
        if not same_note(cell.comment.text if cell.comment else None, text):
            comment = Comment(text, NOTE_AUTHOR)
            comment.width = 240
            comment.height = 80
            cell.comment = comment
    _install_formats(ws, layout)
    if new_tab:
        # Like widths, wrapping is people's business once the tab exists.
        _install_wrap(ws, layout)
    _install_print(ws, layout)
