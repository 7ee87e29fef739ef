"""The bad-input corpus: messy cells as data, each with its expected outcome.

Every case edits the small valid workbook of ``tests/helpers.py`` (``base_tabs()``): most put
one messy value into one cell of the right kind of column, some change the workbook's shape
(headers, rows, tabs, merges). Each states what must come of it:

- ``Reads(value)``: the cell reads as that typed value and no finding names the cell;
- ``Finds(rule, cell, tab)``: a finding with that rule id names that cell of that tab (the
  case's own cell and tab unless given; ``cell=""`` is a tab-level finding such as a missing
  column or tab, which has no cell to name);
- ``Clean(tab)``: no finding at all on that tab;
- ``Refuses(backend, text)``: a sync on that backend stops with a SheetsSyncError whose
  message holds ``text`` (a clear refusal is not a crash).

``test_bad_input.py`` runs every case in memory (``analyze`` plus a ``sync`` on the memory
backend), and through the xlsx backend (openpyxl writes the file as a person's program would)
and the Google backend (real gspread on the API fake) for the cases marked ``real`` in the
fast run, and for every case it can represent in the full run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.a1 import a1
from sheets_sync.backends.base import CellError, CellValue, Link
from sheets_sync.coerce import SERIAL_EPOCH
from tests.helpers import BASE

D = dt.date
XLSX_LIMIT = 32_767  # characters in one xlsx cell
GOOGLE_LIMIT = 50_000  # characters in one Google Sheets cell
REAL = frozenset({"xlsx", "google"})


def serial(day: dt.date) -> int:
    """The spreadsheet serial number of a date."""
    return (day - SERIAL_EPOCH).days


def column(tab: str, header: str) -> int:
    """Column of ``header`` in the base workbook's tab."""
    return BASE[tab][0].index(header)


def address(tab: str, header: str, row: int = 1) -> str:
    """A1 address of ``header``'s cell on grid row ``row`` (1 = the first data row)."""
    return a1(row, column(tab, header))


# --- edits ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Put:
    """Put ``value`` into ``header``'s cell of grid row ``row``.

    With ``formula`` the cell holds that formula and ``value`` is its calculated value
    (None: the file holds none). Without it, text is a text cell even when a spreadsheet
    program would take it for a formula or an error (``=1+1``, ``#N/A``): a person typed it
    with a leading apostrophe, or pasted it as text.
    """

    tab: str
    header: str
    value: CellValue
    row: int = 1
    formula: str | None = None

    @property
    def cell(self) -> str:
        return address(self.tab, self.header, self.row)


@dataclass(frozen=True)
class Header:
    """Replace the header text of ``header``'s column (None: a blank header cell)."""

    tab: str
    header: str
    text: CellValue


@dataclass(frozen=True)
class AddColumn:
    """Append a column: ``text`` in the header row, then ``values`` from grid row 1 down."""

    tab: str
    text: CellValue
    values: tuple[CellValue, ...] = ()


@dataclass(frozen=True)
class CopyRow:
    """Append a copy of grid row ``row`` with some cells changed ({header: value})."""

    tab: str
    changes: dict[str, CellValue] = field(default_factory=dict)
    row: int = 1


@dataclass(frozen=True)
class InsertRow:
    """Insert a row at grid row ``at`` (blank unless ``values`` are given)."""

    tab: str
    at: int
    values: tuple[CellValue, ...] = ()


@dataclass(frozen=True)
class Extend:
    """Append ``values`` to the end of grid row ``row`` (beyond its last header)."""

    tab: str
    values: tuple[CellValue, ...]
    row: int = 1


@dataclass(frozen=True)
class DropTab:
    tab: str


@dataclass(frozen=True)
class RenameTab:
    tab: str
    new: str


@dataclass(frozen=True)
class KeepRows:
    """Keep only the first ``rows`` grid rows of a tab (1: the header row alone; 0: empty)."""

    tab: str
    rows: int


@dataclass(frozen=True)
class Merge:
    """Merge a range (``B2:C2``): only the top-left cell keeps its value."""

    tab: str
    range: str


@dataclass(frozen=True)
class EmptyWorkbook:
    """No tabs of the template at all (xlsx: one empty sheet; Google: only Sheet1)."""


Edit = (
    Put | Header | AddColumn | CopyRow | InsertRow | Extend | DropTab | RenameTab | KeepRows
    | Merge | EmptyWorkbook
)


# --- expectations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reads:
    """The case's cell reads as ``value``; no finding names it but those the case expects.

    ``at`` (tab, header, row) points at another cell than the case's own.
    For a RACI role cell the value is the canonical code (A, R, A/R, C, I).
    """

    value: Any
    at: tuple[str, str, int] | None = None


@dataclass(frozen=True)
class Finds:
    """A finding with ``rule`` names ``cell`` of ``tab`` (default: the case's own cell, tab)."""

    rule: str
    cell: str | None = None
    tab: str | None = None


@dataclass(frozen=True)
class Clean:
    """No finding at all on ``tab`` (default: the case's tab)."""

    tab: str | None = None


@dataclass(frozen=True)
class Refuses:
    """A sync on ``backend`` stops with a SheetsSyncError whose message holds ``text``."""

    backend: str
    text: str


Expect = Reads | Finds | Clean | Refuses


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    edits: tuple[Edit, ...]
    expect: tuple[Expect, ...]
    #: Config(locale=...): how short dates and decimal commas are read
    locale: str | None = None
    #: the spreadsheet's own locale (memory and Google; an xlsx file has none)
    sheet_locale: str | None = None
    #: real backends this case goes through even in the fast run
    real: frozenset[str] = frozenset()
    #: backends that cannot hold this case at all, with why
    skip: dict[str, str] = field(default_factory=dict)

    @property
    def tab(self) -> str:
        for edit in self.edits:
            if hasattr(edit, "tab"):
                return str(edit.tab)
        return ""

    @property
    def cell(self) -> str:
        """The case's own cell: the first Put's."""
        for edit in self.edits:
            if isinstance(edit, Put):
                return edit.cell
        return ""


CASES: list[Case] = []


def case(
    id: str,
    tab: str,
    header: str,
    value: CellValue,
    *expect: Expect | str,
    row: int = 1,
    formula: str | None = None,
    locale: str | None = None,
    sheet_locale: str | None = None,
    real: set[str] | frozenset[str] | bool = False,
    skip: dict[str, str] | None = None,
    group: str = "",
    more: tuple[Edit, ...] = (),
) -> None:
    """Add a one-cell case; a bare rule id string stands for ``Finds(rule)``."""
    expectations = tuple(Finds(e) if isinstance(e, str) else e for e in expect)
    CASES.append(
        Case(
            id=id,
            group=group or tab,
            edits=(Put(tab, header, value, row, formula), *more),
            expect=expectations,
            locale=locale,
            sheet_locale=sheet_locale,
            real=REAL if real is True else frozenset(real or ()),
            skip=dict(skip or {}),
        )
    )


def shape(
    id: str,
    edits: tuple[Edit, ...],
    *expect: Expect,
    real: set[str] | frozenset[str] | bool = False,
    skip: dict[str, str] | None = None,
    group: str = "structure",
) -> None:
    """Add a case that changes the workbook's shape."""
    CASES.append(
        Case(
            id=id,
            group=group,
            edits=edits,
            expect=tuple(expect),
            real=REAL if real is True else frozenset(real or ()),
            skip=dict(skip or {}),
        )
    )


NOV3 = D(2026, 11, 3)
MAR11 = D(2026, 3, 11)
TYPE, REQ, ENUM, REF = "VALUE-TYPE", "VALUE-REQUIRED", "VALUE-ENUM", "REF-UNKNOWN"
NOT_IN_FILE = "a value no spreadsheet program stores"

# --- dates: Goals "Start date" (optional), other date columns for required ones ------------------

G, START = "Goals", "Start date"
for text, day in [
    ("2026-11-03", NOV3),
    ("2026/11/03", NOV3),
    ("2026.11.03", NOV3),
    ("2026-11-3", NOV3),
    ("2026-11-03T10:30", NOV3),
    ("2026-11-03 10:30:00", NOV3),
    ("3 Nov 2026", NOV3),
    ("3 November 2026", NOV3),
    ("03-Nov-2026", NOV3),
    ("3rd Nov 2026", NOV3),
    ("3 nov. 2026", NOV3),
    ("Nov 3, 2026", NOV3),
    ("NOVEMBER 3 2026", NOV3),
    ("3 Sept 2026", D(2026, 9, 3)),
    ("29 Feb 2028", D(2028, 2, 29)),
    ("\u00a02026-11-03\u00a0", NOV3),
    ("  3 Nov 2026  ", NOV3),
    ("\u200b2026-11-03\ufeff", NOV3),
    ("3\u00a0Nov\u00a02026", NOV3),
    ("\uff12\uff10\uff12\uff16-\uff11\uff11-\uff10\uff13", NOV3),  # full-width digits
]:
    case(
        f"date text {text!r}", G, START, text, Reads(day), group="dates",
        real=text == "3 Nov 2026",
    )

for text, locale, day in [
    ("11/3/2026", "en_US", NOV3),
    ("11/3/2026", "en_GB", MAR11),
    ("11/3/2026", "de_DE", MAR11),
    ("11/3/2026", None, NOV3),
    ("3/11/2026", "en_GB", NOV3),
    ("3/11/2026", "fr_FR", NOV3),
    ("3.11.2026", "en_US", NOV3),
    ("3.11.2026", "de_DE", NOV3),
    ("03.11.26", "de_DE", NOV3),
    ("11-3-2026", "en_US", NOV3),
    ("11/3/26", "en_US", NOV3),
    ("\u0661\u0661/\u0663/\u0662\u0660\u0662\u0666", "en_US", NOV3),  # Arabic-Indic digits
]:
    case(
        f"date {text!r} in {locale}", G, START, text, Reads(day), locale=locale, group="dates",
        real=text == "11/3/2026",
    )

for text, sheet_locale, locale, day in [
    ("11/3/2026", "en_GB", None, MAR11),
    ("11/3/2026", "en_US", None, NOV3),
    ("3/11/2026", "de_DE", None, NOV3),
    ("11/3/2026", "en_GB", "en_US", NOV3),  # the config wins over the sheet
]:
    case(
        f"date {text!r} in a {sheet_locale} spreadsheet, config {locale}", G, START, text,
        Reads(day), locale=locale, sheet_locale=sheet_locale, group="dates",
        real={"google"}, skip={"xlsx": "an xlsx file has no locale of its own"},
    )

for value, why in [
    ("13/11/2026", "month 13 in en_US"),
    ("2026-02-30", "30 February"),
    ("2026-13-01", "month 13"),
    ("2026-00-10", "month 0"),
    ("29 Feb 2027", "not a leap year"),
    ("31 Apr 2026", "April has 30 days"),
    ("0/0/2026", "day and month 0"),
    ("next Tuesday", "relative"),
    ("tomorrow", "relative"),
    ("TBD", "placeholder"),
    ("Q3 2026", "a quarter"),
    ("Nov 2026", "a month"),
    ("2026", "a year as text"),
    ("20261103", "digits only"),
    ("46329", "a serial as text"),
    ("3 Noviembre 2026", "Spanish month"),
    ("Tue, 3 Nov 2026", "weekday prefix"),
    ("2026-11-03 to 2026-11-05", "a range"),
]:
    case(f"impossible date {value!r} ({why})", G, START, value, TYPE, group="dates")
case("date 11/13/2026 in en_GB", G, START, "11/13/2026", TYPE, locale="en_GB", group="dates")
case("German '3. Nov. 2026'", G, START, "3. Nov. 2026", TYPE, locale="de_DE", group="dates")

case("date serial number", G, START, serial(NOV3), Reads(NOV3), group="dates", real=True)
case("date serial with a time", G, START, serial(NOV3) + 0.75, Reads(NOV3), group="dates")
case("serial 0", G, START, 0, TYPE, group="dates", real=True)
case("negative serial", G, START, -1, TYPE, group="dates")
case("serial past 9999", G, START, 3_000_000, TYPE, group="dates")
case("NaN in a date column", G, START, float("nan"), TYPE, group="dates",
     skip={"xlsx": NOT_IN_FILE, "google": NOT_IN_FILE})
case("real date cell", G, START, NOV3, Reads(NOV3), group="dates", real=True)
case("date-time cell", G, START, dt.datetime(2026, 11, 3, 10, 30), Reads(NOV3), group="dates",
     real=True)
case("date before 1900", G, START, D(1850, 1, 1), Reads(D(1850, 1, 1)), group="dates",
     skip={"xlsx": "Excel keeps no dates before 1900"})
case("boolean in a date column", G, START, True, TYPE, group="dates", real=True)
case("#VALUE! error in a date column", G, START, CellError("#VALUE!"), TYPE, group="dates",
     real=True)
case("#N/A typed as text in a date column", G, START, "#N/A", TYPE, group="dates", real=True)
case("required Due date 'next Tuesday'", G, "Due date", "next Tuesday", TYPE, group="dates")
case("required Due date only spaces", G, "Due date", "   ", REQ, group="dates")
case("KPI Log Date 'yesterday'", "KPI Log", "Date", "yesterday", TYPE, group="dates")
case("Reviews Date '3 Nov 2026'", "Reviews", "Date", "3 Nov 2026", Reads(NOV3), group="dates")
case("KPI Start date 30 Feb", "KPIs", "Start date", "2026-02-30", TYPE, group="dates")
case("RACI Due date 'end of Q4'", "RACI", "Due date", "end of Q4", TYPE, group="dates")

# --- numbers: KPI Log "Value" (required), KPIs Baseline and Target -------------------------------

L, VALUE = "KPI Log", "Value"


def _implausible(number: float) -> tuple[str, ...]:
    """K1 goes from 0 to 100: a reading beyond 10 times that is KPI-READING-IMPLAUSIBLE."""
    return ("KPI-READING-IMPLAUSIBLE",) if abs(number) > 1000 else ()


for text, locale, number in [
    ("1,234.5", None, 1234.5),
    ("1,234,567", None, 1234567.0),
    ("1.234,5", "de_DE", 1234.5),
    ("1.234.567", "de_DE", 1234567.0),
    ("1,5", "de_DE", 1.5),
    ("1\u00a0234,5", "fr_FR", 1234.5),
    ("1\u202f234.5", "en_US", 1234.5),
    ("1 234", "en_US", 1234.0),
    ("$1,234.50", None, 1234.5),
    ("€12", None, 12.0),
    ("12 €", None, 12.0),
    ("12,50 €", "de_DE", 12.5),
    ("£-5", None, -5.0),
    ("-$5", None, -5.0),
    ("¥1000", None, 1000.0),
    ("₹1,000", None, 1000.0),
    ("12%", None, 0.12),
    ("12.5 %", None, 0.125),
    ("-12%", None, -0.12),
    ("(5)", None, -5.0),
    ("($1,234)", None, -1234.0),
    ("\u22125", None, -5.0),  # unicode minus
    ("+5", None, 5.0),
    ("1e6", None, 1e6),
    ("1E-3", None, 0.001),
    ("1'234", None, 1234.0),
    ("1\u2019234.5", None, 1234.5),
    ("\uff11\uff12\uff13", None, 123.0),  # full-width digits
    ("\u0661\u0662\u0663", None, 123.0),  # Arabic-Indic digits
    ("\u00a042\u00a0", None, 42.0),
    ("4\u200b2", None, 42.0),  # zero-width space inside
    ("\ufeff42", None, 42.0),
    ("  42  ", None, 42.0),
]:
    case(f"number {text!r}" + (f" in {locale}" if locale else ""), L, VALUE, text,
         Reads(number), *_implausible(number), locale=locale, group="numbers",
         real=text in ("1,234.5", "1.234,5", "12%", "(5)", "\u22125"))

for text, locale in [
    ("1.234,5", "en_US"),
    ("1,5", "en_US"),
    ("12,34", None),
    ("USD 12", None),
    ("abc", None),
    ("N/A", None),
    ("-", None),
    ("--5", None),
    ("5-", None),
    ("1.2.3", None),
    ("$", None),
    ("%", None),
    ("()", None),
    ("inf", None),
    ("nan", None),
    ("1e999", None),
    ("0x1F", None),
    ("5%%", None),
    ("TRUE", None),
    ("#DIV/0!", None),
    ("#REF!", None),
    ("#N/A", None),
]:
    case(f"not a number {text!r}" + (f" in {locale}" if locale else ""), L, VALUE, text, TYPE,
         locale=locale, group="numbers", real=text.startswith("#"))

for value, number in [(1e308, 1e308), (10**20, 1e20), (-0.0, 0.0), (0.1 + 0.2, 0.3)]:
    case(f"number cell {value!r}", L, VALUE, value, Reads(number), *_implausible(number),
         group="numbers", real=value == 10**20)
case("a 400-digit integer (beyond a float)", L, VALUE, 10**400, TYPE,
     Refuses("xlsx", "too large"), group="numbers", real={"xlsx"},
     skip={"google": "the Sheets API only sends doubles"})
case("a 400-digit integer typed into a computed cell", "KPIs", "Latest value", 10**400, Clean(),
     group="numbers", real={"xlsx"}, skip={"google": "the Sheets API only sends doubles"})
for value in (float("nan"), float("inf"), float("-inf")):
    case(f"number cell {value!r}", L, VALUE, value, TYPE, group="numbers",
         skip={"xlsx": NOT_IN_FILE, "google": NOT_IN_FILE})
case("TRUE in a number column", L, VALUE, True, TYPE, group="numbers", real=True)
case("FALSE in a number column", L, VALUE, False, TYPE, group="numbers")
case("date in a number column", L, VALUE, NOV3, TYPE, group="numbers", real=True)
for code in ("#DIV/0!", "#REF!", "#N/A", "#NAME?"):
    case(f"error {code} in a number column", L, VALUE, CellError(code), TYPE, group="errors",
         real=True)
case("required Value only spaces", L, VALUE, "   ", REQ, group="numbers")
case("required Value only a zero-width space", L, VALUE, "\u200b", REQ, group="numbers")
case("Target '1.000' in de_DE", "KPIs", "Target", "1.000", Reads(1000.0), locale="de_DE",
     group="numbers")
case("Target '1.000' in en_US", "KPIs", "Target", "1.000", Reads(1.0), group="numbers")
case("Baseline '(5)'", "KPIs", "Baseline", "(5)", Reads(-5.0), group="numbers")
case("Target TRUE", "KPIs", "Target", True, TYPE, group="numbers")
case("Target below Baseline for increase", "KPIs", "Target", "-100", Reads(-100.0),
     Finds("VALUE-RANGE"), group="numbers")

# --- text: Goals "Goal" (required), KPI Log "Note" and "Entered by" (optional) -------------------

GOAL = "Goal"
for value, text in [
    ("  Grow joint signups  ", "Grow joint signups"),
    ("\u00a0Grow\u00a0signups\u00a0", "Grow signups"),
    ("Grow\u200b signups", "Grow signups"),
    ("Grow \t\n signups", "Grow signups"),
    ("\ufeffGrow signups", "Grow signups"),
    ("=1+1", "=1+1"),  # typed as text, not a formula
    ("#N/A", "#N/A"),  # typed as text, not an error
    ("🚀 Launch 🎉", "🚀 Launch 🎉"),
    ("نمو الاشتراكات", "نمو الاشتراكات"),
    ("Cafe\u0301", "Cafe\u0301"),
    (NOV3, "2026-11-03"),
    (dt.datetime(2026, 11, 3, 10, 30), "2026-11-03 10:30:00"),
    (42, "42"),
    (0.1, "0.1"),
    (True, "True"),
]:
    case(f"text {value!r}", G, GOAL, value, Reads(text), group="text",
         real=value in ("=1+1", "#N/A", "\u00a0Grow\u00a0signups\u00a0", NOV3))
case("text at the xlsx cell limit", G, GOAL, "g" * XLSX_LIMIT, Reads("g" * XLSX_LIMIT),
     group="limits", real=True)
case("text at the Google cell limit", G, GOAL, "g" * GOOGLE_LIMIT, Reads("g" * GOOGLE_LIMIT),
     group="limits", real={"google"}, skip={"xlsx": "beyond the xlsx cell limit"})
case("note at the xlsx cell limit", L, "Note", "n" * XLSX_LIMIT, Reads("n" * XLSX_LIMIT),
     group="limits", real=True)
case("required Goal only spaces", G, GOAL, "   ", REQ, group="text")
case("required Goal only zero-width spaces", G, GOAL, "\u200b\u200b", REQ, group="text")
case("#N/A error in a text column", G, GOAL, CellError("#N/A"), TYPE, group="errors", real=True)
case("optional Note only spaces", L, "Note", "   ", Reads(None), group="text")
case("#REF! error in an optional text column", L, "Note", CellError("#REF!"), TYPE,
     group="errors", real=True)
case("number in Entered by", L, "Entered by", 12345, Reads("12345"), group="text")
case("note with a line break", L, "Note", "line one\nline two", Reads("line one line two"),
     group="text", real=True)
case("note with a control character", L, "Note", "\x07bell", Reads("\x07bell"), group="text",
     skip={"xlsx": "an xlsx file cannot hold control characters"})
case("link cell in Entered by", L, "Entered by", Link("Ana", "People", "A2"), Reads("Ana"),
     group="text", skip={"xlsx": "links are tested in tests/backends", "google": "likewise"})

# --- ids: RACI "Task ID" (key; nothing refers to tasks) ------------------------------------------

R, TASK = "RACI", "Task ID"
for value, text in [
    (" T1 ", "T1"),
    ("T\u00a01", "T 1"),
    ("T1\u200b", "T1"),
    (1, "1"),
    (1.0, "1"),
    (1.5, "1.5"),
    (10**20, "100000000000000000000"),
    (NOV3, "2026-11-03"),
    ("#REF!", "#REF!"),
    ("\uff34\uff11", "\uff34\uff11"),
]:
    case(f"task id {value!r}", R, TASK, value, Reads(text), group="ids",
         real=value in (1, 1.5, "#REF!"))
case("task id TRUE", R, TASK, True, TYPE, group="ids")
case("task id #REF! error", R, TASK, CellError("#REF!"), TYPE, group="errors", real=True)
case("task id blank in a filled row", R, TASK, "", REQ, group="ids")
case("task id only a zero-width space", R, TASK, "\u200b", REQ, group="ids")
case("task id at the xlsx limit, repeated", R, TASK, "t" * XLSX_LIMIT,
     Finds("KEY-DUPLICATE", "A3"), group="limits", real=True,
     more=(CopyRow(R, {TASK: "t" * XLSX_LIMIT}),))
case("task id at the Google limit, repeated", R, TASK, "t" * GOOGLE_LIMIT,
     Finds("KEY-DUPLICATE", "A3"), group="limits", real={"google"},
     more=(CopyRow(R, {TASK: "t" * GOOGLE_LIMIT}),), skip={"xlsx": "beyond the xlsx limit"})

# --- references: people, goals and KPIs ----------------------------------------------------------

for value, text in [("ana", "ana"), (" Ana ", "Ana"), ("ANA\u00a0", "ANA"), ("Ana\u200b", "Ana")]:
    case(f"owner {value!r}", G, "Owner", value, Reads(text), group="references",
         real=value == "ANA\u00a0")
for value in ("Anna", "Ana, Ben", 42, "Ana Ben"):
    case(f"unknown owner {value!r}", G, "Owner", value, REF, group="references")
case("owner TRUE", G, "Owner", True, TYPE, group="references")
case("owner #N/A error", G, "Owner", CellError("#N/A"), TYPE, group="errors")
case("owner blank", G, "Owner", None, REQ, group="references", real=True)
case("partner owner 'Ben '", G, "Partner owner", "Ben ", Reads("Ben"), group="references")
case("partner owner unknown", G, "Partner owner", "Zed", REF, group="references")
case("owner at the Google limit", G, "Owner", "o" * GOOGLE_LIMIT, REF, group="limits",
     real={"google"}, skip={"xlsx": "beyond the xlsx limit"})
case("owner at the xlsx limit", G, "Owner", "o" * XLSX_LIMIT, REF, group="limits", real=True)
case("KPI goal id 'g1'", "KPIs", "Goal ID", "g1", Reads("g1"), group="references")
case("KPI goal id 'G1' + zero-width", "KPIs", "Goal ID", "G1\u200b", Reads("G1"),
     group="references", real=True)
case("KPI goal id 'G 1'", "KPIs", "Goal ID", "G 1", REF, group="references")
case("KPI goal id blank", "KPIs", "Goal ID", "", REQ, group="references")
case("KPI owner unknown", "KPIs", "Owner", "Bob", REF, group="references")
case("log KPI id 'k1'", L, "KPI ID", "k1", Reads("k1"), group="references")
case("log KPI id unknown", L, "KPI ID", "K2", REF, group="references")
case("log KPI id the number 1", L, "KPI ID", 1, REF, group="references")
case("RACI goal id unknown", R, "Goal ID", "G9", REF, group="references")
case("RACI goal id blank (optional)", R, "Goal ID", None, Reads(None), group="references")
case("review goal id unknown", "Reviews", "Goal ID", "G9", REF, group="references")

# --- emails: People "Email" (optional) -----------------------------------------------------------

P = "People"
case("email upper case with spaces", P, "Email", " ANA@X.EXAMPLE ", Reads("ANA@X.EXAMPLE"),
     group="emails")
for value in ("ana at northwind", "ana@", "ana@@x.example", "ana@x", "ana @x.example", 42):
    case(f"bad email {value!r}", P, "Email", value, TYPE, group="emails")
case("email blank", P, "Email", None, Reads(None), group="emails")

# --- enums: Direction, Cadence, Review cadence ---------------------------------------------------

K = "KPIs"
for value, text in [
    ("Increase", "increase"),
    ("  INCREASE ", "increase"),
    ("increase\u200b", "increase"),
    ("maintain  above", "maintain above"),
    ("Maintain\u00a0Below", "maintain below"),
]:
    case(f"direction {value!r}", K, "Direction", value, Reads(text), group="enums",
         real=value == "Maintain\u00a0Below")
for value in ("up", "increasing", 1, True):
    case(f"direction {value!r}", K, "Direction", value, ENUM, group="enums")
case("direction #N/A error", K, "Direction", CellError("#N/A"), TYPE, group="errors")
case("direction blank", K, "Direction", "", REQ, group="enums")
case("cadence 'Weekly'", K, "Cadence", "Weekly", Reads("weekly"), group="enums")
case("cadence 'BIWEEKLY'", K, "Cadence", "BIWEEKLY", Reads("biweekly"), group="enums")
for value in ("bi-weekly", "fortnightly", 7):
    case(f"cadence {value!r}", K, "Cadence", value, ENUM, group="enums")
case("review cadence ' Quarterly '", G, "Review cadence", " Quarterly ", Reads("quarterly"),
     group="enums")
case("review cadence 'yearly'", G, "Review cadence", "yearly", ENUM, group="enums")
case("review cadence a date", G, "Review cadence", NOV3, ENUM, group="enums")

# --- RACI role cells: "Ana" (the A) and "Ben" (the R) --------------------------------------------

for value, code in [
    ("a", "A"),
    (" A ", "A"),
    ("A\u00a0", "A"),
    ("A\u200b", "A"),
    ("A/R", "A/R"),
    ("r/a", "A/R"),
    (" a / r ", "A/R"),
]:
    case(f"RACI cell {value!r}", R, "Ana", value, Reads(code), group="raci",
         real=value in ("A\u200b", " a / r "))
case("RACI cell 'R' leaves no A", R, "Ana", "R", Reads("R"), Finds("RACI-NO-A", "E2"),
     group="raci")
for value in ("X", "yes", "AR", "\uff32", 1, True, CellError("#N/A")):
    case(f"RACI cell {value!r}", R, "Ben", value, "RACI-BAD-VALUE", group="raci",
         real=value in (1, True))

# --- formulas (a formula cell's value is its calculated value; None: not in the file) ------------

case("formula with a calculated number", L, VALUE, 90, Reads(90.0), formula="=40+50",
     group="formulas", real=True)
case("formula with no calculated value", L, VALUE, None, "VALUE-UNCALCULATED",
     formula="=SUM(Z1:Z9)", group="formulas", real=True)
case("formula calculated to #DIV/0!", L, VALUE, CellError("#DIV/0!"), TYPE, formula="=1/0",
     group="formulas", real=True)
case("formula calculated to text", L, VALUE, "n/a", TYPE, formula='=IF(TRUE,"n/a",1)',
     group="formulas", real=True)
case("formula calculated to TRUE", L, VALUE, True, TYPE, formula="=1=1", group="formulas",
     real=True)
case("formula calculated to a date", G, START, NOV3, Reads(NOV3), formula="=DATE(2026,11,3)",
     group="formulas", real=True)
case("formula calculated to a key", R, TASK, "T1", Reads("T1"), formula='="T"&1',
     group="formulas", real=True)
case("IMPORTXML with a calculated value", G, GOAL, "imported",
     Reads("imported"), Finds("SECURITY-EXTERNAL-FORMULA"),
     formula='=IMPORTXML("https://example.com","//title")', group="formulas", real=True)
case("IMPORTDATA with no calculated value", L, VALUE, None, "VALUE-UNCALCULATED",
     "SECURITY-EXTERNAL-FORMULA", formula='=IMPORTDATA("https://example.com/x.csv")',
     group="formulas", real=True)
case("external HYPERLINK in a person cell", G, "Owner", "Ana", Reads("Ana"),
     Finds("SECURITY-EXTERNAL-FORMULA"), formula='=HYPERLINK("https://evil.example","Ana")',
     group="formulas", real=True)
case("formula calculated to an empty string", L, "Note", "", Reads(None),
     formula='=IF(FALSE,"x","")', group="formulas", real=True)
case("formula with no calculated value in an optional column", L, "Note", None,
     "VALUE-UNCALCULATED", formula="=A1&B1", group="formulas", real=True)
shape("a last row of formulas with no calculated values",
      tuple(Put(L, h, None, 2, f"=Sheet2!{h[0]}9") for h in ("Date", "KPI ID", VALUE)),
      *(Finds("VALUE-UNCALCULATED", a, L) for a in ("A3", "B3", "C3")),
      real=True, group="formulas")
shape("a row of formulas calculated to blank text",
      tuple(Put(L, h, "", 2, '=IF(TRUE,"","x")') for h in ("Date", "KPI ID", VALUE)),
      Clean(L), Clean(K), real=True, group="formulas")

# --- error values as errors and as typed text ----------------------------------------------------

case("#REF! typed as text in an id column", R, TASK, "#REF!", Reads("#REF!"), group="errors",
     real=True)
case("#DIV/0! typed as text in a text column", G, GOAL, "#DIV/0!", Reads("#DIV/0!"),
     group="errors", real=True)
case("#NAME? error in an enum column", K, "Cadence", CellError("#NAME?"), TYPE, group="errors",
     real=True)
case("#N/A error in a reference column", L, "KPI ID", CellError("#N/A"), TYPE, group="errors",
     real=True)

# --- structure: headers --------------------------------------------------------------------------

for text in ("  GOAL   id  ", "goal\u00a0id", "Goal\nID", "Goal\tID", "\ufeffGoal ID",
             "Goal \u200bID"):
    shape(f"header {text!r} for Goal ID", (Header(G, "Goal ID", text),), Clean(G), Clean(K),
          Reads("G1", at=(G, "Goal ID", 1)), real=text == "\ufeffGoal ID", group="headers")
shape("header 'DUE DATE'", (Header(G, "Due date", "DUE DATE"),), Clean(G), group="headers")
for text in ("due_date", "Due-date", "Goal\u200bID"):
    target = "Goal ID" if text.startswith("Goal") else "Due date"
    shape(f"header {text!r} is another column", (Header(G, target, text),),
          Finds("TABLE-MISSING-COLUMN", "", G), group="headers")
shape("missing header over data (Owner)", (Header(G, "Owner", None),),
      Finds("TABLE-MISSING-COLUMN", "", G), real=True, group="headers")
shape("missing optional header (Unit)", (Header(K, "Unit", None),),
      Finds("TABLE-MISSING-COLUMN", "", K), group="headers")
shape("missing computed header (Status)", (Header(K, "Status", None),),
      Finds("TABLE-MISSING-COLUMN", "", K), real=True, group="headers")
shape("missing key header (KPI ID)", (Header(K, "KPI ID", None),),
      Finds("TABLE-MISSING-COLUMN", "", K), Finds(REF, "B2", L), group="headers")
shape("header that is a number", (AddColumn(R, 2026, ("C",)),),
      Finds("RACI-UNKNOWN-PERSON", "J1", R), group="headers")
shape("header that is an error", (Header(L, "Note", CellError("#REF!")),),
      Finds("TABLE-MISSING-COLUMN", "", L), group="headers")
shape("duplicate header", (AddColumn(G, "Owner", ("Ben",)),),
      Finds("TABLE-DUPLICATE-HEADER", "O1", G), Reads("Ana", at=(G, "Owner", 1)),
      real=True, group="headers")
shape("duplicate header, odd case and spacing", (AddColumn(G, "  OWNER ", ("Zed",)),),
      Finds("TABLE-DUPLICATE-HEADER", "O1", G), Reads("Ana", at=(G, "Owner", 1)),
      group="headers")
shape("duplicate computed header", (AddColumn(K, "status", ()),),
      Finds("TABLE-DUPLICATE-HEADER", "U1", K), group="headers")
shape("duplicate role column", (AddColumn(R, "Ana", ("C",)),),
      Finds("TABLE-DUPLICATE-HEADER", "J1", R), group="headers")
shape("role column for someone not in People", (AddColumn(R, "Cara", ("R",)),),
      Finds("RACI-UNKNOWN-PERSON", "J1", R), group="headers")
shape("undeclared column with notes in RACI", (AddColumn(R, "Comments", ("call Ben",)),),
      Finds("RACI-IGNORED-COLUMN", "J1", R), group="headers")

# --- structure: rows -----------------------------------------------------------------------------

shape("blank row in the middle of the KPI Log", (InsertRow(L, 1),), Clean(L), Clean(K),
      Reads(90.0, at=(L, VALUE, 2)), real=True, group="rows")
shape("whitespace-only row in the middle", (InsertRow(L, 1, ("  ", "\u200b", "\u00a0")),),
      Clean(L), Reads(90.0, at=(L, VALUE, 2)), real=True, group="rows")
shape("three blank rows then data", (InsertRow(G, 1), InsertRow(G, 1), InsertRow(G, 1)),
      Clean(G), Reads("G1", at=(G, "Goal ID", 4)), group="rows")
shape("row with only computed cells filled", (InsertRow(G, 1, (None,) * 10 + ("On track",)),),
      Clean(G), real=True, group="rows")
shape("duplicate goal id", (CopyRow(G),), Finds("KEY-DUPLICATE", "A3", G), real=True,
      group="keys")
shape("duplicate goal id, other case", (CopyRow(G, {"Goal ID": "g1"}),),
      Finds("KEY-DUPLICATE", "A3", G), group="keys")
shape("duplicate goal id with spaces and NBSP", (CopyRow(G, {"Goal ID": " G1\u00a0"}),),
      Finds("KEY-DUPLICATE", "A3", G), group="keys")
shape("duplicate KPI id", (CopyRow(K),), Finds("KEY-DUPLICATE", "A3", K), group="keys")
shape("duplicate task id, number and text", (Put(R, TASK, 1), CopyRow(R, {TASK: "1"})),
      Finds("KEY-DUPLICATE", "A3", R), real=True, group="keys")
shape("duplicate task id 1.0 and '1'", (Put(R, TASK, 1.0), CopyRow(R, {TASK: " 1 "})),
      Finds("KEY-DUPLICATE", "A3", R), group="keys")
shape("duplicate person", (CopyRow(P, {"Person": "ana"}),),
      Finds("KEY-DUPLICATE", "A4", P), group="keys")
shape("very long row beyond the header", (Extend(L, tuple(f"x{i}" for i in range(2000))),),
      Clean(L), Reads(90.0, at=(L, VALUE, 1)), real=True, group="rows")
shape("very wide header of junk columns",
      tuple(AddColumn(G, f"junk {i}", (i,)) for i in range(200)),
      Clean(G), Reads("Ana", at=(G, "Owner", 1)), group="rows")
shape("300 unknown role columns",
      tuple(AddColumn(R, f"Person {i}", ("C",)) for i in range(300)),
      Finds("RACI-UNKNOWN-PERSON", a1(0, 9 + 299), R), Reads("A", at=(R, "Ana", 1)),
      group="rows")
shape("two role columns with 30,000-character headers, both A",
      (AddColumn(R, "p" * 30_000, ("A",)), AddColumn(R, "q" * 30_000, ("A",))),
      Finds("RACI-MULTI-A", "E2", R), Finds("RACI-UNKNOWN-PERSON", "K1", R),
      real=True, group="limits")

# --- structure: merged cells (xlsx) --------------------------------------------------------------

GOOGLE_MERGE = {"google": "merges are an xlsx case here"}
shape("merged Goal and Owner", (Merge(G, "B2:C2"),), Finds(REQ, "C2", G),
      Reads("Grow joint signups", at=(G, GOAL, 1)), real={"xlsx"}, skip=GOOGLE_MERGE,
      group="merges")
shape("merged key cells of two rows", (CopyRow(G, {"Goal ID": "G2"}), Merge(G, "A2:A3")),
      Finds(REQ, "A3", G), real={"xlsx"}, skip=GOOGLE_MERGE, group="merges")
shape("merged Entered by and Note", (Merge(L, "D2:E2"),), Clean(L),
      Reads("Ana", at=(L, "Entered by", 1)), real={"xlsx"}, skip=GOOGLE_MERGE, group="merges")
shape("merged header cells", (Merge(G, "A1:B1"),), Finds("TABLE-MISSING-COLUMN", "", G),
      real={"xlsx"}, skip=GOOGLE_MERGE, group="merges")
shape("merged computed cells the sync must write", (Put(K, "Direction", "up"),
      Merge(K, "Q2:R2")), Finds(ENUM, "E2", K), Refuses("xlsx", "R2"),
      real={"xlsx"}, skip=GOOGLE_MERGE, group="merges")

# --- structure: tabs -----------------------------------------------------------------------------

for tab in BASE:
    shape(f"missing tab {tab}", (DropTab(tab),), Finds("TABLE-MISSING-TAB", "", tab),
          real=tab == "KPI Log", group="tabs")
for tab, new in (("KPI Log", "  kpi   LOG "), ("KPIs", "Kpis"), ("People", "People\u00a0")):
    shape(f"tab named {new!r}", (RenameTab(tab, new),), Clean(tab), real=tab == "KPI Log",
          group="tabs")
shape("tab named 'KPI-Log'", (RenameTab(L, "KPI-Log"),), Finds("TABLE-MISSING-TAB", "", L),
      group="tabs")
shape("an entirely empty workbook", (EmptyWorkbook(),),
      *(Finds("TABLE-MISSING-TAB", "", tab) for tab in BASE), real=True, group="tabs")
shape("People with only a header row", (KeepRows(P, 1),), Finds(REF, "C2", G),
      Finds("RACI-UNKNOWN-PERSON", "H1", R), real=True, group="tabs")
shape("Goals with only a header row", (KeepRows(G, 1),), Finds(REF, "B2", K),
      Finds(REF, "B2", "Reviews"), real=True, group="tabs")
shape("KPIs with only a header row", (KeepRows(K, 1),), Finds(REF, "B2", L),
      Finds("GOAL-NO-KPI", "A2", G), group="tabs")
shape("KPI Log with only a header row", (KeepRows(L, 1),), Finds("KPI-NO-DATA", "Q2", K),
      group="tabs")
shape("RACI with only a header row", (KeepRows(R, 1),), Clean(R), real=True, group="tabs")
shape("Reviews with only a header row", (KeepRows("Reviews", 1),),
      Finds("REVIEW-NEVER", "J2", G), group="tabs")
shape("Goals tab with no rows at all", (KeepRows(G, 0),), Finds("TABLE-MISSING-COLUMN", "", G),
      real=True, group="tabs")
