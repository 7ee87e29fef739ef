"""Provisioned formatting on an openpyxl worksheet: what of a layout is missing, and installing it.

A :class:`TabLayout` says how a tab should look: a frozen, bold header row, grey
headers over computed columns, dropdowns, conditional formats, header notes,
column widths and number formats. :func:`missing` lists what a worksheet lacks;
:func:`install` adds exactly that, never duplicating what people or other
programs already put there (LibreOffice and Excel rewrite rules and dropdowns in
their own ways, so everything is compared loosely).
"""

from __future__ import annotations

import re
from copy import copy
from typing import TYPE_CHECKING

from sheets_sync.backends.base import ConditionalRule, TabLayout, Validation

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.styles.fills import PatternFill
    from openpyxl.styles.fonts import Font
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    from sheets_sync.backends.xlsx_content import X14Item

    _Dropdowns = dict[int, list[tuple[DataValidation, CellRange]]]

HEADER_FILL = "EDEDED"
COMPUTED_FILL = "D9D9D9"
NOTE_AUTHOR = "sheets-sync"
#: Dropdowns cover a column from row 2 to this row.
VALIDATION_LAST_ROW = 5000
#: Column number formats are applied to at least this many rows.
FORMAT_MIN_ROWS = 200
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0%"
_COLUMN_FORMATS = {"date": DATE_FORMAT, "percent": PERCENT_FORMAT}

#: An A1 cell reference, optionally with ``$`` anchors (a regular expression).
CELL_REF = r"\$?[A-Za-z]{1,3}\$?\d+"


# --- comparing loosely --------------------------------------------------------------------


def normalize_formula(formula: str) -> str:
    """Compare formulas loosely: no leading '=', no whitespace or case outside quotes.

    Unlike :func:`sheets_sync.diff.normalize_formula` this also drops the ``_xlfn.``
    and ``_xlws.`` prefixes LibreOffice and Excel write before newer functions.
    """
    text = formula.strip()
    if text.startswith("="):
        text = text[1:]
    parts = re.split(r'("(?:[^"]|"")*")', text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(part)
        else:
            part = re.sub(r"_xl(?:fn|ws)\.", "", part, flags=re.I)
            out.append(re.sub(r"\s+", "", part).upper())
    return "".join(out)


def normalize_sqref(sqref: object) -> tuple[str, ...]:
    """A range list (``"B2:B100 D2:D100"``) as sorted, unanchored, upper-case ranges."""
    return tuple(sorted(str(sqref).replace("$", "").upper().split()))


def formula_shape(formula: str) -> str:
    """A formula with its cell references blanked: the same rule at other columns."""
    return re.sub(CELL_REF, "#", normalize_formula(formula))


def list_values(formula: str | None) -> tuple[str, ...] | None:
    """The values of a list dropdown's inline formula (``"a,b,c"``), or None for other kinds."""
    text = (formula or "").strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        return None
    return tuple(v.strip() for v in text[1:-1].replace('""', '"').split(","))


def _rgbs(fill: object) -> set[str]:
    """The RGB colours (6 hex digits) a fill mentions, ignoring openpyxl's empty default."""
    found = set()
    for attr in ("fgColor", "bgColor"):
        colour = getattr(fill, attr, None)
        rgb = getattr(colour, "rgb", None)
        if isinstance(rgb, str) and rgb.upper() != "00000000":
            found.add(rgb[-6:].upper())
    return found


def _has_fill(cell: Cell | MergedCell, rgb: str) -> bool:
    fill = cell.fill
    return getattr(fill, "fill_type", None) == "solid" and rgb.upper() in _rgbs(fill)


def _header_name(layout: TabLayout, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return layout.headers[col] if col < len(layout.headers) else get_column_letter(col + 1)


def _note_text(text: str) -> str:
    return " ".join(text.split())


# --- what is there ------------------------------------------------------------------------


def _validation_rows(ws: Worksheet) -> int:
    """The last row a dropdown must reach to count as covering the column."""
    # LibreOffice clips a dropdown to the rows it considers used (about 1000 below
    # the data), so a dropdown counts when it reaches the data, not row 5000.
    return max(min(ws.max_row, VALIDATION_LAST_ROW), 2)


def _validation_cols(ws: Worksheet, values: tuple[str, ...] | None) -> _Dropdowns:
    """Column index -> the list dropdowns over it (from row 2 or above) with these values."""
    from openpyxl.worksheet.cell_range import CellRange

    out: _Dropdowns = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        if values is not None and list_values(dv.formula1) != values:
            continue
        for rng in dv.sqref.ranges:
            cr = CellRange(str(rng))
            if cr.min_row is None or cr.min_row > 2:
                continue
            for col in range(cr.min_col or 1, (cr.max_col or 0) + 1):
                out.setdefault(col - 1, []).append((dv, cr))
    return out


def _has_validation(ws: Worksheet, validation: Validation) -> bool:
    values = tuple(v.strip() for v in validation.values)
    style = "stop" if validation.strict else "warning"
    for dv, cr in _validation_cols(ws, values).get(validation.col, []):
        # Blank errorStyle means "stop" in Excel; a dropdown showing no error blocks nobody.
        blocks = bool(dv.showErrorMessage) and (dv.errorStyle or "stop") == "stop"
        right_style = (dv.errorStyle or "stop") == style if validation.strict else not blocks
        if right_style and (cr.max_row or 0) >= _validation_rows(ws):
            return True
    return False


def _has_rule(ws: Worksheet, rule: ConditionalRule) -> bool:
    want_ref = normalize_sqref(rule.range_a1)
    want_formula = normalize_formula(rule.formula)
    want_fill = rule.fill.lstrip("#")[-6:].upper()
    for cf in ws.conditional_formatting:
        if normalize_sqref(cf.sqref) != want_ref:
            continue
        for cf_rule in cf.rules:
            formulas = [normalize_formula(str(f)) for f in (cf_rule.formula or [])]
            if cf_rule.type != "expression" or formulas != [want_formula]:
                continue
            fill = cf_rule.dxf.fill if cf_rule.dxf is not None else None
            if want_fill in _rgbs(fill):
                return True
    return False


def missing(ws: Worksheet, layout: TabLayout) -> list[str]:
    """What of ``layout`` the worksheet lacks, one phrase each: [] when all of it is there."""
    out: list[str] = []
    if layout.freeze_header and ws.freeze_panes != "A2":
        out.append("header row not frozen")
    # Peek at the cell map: ws.cell() would create cells just by looking.
    header = {c: ws._cells.get((1, c + 1)) for c in range(max(len(layout.headers), 1))}
    header.update({c: ws._cells.get((1, c + 1)) for c in (*layout.computed, *dict(layout.notes))})
    not_bold = [
        text for c, text in enumerate(layout.headers)
        if not ((cell := header[c]) is not None and cell.font.b)
    ]
    if not_bold:
        out.append("header not bold: " + ", ".join(not_bold))
    not_grey = [
        _header_name(layout, c)
        for c in sorted(layout.computed)
        if not ((cell := header[c]) is not None and _has_fill(cell, COMPUTED_FILL))
    ]
    if not_grey:
        out.append("computed header not grey: " + ", ".join(not_grey))
    for validation in layout.validations:
        if not _has_validation(ws, validation):
            out.append(
                f"no dropdown on {_header_name(layout, validation.col)} "
                f"({', '.join(validation.values)})"
            )
    for rule in layout.rules:
        if not _has_rule(ws, rule):
            out.append(
                f"no conditional format {rule.formula} (fill {rule.fill}) on {rule.range_a1}"
            )
    for col, text in layout.notes:
        cell = header[col]
        comment = cell.comment if cell is not None else None
        if comment is None or _note_text(comment.text or "") != _note_text(text):
            out.append(f"no note on header {_header_name(layout, col)}")
    return out


def is_layout_item(item: X14Item, layouts: dict[str, TabLayout]) -> bool:
    """Whether an Excel 2010 (x14) rule or dropdown is one of the layouts' own.

    ``layouts`` is keyed by tab name with whitespace collapsed and case folded.
    """
    layout = layouts.get(" ".join(item.sheet.split()).casefold())
    if layout is None:
        return False
    if item.kind == "cf":
        return any(
            normalize_sqref(r.range_a1) == normalize_sqref(item.sqref)
            and normalize_formula(r.formula) == normalize_formula(item.formula)
            for r in layout.rules
        )
    values = list_values(item.formula)
    from openpyxl.utils import column_index_from_string

    letters = re.match(r"\$?([A-Za-z]+)", item.sqref.strip())
    col = column_index_from_string(letters.group(1).upper()) - 1 if letters else -1
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
            if not _has_fill(cell, COMPUTED_FILL):
                cell.fill = _solid(COMPUTED_FILL)
        elif getattr(cell.fill, "fill_type", None) is None:
            cell.fill = _solid(HEADER_FILL)


def _install_validation(ws: Worksheet, validation: Validation, header: str) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    # Replace the tool's earlier dropdown on this column (other values, or clipped by
    # another program) instead of stacking a second one over it.
    for dv, cr in _validation_cols(ws, None).get(validation.col, []):
        if cr.min_col == cr.max_col:
            dv.sqref.remove(cr)
            if not dv.sqref.ranges:
                ws.data_validations.dataValidation.remove(dv)
    letter = get_column_letter(validation.col + 1)
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


def _install_formats(ws: Worksheet, layout: TabLayout) -> None:
    last = max(ws.max_row, FORMAT_MIN_ROWS)
    for col, fmt in layout.formats:
        number_format = _COLUMN_FORMATS.get(fmt)
        if number_format is None:
            continue
        for row in range(2, last + 1):
            cell = ws.cell(row, col + 1)
            if cell.number_format == "General":
                cell.number_format = number_format


def install(ws: Worksheet, layout: TabLayout, *, new_tab: bool) -> None:
    """Install what of ``layout`` is missing on ``ws``, never duplicating what is there."""
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    if layout.freeze_header and ws.freeze_panes != "A2":
        ws.freeze_panes = "A2"
    _install_header(ws, layout)
    for col, width in layout.widths:
        letter = get_column_letter(col + 1)
        # A person's column width is theirs: only set widths nobody chose yet.
        if new_tab or letter not in ws.column_dimensions:
            ws.column_dimensions[letter].width = width
    for validation in layout.validations:
        if not _has_validation(ws, validation):
            _install_validation(ws, validation, _header_name(layout, validation.col))
    _prune_stale_rules(ws, layout)
    for rule in layout.rules:
        if not _has_rule(ws, rule):
            _install_rule(ws, rule)
    for col, text in layout.notes:
        cell = ws.cell(1, col + 1)
        if cell.comment is None or _note_text(cell.comment.text or "") != _note_text(text):
            comment = Comment(text, NOTE_AUTHOR)
            comment.width = 240
            comment.height = 80
            cell.comment = comment
    _install_formats(ws, layout)
