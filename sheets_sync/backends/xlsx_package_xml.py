"""Low-level helpers for reading an .xlsx package without openpyxl.

Part lookup inside the zip, relationships, namespaces (transitional and Strict),
A1 references and the text normalizations every feature reader shares.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from urllib.parse import unquote

from sheets_sync.a1 import a1, column_index, split_ref

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Relationship-id attributes (r:id, r:embed) live in one of these namespaces.
REL_ID_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
FEATURE_BAG_NS = "http://schemas.microsoft.com/office/spreadsheetml/2022/featurepropertybag"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_RANGE_PART = re.compile(r"^([A-Z]*)(\d*)$")
_SPACE = re.compile(r"\s")


class PackageError(ValueError):
    """The file is not a readable .xlsx package (not a zip, or a part is not well-formed)."""


@dataclass(frozen=True)
class Rel:
    """One relationship: ``target`` is a part name, or the raw URL when ``external``."""

    id: str
    type: str
    target: str
    external: bool


_LOCAL: dict[str, str] = {}


def local(tag: str) -> str:
    """The tag or attribute name without its ``{namespace}``."""
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rpartition("}")[2]
        # A crafted file could use endless distinct tags; the cache stays small.
        if len(_LOCAL) < 4096:
            _LOCAL[tag] = name
    return name


def namespace(tag: str) -> str:
    """The namespace of a ``{namespace}local`` tag, or ""."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def rel_id(elem: ET.Element, name: str = "id") -> str | None:
    """The ``r:id`` (or ``r:embed`` ...) attribute in either relationships namespace."""
    for ns in REL_ID_NAMESPACES:
        value = elem.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


def children(elem: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children with this local name, looking through markup-compatibility wrappers.

    ``mc:AlternateContent`` offers the same content twice (a Choice for new readers,
    a Fallback for old ones); only the first Choice counts, or each item would be
    seen twice.
    """
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if local(tag) == name:
            yield child
        elif tag == f"{{{MC_NS}}}AlternateContent":
            for choice in child:
                yield from children(choice, name)
                break


def first(elem: ET.Element, name: str) -> ET.Element | None:
    """The first direct child with this local name."""
    return next(children(elem, name), None)


def descendants(elem: ET.Element, name: str) -> Iterator[ET.Element]:
    """Every element below ``elem`` with this local name, skipping ``mc:Fallback`` copies."""
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str) or tag == f"{{{MC_NS}}}Fallback":
            continue
        if local(tag) == name:
            yield child
        yield from descendants(child, name)


def text_of(elem: ET.Element) -> str:
    """The text of a rich-text container: plain ``t`` plus every run's ``t``, no phonetics."""
    out: list[str] = []
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = local(tag)
        if name == "t":
            out.append(child.text or "")
        elif name == "r":
            for sub in child:
                if isinstance(sub.tag, str) and local(sub.tag) == "t":
                    out.append(sub.text or "")
    return unescape("".join(out))


def has_run_formatting(elem: ET.Element) -> bool:
    """True when a rich-text container has runs carrying their own font (``rPr``)."""
    for run in elem:
        if isinstance(run.tag, str) and local(run.tag) == "r":
            for sub in run:
                if isinstance(sub.tag, str) and local(sub.tag) == "rPr":
                    return True
    return False


def unescape(text: str) -> str:
    """Undo the ``_xHHHH_`` escaping OOXML uses for characters XML cannot carry."""
    if "_x" not in text:
        return text
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def normalize_formula(text: str) -> str:
    """Formula text with whitespace outside strings, quoted names and brackets removed.

    Writers differ in the spaces and line breaks they keep; inside ``"..."``,
    ``'sheet'`` and ``[column]`` whitespace is part of a name or a value.
    """
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    if not _SPACE.search(text):
        return text
    out: list[str] = []
    quote = ""
    depth = 0
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif quote:
            if ch == quote:
                quote = ""
        elif depth:
            if ch == "'":
                escaped = True
            elif ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth = 1
        elif ch.isspace():
            continue
        out.append(ch)
    return "".join(out)


def canonical_number(value: str) -> str:
    """Numbers spelled one way ("1.50" and "1.5", "2.0" and "2"), other text unchanged."""
    if not _NUMBER.match(value):
        return {"true": "1", "false": "0"}.get(value, value)
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def expand_range(ref: str, *, limit: int) -> list[str] | None:
    """The cells of ``A1:B3`` in row order, None when it is no range or holds over ``limit``."""
    start, sep, end = ref.partition(":")
    first_cell = split_ref(start)
    last_cell = split_ref(end) if sep else first_cell
    if first_cell is None or last_cell is None:
        return None
    (r1, c1), (r2, c2) = first_cell, last_cell
    r1, r2 = min(r1, r2), max(r1, r2)
    c1, c2 = min(c1, c2), max(c1, c2)
    if (r2 - r1 + 1) * (c2 - c1 + 1) > limit:
        return None
    return [a1(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def normalize_range(ref: str) -> str:
    """``$a$1:$b$2`` -> ``A1:B2``; a one-cell range ``A1:A1`` -> ``A1``."""
    ref = ref.replace("$", "").upper()
    start, sep, end = ref.partition(":")
    return start if sep and start == end else ref


def _range_key(ref: str) -> tuple[int, int, str]:
    start = ref.partition(":")[0]
    match = _RANGE_PART.match(start)
    if not match:
        return (0, 0, ref)
    letters, digits = match.groups()
    return (int(digits) if digits else 0, column_index(letters) if letters else -1, ref)


def normalize_sqref(sqref: str) -> str:
    """Space-separated ranges normalized and sorted, so writers' orderings compare equal."""
    ranges = {normalize_range(part) for part in sqref.split()}
    return " ".join(sorted(ranges, key=_range_key))


def part_folder(part: str) -> str:
    """The folder of a part name."""
    return posixpath.dirname(part)


def rels_name(part: str) -> str:
    """The relationships part of a part: ``xl/_rels/workbook.xml.rels``."""
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


class Archive:
    """A zip opened as a package: parts found case-insensitively, as OPC requires."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zip = zf
        self._names: dict[str, str] = {}
        self.parts: list[str] = []
        self.uncompressed_size = 0
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = info.filename.replace("\\", "/").lstrip("/")
            if name.lower() in self._names:
                # Readers disagree on which copy counts, so no comparison could be trusted.
                raise PackageError(f"the zip holds {name} twice")
            self._names[name.lower()] = info.filename
            self.parts.append(name)
            self.uncompressed_size += info.file_size

    def find(self, part: str) -> str | None:
        """The part's canonical name (as stored, forward slashes), or None when absent."""
        key = part.lstrip("/").lower()
        if key in self._names:
            return self._names[key].replace("\\", "/").lstrip("/")
        decoded = unquote(key)
        if decoded in self._names:
            return self._names[decoded].replace("\\", "/").lstrip("/")
        return None

    def open(self, part: str) -> IO[bytes]:
        """A stream of the part's bytes; the part must exist."""
        return self.zip.open(self._names[part.lower()])

    def tree(self, part: str) -> ET.Element | None:
        """The whole part parsed (for small parts), or None when absent."""
        name = self.find(part)
        if name is None:
            return None
        try:
            with self.open(name) as stream:
                return ET.parse(stream).getroot()
        except (ET.ParseError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackageError(f"{name}: cannot be read ({exc})") from exc

    def rels(self, part: str) -> list[Rel]:
        """The relationships of a part (``""`` for the package), targets resolved to part names."""
        root = self.tree(rels_name(part) if part else "_rels/.rels")
        if root is None:
            return []
        folder = part_folder(part)
        out: list[Rel] = []
        for elem in root:
            if not isinstance(elem.tag, str) or local(elem.tag) != "Relationship":
                continue
            target = elem.get("Target", "")
            external = elem.get("TargetMode", "") == "External"
            if not external:
                target = resolve(folder, target)
            kind = elem.get("Type", "").rstrip("/").rpartition("/")[2]
            out.append(Rel(elem.get("Id", ""), kind.lower(), target, external))
        return out


def resolve(folder: str, target: str) -> str:
    """A relationship target as a part name: absolute (``/xl/...``) or relative to ``folder``."""
    target = target.replace("\\", "/").partition("#")[0]
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    normalized = posixpath.normpath(path) if path else ""
    return "" if normalized == "." else normalized.lstrip("/")
