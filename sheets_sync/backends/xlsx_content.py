"""Zip-level readers for .xlsx files: content openpyxl would drop, and cached formula results.

:func:`scan_content` reads the zip directly, so it is fast and sees parts
openpyxl never loads: drawings (shapes, images, charts), VBA, pivot tables,
slicers, form controls, and the ``x14`` extensions of a worksheet's ``extLst``
(sparklines, newer conditional formats and validations). Metadata is not
content: the workbook-level ``extLst`` LibreOffice writes into every file is
ignored.

:func:`slim_copy` drops the empty, unformatted cells LibreOffice pads sheets with,
so openpyxl need not load (and save again) hundreds of thousands of them.

:func:`cached_results` picks the calculated values of formula cells out of the
sheet XML without parsing every cell a second time.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from sheets_sync.a1 import split_ref

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"

_XMLNS = re.compile(rb'xmlns:([A-Za-z_][\w.-]*)="([^"]*)"')
_DRAWING_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(pic|sp|cxnSp|grpSp|graphicFrame|contentPart)\b"
)
_CHART_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?chart\b[^>]*\bid=")
#: Parts a worksheet may point to that openpyxl drops, by folder.
_LINKED_PARTS = {
    "xl/pivotTables/": "pivot table",
    "xl/slicers/": "slicer",
    "xl/timelines/": "timeline",
    "xl/embeddings/": "embedded object",
    "xl/activeX/": "ActiveX control",
    "xl/ctrlProps/": "form control",
}
#: Findings that are named, not counted.
_UNCOUNTED = frozenset({"VBA macros", "Excel 4 macro sheets"})
_VML_OBJECT = re.compile(rb'ObjectType="(\w+)"')
_BACKGROUND = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?picture\b")
_QUOTED_LIST = re.compile(r'^"([^"]*)"$')


@dataclass(frozen=True)
class X14Item:
    """A conditional format or validation stored only in a worksheet's x14 extension.

    ``tool_shaped`` items have exactly the shape of what sheets-sync installs
    (an expression rule that only sets a fill; a dropdown of literal values over
    one column from row 2), so they may be the tool's own rules re-expressed by
    another program; anything else is a person's and must not be lost.
    """

    kind: str  # "cf" or "dv"
    sheet: str
    sqref: str
    formula: str
    fill: str | None = None
    tool_shaped: bool = False


@dataclass
class ContentScan:
    """What a scan found: problems (content that would be lost) and x14 rules to check."""

    problems: list[str] = field(default_factory=list)
    x14: list[X14Item] = field(default_factory=list)
    #: sheet -> (how many charts its drawings hold, the problem that names them)
    charts: dict[str, tuple[int, str]] = field(default_factory=dict)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part name (resolved) of ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = ET.fromstring(zf.read(rels_name))
    except (KeyError, ET.ParseError):
        return {}
    out: dict[str, str] = {}
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = (
            target.lstrip("/") if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id", "")] = resolved
    return out


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) of every worksheet and chartsheet, in workbook order."""
    try:
        root = ET.fromstring(zf.read("xl/workbook.xml"))
    except (KeyError, ET.ParseError):
        return []
    rels = _rels(zf, "xl/workbook.xml")
    out = []
    for sheet in root.iter(f"{{{MAIN_NS}}}sheet"):
        part = rels.get(sheet.get(f"{{{DOC_REL_NS}}}id", ""))
        if part:
            out.append((sheet.get("name", "?"), part))
    return out


def _sheet_tail(data: bytes) -> bytes:
    """The part of a worksheet after its cells: everything but sheetData, fast on big sheets."""
    end = data.rfind(b"</sheetData>")
    return data[end:] if end >= 0 else data


def _namespaces(data: bytes, tail: bytes) -> dict[str, str]:
    spaces: dict[str, str] = {}
    for blob in (data[:8192], tail):
        for prefix, uri in _XMLNS.findall(blob):
            spaces.setdefault(prefix.decode(), uri.decode())
    return spaces


def _prefixes(spaces: dict[str, str], uri: str) -> list[str]:
    return [p for p, u in spaces.items() if u == uri]


def _fill_of(dxf: ET.Element | None) -> tuple[str | None, bool]:
    """The fill colour (6 hex digits) of a differential format, and whether it sets only a fill."""
    if dxf is None:
        return None, False
    only_fill = all(child.tag == f"{{{MAIN_NS}}}fill" for child in dxf)
    for tag in ("bgColor", "fgColor"):
        for colour in dxf.iter(f"{{{MAIN_NS}}}{tag}"):
            rgb = colour.get("rgb")
            if rgb:
                return rgb[-6:].upper(), only_fill
    return None, only_fill


def _single_column_from_row2(sqref: str) -> bool:
    match = re.fullmatch(r"\$?([A-Z]+)\$?2(?::\$?([A-Z]+)\$?\d+)?", sqref.strip().upper())
    return match is not None and match.group(2) in (None, match.group(1))


def _x14_items(sheet: str, tail: bytes, spaces: dict[str, str]) -> list[X14Item]:
    """Parse the x14 conditional formats and validations of one worksheet's extLst."""
    items: list[X14Item] = []
    declare = " ".join(f'xmlns:{p}="{u}"' for p, u in spaces.items())
    for prefix in _prefixes(spaces, X14_NS):
        pattern = re.compile(
            rb"<%s:(conditionalFormatting|dataValidation)\b.*?</%s:\1>"
            % (prefix.encode(), prefix.encode()),
            re.S,
        )
        for match in pattern.finditer(tail):
            wrapped = f'<root xmlns="{MAIN_NS}" {declare}>'.encode() + match.group(0) + b"</root>"
            try:
                node = ET.fromstring(wrapped)[0]
            except ET.ParseError:
                items.append(X14Item("cf", sheet, "?", "?"))
                continue
            sqref = " ".join(t.text or "" for t in node.iter(f"{{{XM_NS}}}sqref"))
            if match.group(1) == b"conditionalFormatting":
                for rule in node.iter(f"{{{X14_NS}}}cfRule"):
                    formulas = [f.text or "" for f in rule.iter(f"{{{XM_NS}}}f")]
                    fill, only_fill = _fill_of(rule.find(f"{{{X14_NS}}}dxf"))
                    shaped = (
                        rule.get("type") == "expression" and len(formulas) == 1 and only_fill
                        and fill is not None and len(list(rule)) <= 2
                    )
                    formula = formulas[0] if formulas else ""
                    items.append(X14Item("cf", sheet, sqref, formula, fill, shaped))
            else:
                formulas = [f.text or "" for f in node.iter(f"{{{XM_NS}}}f")]
                formula = formulas[0] if formulas else ""
                shaped = (
                    node.get("type") == "list" and len(formulas) == 1
                    and bool(_QUOTED_LIST.match(formula.strip()))
                    and _single_column_from_row2(sqref)
                )
                items.append(X14Item("dv", sheet, sqref, formula, None, shaped))
    return items


def _scan_worksheet(
    zf: zipfile.ZipFile, sheet: str, part: str, found: Counter[tuple[str, str]], scan: ContentScan
) -> None:
    try:
        data = zf.read(part)
    except KeyError:
        return
    tail = _sheet_tail(data)
    spaces = _namespaces(data, tail)
    found[("background image", sheet)] += len(_BACKGROUND.findall(tail))
    for prefix in _prefixes(spaces, X14_NS):
        p = prefix.encode()
        found[("sparkline group", sheet)] += len(re.findall(rb"<%s:sparklineGroup\b" % p, tail))
    for item in _x14_items(sheet, tail, spaces):
        if item.tool_shaped:
            scan.x14.append(item)
        elif item.kind == "cf":
            found[("Excel 2010 conditional format", sheet)] += 1
        else:
            found[("Excel 2010 data validation", sheet)] += 1
    names = set(zf.namelist())
    for target in _rels(zf, part).values():
        if target not in names:
            continue
        if target.startswith("xl/drawings/") and target.endswith(".xml"):
            _scan_drawing(zf.read(target), sheet, found)
        elif target.endswith(".vml"):
            # Comments live in VML too; openpyxl rebuilds those, but drops anything else.
            for kind in _VML_OBJECT.findall(zf.read(target)):
                if kind != b"Note":
                    found[("form control", sheet)] += 1
        for folder, word in _LINKED_PARTS.items():
            if target.startswith(folder):
                found[(word, sheet)] += 1


def _scan_drawing(data: bytes, sheet: str, found: Counter[tuple[str, str]]) -> None:
    tags = Counter(_DRAWING_TAG.findall(data))
    charts = len(_CHART_REF.findall(data))
    found[("image", sheet)] += tags[b"pic"]
    found[("shape", sheet)] += tags[b"sp"] + tags[b"cxnSp"]
    found[("ink drawing", sheet)] += tags[b"contentPart"]
    found[("chart", sheet)] += charts
    # Other graphic frames: SmartArt diagrams, embedded tables and objects.
    found[("diagram", sheet)] += max(tags[b"graphicFrame"] - charts, 0)


def scan_content(path: str | IO[bytes]) -> ContentScan:
    """Scan the .xlsx at ``path`` for content openpyxl would drop.

    Raises :class:`zipfile.BadZipFile` (or OSError) when the file is no zip at all.
    """
    scan = ContentScan()
    found: Counter[tuple[str, str]] = Counter()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        sheets = _sheet_parts(zf)
        for sheet, part in sheets:
            if part.startswith("xl/chartsheets/"):
                found[("chart sheet", sheet)] += 1
            else:
                _scan_worksheet(zf, sheet, part, found, scan)
        # Parts no sheet points to (or that only the workbook points to) are still lost.
        folders = {"xl/media/": "image", "xl/slicerCaches/": "slicer", **_LINKED_PARTS}
        for folder, word in folders.items():
            count = sum(1 for n in names if n.startswith(folder) and "/_rels/" not in n)
            seen = (word, "background image") if word == "image" else (word,)
            if count and not any(n for (w, _), n in found.items() if w in seen):
                found[(word, "")] += count
        if "xl/vbaProject.bin" in names:
            found[("VBA macros", "")] = 1
        if any(n.startswith("xl/macrosheets/") or n.startswith("xl/dialogsheets/") for n in names):
            found[("Excel 4 macro sheets", "")] = 1
    for (word, sheet), count in found.items():
        if not count:
            continue
        what = word if word in _UNCOUNTED else _plural(count, word)
        scan.problems.append(f"{what} on '{sheet}'" if sheet else what)
        if word == "chart" and sheet:
            scan.charts[sheet] = (count, scan.problems[-1])
    return scan


_CELL_START = re.compile(rb"<c\b([^>]*)>")
_ATTR = re.compile(rb'\b(r|t)="([^"]*)"')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_FORMULA_TAG = re.compile(rb"<f[\s>/]")
_INLINE_TEXT = re.compile(rb"<is>.*?</is>", re.S)
_T_TEXT = re.compile(r"<t(?:\s[^>]*)?>([^<]*)</t>")

#: (row, col) 0-based -> (the cell's ``t`` attribute, the raw text of its ``<v>``, or None)
CachedResults = dict[tuple[int, int], tuple[str, str | None]]


def _sheet_results(data: bytes) -> CachedResults | None:
    start, end = data.find(b"<sheetData"), data.rfind(b"</sheetData>")
    if start < 0 or end < 0:
        return None  # prefixed tags or an odd writer: let openpyxl do it
    out: CachedResults = {}
    for match in _FORMULA_TAG.finditer(data, start, end):
        cell_at = data.rfind(b"<c", start, match.start())
        head = _CELL_START.match(data, cell_at)
        close = data.find(b"</c>", match.start(), end)
        if head is None or close < 0:
            return None
        attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(head.group(1))}
        kind = attrs.get("t", "n")
        index = split_ref(attrs.get("r", ""))
        if kind == "inlineStr":  # LibreOffice marks some text results so
            kind = "str"
            inline = _INLINE_TEXT.search(data, match.start(), close)
            if inline is not None:
                text = "".join(_T_TEXT.findall(inline.group(0).decode()))
                if index is not None:
                    out[index] = (kind, html.unescape(text))
                continue
        if index is None or kind not in ("n", "str", "b", "e"):
            return None  # no cell reference, or a shared string / ISO date result
        value = _VALUE.search(data, match.start(), close)
        out[index] = (kind, html.unescape(value.group(1).decode()) if value else None)
    return out


def cached_results(path: str | IO[bytes], sheets: set[str]) -> dict[str, CachedResults]:
    """The cached results of the formula cells of the named worksheets.

    A sheet whose XML this quick reader does not understand is left out, so the
    caller can fall back to openpyxl for it.
    """
    out: dict[str, CachedResults] = {}
    with zipfile.ZipFile(path) as zf:
        for name, part in _sheet_parts(zf):
            if name in sheets and part.startswith("xl/worksheets/"):
                results = _sheet_results(zf.read(part))
                if results is not None:
                    out[name] = results
    return out


_PLAIN_XF_ATTRS = frozenset(
    {"numFmtId", "fontId", "fillId", "borderId", "xfId", "applyNumberFormat", "applyFont",
     "applyFill", "applyBorder", "applyAlignment", "applyProtection", "pivotButton",
     "quotePrefix"}
)
_DEFAULT_ALIGNMENT = {
    "horizontal": "general", "vertical": "bottom", "textRotation": "0", "wrapText": "false",
    "indent": "0", "shrinkToFit": "false", "readingOrder": "0", "justifyLastLine": "false",
    "relativeIndent": "0",
}


def _is_default(value: str | None, default: str) -> bool:
    if value is None:
        return True
    spelled = {"true": ("1", "true"), "false": ("0", "false")}.get(default, (default,))
    return value.lower() in spelled


def _plain_styles(styles: bytes) -> list[str]:
    """Ids of cell formats that look exactly like no format at all on an empty cell."""
    root = ET.fromstring(styles)
    ns = f"{{{MAIN_NS}}}"
    general = {"0"} | {
        f.get("numFmtId", "") for f in root.iter(ns + "numFmt")
        if (f.get("formatCode") or "").lower() == "general"
    }
    def children(tag: str) -> list[ET.Element]:
        parent = root.find(ns + tag)
        return list(parent) if parent is not None else []

    fills, borders, xfs = children("fills"), children("borders"), children("cellXfs")
    if not xfs:
        return []
    default_font = xfs[0].get("fontId", "0")

    def plain_fill(index: int) -> bool:
        if index >= len(fills):
            return False
        pattern = fills[index].find(ns + "patternFill")
        return pattern is not None and pattern.get("patternType", "none") == "none"

    def plain_border(index: int) -> bool:
        return index < len(borders) and all(
            side.get("style") in (None, "none") for side in borders[index]
        )

    plain = []
    for index, xf in enumerate(xfs):
        if set(xf.attrib) - _PLAIN_XF_ATTRS or xf.get("xfId", "0") != "0":
            continue
        if not all(_is_default(xf.get(key), "false") for key in ("pivotButton", "quotePrefix")):
            continue
        if xf.get("numFmtId", "0") not in general or xf.get("fontId", "0") != default_font:
            continue
        fill, border = int(xf.get("fillId", "0")), int(xf.get("borderId", "0"))
        if not (plain_fill(fill) and plain_border(border)):
            continue
        alignment, protection = xf.find(ns + "alignment"), xf.find(ns + "protection")
        if alignment is not None and not all(
            _is_default(alignment.get(key), _DEFAULT_ALIGNMENT.get(key, "?"))
            for key in alignment.attrib
        ):
            continue
        if protection is not None and not (
            _is_default(protection.get("locked"), "true")
            and _is_default(protection.get("hidden"), "false")
        ):
            continue
        plain.append(str(index))
    return plain


_CUSTOM_ROW = re.compile(rb'<row\b[^>]*\bcustomFormat="(?:1|true)"')
_COL_STYLE = re.compile(rb'\bstyle="([0-9]+)"')


def slim_copy(path: str | IO[bytes]) -> io.BytesIO | None:
    """An in-memory copy of the workbook without its empty, unformatted padding cells.

    LibreOffice writes an empty styled cell for every cell a conditional format
    covers, up to 1000 rows below the data: a rule over ``A2:ZZ5000`` becomes
    700,000 cells. Those cells look exactly like no cell at all, so dropping them
    loses nothing. Returns None when there is nothing to drop.
    """
    with zipfile.ZipFile(path) as zf:
        try:
            plain = _plain_styles(zf.read("xl/styles.xml"))
        except (KeyError, ET.ParseError, ValueError):
            return None
        if not plain:
            return None
        plain_bytes = [p.encode() for p in plain]
        empty = re.compile(
            rb'<c r="[A-Z]{1,3}[0-9]+" s="(?:%s)"(?: t="n")? ?/>' % "|".join(plain).encode()
        )
        sheets = [name for _, name in _sheet_parts(zf) if name.startswith("xl/worksheets/")]
        slimmed = {}
        for name in sheets:
            data = zf.read(name)
            # A cell's own format hides its row's or column's: where those are formatted,
            # dropping a plain cell would show theirs, so leave such a sheet alone.
            cols = data[data.find(b"<cols>") : data.find(b"</cols>")] if b"<cols>" in data else b""
            if _CUSTOM_ROW.search(data) or set(_COL_STYLE.findall(cols)) - set(plain_bytes):
                continue
            smaller = empty.sub(b"", data)
            if len(smaller) != len(data):
                slimmed[name] = smaller
        if not slimmed:
            return None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
            for info in zf.infolist():
                out.writestr(info.filename, slimmed.get(info.filename) or zf.read(info))
    buffer.seek(0)
    return buffer
