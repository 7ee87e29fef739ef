"""A1 notation and tab names, in one place.

Column letters and cell addresses (``B7``), ranges (``F2:F10000``, ``A:A``), a tab
name quoted for a range (``'It''s'!A1``), and how tab names compare: as people see
them, so case and runs of spaces do not matter.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sheets_sync.text import fold

_RANGE = re.compile(r"^([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?$")
#: An A1 cell reference, optionally with ``$`` anchors (a regular expression).
CELL_REF = r"\$?[A-Za-z]{1,3}\$?\d+"
_LOCATION = re.compile(rf"^#?(?:'((?:[^']|'')+)'|([^'!]+))!({CELL_REF}(?::{CELL_REF})?)$")
_COLUMN_INDEX: dict[str, int] = {}


def column_letter(col: int) -> str:
    """0-based column index -> ``A``, ``B``, ..., ``Z``, ``AA``."""
    letters = ""
    col += 1
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AB`` -> 27 (any case); -1 when there are no letters."""
    cached = _COLUMN_INDEX.get(letters)
    if cached is not None:
        return cached
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    if len(_COLUMN_INDEX) < 100_000:
        _COLUMN_INDEX[letters] = index - 1
    return index - 1


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> ``B7``."""
    return f"{column_letter(col)}{row + 1}"


def split_ref(ref: str) -> tuple[int, int] | None:
    """0-based (row, col) of a cell reference (``B7``, ``$B$7``); None when it is not one."""
    ref = ref.replace("$", "")
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not letters or not digits or not letters.isalpha() or len(letters) > 3:
        return None
    return int(digits) - 1, column_index(letters)


class Box(NamedTuple):
    """A range as 0-based inclusive bounds; None where it runs to the tab's last row or column."""

    top: int
    left: int
    bottom: int | None
    right: int | None


def parse_range(text: str) -> Box | None:
    """``F2:F10000``, ``F2:F`` (to the last row), ``A:A`` or ``B7`` as a :class:`Box`.

    None when the text is not a range.
    """
    match = _RANGE.match(text.replace("$", "").strip().upper())
    if match is None or not (match[1] or match[2]):
        return None
    top = int(match[2]) - 1 if match[2] else 0
    left = column_index(match[1]) if match[1] else 0
    if match[3] is None:  # one cell
        return Box(top, left, top, left) if match[1] and match[2] else None
    right = column_index(match[3]) if match[3] else None
    bottom = int(match[4]) - 1 if match[4] else None
    return Box(top, left, bottom, right)


def range_a1(top: int, left: int, bottom: int | None, right: int | None) -> str:
    """The A1 text of a range; an open end (None) is left out: ``F2:F`` runs to the last row."""
    end = (column_letter(right) if right is not None else "") + (
        str(bottom + 1) if bottom is not None else ""
    )
    return f"{column_letter(left)}{top + 1}:{end}"


def quote_tab(name: str) -> str:
    """A tab name as a range names it: ``'It''s'`` (always quoted, quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


def split_location(text: str) -> tuple[str, str] | None:
    """``'It''s'!$B$7`` (or ``#Goals!B2:C3``) -> (``It's``, ``B7``); None when it is not one."""
    match = _LOCATION.match(text.strip())
    if match is None:
        return None
    tab = match[1].replace("''", "'") if match[1] is not None else match[2]
    return tab, match[3].replace("$", "").upper()


def tab_key(name: str) -> str:
    """What tab names compare by, as headers do: case and spacing as people see them."""
    return fold(name)


def same_tab(a: str, b: str) -> bool:
    """Whether two tab names name the same tab as people see them."""
    return tab_key(a) == tab_key(b)
