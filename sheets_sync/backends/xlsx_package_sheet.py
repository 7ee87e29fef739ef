"""Streaming reader of one sheet part: cells row by row, then every other section.

Sheet XML can be a hundred megabytes, so it is streamed through expat: cells
are kept as their events pass, each other top-level section is built as one
element and dropped once read. Memory grows with the cells kept, never with the
XML.
"""

from __future__ import annotations

import pyexpat
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from sheets_sync.a1 import column_index, split_ref
from sheets_sync.backends.xlsx_package_model import (
    CellError,
    CellInfo,
    CellPos,
    DateText,
    SheetFeatures,
    Value,
)
from sheets_sync.backends.xlsx_package_rules import (
    conditional_format,
    read_extension,
    validation,
)
from sheets_sync.backends.xlsx_package_xml import (
    MC_NS,
    PackageError,
    canonical_number,
    children,
    expand_range,
    first,
    local,
    normalize_formula,
    normalize_range,
    normalize_sqref,
    rel_id,
    unescape,
)

#: Attribute values the schema implies when absent; equal ones are left out so a
#: writer spelling out a default does not look different from one omitting it.
_DEFAULTS: dict[str, dict[str, str]] = {
    "pageSetup": {
        "paperSize": "1", "scale": "100", "firstPageNumber": "1", "fitToWidth": "1",
        "fitToHeight": "1", "pageOrder": "downThenOver", "orientation": "default",
        "usePrinterDefaults": "1", "blackAndWhite": "0", "draft": "0",
        "cellComments": "none", "useFirstPageNumber": "0", "errors": "displayed",
        "horizontalDpi": "600", "verticalDpi": "600", "copies": "1",
    },
    "printOptions": {
        "horizontalCentered": "0", "verticalCentered": "0", "headings": "0",
        "gridLines": "0", "gridLinesSet": "1",
    },
    "pageMargins": {},
    "pageSetUpPr": {"autoPageBreaks": "1", "fitToPage": "0"},
    "headerFooter": {
        "differentOddEven": "0", "differentFirst": "0", "scaleWithDoc": "1",
        "alignWithMargins": "1",
    },
}  # fmt: skip

#: Top-level sections counted by their items: section -> (item, feature name).
_COUNTED: dict[str, tuple[str, str]] = {
    "protectedRanges": ("protectedRange", "protected range"),
    "scenarios": ("scenario", "scenario"),
    "customSheetViews": ("customSheetView", "custom view"),
    "cellWatches": ("cellWatch", "cell watch"),
    "ignoredErrors": ("ignoredError", "ignored error"),
    "smartTags": ("cellSmartTag", "smart tag"),
    "webPublishItems": ("webPublishItem", "web publish item"),
    "customProperties": ("customPr", "custom property"),
    "oleObjects": ("oleObject", "embedded object"),
    "controls": ("control", "form control"),
}
#: Top-level sections whose presence is the feature.
_PRESENT = {
    "autoFilter": "autofilter",
    "sortState": "sort state",
    "dataConsolidate": "data consolidation",
    "legacyDrawingHF": "header/footer image",
    "drawingHF": "header/footer image",
}
_HEADER_FOOTER_TEXTS = (
    "oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter",
)  # fmt: skip
_DIGITS = "0123456789"


@dataclass
class CellContext:
    """Workbook-wide facts cells refer to."""

    shared_strings: list[str] = field(default_factory=list)
    rich_strings: set[int] = field(default_factory=set)
    checkbox_styles: frozenset[int] = frozenset()
    dynamic_metadata: frozenset[int] = frozenset()
    read_cells: bool = True


@dataclass
class SheetLinks:
    """Relationship ids a sheet part mentions, resolved once its rels are read."""

    hyperlinks: list[tuple[str, str | None, str]] = field(default_factory=list)
    drawings: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list)


class SheetReader:
    """Reads one sheet part into a :class:`SheetFeatures`."""

    def __init__(self, sheet: SheetFeatures, context: CellContext) -> None:
        self.sheet = sheet
        self.context = context
        self.links = SheetLinks()
        self._row = -1
        self._sections: dict[str, Callable[[ET.Element], None]] = {
            "sheetPr": self._sheet_pr,
            "sheetProtection": self._protection,
            "mergeCells": self._merge_cells,
            "conditionalFormatting": self._conditional_formatting,
            "dataValidations": self._data_validations,
            "hyperlinks": self._hyperlinks,
            "printOptions": self._attributes,
            "pageMargins": self._attributes,
            "pageSetup": self._attributes,
            "headerFooter": self._header_footer,
            "rowBreaks": self._breaks,
            "colBreaks": self._breaks,
            "drawing": self._drawing,
            "picture": self._picture,
            "extLst": self._extensions,
            "AlternateContent": self._alternate,
        }

    def read(self, stream: IO[bytes]) -> None:
        """Read the part: cells as expat reports them, each other section as one element."""
        cells = _CellStream(self)
        parser = pyexpat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = cells.start
        parser.EndElementHandler = cells.end
        parser.CharacterDataHandler = cells.data
        try:
            parser.ParseFile(stream)
        except pyexpat.ExpatError as exc:
            raise PackageError(f"{self.sheet.part}: not well-formed XML ({exc})") from exc

    def section(self, elem: ET.Element) -> None:
        """Read one top-level section other than the cells."""
        name = local(elem.tag)
        handler = self._sections.get(name)
        if handler is not None:
            handler(elem)
        elif name in _COUNTED:
            item, what = _COUNTED[name]
            self.sheet.count(what, sum(1 for _ in children(elem, item)))
        elif name in _PRESENT:
            self.sheet.other[_PRESENT[name]] = 1

    def _alternate(self, elem: ET.Element) -> None:
        # Only the first Choice is read: the Fallback repeats it for old readers.
        for choice in elem:
            if choice.tag != f"{{{MC_NS}}}Fallback":
                for child in choice:
                    if isinstance(child.tag, str):
                        self.section(child)
            break

    # cells ---------------------------------------------------------------

    def position(self, ref: str | None, col: int) -> CellPos:
        """A cell's (row, col) from its ``r``, or the next column of the current row."""
        row_index = self._row
        if ref:
            letters = ref.rstrip(_DIGITS)
            if letters.isalpha():
                digits = ref[len(letters) :]
                return (int(digits) - 1 if digits else row_index), column_index(letters)
            split = split_ref(ref)
            if split is not None:
                return split
        return row_index, col + 1

    def start_row(self, r: str | None) -> None:
        self._row = int(r) - 1 if r and r.isdigit() else self._row + 1

    def cell(
        self,
        attrib: dict[str, str],
        pos: CellPos,
        v_text: str | None,
        has_v: bool,
        f_elem: ET.Element | None,
        inline: tuple[str, bool] | None,
    ) -> None:
        """Keep one cell read from the stream."""
        context = self.context
        sheet = self.sheet
        style = attrib.get("s")
        checkbox = context.checkbox_styles
        if checkbox and style and style.isdigit() and int(style) in checkbox:
            sheet.mark("cell checkbox", pos)
        value = self._value(attrib.get("t", "n"), v_text, has_v, inline, pos)
        formula, formula_kind = self._formula(f_elem) if f_elem is not None else (None, "")
        cm = attrib.get("cm")
        dynamic = cm is not None and cm.isdigit() and int(cm) in context.dynamic_metadata
        value_meta = bool(attrib.get("vm"))
        if dynamic:
            sheet.count("dynamic-array formula")
        if value_meta:
            sheet.count("value metadata")
        if not context.read_cells:
            return
        if formula is None and (value is None or value == "") and not (dynamic or value_meta):
            return
        sheet.cells[pos] = CellInfo(value, formula, formula_kind, dynamic, value_meta)

    def _value(
        self,
        kind: str,
        text: str | None,
        has_v: bool,
        inline: tuple[str, bool] | None,
        pos: CellPos,
    ) -> Value:
        if kind == "s":
            return self._shared_string(text, pos)
        if kind == "inlineStr":
            if inline is not None:
                if inline[1]:
                    self.sheet.mark("rich text", pos)
                return inline[0]
            return unescape(text) if text is not None else None
        if kind == "str":
            return unescape(text or "") if has_v else None
        if text is None or not text.strip():
            return None
        if kind == "b":
            return text.strip().lower() in ("1", "true")
        if kind == "e":
            return CellError(text)
        if kind == "d":
            return DateText(text.strip())
        try:
            return float(text)
        except ValueError:
            return text

    def _shared_string(self, text: str | None, pos: CellPos) -> Value:
        if text is None or not text.strip():
            return None
        strings = self.context.shared_strings
        try:
            index = int(text)
            value = strings[index]
        except (ValueError, IndexError) as exc:
            raise PackageError(
                f"{self.sheet.part}: a cell uses shared string {text.strip()!r}, "
                f"but the workbook has {len(strings)}"
            ) from exc
        if index in self.context.rich_strings:
            self.sheet.mark("rich text", pos)
        return value

    def _formula(self, f_elem: ET.Element) -> tuple[str, str]:
        kind = f_elem.get("t", "normal")
        text = f_elem.text or ""
        if kind == "shared":
            return (normalize_formula(text) if text.strip() else "<shared>"), "shared"
        if kind == "array":
            return normalize_formula(text), "array"
        if kind == "dataTable":
            self.sheet.count("data table formula")
            args = [f_elem.get(key, "") for key in ("r1", "r2")]
            flags = [f"{key}={f_elem.get(key)}" for key in ("dt2D", "dtr", "del1", "del2")]
            return f"TABLE({','.join(a for a in args if a)};{';'.join(flags)})", "dataTable"
        return normalize_formula(text), ""

    # sections ------------------------------------------------------------

    def _sheet_pr(self, elem: ET.Element) -> None:
        if first(elem, "tabColor") is not None:
            self.sheet.other["tab color"] = 1
        setup = first(elem, "pageSetUpPr")
        if setup is not None:
            self._attributes(setup)

    def _protection(self, elem: ET.Element) -> None:
        if elem.get("sheet", "0") in ("1", "true") or elem.get("content", "0") in ("1", "true"):
            self.sheet.other["protection"] = 1

    def _merge_cells(self, elem: ET.Element) -> None:
        for merge in children(elem, "mergeCell"):
            ref = merge.get("ref")
            if ref:
                self.sheet.merged.add(normalize_range(ref))

    def _conditional_formatting(self, elem: ET.Element) -> None:
        sqref = normalize_sqref(elem.get("sqref", ""))
        for rule in children(elem, "cfRule"):
            self.sheet.conditional_formats.add(conditional_format(sqref, rule, ""))

    def _data_validations(self, elem: ET.Element) -> None:
        for item in children(elem, "dataValidation"):
            self.sheet.validations.add(validation(item, normalize_sqref(item.get("sqref", ""))))

    def _hyperlinks(self, elem: ET.Element) -> None:
        for link in children(elem, "hyperlink"):
            ref = link.get("ref")
            if ref:
                # One link over a range is the same link on each of its cells, as
                # some writers store it; a huge range is kept whole.
                cells = expand_range(ref, limit=10_000) or [normalize_range(ref)]
                for cell in cells:
                    self.links.hyperlinks.append((cell, rel_id(link), link.get("location", "")))

    def _attributes(self, elem: ET.Element) -> None:
        name = local(elem.tag)
        defaults = _DEFAULTS.get(name, {})
        for key, raw in elem.attrib.items():
            if key.startswith("{"):
                continue  # r:id of the printer settings blob, renamed by every writer
            value = canonical_number(raw)
            if defaults.get(key) != value:
                self.sheet.print_settings[f"{name}.{key}"] = value

    def _breaks(self, elem: ET.Element) -> None:
        ids = sorted(
            {int(b.get("id", "0")) for b in children(elem, "brk") if b.get("id", "").isdigit()}
        )
        if ids:
            self.sheet.print_settings[local(elem.tag)] = ",".join(map(str, ids))

    def _header_footer(self, elem: ET.Element) -> None:
        texts = {}
        for name in _HEADER_FOOTER_TEXTS:
            part = first(elem, name)
            # Blank text prints nothing, whichever way a writer keeps it.
            if part is not None and part.text and part.text.strip():
                texts[name] = unescape(part.text)
        if not texts:
            return  # the options only shape header and footer text, and there is none
        defaults = _DEFAULTS["headerFooter"]
        for key, raw in elem.attrib.items():
            value = canonical_number(raw)
            if not key.startswith("{") and defaults.get(key) != value:
                self.sheet.header_footer[key] = value
        self.sheet.header_footer.update(texts)

    def _drawing(self, elem: ET.Element) -> None:
        rid = rel_id(elem)
        if rid:
            self.links.drawings.append(rid)

    def _picture(self, elem: ET.Element) -> None:
        rid = rel_id(elem)
        self.links.background.append(rid or "")

    def _extensions(self, elem: ET.Element) -> None:
        for ext in children(elem, "ext"):
            read_extension(self.sheet, ext)


def _tag(name: str) -> str:
    """An expat name (``ns}local``) as ElementTree spells it (``{ns}local``)."""
    return "{" + name if "}" in name else name


def _attrs(attrs: dict[str, str]) -> dict[str, str]:
    if not any("}" in key for key in attrs):
        return attrs
    return {_tag(key): value for key, value in attrs.items()}


class _LocalNames(dict[str, str]):
    """Expat name -> local name, worked out once per distinct name."""

    def __missing__(self, name: str) -> str:
        local_name = self[name] = name[name.rfind("}") + 1 :]
        return local_name


class _CellStream:
    """Expat handlers for one sheet part.

    Cells are most of a sheet, so they are read from the parser's events without
    building elements (about twice as fast as ``iterparse`` on a large sheet); each
    other top-level section is built as one element and read like any other part.
    Elements are matched by local name, as writers put cells in more than one
    namespace. Depths: 1 the worksheet, 2 its sections, 3 rows, 4 cells, 5 a cell's
    ``v``, ``f`` or ``is``, 6 and 7 an inline string's text and runs.
    """

    def __init__(self, reader: SheetReader) -> None:
        self.reader = reader
        self.names = _LocalNames()
        self.depth = 0
        self.in_data = False
        self.skip = 0  # depth of an element whose content is ignored; 0 for none
        self.builder: ET.TreeBuilder | None = None
        self.col = -1
        self.attrib: dict[str, str] | None = None
        self.pos: CellPos = (0, 0)
        self.v_text: str | None = None
        self.has_v = False
        self.f_elem: ET.Element | None = None
        self.inline: list[str] | None = None  # the texts of an open or read <is>
        self.rich = False
        self.field = ""  # the open <v>, <f> or <is>
        self.text: list[str] = []
        self.text_open = False
        self.collect_at = 0  # depth of the inline string's open <t>

    def _collect(self, depth: int) -> None:
        self.text, self.text_open, self.collect_at = [], True, depth

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth = self.depth = self.depth + 1
        if self.builder is not None:
            self.builder.start(_tag(name), _attrs(attrs))
            return
        if self.skip:
            return
        if depth == 4:
            if self.names[name] == "c":
                self.attrib = attrs
                self.pos = pos = self.reader.position(attrs.get("r"), self.col)
                self.col = pos[1]
                self.v_text, self.has_v, self.f_elem, self.inline = None, False, None, None
            else:
                self.skip = depth
        elif depth == 5:
            self._open_field(self.names[name], name, attrs)
        elif depth == 6 and self.field == "is":
            kind = self.names[name]
            if kind == "t":
                self._collect(depth)
            elif kind != "r":
                self.skip = depth  # phonetic runs and properties: not the cell's text
        elif depth == 7 and self.field == "is" and not self.collect_at:
            kind = self.names[name]
            if kind == "t":
                self._collect(depth)
            else:
                self.rich = self.rich or kind == "rPr"
                self.skip = depth
        elif depth == 3 and self.in_data:
            if self.names[name] == "row":
                self.reader.start_row(attrs.get("r"))
                self.col = -1
            else:
                self.skip = depth
        elif depth == 2:
            if self.names[name] == "sheetData":
                self.in_data = True
            else:
                self.builder = ET.TreeBuilder()
                self.builder.start(_tag(name), _attrs(attrs))
        elif depth > 2:
            # Inside <v> or <f> (their text is what comes before it), or out of place.
            self.text_open = False
            self.skip = depth

    def _open_field(self, kind: str, name: str, attrs: dict[str, str]) -> None:
        if kind == "v":
            self.has_v = True
        elif kind == "f":
            self.f_elem = ET.Element(_tag(name), _attrs(attrs))
        elif kind == "is":
            self.inline, self.rich = [], False
            self.field = kind
            return
        else:
            self.skip = 5
            return
        self.field = kind
        self.text, self.text_open = [], True

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if self.builder is not None:
            self.builder.end(_tag(name))
            if depth == 2:
                elem = self.builder.close()
                self.builder = None
                self.reader.section(elem)
        elif self.skip:
            if depth == self.skip:
                self.skip = 0
        elif depth == 4:
            if self.attrib is not None:
                inline = (
                    (unescape("".join(self.inline)), self.rich) if self.inline is not None else None
                )
                self.reader.cell(
                    self.attrib, self.pos, self.v_text, self.has_v, self.f_elem, inline
                )
                self.attrib = None
        elif depth == 5:
            self._close_field()
        elif depth == self.collect_at and self.inline is not None:
            self.inline.append("".join(self.text))
            self.text_open, self.collect_at = False, 0
        elif depth == 2:
            self.in_data = False

    def _close_field(self) -> None:
        if self.field in ("v", "f"):
            text = "".join(self.text) if self.text else None
            if self.field == "v":
                self.v_text = text
            elif self.f_elem is not None:
                self.f_elem.text = text
        self.field = ""
        self.text_open = False

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)
        elif self.text_open:
            self.text.append(text)
