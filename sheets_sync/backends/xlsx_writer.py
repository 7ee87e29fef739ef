"""Saving a workbook with openpyxl without the losses openpyxl's own save brings.

openpyxl (3.1) writes every text cell as an inline string and every formula
cell without its calculated value. Both hurt people: a text repeated in many
cells is written once per cell (a 110 KB workbook became 705 MB), and every
formula result disappears until a spreadsheet program recalculates, so pandas,
file previews and the next sync see blanks. This module wraps openpyxl's zip
archive while it saves and, as each worksheet goes in:

- turns inline strings back into one shared-string table (where
  :mod:`~sheets_sync.backends.xlsx_cell_writer` applies, text is shared as it is
  written and this pass only puts back formula results), and
- puts back the calculated value each formula cell had in the file that was read
  (the formula itself is unchanged; a spreadsheet program recalculates on open).

It also names the tool in ``docProps/app.xml``: a file whose application is
still ``sheets-sync`` was last saved by this tool, so nothing in it can be
content the tool's save would lose. Excel, LibreOffice and Google write their
own name there on every save.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheets_sync.a1 import column_index

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

#: What ``docProps/app.xml`` names as the application of a file this tool saved.
APPLICATION = "sheets-sync"
SHARED_STRINGS = "xl/sharedStrings.xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_APP_XML = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    f"<Application>{APPLICATION}</Application></Properties>"
)

#: (row, col) 0-based -> (the ``t`` of the cell holding the result, the result's raw text)
CachedCells = Mapping[tuple[int, int], tuple[str, str | None]]

#: A cell this rewriter may change: an inline string or a formula (a plain value or an
#: empty cell is left to the regex engine, which skips it without calling back).
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"([^>]*?)>(<is>.*?|<f[ >/].*?)</c>', re.S)
_INLINE = re.compile(rb"^<is>(<t(?: [^>]*)?>.*?</t>|<t\s*/>)</is>$", re.S)
_EMPTY_V = re.compile(rb"<v\s*/>$|<v></v>$")
_CHUNK = 4 << 20


@dataclass
class SaveStats:
    """What the save changed on the way: strings shared and formula results kept."""

    strings: int = 0
    unique_strings: int = 0
    results_kept: int = 0
    sheets: dict[str, str] = field(default_factory=dict)  # sheet title -> part name


class _StringTable:
    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}
        self.uses = 0

    def add(self, text_element: bytes) -> int:
        self.uses += 1
        found = self.index.get(text_element)
        if found is None:
            found = self.index[text_element] = len(self.index)
        return found

    def xml(self) -> bytes:
        head = (
            f'<sst xmlns="{_MAIN_NS}" count="{self.uses}" uniqueCount="{len(self.index)}">'
        ).encode()
        return head + b"".join(b"<si>" + t + b"</si>" for t in self.index) + b"</sst>"


def _index(letters: bytes, digits: bytes) -> tuple[int, int]:
    return int(digits) - 1, column_index(letters.decode("ascii"))


class _SheetRewriter:
    """Rewrites the cells of one worksheet's XML as openpyxl wrote them."""

    def __init__(self, strings: _StringTable, cached: CachedCells, stats: SaveStats) -> None:
        self.strings = strings
        self.cached = cached
        self.stats = stats

    def cell(self, match: re.Match[bytes]) -> bytes:
        attrs, body = match.group(3), match.group(4)
        if body is None:
            return match.group(0)
        if b' t="inlineStr"' in attrs:
            inline = _INLINE.match(body)
            if inline is None:  # rich text: leave it inline
                return match.group(0)
            text = inline.group(1)
            if text.endswith(b"/>"):
                text = b"<t></t>"
            index = self.strings.add(text)
            attrs = attrs.replace(b' t="inlineStr"', b' t="s"')
            return b'<c r="%s%s"%s><v>%d</v></c>' % (match.group(1), match.group(2), attrs, index)
        if body.startswith(b"<f") and self.cached:
            kind, text = self.cached.get(_index(match.group(1), match.group(2)), ("n", None))
            if text is None:
                return match.group(0)
            empty = _EMPTY_V.search(body)
            if empty is None:
                return match.group(0)
            self.stats.results_kept += 1
            value = html.escape(text, quote=False).encode()
            body = body[: empty.start()] + b"<v>" + value + b"</v>"
            attrs = re.sub(rb' t="[^"]*"', b"", attrs)
            if kind in ("str", "b", "e"):
                attrs += b' t="%s"' % kind.encode()
            return b'<c r="%s%s"%s>%s</c>' % (match.group(1), match.group(2), attrs, body)
        return match.group(0)

    def rewrite(self, source: str, target: str) -> None:
        with open(source, "rb") as src, open(target, "wb") as out:
            pending = b""
            while True:
                chunk = src.read(_CHUNK)
                data = pending + chunk
                if not chunk:
                    out.write(self._segment(data))
                    return
                cut = data.rfind(b"</c>")
                if cut < 0:
                    pending = data
                    continue
                cut += 4
                out.write(self._segment(data[:cut]))
                pending = data[cut:]

    def _segment(self, data: bytes) -> bytes:
        if b'"inlineStr"' not in data and (not self.cached or b"<f" not in data):
            return data
        return _CELL.sub(self.cell, data)


class _Archive:
    """openpyxl's zip archive, with the worksheets, app.xml and workbook rels adjusted."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        cached: Mapping[str, CachedCells],
        titles: Callable[[str], str | None],
        stats: SaveStats,
    ) -> None:
        self._zip = archive
        self._cached = cached
        self._titles = titles
        self._strings = _StringTable()
        self.stats = stats
        #: the worksheets' text is shared as they are written (see xlsx_cell_writer)
        self.shares_as_written = False

    def write(self, filename: str, arcname: str | None = None, *args: Any, **kw: Any) -> None:
        name = arcname or filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            title = self._titles(name)
            cached = self._cached.get(title, {}) if title is not None else {}
            if title is not None:
                self.stats.sheets[title] = name
            if self.shares_as_written and not cached:
                self._zip.write(filename, name, *args, **kw)  # nothing left to rewrite
                return
            handle, rewritten = tempfile.mkstemp(suffix=".xml")
            os.close(handle)
            try:
                _SheetRewriter(self._strings, cached, self.stats).rewrite(filename, rewritten)
                self._zip.write(rewritten, name, *args, **kw)
            finally:
                os.unlink(rewritten)
            return
        self._zip.write(filename, arcname, *args, **kw)

    def writestr(self, name: Any, data: Any, *args: Any, **kw: Any) -> None:
        arcname = name if isinstance(name, str) else name.filename
        if arcname == "docProps/app.xml":
            data = _APP_XML
        elif arcname == "xl/_rels/workbook.xml.rels" and self._strings.index:
            text = data.decode() if isinstance(data, bytes) else str(data)
            rel = (
                f'<Relationship Id="rIdSharedStrings" Type="{_SST_REL}" '
                'Target="sharedStrings.xml"/>'
            )
            data = text.replace("</Relationships>", rel + "</Relationships>")
            self._zip.writestr(SHARED_STRINGS, self._strings.xml(), *args, **kw)
            self.stats.strings = self._strings.uses
            self.stats.unique_strings = len(self._strings.index)
        elif arcname == "[Content_Types].xml" and self._strings.index:
            text = data.decode() if isinstance(data, bytes) else str(data)
            override = f'<Override PartName="/{SHARED_STRINGS}" ContentType="{_SST_TYPE}"/>'
            data = text.replace("</Types>", override + "</Types>")
        self._zip.writestr(name, data, *args, **kw)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._zip, attr)


def save_workbook(
    wb: Workbook, path: str | os.PathLike[str], cached: Mapping[str, CachedCells]
) -> SaveStats:
    """Save ``wb`` to ``path`` with shared strings and the formula results in ``cached``.

    ``cached`` maps a sheet title to the calculated values its formula cells held in
    the file that was read; cells whose formula the tool replaced by a value have
    no formula any more and are left alone.
    """
    import datetime as dt

    from openpyxl.writer.excel import ExcelWriter

    from sheets_sync.backends.xlsx_cell_writer import excel_writer, supported

    # openpyxl numbers worksheet parts by position as it saves them.
    by_part = {f"xl/worksheets/sheet{i}.xml": ws.title for i, ws in enumerate(wb.worksheets, 1)}
    stats = SaveStats()
    wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    wrapped = _Archive(archive, cached, by_part.get, stats)
    writer_class: Any = ExcelWriter
    if supported():
        writer_class = excel_writer(wrapped._strings)
        wrapped.shares_as_written = True
    writer = writer_class(wb, wrapped)
    try:
        writer.save()
    finally:
        archive.close()
    return stats


__all__ = ["APPLICATION", "CachedCells", "SaveStats", "save_workbook"]
