"""Readers of the small parts around the sheets: strings, styles, metadata, comments,
tables and drawings."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
import zlib

from sheets_sync.a1 import a1
from sheets_sync.backends.xlsx_package_xml import (
    FEATURE_BAG_NS,
    MC_NS,
    Archive,
    PackageError,
    children,
    descendants,
    first,
    has_run_formatting,
    local,
    namespace,
    normalize_range,
    text_of,
)

_CHART_URIS = {
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "chart",
    "http://purl.oclc.org/ooxml/drawingml/chart": "chart",
    "http://schemas.microsoft.com/office/drawing/2014/chartex": "chart (new type)",
    "http://schemas.microsoft.com/office/drawing/2010/slicer": "slicer",
    "http://schemas.microsoft.com/office/drawing/2012/timeslicer": "timeline",
    "http://schemas.openxmlformats.org/drawingml/2006/diagram": "SmartArt",
    "http://purl.oclc.org/ooxml/drawingml/diagram": "SmartArt",
}
_DRAWN = {
    "pic": "image",
    "cxnSp": "connector",
    "grpSp": "group",
    "contentPart": "ink",
}
_ANCHORS = frozenset({"twoCellAnchor", "oneCellAnchor", "absoluteAnchor"})
#: What an anchor holds besides its object: position and size.
_PLACEMENT = frozenset({"from", "to", "pos", "ext", "clientData"})


def content_types(archive: Archive) -> dict[str, str]:
    """Every part (``[Content_Types].xml`` aside) with its content type, "" when unlisted."""
    root = archive.tree("[Content_Types].xml")
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    if root is not None:
        for elem in root:
            if not isinstance(elem.tag, str):
                continue
            name = local(elem.tag)
            if name == "Default":
                defaults[elem.get("Extension", "").lower()] = elem.get("ContentType", "")
            elif name == "Override":
                part = elem.get("PartName", "").lstrip("/").lower()
                overrides[part] = elem.get("ContentType", "")
    out: dict[str, str] = {}
    for part in archive.parts:
        if part.lower() == "[content_types].xml":
            continue
        lower = part.lower()
        extension = posixpath.splitext(lower)[1].lstrip(".")
        out[part] = overrides.get(lower) or defaults.get(extension, "")
    return out


def shared_strings(archive: Archive, part: str | None) -> tuple[list[str], set[int]]:
    """The shared strings in order, and the indexes of those with formatted runs."""
    strings: list[str] = []
    rich: set[int] = set()
    name = archive.find(part) if part else None
    if name is None:
        return strings, rich
    root: ET.Element | None = None
    try:
        with archive.open(name) as stream:
            for event, elem in ET.iterparse(stream, events=("start", "end")):
                if event == "start":
                    if root is None:
                        root = elem
                    continue
                # sstItem: Excel 2007 beta's name for si
                if elem is not root and local(elem.tag) in ("si", "sstItem"):
                    if has_run_formatting(elem):
                        rich.add(len(strings))
                    strings.append(text_of(elem))
                    if root is not None:
                        root.clear()
    except (ET.ParseError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PackageError(f"{name}: cannot be read ({exc})") from exc
    return strings, rich


def _bag_chain(bags: list[ET.Element], index: int, seen: set[int]) -> bool:
    """True when bag ``index`` is, or refers through bagIds to, a Checkbox bag."""
    if index in seen or not 0 <= index < len(bags):
        return False
    seen.add(index)
    bag = bags[index]
    if bag.get("type") == "Checkbox":
        return True
    for ref in descendants(bag, "bagId"):
        text = (ref.text or "").strip()
        if text.isdigit() and _bag_chain(bags, int(text), seen):
            return True
    return False


def checkbox_styles(archive: Archive, styles: str | None, bag_part: str | None) -> frozenset[int]:
    """Indexes of the cell formats (``cellXfs``) that draw Excel's in-cell checkbox."""
    root = archive.tree(styles) if styles else None
    xfs = first(root, "cellXfs") if root is not None else None
    if xfs is None:
        return frozenset()
    complements: dict[int, int] = {}
    for index, xf in enumerate(children(xfs, "xf")):
        for elem in xf.iter():
            if isinstance(elem.tag, str) and elem.tag == f"{{{FEATURE_BAG_NS}}}xfComplement":
                complements[index] = int(elem.get("i", "0") or 0)
    if not complements:
        return frozenset()
    bag_root = archive.tree(bag_part) if bag_part else None
    if bag_root is None:
        # A style pointing into a missing bag part still meant a checkbox when written.
        return frozenset(complements)
    bags = list(children(bag_root, "bag"))
    mapped: list[int] = []
    for bag in bags:
        if bag.get("type") == "XFComplements":
            mapped = [
                int(b.text or "")
                for b in descendants(bag, "bagId")
                if (b.text or "").strip().isdigit()
            ]
    return frozenset(
        index
        for index, i in complements.items()
        if i < len(mapped) and _bag_chain(bags, mapped[i], set())
    )


def dynamic_metadata(archive: Archive, part: str | None) -> frozenset[int]:
    """The 1-based ``cm`` values whose cell metadata is a dynamic array (XLDAPR)."""
    root = archive.tree(part) if part else None
    if root is None:
        return frozenset()
    types = [t.get("name", "") for t in descendants(root, "metadataType")]
    cell_metadata = first(root, "cellMetadata")
    if cell_metadata is None:
        return frozenset()
    out: set[int] = set()
    for index, block in enumerate(children(cell_metadata, "bk"), start=1):
        for record in children(block, "rc"):
            t = record.get("t", "0")
            if t.isdigit() and 0 < int(t) <= len(types) and types[int(t) - 1] == "XLDAPR":
                out.add(index)
    return frozenset(out)


def comments(root: ET.Element) -> dict[str, str]:
    """Legacy notes: ref -> text."""
    out: dict[str, str] = {}
    comment_list = first(root, "commentList")
    if comment_list is None:
        return out
    for comment in children(comment_list, "comment"):
        ref = comment.get("ref")
        body = first(comment, "text")
        if ref:
            out[normalize_range(ref)] = text_of(body) if body is not None else ""
    return out


def threaded_comments(root: ET.Element) -> dict[str, str]:
    """Threads: ref -> every message of the thread, one per line, in file order."""
    threads: dict[str, list[str]] = {}
    for comment in children(root, "threadedComment"):
        ref = comment.get("ref")
        body = first(comment, "text")
        if ref:
            text = (body.text or "") if body is not None else ""
            threads.setdefault(normalize_range(ref), []).append(text)
    return {ref: "\n".join(texts) for ref, texts in threads.items()}


def table(root: ET.Element) -> tuple[str, str] | None:
    """(display name, range) of a table part."""
    name = root.get("displayName") or root.get("name")
    ref = root.get("ref")
    if not name or not ref:
        return None
    return name, normalize_range(ref)


def _anchor_cell(anchor: ET.Element) -> str:
    start = first(anchor, "from")
    if start is None:
        return ""
    col = first(start, "col")
    row = first(start, "row")
    try:
        return a1(
            int((row.text or "0") if row is not None else "0"),
            int((col.text or "0") if col is not None else "0"),
        )
    except ValueError:
        return ""


def _drawn(obj: ET.Element) -> str | None:
    name = local(obj.tag)
    if name in _DRAWN:
        return _DRAWN[name]
    if name == "sp":
        for props in descendants(obj, "cNvSpPr"):
            if props.get("txBox") in ("1", "true"):
                return "text box"
        return "shape"
    if name == "graphicFrame":
        data = next(descendants(obj, "graphicData"), None)
        uri = data.get("uri", "") if data is not None else ""
        return _CHART_URIS.get(uri, "graphic frame")
    return None


def _anchors(root: ET.Element) -> list[ET.Element]:
    out: list[ET.Element] = []
    for elem in root:
        if not isinstance(elem.tag, str):
            continue
        if local(elem.tag) in _ANCHORS:
            out.append(elem)
        elif elem.tag == f"{{{MC_NS}}}AlternateContent":
            for choice in elem:
                out.extend(_anchors(choice))
                break
    return out


def drawing_items(root: ET.Element) -> list[tuple[str, str]]:
    """(what, anchor cell) of every object in a drawing part."""
    out: list[tuple[str, str]] = []
    for anchor in _anchors(root):
        cell = "" if local(anchor.tag) == "absoluteAnchor" else _anchor_cell(anchor)
        for obj in anchor:
            if not isinstance(obj.tag, str):
                continue
            if obj.tag == f"{{{MC_NS}}}AlternateContent":
                choice = next(iter(obj), None)
                found = [c for c in choice if isinstance(c.tag, str)] if choice is not None else []
            else:
                found = [obj]
            for item in found:
                if local(item.tag) not in _PLACEMENT:
                    out.append((_drawn(item) or "drawing object", cell))
    return out


def is_strict(root: ET.Element) -> bool:
    """True when the workbook part uses the Strict Open XML namespace."""
    return namespace(root.tag).startswith("http://purl.oclc.org/ooxml/")
