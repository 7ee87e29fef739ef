"""What a save would lose, measured: the package read against the package about to be written.

The tool never guesses from a list of features what openpyxl keeps. Before it
replaces a workbook another program saved, it reads both packages' XML and
compares them (:mod:`sheets_sync.backends.xlsx_loss`); anything the original held
that the new file lacks, outside the cells the tool wrote and the tabs it added,
is a loss, and the save is refused naming each one and where it is.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import IO

from sheets_sync.a1 import quote_tab, split_location, split_ref, tab_key
from sheets_sync.backends.base import TabLayout
from sheets_sync.backends.xlsx_layout import list_values
from sheets_sync.backends.xlsx_loss import Loss, compare, describe, is_harmless
from sheets_sync.backends.xlsx_package import Package, read_package
from sheets_sync.layout import MARK_FORMULA, formula_shape


def _cell_of(where: str) -> tuple[str, int, int] | None:
    """``'Goals'!B7`` -> (tab, row, col), 0-based; None for anything else."""
    location = split_location(where)
    cell = split_ref(location[1]) if location is not None else None
    if location is None or cell is None:
        return None
    return location[0], cell[0], cell[1]


def _tools_own(before: Package, after: Package, layouts: Collection[TabLayout]) -> Counter[str]:
    """Where the tool replaced its own rules and dropdowns: ``where`` -> how many.

    The tool rewrites its conditional formats when people add or move columns (a
    row highlight widens from A:L to A:M), and re-installs them plainly where
    another program stored them its own way. A lost rule is the tool's when its
    formula has the shape of one of the tab's layout rules; a lost dropdown, when
    it offers exactly the values of one of the tab's layout dropdowns.
    """
    by_tab = {tab_key(lay.name): lay for lay in layouts}
    owned: Counter[str] = Counter()
    for name, sheet in before.sheets.items():
        layout = by_tab.get(tab_key(name))
        kept = after.sheets.get(name)
        if layout is None or kept is None:
            continue
        shapes = {formula_shape(rule.formula) for rule in layout.rules}
        shapes.add(formula_shape(MARK_FORMULA))  # the mark on values to fix moves every sync
        for sqref, _kind, _op, text in sheet.conditional_formats - kept.conditional_formats:
            formula = text.split("; ")[0]
            if formula and formula_shape(formula) in shapes:
                owned[f"{quote_tab(name)}!{sqref}"] += 1
        lists = {tuple(v.strip() for v in val.values) for val in layout.validations}
        for sqref, kind, _op, first, _second in sheet.validations - kept.validations:
            if kind == "list" and list_values(first) in lists:
                owned[f"{quote_tab(name)}!{sqref}"] += 1
    return owned


_DEFAULT = re.compile(rb'<(?:\w+:)?Default\b[^>]*?Extension="([^"]+)"[^>]*?ContentType="([^"]+)"')
_OVERRIDE = re.compile(
    rb'<(?:\w+:)?Override\b[^>]*?PartName="/?([^"]+)"[^>]*?ContentType="([^"]+)"'
)


def _part_kinds(source: str | IO[bytes] | Path) -> Counter[str]:
    """How many parts of each content type a package holds (what is harmless left out)."""
    with zipfile.ZipFile(source) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        try:
            types = zf.read("[Content_Types].xml")
        except KeyError:
            types = b""
    defaults = {ext.decode().lower(): kind.decode() for ext, kind in _DEFAULT.findall(types)}
    overrides = {name.decode(): kind.decode() for name, kind in _OVERRIDE.findall(types)}
    kinds: Counter[str] = Counter()
    for name in names:
        if name == "[Content_Types].xml" or is_harmless(name):
            continue
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        kinds[overrides.get(name) or defaults.get(ext) or f"?{ext}"] += 1
    return kinds


def parts_kept(original: str | IO[bytes], saved: str | Path) -> bool:
    """Whether the saved package holds at least as many parts of every kind (a quick look).

    A workbook the tool saved last holds only what openpyxl writes, so this look,
    with the scan of the sheets' extensions, is enough to skip the full measure.
    """
    before, after = _part_kinds(original), _part_kinds(saved)
    return all(after[kind] >= count for kind, count in before.items())


def tool_chart_titles(
    layouts: Collection[TabLayout], known: Mapping[str, Collection[str]] | None = None
) -> dict[str, set[str]]:
    """Tab (:func:`~sheets_sync.a1.tab_key`) -> the titles of the tool's charts on it.

    ``known`` holds the charts the tool recorded in the workbook (tab name -> titles);
    the layouts' charts are the tool's too.
    """
    out: dict[str, set[str]] = {}
    for tab, titles in (known or {}).items():
        out.setdefault(tab_key(tab), set()).update(titles)
    for layout in layouts:
        if layout.chart is not None:
            out.setdefault(tab_key(layout.name), set()).add(layout.chart.title)
    return out


def _tools_charts(before: Package, titles: Mapping[str, Collection[str]]) -> Counter[str]:
    """Where the tool's own charts were: ``where`` (the anchor cell) -> how many.

    The tool knows its chart by its title on its tab: when it replaces the chart (its
    source or place changed) the old one is no loss. A chart of another title, or on
    another tab, is a person's.
    """
    owned: Counter[str] = Counter()
    for name, sheet in before.sheets.items():
        mine = titles.get(tab_key(name), ())
        for chart in sheet.charts:
            if chart.title and chart.title in mine:
                owned[f"{quote_tab(name)}!{chart.anchor}" if chart.anchor else quote_tab(name)] += 1
    return owned


#: Losses by sheet name; ``None`` holds those of the package as a whole.
LossGroups = dict[str | None, list[Loss]]


def loss_groups(
    before: Package,
    after: Package,
    changed: Collection[tuple[str, int, int]],
    created: Collection[str],
    layouts: Collection[TabLayout] = (),
    charts: Mapping[str, Collection[str]] | None = None,
    *,
    sheets: Collection[str] | None = None,
    whole: bool = True,
) -> LossGroups:
    """The losses of :func:`measure_loss`, by sheet: those of ``sheets`` (all when None),
    and with ``whole`` the lost sheets and what belongs to the package as a whole."""
    written = set(changed)
    owned = _tools_own(before, after, layouts)
    owned_charts = _tools_charts(before, tool_chart_titles(layouts, charts))

    def kept(losses: list[Loss]) -> list[Loss]:
        out: list[Loss] = []
        for loss in losses:
            # A feature of a cell the tool rewrote (a link on an Issues row) goes with its value.
            if _cell_of(loss.where) in written:
                continue
            if loss.what in ("conditional format", "data validation") and owned[loss.where] > 0:
                owned[loss.where] -= 1
                continue
            if loss.what == "chart" and owned_charts[loss.where] > 0:
                owned_charts[loss.where] -= 1
                continue
            out.append(loss)
        return out

    groups: LossGroups = {}
    for name in before.sheets:
        if name not in after.sheets:
            if whole:
                groups[name] = [Loss("sheet", quote_tab(name))]
        elif sheets is None or name in sheets:
            found = compare(before, after, changed=written, sheets={name}, whole=False)
            groups[name] = kept(found)
    if whole:
        found = compare(before, after, changed=written, added_sheets=set(created), sheets=())
        # compare() lists the lost sheets first; they are in their sheets' groups already
        lost = sum(1 for name in before.sheets if name not in after.sheets)
        groups[None] = kept(found[lost:])
    return groups


def in_order(groups: LossGroups, order: Collection[str]) -> list[Loss]:
    """The grouped losses as one list: sheet by sheet in ``order``, then the package's."""
    out = [loss for name in order for loss in groups.get(name, ())]
    return out + groups.get(None, [])


def measure_loss(
    original: str | IO[bytes],
    saved: str | Path,
    changed: Collection[tuple[str, int, int]],
    created: Collection[str],
    layouts: Collection[TabLayout] = (),
    charts: Mapping[str, Collection[str]] | None = None,
) -> list[Loss]:
    """Every loss from ``original`` to ``saved`` that the tool did not make on purpose.

    ``layouts`` are the tool's formatting of each tab: its own earlier rules and
    dropdowns, replaced by this save, are not losses. ``charts`` names the tool's
    charts the workbook recorded (tab -> titles): those, and the layouts' charts,
    replaced by this save, are not losses either.
    """
    before = read_package(original)
    after = read_package(str(saved))
    groups = loss_groups(before, after, changed, created, layouts, charts)
    return in_order(groups, before.sheets)


__all__ = [
    "Loss",
    "LossGroups",
    "describe",
    "in_order",
    "loss_groups",
    "measure_loss",
    "parts_kept",
    "tool_chart_titles",
]
