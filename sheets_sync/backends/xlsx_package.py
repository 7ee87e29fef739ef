"""An .xlsx package read part by part into comparable features, without openpyxl.

Before a workbook some other program wrote is saved with openpyxl, the save is
measured: the package that would be written is read with :func:`read_package`
like the one that was read, and :mod:`sheets_sync.backends.xlsx_loss` names every
difference. The reader therefore must not share openpyxl's blind spots: it reads
the zip and the XML itself (``zipfile`` and ``ElementTree``), sheets as a stream.

It accepts what real writers produce: Excel, LibreOffice, Google Sheets, Numbers,
WPS; prefixed or Strict namespaces, absolute relationship targets, parts named in
another case, inline and rich strings, cells and rows without ``r``.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import posixpath
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import deque
from collections.abc import Collection, Iterator
from typing import IO

from sheets_sync.backends.xlsx_package_charts import drawing_charts
from sheets_sync.backends.xlsx_package_model import (
    CellError,
    CellInfo,
    CellPos,
    DateText,
    Package,
    SheetFeatures,
    Value,
)
from sheets_sync.backends.xlsx_package_parts import (
    checkbox_styles,
    comments,
    content_types,
    drawing_items,
    dynamic_metadata,
    is_strict,
    shared_strings,
    table,
    threaded_comments,
)
from sheets_sync.backends.xlsx_package_sheet import CellContext, SheetLinks, SheetReader
from sheets_sync.backends.xlsx_package_xml import (
    Archive,
    PackageError,
    Rel,
    children,
    first,
    local,
    normalize_formula,
    normalize_range,
    rel_id,
)

__all__ = [
    "CellError",
    "CellInfo",
    "CellPos",
    "DateText",
    "Package",
    "PackageError",
    "SheetFeatures",
    "Value",
    "read_package",
]

#: Relationship type (last segment, lower case) -> sheet kind.
_SHEET_KINDS = {
    "worksheet": "worksheet",
    "chartsheet": "chartsheet",
    "dialogsheet": "dialogsheet",
    "xlmacrosheet": "macrosheet",
    "xlintlmacrosheet": "macrosheet",
}
#: Sheet relationships whose parts are read for their content.
_RELATED = frozenset({"comments", "threadedcomment", "table"})
#: Workbook extensions by their content; "" means settings, not content.
_WORKBOOK_EXTENSIONS = {
    "slicerCaches": "slicer cache",
    "timelineCacheRefs": "timeline",
    "timelineCachePivotCaches": "timeline",
    "dataModel": "data model",
    "pivotCaches": "pivot cache",
    "pivotTableReferences": "pivot cache",
    "sheetsCustomData": "Google Sheets round-trip data",
    # Settings, not content: Excel's workbook options, the list of calculation
    # features Excel recomputes on every save, Mac Excel 2008's archive flags, and
    # the formula-syntax setting LibreOffice writes into every workbook it saves.
    "workbookPr": "",
    "calcFeatures": "",
    "ArchID": "",
    "extCalcPr": "",
}


def read_package(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    cells: bool = True,
    only: Collection[str] | None = None,
) -> Package:
    """Read an .xlsx package: parts, sheets with their features, defined names.

    ``cells=False`` skips keeping cell values (per-cell marks and counts are still
    read). ``only`` names the sheets whose parts are read; the others keep their
    name, part and related parts, with no features (for a measure split between
    processes, each comparing its own sheets). Raises :class:`PackageError` when
    the file is no zip, holds a part twice, lacks its workbook part, or a part it
    reads is not well-formed XML; ``OSError`` when a path cannot be opened.
    """
    data: str | os.PathLike[str] | IO[bytes] = (
        io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    )
    try:
        with zipfile.ZipFile(data) as zf, _without_cycle_collection():
            return _read(Archive(zf), cells, None if only is None else set(only))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PackageError(f"not a readable .xlsx package ({exc})") from exc


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a package is read.

    A big sheet becomes millions of small objects, none in a reference cycle, and
    every automatic collection rescans all of them: a million-cell sheet read in
    12 s with the collector running and in 6 s without. The previous state is
    restored, so a caller that had disabled it keeps it disabled.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Rels:
    """Relationships of parts, each part's read once."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._cache: dict[str, list[Rel]] = {}

    def of(self, part: str) -> list[Rel]:
        if part not in self._cache:
            self._cache[part] = self.archive.rels(part)
        return self._cache[part]

    def target(self, part: str, kind: str) -> str | None:
        for rel in self.of(part):
            if rel.type == kind and not rel.external:
                return self.archive.find(rel.target)
        return None

    def reachable(self, part: str) -> set[str]:
        seen = {part}
        queue = deque([part])
        while queue:
            for rel in self.of(queue.popleft()):
                found = None if rel.external else self.archive.find(rel.target)
                if found is not None and found not in seen:
                    seen.add(found)
                    queue.append(found)
        return seen


def _read(archive: Archive, cells: bool, only: set[str] | None) -> Package:
    parts = content_types(archive)
    rels = _Rels(archive)
    workbook = rels.target("", "officedocument") or archive.find("xl/workbook.xml")
    root = archive.tree(workbook) if workbook else None
    if workbook is None or root is None:
        raise PackageError("no workbook part: not a spreadsheet package")
    strings, rich = shared_strings(archive, rels.target(workbook, "sharedstrings"))
    context = CellContext(
        shared_strings=strings,
        rich_strings=rich,
        checkbox_styles=checkbox_styles(
            archive, rels.target(workbook, "styles"), _feature_bag(archive, rels, workbook)
        ),
        dynamic_metadata=dynamic_metadata(archive, _metadata_part(archive, rels, workbook)),
        read_cells=cells,
    )
    package = Package(
        parts=parts,
        sheets={},
        defined_names=set(),
        strict=is_strict(root),
        app=_application(archive, rels),
        uncompressed_size=archive.uncompressed_size,
    )
    workbook_pr = first(root, "workbookPr")
    package.date1904 = workbook_pr is not None and workbook_pr.get("date1904") in ("1", "true")
    _workbook_other(root, package)
    by_id = {rel.id: rel for rel in rels.of(workbook)}
    order: list[str] = []
    sheets = first(root, "sheets")
    for elem in children(sheets, "sheet") if sheets is not None else ():
        name = elem.get("name", "")
        order.append(name)
        rel = by_id.get(rel_id(elem) or "")
        # A sheet entry without a part (a damaged file, an old VBA module entry) has no
        # content; it is still a sheet a save could drop.
        part = archive.find(rel.target) if rel is not None and not rel.external else None
        if rel is None or part is None:
            sheet = SheetFeatures(name=name, part="", kind="")
        elif only is not None and name not in only:
            sheet = SheetFeatures(name=name, part=part, kind=_SHEET_KINDS.get(rel.type, rel.type))
            sheet.related_parts = rels.reachable(part)
        else:
            sheet = _read_sheet(archive, rels, rel, part, name, context)
        state = elem.get("state", "visible")
        if state in ("hidden", "veryHidden"):
            sheet.other["very hidden sheet" if state == "veryHidden" else "hidden sheet"] = 1
        package.sheets[name] = sheet
    package.defined_names = _defined_names(root, order)
    package.roles = _roles(archive, rels)
    return package


def _roles(archive: Archive, rels: _Rels) -> dict[str, str]:
    """Each part with the type of the first relationship that points at it."""
    roles: dict[str, str] = {}
    for name in archive.parts:
        folder, _, base = name.rpartition("/")
        if not base.lower().endswith(".rels") or not folder.lower().endswith("_rels"):
            continue
        source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
        for rel in rels.of(source if base != ".rels" else ""):
            target = None if rel.external else archive.find(rel.target)
            if target is not None:
                roles.setdefault(target, rel.type)
    return roles


def _feature_bag(archive: Archive, rels: _Rels, workbook: str) -> str | None:
    return rels.target(workbook, "featurepropertybag") or archive.find(
        "xl/featurePropertyBag/featurePropertyBag.xml"
    )


def _metadata_part(archive: Archive, rels: _Rels, workbook: str) -> str | None:
    return rels.target(workbook, "sheetmetadata") or archive.find("xl/metadata.xml")


def _application(archive: Archive, rels: _Rels) -> str | None:
    part = rels.target("", "extended-properties") or archive.find("docProps/app.xml")
    root = archive.tree(part) if part else None
    app = first(root, "Application") if root is not None else None
    return (app.text or "").strip() if app is not None else None


def _workbook_other(root: ET.Element, package: Package) -> None:
    protection = first(root, "workbookProtection")
    if protection is not None and any(
        protection.get(key) in ("1", "true") for key in ("lockStructure", "lockWindows")
    ):
        package.other["workbook protection"] = 1
    if first(root, "fileSharing") is not None:
        package.other["file sharing"] = 1
    extensions = first(root, "extLst")
    for ext in children(extensions, "ext") if extensions is not None else ():
        content = next((child for child in ext if isinstance(child.tag, str)), None)
        if content is None:
            continue
        what = _WORKBOOK_EXTENSIONS.get(local(content.tag), "workbook extension")
        if what:
            package.other[what] = package.other.get(what, 0) + 1


def _defined_names(root: ET.Element, order: list[str]) -> set[tuple[str, str, str]]:
    out: set[tuple[str, str, str]] = set()
    names = first(root, "definedNames")
    for elem in children(names, "definedName") if names is not None else ():
        scope_id = elem.get("localSheetId")
        scope = ""
        if scope_id is not None:
            index = int(scope_id) if scope_id.isdigit() else -1
            scope = order[index] if 0 <= index < len(order) else f"#{scope_id}"
        out.add((elem.get("name", ""), scope, normalize_formula(elem.text or "")))
    return out


def _read_sheet(
    archive: Archive, rels: _Rels, rel: Rel, part: str, name: str, context: CellContext
) -> SheetFeatures:
    sheet = SheetFeatures(name=name, part=part, kind=_SHEET_KINDS.get(rel.type, rel.type))
    reader = SheetReader(sheet, context)
    try:
        with archive.open(part) as stream:
            reader.read(stream)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise PackageError(f"{part}: cannot be read ({exc})") from exc
    for what, marked in sheet.cell_marks.items():
        sheet.other[what] = len(marked)
    _attach(archive, rels, sheet, reader.links)
    sheet.related_parts = rels.reachable(part)
    return sheet


def _attach(archive: Archive, rels: _Rels, sheet: SheetFeatures, links: SheetLinks) -> None:
    """Resolve what the sheet refers to through its relationships."""
    by_id = {rel.id: rel for rel in rels.of(sheet.part)}
    for ref, rid, location in links.hyperlinks:
        target = by_id[rid].target if rid and rid in by_id else ""
        if location:
            target = f"{target}#{location}"
        if target:
            sheet.hyperlinks[normalize_range(ref)] = target
    for rel in by_id.values():
        if rel.external:
            continue
        root = archive.tree(rel.target) if rel.type in _RELATED else None
        if rel.type == "pivottable":
            sheet.count("pivot table")
        elif root is None:
            continue
        elif rel.type == "comments":
            sheet.comments.update(comments(root))
        elif rel.type == "threadedcomment":
            sheet.threaded_comments.update(threaded_comments(root))
        elif rel.type == "table":
            found = table(root)
            if found is not None:
                sheet.tables[found[0]] = found[1]
    for rid in links.drawings:
        drawing = by_id.get(rid)
        root = archive.tree(drawing.target) if drawing and not drawing.external else None
        if root is not None and drawing is not None:
            sheet.drawings.extend(drawing_items(root))
            sheet.charts.extend(drawing_charts(archive, drawing.target, root, sheet.name))
    sheet.drawings.extend(("background image", "") for _ in links.background)
