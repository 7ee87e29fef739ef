"""What saving a workbook would lose: two packages compared part by part, feature by feature.

``before`` is the package as read, ``after`` the package the save would write
(both from :func:`~sheets_sync.backends.xlsx_package.read_package`). Everything
``before`` has that ``after`` lacks or holds differently is a :class:`Loss`;
what only ``after`` has is a gain and never reported.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from sheets_sync.a1 import a1, quote_tab
from sheets_sync.backends.xlsx_package_kinds import part_kind, part_name
from sheets_sync.backends.xlsx_package_model import (
    CellError,
    CellInfo,
    CellPos,
    DateText,
    Package,
    SheetFeatures,
    Value,
)

__all__ = ["HARMLESS_PARTS", "Loss", "compare", "describe", "is_harmless"]

_CUT = 40


@dataclass(frozen=True)
class Loss:
    """One thing the save would lose, where it is, and how it changes."""

    what: str
    #: ``'Sheet 1'!B2``, ``'Sheet 1'!A1:C3``, ``'Sheet 1'``, or "" for the workbook.
    where: str
    detail: str = ""

    def __str__(self) -> str:
        text = self.what
        if self.where:
            joint = " at " if "!" in self.where else (" " if self.what == "sheet" else " in ")
            text += joint + self.where
        return f"{text} ({self.detail})" if self.detail else text


#: Part-name pattern (``*`` and ``?`` wildcards, case-insensitive) -> why dropping
#: such a part is harmless.
HARMLESS_PARTS: dict[str, str] = {
    "xl/calcChain.xml": "a calculation order cache Excel rebuilds on open",
    "docProps/app.xml": (
        "application metadata (program name, sheet titles) the saving program rewrites"
    ),
    "docProps/core.xml": "document metadata (author, dates) the saving program rewrites",
    "package/services/metadata/core-properties/*": (
        "document metadata as .NET packaging names it; rewritten as docProps/core.xml"
    ),
    "xl/printerSettings/*": (
        "device-specific printer driver blobs; the page setup itself is kept and compared"
    ),
    "docProps/thumbnail.*": "a preview picture the next Excel save regenerates",
    "*.rels": (
        "relationship lists every writer rebuilds; the parts and links they point to "
        "are compared themselves"
    ),
    "xl/styles.xml": "rewritten, not lost: cell styles travel with the cells",
    "xl/theme/*": "rewritten, not lost: the theme is written again by the saving program",
    "xl/sharedStrings.xml": "rewritten, not lost: every cell's text is compared",
    "xl/charts/style*.xml": (
        "a chart's restyling recipe for Excel's style gallery; the chart's own "
        "formatting lives in the chart part"
    ),
    "xl/charts/colors*.xml": (
        "a chart's colour-gallery recipe; the colours in use live in the chart part"
    ),
    "[trash]/*": "leftovers some Office versions keep in the zip; nothing refers to them",
    "__MACOSX/*": "macOS Finder metadata added when the file was re-zipped; not the workbook's",
}

#: Per-cell features: compared cell by cell, so their counts are not compared again.
_PER_CELL = frozenset({"cell checkbox", "rich text", "dynamic-array formula", "value metadata"})
_MARK_NAMES = {"rich text": "rich text formatting"}
_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")
_FONT_SIZE_SPACE = re.compile(r"&(\d+) (?=\D)")


def is_harmless(part: str) -> str | None:
    """Why dropping ``part`` loses nothing, or None when it would be a loss."""
    lower = part.lower()
    for pattern, why in HARMLESS_PARTS.items():
        # "[" is literal in part names ("[trash]"), never a character class
        if fnmatch.fnmatchcase(lower, pattern.lower().replace("[", "[[]")):
            return why
    return None


def compare(
    before: Package,
    after: Package,
    *,
    changed: Collection[tuple[str, int, int]] = (),
    added_sheets: Collection[str] = (),
    allow: Callable[[Loss], bool] | None = None,
    sheets: Collection[str] | None = None,
    whole: bool = True,
) -> list[Loss]:
    """Every loss from ``before`` to ``after``.

    ``changed`` holds the (sheet, row, column) cells written on purpose;
    ``added_sheets`` the sheets the save adds, whose parts cannot stand in for
    lost ones; ``allow`` excuses losses the caller causes on purpose. ``sheets``
    limits the sheet-by-sheet comparison to those sheets; ``whole=False`` leaves
    out what belongs to the package as a whole (lost sheets, names, parts).
    """
    losses: list[Loss] = []
    skip: dict[str, set[CellPos]] = {}
    for sheet_name, row, col in changed:
        skip.setdefault(sheet_name, set()).add((row, col))
    for name, sheet in before.sheets.items():
        counterpart = after.sheets.get(name)
        if counterpart is None:
            if whole:
                losses.append(Loss("sheet", quote_tab(name)))
            continue
        if sheets is not None and name not in sheets:
            continue
        losses.extend(_compare_cells(sheet, counterpart, skip.get(name, set()), before, after))
        losses.extend(_compare_features(sheet, counterpart))
    if whole:
        losses.extend(_compare_names(before, after))
        losses.extend(_compare_counts(before.other, after.other, ""))
        losses.extend(_compare_parts(before, after, added_sheets))
    return [loss for loss in losses if allow is None or not allow(loss)]


def describe(losses: Sequence[Loss], limit: int = 12) -> str:
    """One sentence naming every kind of loss and where, at most ``limit`` places in all."""
    if not losses:
        return "Saving loses nothing."
    groups: dict[str, list[Loss]] = {}
    for loss in losses:
        groups.setdefault(loss.what, []).append(loss)
    budget = max(limit, len(groups))
    per_group = max(1, min(3, budget // len(groups)))
    phrases: list[str] = []
    for what, items in groups.items():
        shown = [_place(loss) for loss in items[:per_group]]
        shown = [place for place in shown if place]
        rest = len(items) - min(len(items), per_group)
        if not shown:
            phrases.append(what if rest == 0 else f"{what} ({len(items)} times)")
            continue
        joint = " at " if "!" in shown[0] else (" in " if shown[0].startswith("'") else " ")
        if what == "sheet":
            joint = " "
        text = what + joint + ", ".join(shown)
        phrases.append(text + (f" and {rest} more" if rest else ""))
    return "Saving would lose " + "; ".join(phrases) + "."


def _place(loss: Loss) -> str:
    if loss.where:
        return loss.where
    return f"({loss.detail})" if loss.detail else ""


def _cut(text: str) -> str:
    return text if len(text) <= _CUT else text[: _CUT - 1] + "…"


def _show(value: Value) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, DateText):
        return str(value)
    return '"' + _cut(value) + '"'


def _serial(text: str, date1904: bool) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        try:
            clock = dt.time.fromisoformat(text)
        except ValueError:
            return None
        return (clock.hour * 3600 + clock.minute * 60 + clock.second) / 86400
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    return (moment.replace(tzinfo=None) - epoch).total_seconds() / 86400


def _same(x: Value, y: Value, before: Package, after: Package) -> bool:
    """Equal values: "" is blank; numbers within 1e-15 relative; a date equals its serial."""
    x = None if x == "" else x
    y = None if y == "" else y
    if isinstance(x, bool) or isinstance(y, bool):
        return type(x) is type(y) and x == y
    if isinstance(x, float) and isinstance(y, float):
        return x == y or abs(x - y) <= 1e-15 * max(abs(x), abs(y))
    if isinstance(x, DateText) and isinstance(y, float):
        serial = _serial(x, before.date1904)
        return serial is not None and abs(serial - y) < 1e-8
    if isinstance(y, DateText) and isinstance(x, float):
        serial = _serial(y, after.date1904)
        return serial is not None and abs(serial - x) < 1e-8
    return x == y


_BLANK = CellInfo(None)


def _compare_cells(
    b: SheetFeatures, a: SheetFeatures, skip: set[CellPos], before: Package, after: Package
) -> Iterator[Loss]:
    sheet = quote_tab(b.name)
    for pos in sorted(b.cells):
        if pos in skip:
            continue
        old = b.cells[pos]
        new = a.cells.get(pos, _BLANK)
        where = f"{sheet}!{a1(*pos)}"
        if old.formula is None:
            if new.formula is not None:
                yield Loss("cell value", where, f"{_show(old.value)} -> ={_cut(new.formula)}")
            elif not _same(old.value, new.value, before, after):
                yield Loss("cell value", where, f"{_show(old.value)} -> {_show(new.value)}")
        else:
            yield from _compare_formula(old, new, where, before, after)
        if old.dynamic and not new.dynamic:
            yield Loss("dynamic-array formula", where)
        if old.value_meta and not new.value_meta:
            yield Loss("picture or data type in cell", where)
    for what, cells in b.cell_marks.items():
        kept = a.cell_marks.get(what, set())
        for pos in sorted(cells - kept - skip):
            yield Loss(_MARK_NAMES.get(what, what), f"{sheet}!{a1(*pos)}")


def _compare_formula(
    old: CellInfo, new: CellInfo, where: str, before: Package, after: Package
) -> Iterator[Loss]:
    if old.formula is None:
        return  # no formula in the original: none to lose
    if new.formula is None:
        yield Loss("formula", where, f"={_cut(old.formula)} -> {_show(new.value)}")
        return
    # A shared formula's dependents carry no text; writers that expand it are right.
    if "<shared>" not in (old.formula, new.formula) and old.formula != new.formula:
        yield Loss("formula", where, f"={_cut(old.formula)} -> ={_cut(new.formula)}")
    elif old.kind in ("array", "dataTable") and new.kind != old.kind:
        what = "array formula" if old.kind == "array" else "data table formula"
        yield Loss(what, where, f"became {new.kind or 'a plain formula'}")
    if old.value is not None and not _same(old.value, new.value, before, after):
        yield Loss("formula result", where, f"{_show(old.value)} -> {_show(new.value)}")


def _compare_features(b: SheetFeatures, a: SheetFeatures) -> Iterator[Loss]:
    sheet = quote_tab(b.name)
    if b.kind != a.kind:
        yield Loss("sheet type", sheet, f"{b.kind} -> {a.kind}")
    for ref in sorted(b.merged - a.merged):
        yield Loss("merged cells", f"{sheet}!{ref}")
    for item in sorted(b.validations - a.validations):
        formulas = " ".join(f for f in item[3:] if f)
        yield Loss("data validation", _at(sheet, item[0]), _cut(f"{item[1]} {formulas}".strip()))
    for item in sorted(b.conditional_formats - a.conditional_formats):
        text = " ".join(part for part in item[1:] if part)
        yield Loss("conditional format", _at(sheet, item[0]), _cut(text))
    yield from _compare_texts("hyperlink", sheet, b.hyperlinks, a.hyperlinks)
    yield from _compare_texts("comment", sheet, b.comments, a.comments)
    yield from _compare_texts("threaded comment", sheet, b.threaded_comments, a.threaded_comments)
    for key, value in b.print_settings.items():
        if not _same_setting(value, a.print_settings.get(key)):
            new = a.print_settings.get(key, "default")
            yield Loss(_setting_name(key), sheet, f"{key}: {value} -> {new}")
    for key, value in b.header_footer.items():
        if _header_key(a.header_footer.get(key)) != _header_key(value):
            replaced = a.header_footer.get(key)
            detail = f"{key}: {_cut(value)} -> " + (_cut(replaced) if replaced else "none")
            yield Loss(_header_footer_name(key), sheet, detail)
    for name, ref in b.tables.items():
        if name not in a.tables:
            yield Loss("table", f"{sheet}!{ref}", name)
        elif a.tables[name] != ref:
            yield Loss("table range", f"{sheet}!{ref}", f"{name}: {ref} -> {a.tables[name]}")
    missing = Counter(b.drawings) - Counter(a.drawings)
    titles: dict[str, list[str]] = {}
    for chart in b.charts:
        if chart.title:
            titles.setdefault(chart.anchor, []).append(repr(chart.title))
    for (what, cell), n in sorted(missing.items()):
        # A lost chart is named by its title, when it has one.
        detail = ", ".join(titles.get(cell, ())) if what == "chart" else ""
        for _ in range(n):
            yield Loss(what, _at(sheet, cell), _cut(detail))
    yield from _compare_counts(b.other, a.other, sheet)


def _at(sheet: str, ref: str) -> str:
    return f"{sheet}!{ref}" if ref else sheet


def _compare_texts(
    what: str, sheet: str, before: dict[str, str], after: dict[str, str]
) -> Iterator[Loss]:
    for ref, text in before.items():
        new = after.get(ref)
        if new != text:
            detail = _cut(text) if new is None else f"{_cut(text)} -> {_cut(new)}"
            yield Loss(what, f"{sheet}!{ref}", detail)


def _same_setting(old: str, new: str | None) -> bool:
    """Equal settings; numbers a writer rounds in the last digit (margins) count as equal."""
    if new is None or old == new:
        return old == new
    try:
        return math.isclose(float(old), float(new), rel_tol=1e-12)
    except ValueError:
        return False


def _header_key(text: str | None) -> tuple[str, str, str] | None:
    """Header/footer text by section (left, centre, right), as Excel lays it out.

    Writers order the ``&L``/``&C``/``&R`` sections differently and some put a
    space after a font size code (``&14 Title``); neither changes the page.
    """
    if text is None:
        return None
    sections = {"L": "", "C": "", "R": ""}
    current = "C"
    pieces = re.split(r"(&&|&[LCR])", _FONT_SIZE_SPACE.sub(r"&\1", text))
    for piece in pieces:
        if len(piece) == 2 and piece[0] == "&" and piece[1] in "LCR":
            current = piece[1]
        else:
            sections[current] += piece
    return sections["L"], sections["C"], sections["R"]


def _setting_name(key: str) -> str:
    section = key.partition(".")[0]
    return {
        "pageMargins": "page margins",
        "printOptions": "print options",
        "rowBreaks": "page break",
        "colBreaks": "page break",
    }.get(section, "page setup")


def _header_footer_name(key: str) -> str:
    if key.endswith("Footer"):
        return "page footer"
    if key.endswith("Header"):
        return "page header"
    return "header/footer setting"


def _compare_counts(before: dict[str, int], after: dict[str, int], where: str) -> Iterator[Loss]:
    for what, n in before.items():
        kept = after.get(what, 0)
        if what not in _PER_CELL and kept < n:
            yield Loss(what, where, "" if n == 1 else f"{n} -> {kept}")


def _name_key(name: str, scope: str, value: str) -> tuple[str, str, str]:
    """A defined name as compared: sheet quotes optional; built-in names without ``$``."""
    value = _QUOTED_SHEET.sub(r"\1!", value)
    if name.lower().startswith("_xlnm."):
        value = ",".join(sorted(value.replace("$", "").split(",")))
    return name.lower(), scope, value


def _compare_names(before: Package, after: Package) -> Iterator[Loss]:
    kept = {_name_key(*item) for item in after.defined_names}
    by_name = {(name.lower(), scope): value for name, scope, value in after.defined_names}
    for name, scope, value in sorted(before.defined_names):
        # The hidden filter range name follows the autofilter, compared on its own;
        # a stale one left behind after a filter was removed is rightly dropped.
        if name.lower() == "_xlnm._filterdatabase" or _name_key(name, scope, value) in kept:
            continue
        where = quote_tab(scope) if scope else ""
        new = by_name.get((name.lower(), scope))
        detail = name if new is None else f"{name}: {_cut(value)} -> {_cut(new)}"
        yield Loss("defined name", where, detail)


def _kinds(package: Package, excluded: set[str]) -> dict[str, list[str]]:
    # Sheet parts are compared sheet by sheet, even when a writer left them unlisted.
    excluded = excluded | {sheet.part for sheet in package.sheets.values()}
    out: dict[str, list[str]] = {}
    for part, content_type in package.parts.items():
        kind = part_kind(content_type, part, package.roles.get(part, ""))
        if kind is not None and part not in excluded and is_harmless(part) is None:
            out.setdefault(kind, []).append(part)
    return out


def _compare_parts(before: Package, after: Package, added: Collection[str]) -> Iterator[Loss]:
    # Parts only an added sheet uses must not make up for parts the save drops.
    kept_parts = {
        part for name, sheet in after.sheets.items() if name not in added
        for part in sheet.related_parts
    }  # fmt: skip
    added_parts = {
        part for name in added if name in after.sheets
        for part in after.sheets[name].related_parts
    }  # fmt: skip
    old = _kinds(before, set())
    new = _kinds(after, added_parts - kept_parts)
    for kind, parts in old.items():
        remaining = len(new.get(kind, []))
        if remaining < len(parts):
            names = ", ".join(sorted(parts)[:3]) + (" ..." if len(parts) > 3 else "")
            yield Loss(part_name(kind), "", f"{len(parts)} -> {remaining}: {names}")
