"""Cell value semantics: USER_ENTERED parsing, number/date formatting, the few formulas we evaluate.

Dates are serial numbers (days since 1899-12-30) carrying a DATE numberFormat, as in Sheets.
Only `=HYPERLINK(url[, text])` and arithmetic on number literals (`=4/2`, `=(1+2)*3`) are
evaluated; any other formula keeps its formula and has no effective value unless a test seeded
one (`ss.set_cell(..., effective=...)`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any

EPOCH = dt.date(1899, 12, 30)

#: decimal separator and date order per locale (a small table: what the project's tests use)
LOCALES: dict[str, tuple[str, str]] = {
    "en_US": (".", "MDY"),
    "en_GB": (".", "DMY"),
    "en_AU": (".", "DMY"),
    "en_IE": (".", "DMY"),
    "en_CA": (".", "YMD"),
    "de_DE": (",", "DMY"),
    "fr_FR": (",", "DMY"),
    "es_ES": (",", "DMY"),
    "it_IT": (",", "DMY"),
    "nl_NL": (",", "DMY"),
    "pt_BR": (",", "DMY"),
}

DEFAULT_DATE_PATTERN = {"MDY": "M/d/yyyy", "DMY": "dd/MM/yyyy", "YMD": "yyyy-MM-dd"}
CURRENCY_SYMBOL = {"en_US": "$", "en_GB": "£", "de_DE": "€", "fr_FR": "€", "es_ES": "€"}

ERROR_TEXT = {
    "ERROR": "#ERROR!",
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "LOADING": "Loading...",
}


def locale_info(locale: str) -> tuple[str, str]:
    return LOCALES.get(locale, (".", "DMY" if not locale.startswith("en_US") else "MDY"))


def date_to_serial(value: dt.date | dt.datetime) -> float:
    if isinstance(value, dt.datetime):
        base = dt.datetime(1899, 12, 30, tzinfo=value.tzinfo)
        delta = value - base
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return float((value - EPOCH).days)


def serial_to_datetime(serial: float) -> dt.datetime:
    days = math.floor(serial)
    seconds = round((serial - days) * 86400)
    return dt.datetime(1899, 12, 30) + dt.timedelta(days=days, seconds=seconds)


def serial_to_date(serial: float) -> dt.date:
    return (EPOCH + dt.timedelta(days=math.floor(serial))) if serial == serial else EPOCH


def number_json(x: float | int) -> float | int:
    """Integral doubles go out as JSON integers (`2`, not `2.0`), as Google writes them."""
    if isinstance(x, bool):
        return x
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e17:
        return int(x)
    return x


# ---------------------------------------------------------------- USER_ENTERED parsing

_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_SLASH_DATE = re.compile(r"^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")


def _to_float(text: str, decimal: str) -> float | None:
    t = text.strip()
    if decimal == ",":
        if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?", t):
            t = t.replace(".", "")
        t = t.replace(",", ".") if t.count(",") == 1 else t
        if _NUM.match(t):
            return float(t)
        return None
    if _GROUPED.match(t):
        return float(t.replace(",", ""))
    if _NUM.match(t):
        return float(t)
    return None


def _make_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_user_entered(
    text: str, locale: str = "en_US"
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """What typing `text` stores: (userEnteredValue, numberFormat it implies or None)."""
    decimal, order = locale_info(locale)
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return {"boolValue": stripped.upper() == "TRUE"}, None
    number = _to_float(stripped, decimal)
    if number is not None:
        fmt = None
        if ("," in stripped and decimal == ".") or ("." in stripped and decimal == ","):
            fmt = {"type": "NUMBER", "pattern": "#,##0.00" if decimal in stripped else "#,##0"}
        if "e" in stripped.lower():
            fmt = {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
        return {"numberValue": number}, fmt
    if text.startswith("+") and len(text) > 1:
        # Google takes a leading + as the start of a formula: "+A1+B1" is "=+A1+B1"
        return {"formulaValue": "=" + text}, None
    if stripped.endswith("%"):
        number = _to_float(stripped[:-1], decimal)
        if number is not None:
            decimals = len(stripped[:-1].split(decimal)[1]) if decimal in stripped else 0
            pattern = "0%" if decimals == 0 else "0." + "0" * decimals + "%"
            return {"numberValue": number / 100}, {"type": "PERCENT", "pattern": pattern}
    symbol = CURRENCY_SYMBOL.get(locale, "$")
    for sym in {symbol, "$"}:
        body = stripped
        negative = body.startswith("-")
        body = body.lstrip("-")
        if body.startswith(sym):
            number = _to_float(body[len(sym) :], decimal)
            if number is not None:
                number = -number if negative else number
                return {"numberValue": number}, {"type": "CURRENCY", "pattern": f'"{sym}"#,##0.00'}
    date_value = parse_date_text(stripped, order)
    if date_value is not None:
        serial, pattern, kind = date_value
        return {"numberValue": serial}, {"type": kind, "pattern": pattern}
    return {"stringValue": text}, None


def parse_date_text(text: str, order: str) -> tuple[float, str, str] | None:
    """ISO and locale dates/date-times/times -> (serial, pattern, numberFormat type)."""
    m = _ISO_DATE.match(text)
    if m:
        d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return (date_to_serial(d), "yyyy-mm-dd", "DATE") if d else None
    m = _ISO_DATETIME.match(text)
    if m:
        d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d is None:
            return None
        secs = int(m.group(4)) * 3600 + int(m.group(5)) * 60 + int(m.group(6) or 0)
        return date_to_serial(d) + secs / 86400, "yyyy-mm-dd H:mm:ss", "DATE_TIME"
    m = _SLASH_DATE.match(text)
    if m:
        a, b, c = (int(g) for g in m.groups())
        if len(m.group(1)) == 4:
            y, mo, d_ = a, b, c
        elif order == "MDY":
            mo, d_, y = a, b, c
        else:
            d_, mo, y = a, b, c
        if y < 100:
            y += 2000 if y < 30 else 1900
        d = _make_date(y, mo, d_)
        return (date_to_serial(d), DEFAULT_DATE_PATTERN[order], "DATE") if d else None
    m = _TIME.match(text)
    if m:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        ampm = (m.group(4) or "").upper()
        if ampm == "PM" and h < 12:
            h += 12
        if ampm == "AM" and h == 12:
            h = 0
        if h < 24 and mi < 60 and s < 60:
            pattern = "h:mm:ss am/pm" if ampm else ("H:mm:ss" if m.group(3) else "H:mm")
            return (h * 3600 + mi * 60 + s) / 86400, pattern, "TIME"
    return None


# ---------------------------------------------------------------- formulas

_HYPERLINK = re.compile(
    r'^=\s*HYPERLINK\(\s*"((?:[^"]|"")*)"\s*(?:[,;]\s*"((?:[^"]|"")*)"\s*)?\)\s*$', re.IGNORECASE
)


def evaluate(formula: str) -> tuple[dict[str, Any] | None, str | None]:
    """(effectiveValue, hyperlink) for the formulas the fake understands, else (None, None)."""
    m = _HYPERLINK.match(formula)
    if m:
        url = m.group(1).replace('""', '"')
        label = m.group(2).replace('""', '"') if m.group(2) is not None else url
        return {"stringValue": label}, url
    expr = formula[1:].strip()
    if expr and re.fullmatch(r"[0-9.\s+\-*/()eE]+", expr):
        try:
            value = _Arith(expr).parse()
        except ZeroDivisionError:
            return {
                "errorValue": {
                    "type": "DIVIDE_BY_ZERO",
                    "message": "Function DIVIDE parameter 2 cannot be zero.",
                }
            }, None
        except (ValueError, IndexError):
            return None, None
        return {"numberValue": value}, None
    return None, None


class _Arith:
    """Recursive descent over + - * / ( ) and number literals."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = re.findall(r"\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+|[+\-*/()]", text)
        self.pos = 0

    def parse(self) -> float:
        value = self.expr()
        if self.pos != len(self.tokens):
            raise ValueError("trailing")
        return value

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            rhs = self.term()
            value = value + rhs if op == "+" else value - rhs
        return value

    def term(self) -> float:
        value = self.factor()
        while self.peek() in ("*", "/"):
            op = self.take()
            rhs = self.factor()
            if op == "/" and rhs == 0:
                raise ZeroDivisionError
            value = value * rhs if op == "*" else value / rhs
        return value

    def factor(self) -> float:
        tok = self.take()
        if tok == "-":
            return -self.factor()
        if tok == "+":
            return self.factor()
        if tok == "(":
            value = self.expr()
            if self.take() != ")":
                raise ValueError(")")
            return value
        return float(tok)


# ---------------------------------------------------------------- formatting


def general_number(x: float) -> str:
    """Sheets' automatic number display."""
    if x != x:
        return "#NUM!"
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    ax = abs(x)
    if ax >= 1e15 or (ax < 1e-9 and ax != 0):
        mant, exp = f"{x:.2E}".split("E")
        return f"{mant}E{int(exp):+03d}"
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    digits = text.replace("-", "").replace(".", "").lstrip("0")
    if len(digits) > 15:
        text = f"{float(f'{x:.15g}'):.10f}".rstrip("0").rstrip(".")
    return text


_DATE_TOKENS = re.compile(
    r'"[^"]*"|\\.|yyyy|yy|mmmmm|mmmm|mmm|mm|m|MMMM|MMM|MM|M|dddd|ddd|dd|d|hh|h|HH|H|ss|s|'
    r"am/pm|AM/PM|a/p|A/P|\.0+|[^\"\\ymMdhHsaA.]+|.",
)

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@functools.lru_cache(maxsize=1 << 16)
def format_date(serial: float, pattern: str) -> str:
    """A serial shown with a date pattern (cached: a sheet shows the same dates again and
    again, and the benchmark times this fake's answers)."""
    try:
        when = serial_to_datetime(serial)
    except (OverflowError, ValueError):
        # a number no calendar date can show (past 9999-12-31): shown as the number
        return general_number(serial)
    tokens = _DATE_TOKENS.findall(pattern)
    has_ampm = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out: list[str] = []
    for i, tok in enumerate(tokens):
        low = tok.lower()
        prev = next((t.lower() for t in reversed(tokens[:i]) if t.strip(" :/-.,")), "")
        nxt = next((t.lower() for t in tokens[i + 1 :] if t.strip(" :/-.,")), "")
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif low == "yyyy":
            out.append(f"{when.year:04d}")
        elif low == "yy":
            out.append(f"{when.year % 100:02d}")
        elif low in ("m", "mm") and (prev.startswith("h") or nxt.startswith("s")):
            out.append(f"{when.minute:02d}" if low == "mm" else str(when.minute))
        elif low == "mmmmm":
            out.append(_MONTHS[when.month - 1][0])
        elif low == "mmmm":
            out.append(_MONTHS[when.month - 1])
        elif low == "mmm":
            out.append(_MONTHS[when.month - 1][:3])
        elif low == "mm":
            out.append(f"{when.month:02d}")
        elif low == "m":
            out.append(str(when.month))
        elif low == "dddd":
            out.append(_DAYS[when.weekday()])
        elif low == "ddd":
            out.append(_DAYS[when.weekday()][:3])
        elif low == "dd":
            out.append(f"{when.day:02d}")
        elif low == "d":
            out.append(str(when.day))
        elif low in ("hh", "h"):
            hour = when.hour
            if has_ampm:
                hour = hour % 12 or 12
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low == "ss":
            out.append(f"{when.second:02d}")
        elif low == "s":
            out.append(str(when.second))
        elif low == "am/pm":
            text = "AM" if when.hour < 12 else "PM"
            out.append(text if tok[0].isupper() else text.lower())
        elif low == "a/p":
            out.append("A" if when.hour < 12 else "P")
        elif tok.startswith(".0"):
            out.append("." + "0" * (len(tok) - 1))
        else:
            out.append(tok)
    return "".join(out)


def _literal(part: str) -> str:
    part = re.sub(r'"([^"]*)"', r"\1", part)
    part = re.sub(r"\[\$([^\]-]*)[^\]]*\]", r"\1", part)
    return re.sub(r"\\(.)", r"\1", part).replace("_)", "").replace("*", "")


def format_number(x: float, pattern: str, decimal: str = ".") -> str:
    """A working subset of Sheets number patterns: 0, #, grouping, decimals, %, literals."""
    sections = pattern.split(";")
    section = sections[0]
    negative = x < 0
    if negative and len(sections) > 1:
        section = sections[1]
        x = -x
    if pattern.strip().lower() in ("general", ""):
        return general_number(x)
    m = re.search(r"[#0?][#0?,]*(\.[#0?]*)?|\.[#0?]+", section)
    if not m:
        return _literal(section)
    prefix, core, suffix = section[: m.start()], m.group(0), section[m.end() :]
    percent = "%" in suffix or "%" in prefix
    value = x * 100 if percent else x
    int_part, _, frac_part = core.partition(".")
    min_dec = frac_part.count("0")
    max_dec = len(frac_part)
    text = f"{abs(value):.{max_dec}f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    frac = frac + "0" * max(0, min_dec - len(frac))
    if "," in int_part:
        whole = f"{int(whole):,}"
    min_int = int_part.replace(",", "").count("0")
    if whole.replace(",", "") == "0" and min_int == 0:
        whole = ""
    sep = {".": ",", ",": "."}[decimal]
    whole = whole.replace(",", "\0").replace("\0", sep)
    body = whole + (decimal + frac if frac else ("" if max_dec == 0 or not frac else decimal))
    sign = "-" if value < 0 and len(sections) == 1 else ""
    return sign + _literal(prefix) + body + _literal(suffix)


def formatted_value(
    ev: dict[str, Any], number_format: dict[str, Any] | None, locale: str = "en_US"
) -> str | None:
    """The `formattedValue` of a cell with effectiveValue `ev`."""
    if "stringValue" in ev:
        return str(ev["stringValue"])
    if "boolValue" in ev:
        return "TRUE" if ev["boolValue"] else "FALSE"
    if "errorValue" in ev:
        return ERROR_TEXT.get(ev["errorValue"].get("type", "ERROR"), "#ERROR!")
    if "numberValue" not in ev:
        return None
    x = float(ev["numberValue"])
    decimal, _ = locale_info(locale)
    if not number_format:
        text = general_number(x)
        return text.replace(".", decimal) if decimal != "." else text
    kind = number_format.get("type", "NUMBER")
    pattern = number_format.get("pattern", "")
    if kind in ("DATE", "TIME", "DATE_TIME"):
        if not pattern:
            pattern = {"DATE": "yyyy-mm-dd", "TIME": "H:mm:ss", "DATE_TIME": "yyyy-mm-dd H:mm:ss"}[
                kind
            ]
        return format_date(x, pattern)
    if kind == "TEXT":
        return general_number(x)
    if not pattern:
        pattern = {"PERCENT": "0.00%", "CURRENCY": '"$"#,##0.00', "SCIENTIFIC": "0.00E+00"}.get(
            kind, "#,##0.00"
        )
    if "E+" in pattern.upper():
        decimals = len(pattern.split(".")[1].split("E")[0]) if "." in pattern else 0
        mant, exp = f"{x:.{decimals}E}".split("E")
        return f"{mant}E{int(exp):+03d}"
    return format_number(x, pattern, decimal)


def is_date_format(number_format: dict[str, Any] | None) -> bool:
    return number_format is not None and number_format.get("type") in ("DATE", "DATE_TIME")
