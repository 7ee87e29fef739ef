"""What a file given as a workbook really is, and a copy of it openpyxl can read.

People hand the tool files that are not what their name says: an Excel 97-2003
``.xls`` or an ``.ods`` renamed to ``.xlsx``, a password-protected workbook (an
encrypted package inside an OLE compound file), an ``.xlsb``. Each gets a message
saying what to do, never a raw "File is not a zip file".

Two kinds of real .xlsx files openpyxl cannot load as they are:

- **Strict Open XML** (Excel's "Save As > Strict Open XML Spreadsheet") uses other
  namespace names for the same elements. openpyxl finds no sheets in it at all, so
  the tool reads a copy with the ordinary names. Saving would rewrite the file in
  the ordinary format, so a strict workbook is read (``check`` works) but never saved.
- A package whose ``[Content_Types].xml`` names parts it does not hold (some
  writers declare ``xl/sharedStrings.xml`` and leave it out; Excel opens those).
  The copy leaves such declarations out.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

#: Strict Open XML namespace -> the ordinary (transitional) one that openpyxl reads.
STRICT_NAMESPACES = {
    "http://purl.oclc.org/ooxml/spreadsheetml/main":
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/officeDocument/relationships":
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/drawingml/main":
        "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing":
        "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "http://purl.oclc.org/ooxml/drawingml/chart":
        "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "http://purl.oclc.org/ooxml/officeDocument/extendedProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://purl.oclc.org/ooxml/officeDocument/customProperties":
        "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes":
        "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "http://purl.oclc.org/ooxml/officeDocument/sharedTypes":
        "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
}
_STRICT = re.compile("|".join(re.escape(k) for k in STRICT_NAMESPACES).encode())
_APPLICATION = re.compile(rb"<(?:\w+:)?Application>([^<]*)</(?:\w+:)?Application>")
#: A package that unpacks to more than this is not loaded (a zip bomb, or a sheet no
#: spreadsheet program could open either): reading it would exhaust memory.
READ_LIMIT_BYTES = 4 << 30
_OVERRIDE = re.compile(rb'<(?:\w+:)?Override\b[^>]*?PartName="/?([^"]+)"[^>]*/>')


@dataclass
class Opened:
    """A readable view of a workbook file: the source to load and what it is."""

    source: str | io.BytesIO
    strict: bool = False
    repaired: tuple[str, ...] = ()  # declared parts the package does not hold
    #: the program docProps/app.xml names as the last to save the file
    application: str | None = None


def _transitional(match: re.Match[bytes]) -> bytes:
    return STRICT_NAMESPACES[match.group(0).decode()].encode()


def sniff(path: Path) -> str | None:
    """Why ``path`` is not an .xlsx workbook the tool can open, or None when it is one."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head == _OLE_MAGIC:
            body = head + fh.read(64 << 20)
            if "EncryptionInfo".encode("utf-16-le") in body:
                return (
                    "is protected with a password. Open it in Excel or LibreOffice, remove "
                    "the password to open (Excel: File > Info > Protect Workbook > Encrypt "
                    "with Password; LibreOffice: File > Properties > Security), save it, and "
                    "run again"
                )
            return (
                "is an Excel 97-2003 workbook (.xls) with an .xlsx name. Open it in Excel or "
                "LibreOffice and save it as an Excel Workbook (.xlsx)"
            )
    if not zipfile.is_zipfile(path):
        return (
            "is not an .xlsx workbook (not a zip package; a CSV or HTML file renamed?). "
            "Open it in a spreadsheet program and save it as an Excel Workbook (.xlsx)"
        )
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "mimetype" in names and zf.read("mimetype").strip() == _ODS_MIME:
            return (
                "is an OpenDocument spreadsheet (.ods) with an .xlsx name. Save it from "
                "LibreOffice as Excel 2007-365 (.xlsx)"
            )
        if "xl/workbook.bin" in names:
            return (
                "is an Excel binary workbook (.xlsb). Open it in Excel and save it as an "
                "Excel Workbook (.xlsx)"
            )
        if not any(n.lower() == "xl/workbook.xml" for n in names):
            return "is a zip file but not an .xlsx workbook (it has no xl/workbook.xml)"
        unpacked = sum(info.file_size for info in zf.infolist())
        if unpacked > READ_LIMIT_BYTES:
            return (
                f"unpacks to {unpacked / (1 << 30):.1f} GB, more than sheets-sync reads "
                f"({READ_LIMIT_BYTES / (1 << 30):.0f} GB); split it into smaller workbooks"
            )
    return None


def open_readable(path: Path) -> Opened:
    """The file itself, or an in-memory copy openpyxl can load (strict, missing parts)."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        workbook = zf.read("xl/workbook.xml")
        strict = _STRICT.search(workbook) is not None
        try:
            types = zf.read("[Content_Types].xml")
        except KeyError:
            types = b""
        missing = tuple(
            m.group(1).decode()
            for m in _OVERRIDE.finditer(types)
            if m.group(1).decode() not in names
        )
        try:
            found = _APPLICATION.search(zf.read("docProps/app.xml"))
        except KeyError:
            found = None
        application = found.group(1).decode("utf-8", "replace").strip() if found else None
        if not strict and not missing:
            return Opened(str(path), application=application)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
            for info in zf.infolist():
                data = zf.read(info)
                if info.filename == "[Content_Types].xml" and missing:
                    data = _OVERRIDE.sub(
                        lambda m: b"" if m.group(1).decode() in missing else m.group(0), data
                    )
                if strict and info.filename.endswith((".xml", ".rels")):
                    data = _STRICT.sub(_transitional, data)
                out.writestr(info.filename, data)
    buffer.seek(0)
    return Opened(buffer, strict=strict, repaired=missing, application=application)


__all__ = ["STRICT_NAMESPACES", "Opened", "open_readable", "sniff"]
