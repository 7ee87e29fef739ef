"""openpyxl's save, with the common cells written as text instead of element trees.

openpyxl (3.1, without lxml) builds an ElementTree element for every cell and
serializes it through a namespace-aware writer: for a workbook of a million cells
that is most of the save. Here a cell holding text, a number, a boolean or a date is
written as the very XML openpyxl would write for it, except that text goes to the
shared-string table straight away (what :mod:`~sheets_sync.backends.xlsx_writer` would
otherwise do to the saved XML afterwards). Every other cell (formulas, rich text,
empty styled cells) is left to openpyxl, in the same stream, in order.

It relies on openpyxl's internals (``WorksheetWriter.write_row``, the et_xmlfile
writer's output callable), so it is used only on the openpyxl releases it was written
against, and only with et_xmlfile's writer; otherwise openpyxl saves as it does, and the
shared strings are made from its output.
"""

from __future__ import annotations

from typing import Any, Protocol

#: The openpyxl releases whose writer internals this module was checked against.
SUPPORTED = ("3.1.",)


class Strings(Protocol):
    def add(self, text_element: bytes) -> int: ...


def supported() -> bool:
    """Whether the installed openpyxl is one this writer knows, writing through et_xmlfile
    (with lxml installed openpyxl writes through lxml, whose writer this does not know)."""
    import openpyxl

    return openpyxl.__version__.startswith(SUPPORTED) and not openpyxl.LXML


def _escape(text: str) -> str:
    # what ElementTree's serializer does to character data
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def cell_xml(cell: Any, strings: Strings) -> str | None:
    """The XML of ``cell`` (an openpyxl Cell) with its text shared, or None for a cell
    openpyxl must write itself."""
    from openpyxl.cell import _writer as openpyxl_cells
    from openpyxl.compat import safe_string

    _set_attributes = openpyxl_cells._set_attributes  # type: ignore[attr-defined]
    kind, value = cell.data_type, cell._value
    if kind == "f" or value is None or value == "" or (kind == "s" and type(value) is not str):
        return None  # a formula, an empty styled cell, rich text
    # _set_attributes also records the cell's hyperlink: call it only for cells written here
    value, attrs = _set_attributes(cell, cell.has_style)
    if kind == "s":
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and value != stripped else ""
        attrs["t"] = "s"
        body = str(strings.add(f"<t{space}>{_escape(value)}</t>".encode()))
    else:
        body = _escape(safe_string(value))
    head = "".join(f' {name}="{text}"' for name, text in attrs.items())
    return f"<c{head}><v>{body}</v></c>"


def excel_writer(strings: Strings) -> Any:
    """An ``openpyxl.writer.excel.ExcelWriter`` class whose worksheets write their common
    cells through :func:`cell_xml`."""
    from openpyxl.cell._writer import write_cell
    from openpyxl.comments.comment_sheet import CommentRecord
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    class Worksheet(WorksheetWriter):
        def write_row(self, xf: Any, row: Any, row_idx: int) -> None:
            out = getattr(xf, "_file", None)
            if not callable(out):  # lxml's writer: openpyxl's own way
                super().write_row(xf, row, row_idx)
                return
            ws: Any = self.ws
            attrs = {"r": f"{row_idx}"}
            attrs.update(ws.row_dimensions.get(row_idx, {}))
            with xf.element("row", attrs):
                for cell in row:
                    if cell._comment is not None:
                        ws._comments.append(CommentRecord.from_cell(cell))
                    if cell._value is None and not cell.has_style and not cell._comment:
                        continue
                    text = cell_xml(cell, strings)
                    if text is None:
                        write_cell(xf, ws, cell, cell.has_style)
                    else:
                        out(text)

    class Writer(ExcelWriter):
        _archive: Any

        def write_worksheet(self, ws: Any) -> None:
            if self.workbook.write_only:
                super().write_worksheet(ws)
                return
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer: Any = Worksheet(ws)
            writer.write()
            ws._rels = writer._rels
            self._archive.write(writer.out, ws.path[1:])
            self.manifest.append(ws)
            writer.cleanup()

    return Writer


__all__ = ["cell_xml", "excel_writer", "supported"]
