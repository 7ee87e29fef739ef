"""The charts of an .xlsx package, read from the XML as the tool compares them.

A chart is read from the drawing part of the sheet it sits on: the anchor's
top-left cell, then the chart part its graphic frame points to: the title's
text, the cells its series name, take their categories and values from (the
bounding range of every ``c:f`` of ``c:tx``, ``c:cat`` and ``c:val``), and each
series' solid fill. That is what a :class:`~sheets_sync.backends.base.Chart`
holds, so the tool knows its own chart (by title) in a file any program saved.

openpyxl reads charts too, but loses what it does not model: the tool trusts
only this reader to say what a file holds.
"""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
import zipfile
import zlib
from typing import IO

from sheets_sync.a1 import parse_range, quote_tab, range_a1, split_location, tab_key
from sheets_sync.backends.base import Chart
from sheets_sync.backends.xlsx_package_parts import _anchor_cell, _anchors
from sheets_sync.backends.xlsx_package_xml import (
    Archive,
    PackageError,
    children,
    descendants,
    first,
    local,
    rel_id,
)

__all__ = ["chart_of", "chart_source", "drawing_charts", "read_charts"]

#: The series parts whose cell references make a chart's source.
_REFERENCED = ("tx", "cat", "val", "xVal", "yVal")


def chart_source(references: list[str], sheet: str) -> str:
    """The bounding A1 range of ``references`` (``'Dash'!$F$2:$F$13``...) on ``sheet``.

    References to another tab (or any that cannot be read) keep the range apart:
    the source is then named with its tab (``'Other'!A1:B5``), never equal to a
    range on ``sheet``; "" when there are none.
    """
    boxes = []
    tabs: set[str] = set()
    for text in references:
        for part in text.strip().strip("()").split(","):
            location = split_location(part)
            box = parse_range(location[1]) if location is not None else None
            if location is None or box is None or box.bottom is None or box.right is None:
                tabs.add("?")
                continue
            tabs.add(location[0])
            boxes.append(box)
    if not boxes:
        return ""
    top = min(b.top for b in boxes)
    left = min(b.left for b in boxes)
    bottom = max(b.bottom for b in boxes if b.bottom is not None)
    right = max(b.right for b in boxes if b.right is not None)
    found = range_a1(top, left, bottom, right)
    if {tab_key(t) for t in tabs} != {tab_key(sheet)}:
        other = sorted(t for t in tabs if tab_key(t) != tab_key(sheet))
        return f"{quote_tab(other[0])}!{found}"
    return found


def _title(chart: ET.Element) -> str:
    title = first(chart, "title")
    tx = first(title, "tx") if title is not None else None
    if tx is None:
        return ""
    rich = first(tx, "rich")
    if rich is not None:
        lines = [
            "".join(t.text or "" for t in descendants(p, "t")) for p in children(rich, "p")
        ]
        return "\n".join(lines)
    # A title taken from a cell: its cached text.
    return "".join(v.text or "" for v in descendants(tx, "v"))


def _fill(series: ET.Element) -> str:
    props = first(series, "spPr")
    fill = first(props, "solidFill") if props is not None else None
    colour = first(fill, "srgbClr") if fill is not None else None
    return (colour.get("val") or "").upper() if colour is not None else ""


def chart_of(root: ET.Element, anchor: str, sheet: str) -> Chart:
    """The chart a chart part (``c:chartSpace``) holds, anchored at ``anchor`` on ``sheet``."""
    chart = first(root, "chart")
    if chart is None:
        return Chart(title="", source="", anchor=anchor)
    references: list[str] = []
    colours: list[str] = []
    plot = first(chart, "plotArea")
    for kind in plot if plot is not None else ():
        if not isinstance(kind.tag, str) or not local(kind.tag).endswith("Chart"):
            continue
        for series in children(kind, "ser"):
            colours.append(_fill(series))
            for name in _REFERENCED:
                part = first(series, name)
                if part is not None:
                    references.extend(f.text or "" for f in descendants(part, "f"))
    return Chart(
        title=_title(chart),
        source=chart_source(references, sheet),
        anchor=anchor,
        colors=tuple(colours),
    )


def drawing_charts(archive: Archive, drawing: str, root: ET.Element, sheet: str) -> list[Chart]:
    """The charts a drawing part (already parsed as ``root``) holds, in anchor order."""
    by_id = {rel.id: rel for rel in archive.rels(drawing)}
    out: list[Chart] = []
    for anchor in _anchors(root):
        cell = "" if local(anchor.tag) == "absoluteAnchor" else _anchor_cell(anchor)
        for frame in descendants(anchor, "graphicFrame"):
            for ref in descendants(frame, "chart"):
                rel = by_id.get(rel_id(ref) or "")
                part = archive.tree(rel.target) if rel is not None and not rel.external else None
                if part is not None and local(part.tag) == "chartSpace":
                    out.append(chart_of(part, cell, sheet))
    return out


def read_charts(source: str | os.PathLike[str] | bytes | IO[bytes]) -> dict[str, list[Chart]]:
    """Sheet name -> the charts on it, read from the drawings only (no sheet XML is parsed).

    Raises :class:`PackageError` when the package cannot be read.
    """
    data = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        with zipfile.ZipFile(data) as zf:
            return _read_charts(Archive(zf))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PackageError(f"not a readable .xlsx package ({exc})") from exc


def _read_charts(archive: Archive) -> dict[str, list[Chart]]:
    package_rels = archive.rels("")
    workbook = next(
        (r.target for r in package_rels if r.type == "officedocument" and not r.external),
        None,
    ) or archive.find("xl/workbook.xml")
    root = archive.tree(workbook) if workbook else None
    if workbook is None or root is None:
        return {}
    by_id = {rel.id: rel for rel in archive.rels(workbook)}
    out: dict[str, list[Chart]] = {}
    sheets = first(root, "sheets")
    for elem in children(sheets, "sheet") if sheets is not None else ():
        rel = by_id.get(rel_id(elem) or "")
        if rel is None or rel.external or rel.type != "worksheet":
            continue
        part = archive.find(rel.target)
        if part is None:
            continue
        name = elem.get("name", "")
        for drawing in archive.rels(part):
            if drawing.type != "drawing" or drawing.external:
                continue
            tree = archive.tree(drawing.target)
            if tree is not None:
                out.setdefault(name, []).extend(
                    drawing_charts(archive, archive.find(drawing.target) or "", tree, name)
                )
    return out
