"""Coercion of what people type into typed values.

Every function here is pure and total: it returns the typed value, ``None`` for a
blank cell, or an :class:`Invalid` saying why the text cannot be read. Nothing
raises on bad input; the caller turns an ``Invalid`` into a finding.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from sheets_sync.backends.base import CellError, CellValue, Link
from sheets_sync.text import INVISIBLE

#: Excel's (and Sheets') day zero for serial dates.
SERIAL_EPOCH = dt.date(1899, 12, 30)
#: Serials outside this range are not read as dates (1900-01-01 .. 9999-12-31).
SERIAL_MIN, SERIAL_MAX = 2, 2958465
SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
CURRENCY = "$€£¥₹₩₽¢₺₪"
MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
#: Locales whose short dates put the month first (11/3/2026 is 3 Nov).
MONTH_FIRST = frozenset({"en_us", "en_ph", "es_us", "en_ca"})
#: Languages whose decimal separator is a comma (1.234,5).
DECIMAL_COMMA = frozenset(
    {"de", "fr", "es", "it", "nl", "pt", "ru", "pl", "sv", "da", "nb", "fi", "cs", "tr", "id"}
)

#: The locales a setting may name (what Locale models: date order, decimal separator).
LOCALES = (
    "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pt_PT",
    "en_CA", "en_AU", "en_NZ", "en_IE", "en_IN", "en_PH", "de_AT", "fr_BE", "fr_CA",
    "nl_BE", "ru_RU", "pl_PL", "sv_SE", "da_DK", "nb_NO", "fi_FI", "cs_CZ", "tr_TR",
    "id_ID",
)  # fmt: skip
_LOCALE_NAMES = {name.casefold(): name for name in LOCALES}

_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_SHORT = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ \-]([a-z]+)\.?,?[ \-](\d{4})$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Invalid:
    """A value that could not be read, and why (for the finding's message)."""

    reason: str


@dataclass(frozen=True)
class Locale:
    """How short dates and decimal separators are read."""

    month_first: bool = True
    decimal_comma: bool = False

    @classmethod
    def parse(cls, name: str | None) -> Locale:
        """``en_US`` -> month first, decimal point; ``en_GB`` day first; ``de_DE`` decimal comma."""
        if not name or (known := cls.canonical(name)) is None:
            return cls()  # a spreadsheet's own locale this tool does not know: read as en_US
        norm = known.casefold()
        lang = norm.split("_")[0]
        return cls(month_first=norm in MONTH_FIRST, decimal_comma=lang in DECIMAL_COMMA)

    @staticmethod
    def canonical(name: str) -> str | None:
        """``en-us``, ``EN_us`` -> ``en_US``; None when it is not one of :data:`LOCALES`."""
        return _LOCALE_NAMES.get(name.strip().replace("-", "_").casefold())


def clean_text(value: str) -> str:
    """Trim, drop invisible characters and collapse runs of whitespace."""
    if value.isascii() and value.isprintable() and "  " not in value and value.strip() == value:
        return value  # already clean: the common case, and a big sheet has a million cells
    return SPACES.sub(" ", value.translate(INVISIBLE)).strip()


def is_blank(value: CellValue) -> bool:
    """Blank cells: None, or text of only whitespace and invisible characters."""
    return value is None or (isinstance(value, str) and not clean_text(value))


def display(value: CellValue, limit: int | None = 40) -> str:
    """How a raw value is quoted in a finding's message (cut to ``limit`` characters)."""
    if isinstance(value, Link):
        return value.text
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def _text_of(value: CellValue) -> str:
    if isinstance(value, Link):
        return value.text
    return "" if value is None else str(value)


def _make_date(year: int, month: int, day: int) -> dt.date | Invalid:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return Invalid("is not a real date")


def coerce_date(value: CellValue, locale: Locale = Locale()) -> dt.date | Invalid | None:
    """A date cell, a serial number or text (ISO, ``3 Nov 2026``, ``11/3/2026``) as a date."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return Invalid("is a true/false value, not a date")
    if isinstance(value, int | float):
        # The range first: an integer beyond a double (a file can hold one) has no isfinite.
        if not SERIAL_MIN <= value <= SERIAL_MAX or not math.isfinite(value):
            return Invalid("is a number, not a date")
        return SERIAL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, CellError):
        return Invalid(f"holds the error {value.code}")
    text = clean_text(_text_of(value)).casefold()
    if m := _ISO.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _SHORT.match(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        # Dots are day-first everywhere (3.11.2026); slashes and dashes follow the locale.
        if locale.month_first and m[2] != ".":
            return _make_date(year, first, second)
        return _make_date(year, second, first)
    if m := _DAY_MONTH.match(text):
        month = MONTHS.get(m[2])
        if month:
            return _make_date(int(m[3]), month, int(m[1]))
    if m := _MONTH_DAY.match(text):
        month = MONTHS.get(m[1])
        if month:
            return _make_date(int(m[3]), month, int(m[2]))
    return Invalid("is not a date (type it as 2026-11-03 or 3 Nov 2026)")


def coerce_number(value: CellValue, locale: Locale = Locale()) -> float | Invalid | None:
    """Numbers, with thousands separators, currency symbols, ``%`` (12% is 0.12), ``(5)``."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return Invalid("is a true/false value, not a number")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond a double (a file can hold one)
            return Invalid("is not a finite number")
        return number if math.isfinite(number) else Invalid("is not a finite number")
    if isinstance(value, dt.date):
        return Invalid("is a date, not a number")
    if isinstance(value, CellError):
        return Invalid(f"holds the error {value.code}")
    text = clean_text(_text_of(value)).replace("\u2212", "-")
    text = text.replace(" ", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith(("+", "-")):  # not text[:1] in "+-": "" is in every string
        negative ^= text[0] == "-"
        text = text[1:]
    stripped = text.strip(CURRENCY)
    if stripped != text and stripped.startswith(("+", "-")):  # $-5 as well as -$5
        negative ^= stripped[0] == "-"
        stripped = stripped[1:]
    text = stripped
    scale = 1.0
    if text.endswith("%"):
        scale, text = 0.01, text[:-1]
    text = text.strip(CURRENCY)
    thousands, decimal = (".", ",") if locale.decimal_comma else (",", ".")
    grouped = rf"\d{{1,3}}(?:[{re.escape(thousands)}'’]\d{{3}})+"
    match = re.fullmatch(rf"({grouped}|\d+)?(?:{re.escape(decimal)}(\d+))?", text)
    if match and (match[1] or match[2]):
        whole = re.sub(r"\D", "", match[1] or "0")
        number = float(f"{whole}.{match[2] or '0'}") * scale
    else:
        try:
            if text[:1] in "+-" or not text[:1].isdigit():
                raise ValueError(text)
            number = float(text) * scale  # scientific notation such as 1e6
        except ValueError:
            return Invalid("is not a number")
    if not math.isfinite(number):  # also 400 digits typed as text
        return Invalid("is not a finite number")
    return -number if negative else number


def coerce_id(value: CellValue) -> str | Invalid | None:
    """Ids and references: trimmed text; a number in an id cell reads as its integer text."""
    if isinstance(value, str):
        return clean_text(value) or None
    if value is None:
        return None
    if isinstance(value, bool):
        return Invalid("is a true/false value, not an id")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return clean_text(repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, CellError):
        return Invalid(f"holds the error {value.code}")
    return clean_text(_text_of(value))


def coerce_text(value: CellValue) -> str | Invalid | None:
    """Free text, trimmed; numbers and dates as they read."""
    if isinstance(value, str):
        return clean_text(value) or None
    if isinstance(value, CellError):
        return Invalid(f"holds the error {value.code}")
    if is_blank(value):
        return None
    if isinstance(value, str):
        return clean_text(value)
    return display(value)


def coerce_email(value: CellValue) -> str | Invalid | None:
    """An email address (one @, a dot in the domain, no spaces)."""
    text = coerce_text(value)
    if isinstance(text, str) and not _EMAIL.match(text):
        return Invalid("is not an email address")
    return text


def coerce_bool(value: CellValue) -> bool | Invalid | None:
    """TRUE/FALSE cells, yes/no, y/n, 1/0."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        return Invalid("is not true or false")
    text = coerce_text(value)
    if isinstance(text, str):
        folded = text.casefold()
        if folded in {"true", "yes", "y", "1", "x", "✓"}:
            return True
        if folded in {"false", "no", "n", "0"}:
            return False
    return Invalid("is not true or false")
