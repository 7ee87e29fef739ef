"""A1 notation: parsing ranges as the Sheets API accepts them, and echoing them as it does.

Accepted: `Sheet1`, `'KPI Log'!A1:B2`, `'It''s'!A:A`, `Sheet1!1:1`, `A2:C`, `A1:1`, `B3`,
`Sheet1!D4:A1` (normalised), unquoted titles with spaces (`My tab!A1`), and a bare name that
is a sheet title or a named range. Ranges without a sheet refer to the first sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COLUMNS = 18278  # ZZZ

_CELL = re.compile(r"^(?P<col>[A-Za-z]{1,3})?(?P<row>[0-9]+)?$")
_PLAIN_TITLE = re.compile(r"^[^\W\d]\w*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_LIKE = re.compile(r"^[Rr][0-9]*[Cc][0-9]*$")


def col_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """A -> 0, AA -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def quote_title(title: str, *, always: bool = False) -> str:
    """Quote a sheet title the way Google echoes it (only when it needs it, unless `always`)."""
    needs = always or not (
        _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title) and not _R1C1_LIKE.match(title)
    )
    if needs:
        return "'" + title.replace("'", "''") + "'"
    return title


def cell_a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def format_range(
    title: str, r0: int, r1: int, c0: int, c1: int, *, always_quote: bool = False
) -> str:
    """Bounded 0-based half-open box -> `Sheet1!A1:B2` (a single cell -> `Sheet1!A1`)."""
    start = cell_a1(r0, c0)
    end = cell_a1(r1 - 1, c1 - 1)
    body = start if (r1 - r0 == 1 and c1 - c0 == 1) else f"{start}:{end}"
    return f"{quote_title(title, always=always_quote)}!{body}"


@dataclass
class ParsedRange:
    """A range before it is bound to a sheet. None bounds are open (to the grid's edge)."""

    sheet: str | None  # title as written (unquoted), None = first sheet
    r0: int | None = None
    r1: int | None = None
    c0: int | None = None
    c1: int | None = None
    whole_sheet: bool = False
    name: str | None = None  # a bare name: sheet title or named range, resolved later
    single_cell: bool = False


class A1Error(ValueError):
    pass


def split_sheet(text: str) -> tuple[str | None, str]:
    """`'It''s'!A1` -> ("It's", "A1"); `Sheet1` -> (None, "Sheet1")."""
    if text.startswith("'"):
        i = 1
        title = []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(title), ""
                if rest.startswith("!"):
                    return "".join(title), rest[1:]
                raise A1Error(text)
            title.append(ch)
            i += 1
        raise A1Error(text)
    if "!" in text:
        name, _, rest = text.rpartition("!")
        return name, rest
    return None, text


def _parse_part(part: str) -> tuple[int | None, int | None]:
    m = _CELL.match(part)
    if not m or not part:
        raise A1Error(part)
    col = col_index(m.group("col")) if m.group("col") else None
    row = int(m.group("row")) - 1 if m.group("row") else None
    if row is not None and row < 0:
        raise A1Error(part)
    if col is not None and col >= MAX_COLUMNS:
        raise A1Error(part)
    return row, col


def parse(text: str) -> ParsedRange:
    """Parse a range string (already URL-decoded). Raises A1Error when Google could not."""
    text = text.strip()
    if not text:
        raise A1Error(text)
    quoted = text.startswith("'")
    sheet, ref = split_sheet(text)
    if sheet is not None and ref == "":
        return ParsedRange(sheet=sheet, whole_sheet=True)
    if sheet is None and not quoted:
        # A bare token: a cell/area reference on the first sheet, else a sheet or named range.
        try:
            return _parse_ref(None, ref)
        except A1Error:
            return ParsedRange(sheet=None, name=ref)
    try:
        return _parse_ref(sheet, ref)
    except A1Error:
        if sheet is not None and ref and re.fullmatch(r"\w+", ref):
            return ParsedRange(sheet=sheet, name=ref)  # 'Sheet1'!MyNamedRange
        raise


def _parse_ref(sheet: str | None, ref: str) -> ParsedRange:
    if ":" in ref:
        a, _, b = ref.partition(":")
        ra, ca = _parse_part(a)
        rb, cb = _parse_part(b)
        r0 = ra if ra is not None else 0
        c0 = ca if ca is not None else 0
        r1 = rb + 1 if rb is not None else None
        c1 = cb + 1 if cb is not None else None
        # normalise reversed corners (D4:A1 -> A1:D4)
        if r1 is not None and r1 - 1 < r0:
            r0, r1 = r1 - 1, r0 + 1
        if c1 is not None and c1 - 1 < c0:
            c0, c1 = c1 - 1, c0 + 1
        one = r1 is not None and c1 is not None and r1 - r0 == 1 and c1 - c0 == 1
        return ParsedRange(sheet=sheet, r0=r0, r1=r1, c0=c0, c1=c1, single_cell=one)
    row, col = _parse_part(ref)
    if row is None or col is None:  # "A" or "3" alone is not a range ("A:A" / "3:3" are)
        raise A1Error(ref)
    return ParsedRange(sheet=sheet, r0=row, r1=row + 1, c0=col, c1=col + 1, single_cell=True)
