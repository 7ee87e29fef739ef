"""Formulas people typed that reach outside the workbook (SECURITY-EXTERNAL-FORMULA).

An ``IMPORTXML`` or ``IMAGE`` call fetches from the internet whenever the sheet is
opened, and a ``HYPERLINK`` to anything but a cell of the workbook sends people away
from it: both are reported, with the cell to replace by a typed value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sheets_sync.a1 import a1, column_letter
from sheets_sync.findings import Finding, finding

if TYPE_CHECKING:
    from sheets_sync.tables import Table

#: Formulas that reach outside the workbook (SECURITY-EXTERNAL-FORMULA).
EXTERNAL_FORMULA = re.compile(
    r"\b(IMPORTXML|IMPORTDATA|IMPORTHTML|IMPORTFEED|IMPORTRANGE|IMAGE)\s*\(", re.IGNORECASE
)
HYPERLINK_CALL = re.compile(r"\bHYPERLINK\s*\(", re.IGNORECASE)
#: Dynamic Data Exchange: a DDE()/DDEAUTO() call, or the ``program|'topic'!item`` shape.
DDE_CALL = re.compile(r"\bDDE(?:AUTO)?\s*\(", re.IGNORECASE)
DDE_LINK = re.compile(r"\|\s*'[^']*'\s*!|[\w.$]\s*\|\s*[^\s!'\"]+\s*!")
STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')


def is_dde_formula(formula: str) -> bool:
    """Whether a formula asks the spreadsheet program to run or talk to another program."""
    bare = STRING_LITERAL.sub('""', formula)
    return bool(DDE_CALL.search(bare) or DDE_LINK.search(bare))


def is_external_formula(formula: str) -> bool:
    """Whether a formula imports from, links to, or (DDE) runs something outside the workbook."""
    if EXTERNAL_FORMULA.search(formula) or is_dde_formula(formula):
        return True
    for match in HYPERLINK_CALL.finditer(formula):
        target = _first_argument(formula, match.end())
        # A link to a cell of this workbook is "#gid=..." or "#Sheet!A1" (whatever is joined
        # after the "#"); anything else, even ""&"http://...", may leave it.
        if not (target.startswith('"#') or target in ("", '""')):
            return True
    return False


def _first_argument(formula: str, start: int) -> str:
    """The text of a call's first argument, from just after its "(" (quotes and nesting kept)."""
    depth, i, quoted = 0, start, False
    while i < len(formula):
        ch = formula[i]
        if quoted:
            if ch == '"':
                if formula.startswith('""', i):
                    i += 1  # an escaped quote inside the string
                else:
                    quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "({":
            depth += 1
        elif ch in ")}":
            if depth == 0:
                break
            depth -= 1
        elif ch in ",;" and depth == 0:
            break
        i += 1
    return formula[start:i].strip()


def formula_findings(table: Table) -> list[Finding]:
    """SECURITY-EXTERNAL-FORMULA for any formula a person typed that reaches outside."""
    raw = table.raw
    if raw is None:
        return []
    found = []
    row_to_index = {row: i for i, row in enumerate(table.rows)}
    headers = {col: header for header, col in table.columns.items()}
    for (row, col), formula in sorted(raw.formulas.items()):
        if not is_external_formula(formula):
            continue
        index = row_to_index.get(row)
        key = table.key(index) if index is not None else a1(row, col)
        header = headers.get(col) or table.extra.get(col) or column_letter(col)
        if is_dde_formula(formula):
            message = (
                f"Cell {a1(row, col)} holds a DDE formula that can start a program on the "
                f"computer of whoever opens the file ({formula[:60]}); do not open the file "
                "in a desktop spreadsheet program to fix it: delete the formula and type "
                "the value."
            )
        else:
            message = (
                f"Cell {a1(row, col)} holds a formula that reaches outside the workbook "
                f"({formula[:60]}); replace it with a typed value."
            )
        found.append(
            finding(
                "SECURITY-EXTERNAL-FORMULA",
                table.name,
                key,
                message,
                cell=a1(row, col),
                column=header,
                row=row,
            )
        )
    return found
