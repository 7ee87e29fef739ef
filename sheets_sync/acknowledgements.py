"""Acknowledged and snoozed findings: what people typed beside a finding on the Issues tab.

The Issues tab is rewritten at every sync, but three of its columns are people's:
Acknowledged by, Snooze until and Comment. They are read back by the finding's
identity (rule, tab, key, column), never by row, so they stay with their finding
when rows are sorted or inserted, and go when the finding goes.

A finding is *snoozed* while as_of <= Snooze until, and *acknowledged* when
Acknowledged by names a Person in People and Snooze until is blank. Either mutes
it: it is still listed (after the others, greyed) but left out of the record's
Issues cell, the needs-attention counts, ``--fail-on`` and exit codes. A snooze
too far ahead, a date that is no date, or a name People lacks mutes nothing and
is a finding on that Issues cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sheets_sync.a1 import column_letter
from sheets_sync.backends.base import CellValue, Link, RawTab
from sheets_sync.coerce import coerce_date
from sheets_sync.findings import Finding, finding, sort_findings
from sheets_sync.rules.context import Context
from sheets_sync.templates import normalize_header

ACKNOWLEDGED_BY, SNOOZE_UNTIL, COMMENT = "Acknowledged by", "Snooze until", "Comment"
PEOPLE_COLUMNS = (ACKNOWLEDGED_BY, SNOOZE_UNTIL, COMMENT)

Identity = tuple[str, str, str, str]


@dataclass(frozen=True)
class Typed:
    """The three cells people typed beside one finding, as read."""

    acknowledged_by: CellValue = None
    snooze_until: CellValue = None
    comment: CellValue = None

    @property
    def cells(self) -> tuple[CellValue, CellValue, CellValue]:
        return (self.acknowledged_by, self.snooze_until, self.comment)

    @property
    def blank(self) -> bool:
        return all(_blank(v) for v in self.cells)


@dataclass(frozen=True)
class Muted:
    """Why a finding is muted, and until when (None: acknowledged, for as long as it lasts)."""

    by: str
    until: dt.date | None

    def describe(self) -> str:
        if self.until is not None:
            return f"snoozed until {self.until.isoformat()}"
        return f"acknowledged by {self.by}"


@dataclass
class Judged:
    """Every finding with what people typed beside it, and which are muted."""

    findings: list[Finding]  # the active ones first, then the muted (each group in order)
    typed: dict[Identity, Typed]
    muted: dict[Identity, Muted]

    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.identity not in self.muted]


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: CellValue) -> str:
    if isinstance(value, Link):
        return value.text
    return " ".join(str(value).split()) if value is not None else ""


def _people(ctx: Context) -> dict[str, str]:
    """Case-folded Person -> People's spelling."""
    people = ctx.tables.get("People")
    out: dict[str, str] = {}
    if people is None or not people.present:
        return out
    for index in ctx.usable("People"):
        person = people.records[index].get("Person")
        if person is not None:
            out.setdefault(str(person).casefold(), str(person))
    return out


def judge(
    ctx: Context,
    findings: list[Finding],
    typed: dict[Identity, Typed],
    issues: tuple[str, list[str]],
    max_snooze_days: int,
    tab_order: list[str],
) -> Judged:
    """Which findings are muted, with a finding for every typed cell that mutes nothing.

    ``typed`` is keyed by the identity the Issues tab reads back (see
    :func:`sheets_sync.summary.read_issues`). ``issues`` is the Issues tab's name and
    header row, where each finding about a typed cell points. The result lists the
    active findings sorted (:func:`sort_findings`), then the muted ones.
    """
    issues_tab, headers = issues
    people = _people(ctx)
    as_of = ctx.as_of
    muted: dict[Identity, Muted] = {}
    kept: dict[Identity, Typed] = {}
    problems: list[Finding] = []
    about: dict[Identity, Identity] = {}  # a typed cell's finding -> the finding it is beside
    for f in findings:
        cells = typed.get(readback_identity(f))
        if cells is None or cells.blank:
            continue
        kept[f.identity] = cells
        bad: list[tuple[str, str, str]] = []  # rule, column, message
        name = _text(cells.acknowledged_by)
        person = people.get(name.casefold()) if name else None
        if name and person is None:
            bad.append((
                "REF-UNKNOWN", ACKNOWLEDGED_BY,
                f"Acknowledged by {name!r} is not a Person in People, so the finding stays "
                "open. Type a name from People's Person column.",
            ))
        if not _blank(cells.snooze_until):
            day = coerce_date(cells.snooze_until)
            latest = as_of + dt.timedelta(days=max_snooze_days)
            if not isinstance(day, dt.date):
                bad.append((
                    "VALUE-TYPE", SNOOZE_UNTIL,
                    f"Snooze until {_text(cells.snooze_until)!r} is not a date, so the finding "
                    "stays open. Type a date such as 2026-12-31.",
                ))
            elif day > latest:
                bad.append((
                    "VALUE-RANGE", SNOOZE_UNTIL,
                    f"Snooze until {day.isoformat()} is more than {max_snooze_days} days "
                    f"ahead (rules.max_snooze_days), so the finding stays open. Snooze it "
                    f"until {latest.isoformat()} at the latest, or acknowledge it instead.",
                ))
            elif as_of <= day:
                muted[f.identity] = Muted(person or name, day)
            # a snooze that ended leaves the finding open, acknowledged or not
        elif person is not None:
            muted[f.identity] = Muted(person, None)
        where = f"{f.rule} {f.tab} {f.key}".strip()
        for rule, column, message in bad:
            problem = finding(rule, issues_tab, where, message, column=column)
            problems.append(replace(problem, owner=f.owner))
            about.setdefault(problem.identity, f.identity)
    ordered = sort_findings([f for f in findings if f.identity not in muted] + problems, tab_order)
    ordered += [f for f in findings if f.identity in muted]
    # Each finding about a typed cell points at that cell of the row its finding gets.
    row_of = {f.identity: index + 1 for index, f in enumerate(ordered)}
    cols = {normalize_header(h): c for c, h in enumerate(headers)}
    placed = []
    for f in ordered:
        target = about.get(f.identity)
        col = cols.get(normalize_header(f.column))
        if target is not None and col is not None:
            row = row_of[target]
            f = replace(f, cell=f"{column_letter(col)}{row + 1}", row=row)
        placed.append(f)
    return Judged(placed, kept, muted)


def guard_columns(raw: RawTab) -> list[int]:
    """The Issues columns a write must find as read: the finding's and the people's."""
    wanted = {normalize_header(h) for h in ("Rule", "Tab", "Key", *PEOPLE_COLUMNS)}
    return [c for c, v in enumerate(raw.header) if normalize_header(v) in wanted]


def readback_identity(f: Finding) -> Identity:
    """A finding's identity as its Issues row reads back (the key cut to fit the cell)."""
    from sheets_sync.summary import fit

    key = str(fit(f.key))
    column = f.column if f.cell else key
    return (f.rule, f.tab, key, column.casefold())


__all__ = [
    "ACKNOWLEDGED_BY",
    "COMMENT",
    "PEOPLE_COLUMNS",
    "SNOOZE_UNTIL",
    "Judged",
    "Muted",
    "Typed",
    "guard_columns",
    "judge",
    "readback_identity",
]
