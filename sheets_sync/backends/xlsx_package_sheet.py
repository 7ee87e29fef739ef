"""Streaming reader of one sheet part: cells row by row, then every other section.

Sheet XML can be a hundred megabytes, so it is read with ``iterparse`` and each
row (and each top-level section) is dropped once read: memory grows with the
cells kept, never with the XML.
"""

from __future__ import annotations

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
    MAIN_NS,
    MC_NS,
    PackageError,
    canonical_number,
    children,
    expand_range,
    first,
    has_run_formatting,
    local,
    namespace,
    normalize_formula,
    normalize_range,
    normalize_sqref,
    rel_id,
    text_of,
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
        self._use_namespace(MAIN_NS)
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
        """Read the part, keeping only the current row and section in memory."""
        depth = 0
        root: ET.Element | None = None
        sheet_data: ET.Element | None = None
        try:
            for event, elem in ET.iterparse(stream, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = elem
                        self._use_namespace(namespace(elem.tag))
                    elif depth == 2 and local(elem.tag) == "sheetData":
                        sheet_data = elem
                    continue
                depth -= 1
                if depth == 2 and sheet_data is not None:
                    if elem.tag == self._tags["row"] or local(elem.tag) == "row":
                        self._read_row(elem)
                    sheet_data.clear()
                elif depth == 1 and root is not None:
                    if elem is sheet_data:
                        sheet_data = None
                    else:
                        self._section(elem)
                    root.remove(elem)
        except ET.ParseError as exc:
            raise PackageError(f"{self.sheet.part}: not well-formed XML ({exc})") from exc

    def _use_namespace(self, ns: str) -> None:
        # Cells are matched by their full tag, the namespace the root element uses;
        # anything else still goes through local() (a cell in another namespace).
        prefix = f"{{{ns}}}" if ns else ""
        self._tags = {name: prefix + name for name in ("row", "c", "v", "f", "is")}
        self._cell_children = {prefix + name: name for name in ("v", "f", "is")}

    def _section(self, elem: ET.Element) -> None:
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
                        self._section(child)
            break

    # cells ---------------------------------------------------------------

    def _read_row(self, row: ET.Element) -> None:
        r = row.get("r")
        self._row = int(r) - 1 if r and r.isdigit() else self._row + 1
        col = -1
        c_tag = self._tags["c"]
        for cell in row:
            if cell.tag != c_tag and local(cell.tag) != "c":
                continue
            row_index = self._row
            ref = cell.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                if letters.isalpha():
                    col = column_index(letters)
                    digits = ref[len(letters) :]
                    if digits:
                        row_index = int(digits) - 1
                else:
                    split = split_ref(ref)
                    if split is None:
                        col += 1
                    else:
                        row_index, col = split
            else:
                col += 1
            self._read_cell(cell, (row_index, col))

    def _read_cell(self, cell: ET.Element, pos: CellPos) -> None:
        context = self.context
        sheet = self.sheet
        attrib = cell.attrib
        style = attrib.get("s")
        checkbox = context.checkbox_styles
        if checkbox and style and style.isdigit() and int(style) in checkbox:
            sheet.mark("cell checkbox", pos)
        v_text: str | None = None
        has_v = False
        f_elem: ET.Element | None = None
        is_elem: ET.Element | None = None
        names = self._cell_children
        for child in cell:
            tag = child.tag
            name = names.get(tag) or local(tag)
            if name == "v":
                has_v = True
                v_text = child.text
            elif name == "f":
                f_elem = child
            elif name == "is":
                is_elem = child
        value = self._value(attrib.get("t", "n"), v_text, has_v, is_elem, pos)
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
        self, kind: str, text: str | None, has_v: bool, inline: ET.Element | None, pos: CellPos
    ) -> Value:
        if kind == "s":
            return self._shared_string(text, pos)
        if kind == "inlineStr":
            if inline is not None:
                if has_run_formatting(inline):
                    self.sheet.mark("rich text", pos)
                return text_of(inline)
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
