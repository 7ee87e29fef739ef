"""What of a tab's layout is missing: one judgement for every backend.

A backend reports the facts of a tab's formatting (:class:`TabFormatting`: frozen
rows, bold and filled header cells, notes, dropdowns, conditional formats, edit
warnings) and installs layouts; it never decides what is missing. :func:`missing`
compares a :class:`TabLayout` with those facts, loosely (spreadsheet programs
rewrite formulas, ranges and colours in their own ways), and says what is missing
in the same words whichever backend read it. Provisioning shows them as
``'Goals': restore grey header on Status``.
"""

from __future__ import annotations

import re

from sheets_sync.a1 import Box, column_letter, parse_range
from sheets_sync.backends.base import (
    Chart,
    ConditionalRule,
    TabFormatting,
    TabLayout,
    Validation,
)

#: Fill of header cells over the columns people type in (only where a cell has no fill yet).
HEADER_FILL = "EDEDED"
#: Fill of header cells over computed columns: grey says "the tool writes this".
COMPUTED_FILL = "D9D9D9"
#: Two colours this close (per channel, out of 255) are the same colour.
COLOUR_TOLERANCE = 2

#: The formula of the tool's mark on cells holding a value to fix: always true, of a
#: shape no other rule has, so the tool knows its own mark wherever it finds it.
MARK_FORMULA = 'LEN("sheets-sync: value to fix")>0'
#: A step names this many of a tab's marked ranges (the Issues tab lists them all).
MARKS_SHOWN = 6

_CELL_REF = re.compile(r"\$?[A-Z]{1,3}\$?\d+")
_QUOTED = re.compile(r'("(?:[^"]|"")*")')
_PREFIXES = re.compile(r"_xl(?:fn|ws)\.", re.IGNORECASE)


def normalize_formula(formula: str) -> str:
    """Compare formulas loosely: no leading ``=``, no whitespace or case outside quotes.

    Also drops the ``_xlfn.`` and ``_xlws.`` prefixes Excel and LibreOffice write
    before newer functions.
    """
    parts = _QUOTED.split(formula.strip().removeprefix("="))
    return "".join(
        part if index % 2 else re.sub(r"\s+", "", _PREFIXES.sub("", part)).upper()
        for index, part in enumerate(parts)
    )


def formula_shape(formula: str) -> str:
    """A formula with its cell references blanked: the same rule at other columns."""
    parts = _QUOTED.split(normalize_formula(formula))
    return "".join(p if i % 2 else _CELL_REF.sub("#", p) for i, p in enumerate(parts))


def same_colour(a: str | None, b: str | None) -> bool:
    """Whether two RGB hex colours (``F4CCCC``, ``#FFF4CCCC``) are the same to the eye."""
    if not a or not b:
        return False
    try:
        x, y = int(a.lstrip("#")[-6:], 16), int(b.lstrip("#")[-6:], 16)
    except ValueError:
        return False
    return all(abs((x >> s & 255) - (y >> s & 255)) <= COLOUR_TOLERANCE for s in (0, 8, 16))


def same_note(a: str | None, b: str | None) -> bool:
    """Notes compare by their words: programs rewrap and pad them."""
    return a is not None and b is not None and a.split() == b.split()


def _boxes(ranges: str) -> list[Box] | None:
    boxes = [parse_range(part) for part in ranges.split()]
    if not boxes or any(box is None for box in boxes):
        return None
    return sorted(
        (box for box in boxes if box is not None),
        key=lambda b: (b.top, b.left, -1 if b.bottom is None else b.bottom,
                       -1 if b.right is None else b.right),
    )


def same_ranges(found: str, wanted: str, columns: int | None = None) -> bool:
    """Whether ranges a tab holds (``found``) are the ``wanted`` ones.

    A found range open at the bottom (``F2:F``: to the last row, however many) covers
    any wanted end row; a wanted range is cut at the tab's last column (``columns``),
    as a backend with a fixed grid installs it.
    """
    have, want = _boxes(found), _boxes(wanted)
    if have is None or want is None or len(have) != len(want):
        return False
    for h, w in zip(have, want, strict=True):
        right = w.right
        if columns is not None and right is not None:
            right = min(right, columns - 1)
        if (h.top, h.left, h.right) != (w.top, w.left, right):
            return False
        if h.bottom is not None and h.bottom != w.bottom:
            return False
    return True


def is_mark(formula: str) -> bool:
    """Whether a conditional format's formula is the tool's mark on values to fix."""
    return normalize_formula(formula) == normalize_formula(MARK_FORMULA)


def mark_rule(layout: TabLayout) -> ConditionalRule | None:
    """The conditional format marking the layout's cells to fix; None when there are none."""
    if not layout.marks:
        return None
    return ConditionalRule(" ".join(layout.marks), MARK_FORMULA, layout.mark_fill)


def mark_ranges(cells: set[tuple[int, int]]) -> tuple[str, ...]:
    """0-based (row, col) cells as A1 ranges, a column's adjacent cells together: ``C5:C7``."""
    out: list[str] = []
    for row, col in sorted(cells, key=lambda c: (c[1], c[0])):
        letter = column_letter(col)
        if out and (row - 1, col) in cells:
            first = out[-1].partition(":")[0]
            out[-1] = f"{first}:{letter}{row + 1}"
        else:
            out.append(f"{letter}{row + 1}")
    return tuple(out)


def mark_steps(layout: TabLayout, facts: TabFormatting | None) -> list[str]:
    """What of the layout's marks on values to fix the tab lacks (or holds no longer)."""
    if layout.marks is None or facts is None:
        return []
    found = [r for r in facts.rules if is_mark(r.formula)]
    wanted = " ".join(layout.marks)
    if not layout.marks:
        fixed = "fixed cells" if layout.mark_reason == "to fix" else (
            f"cells no longer {layout.mark_reason}"
        )
        return [f"clear the marks of {fixed}"] if found else []
    if (
        len({r.range_a1 for r in found}) == 1
        and same_ranges(found[0].range_a1, wanted)
        and all(same_colour(r.fill, layout.mark_fill) for r in found)
    ):
        return []
    count = sum(_cell_count(part) for part in layout.marks)
    shown = ", ".join(layout.marks[:MARKS_SHOWN]) + (
        ", ..." if len(layout.marks) > MARKS_SHOWN else ""
    )
    return [f"mark {count} cell{'s' if count != 1 else ''} {layout.mark_reason}: {shown}"]


def _cell_count(a1: str) -> int:
    box = parse_range(a1)
    if box is None or box.bottom is None or box.right is None:
        return 1
    return (box.bottom - box.top + 1) * (box.right - box.left + 1)


def has_dropdown(facts: TabFormatting, wanted: Validation) -> bool:
    """Whether the tab has the dropdown: same column, same values, same strictness."""
    values = tuple(v.strip() for v in wanted.values)
    return any(
        d.col == wanted.col and d.strict == wanted.strict and tuple(v.strip() for v in d.values)
        == values
        for d in facts.dropdowns or ()
    )


def has_rule(facts: TabFormatting, wanted: ConditionalRule) -> bool:
    """Whether the tab has the conditional format: same range, formula and fill."""
    formula = normalize_formula(wanted.formula)
    return any(
        normalize_formula(rule.formula) == formula
        and same_colour(rule.fill, wanted.fill)
        and same_ranges(rule.range_a1, wanted.range_a1, facts.columns)
        for rule in facts.rules
    )


def has_chart(facts: TabFormatting, wanted: Chart) -> bool:
    """Whether the tab has the tool's chart (known by its title) over the same source."""
    return any(
        chart.title == wanted.title and same_ranges(chart.source, wanted.source)
        for chart in facts.charts or ()
    )


def header_name(layout: TabLayout, col: int) -> str:
    """A column as plan lines name it: its header, else its letter."""
    text = layout.headers[col] if col < len(layout.headers) else ""
    return text or column_letter(col)


def missing(layout: TabLayout, facts: TabFormatting | None) -> list[str]:
    """What of ``layout`` a tab with formatting ``facts`` lacks, one phrase each.

    ``facts`` is None when there is no such tab. Each phrase completes "restore ...".
    Column widths and number formats are people's business once the tab exists, and
    what the backend did not read (None in ``facts``) is not compared.
    """
    if facts is None:
        return ["the tab"]
    out: list[str] = []
    if layout.freeze_header and facts.frozen_rows < 1:
        out.append("frozen header row")
    not_bold = [h for c, h in enumerate(layout.headers) if h and c not in facts.bold]
    if not_bold:
        out.append("bold header on " + ", ".join(not_bold))
    not_grey = [
        header_name(layout, c)
        for c in sorted(layout.computed)
        if not same_colour(facts.fills.get(c), COMPUTED_FILL)
    ]
    if not_grey:
        out.append("grey header on " + ", ".join(not_grey))
    if facts.dropdowns is not None:
        out.extend(
            f"dropdown on {header_name(layout, v.col)} ({', '.join(v.values)})"
            for v in layout.validations
            if not has_dropdown(facts, v)
        )
    out.extend(
        f"conditional format {r.formula} on {r.range_a1} (fill {r.fill})"
        for r in layout.rules
        if not has_rule(facts, r)
    )
    out.extend(
        f"note on {header_name(layout, col)}"
        for col, text in layout.notes
        if not same_note(facts.notes.get(col), text)
    )
    chart = layout.chart
    if chart is not None and facts.charts is not None and not has_chart(facts, chart):
        out.append(f"chart {chart.title!r}")
    if facts.protected is not None:
        out.extend(
            f"edit warning on {header_name(layout, col)}"
            for col in sorted(layout.computed)
            if col not in facts.protected
        )
    if layout.protect_tab and facts.tab_protected is False:
        out.append("edit warning on the tab")
    return out
