"""Which findings an acknowledgement or a snooze mutes: hand-worked cases."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.acknowledgements import Typed, judge, readback_identity
from sheets_sync.backends.base import RawTab
from sheets_sync.coerce import Locale
from sheets_sync.findings import Finding, finding
from sheets_sync.rules.context import Context
from sheets_sync.tables import read_table
from sheets_sync.templates import load_template

AS_OF = dt.date(2026, 11, 27)
TEMPLATE = load_template()
HEADERS = [c.header for c in TEMPLATE.table("Issues").columns]
ORDER = [t.name for t in TEMPLATE.tables]


def context() -> Context:
    people = read_table(
        TEMPLATE.table("People"),
        RawTab("People", [["Person", "Email", "Organization", "Role"],
                          ["Ana Ruiz", "ana@example.org", "Northwind", "Lead"]]),
        Locale.parse(None),
    )
    return Context(template=TEMPLATE, tables={"People": people}, as_of=AS_OF)


OFF = finding("KPI-OFF-TRACK", "KPIs", "K5", "K5 is behind", cell="N3", column="Status", row=2)
NO_A = finding("RACI-NO-A", "RACI", "T7", "T7 has no A", cell="A8", row=7)


def judged(typed: dict[Finding, Typed], days: int = 90) -> tuple[set[str], list[Finding]]:
    result = judge(
        context(), [NO_A, OFF], {readback_identity(f): t for f, t in typed.items()},
        ("Issues", HEADERS), days, ORDER,
    )
    muted = {f.rule for f in result.findings if f.identity in result.muted}
    return muted, [f for f in result.findings if f.tab == "Issues"]


@pytest.mark.parametrize(
    ("typed", "muted"),
    [
        (Typed("Ana Ruiz"), {"KPI-OFF-TRACK"}),
        (Typed("ana ruiz"), {"KPI-OFF-TRACK"}),  # People's spelling, case aside
        (Typed(None, AS_OF), {"KPI-OFF-TRACK"}),  # snoozed until today: still muted
        (Typed(None, AS_OF - dt.timedelta(days=1)), set()),  # ended yesterday
        (Typed("Ana Ruiz", AS_OF - dt.timedelta(days=1)), set()),  # the snooze decides
        (Typed("Ana Ruiz", AS_OF + dt.timedelta(days=5)), {"KPI-OFF-TRACK"}),
        (Typed(None, None, "just a comment"), set()),
        (Typed(None, AS_OF + dt.timedelta(days=90)), {"KPI-OFF-TRACK"}),
    ],
)
def test_what_mutes(typed: Typed, muted: set[str]) -> None:
    assert judged({OFF: typed})[0] == muted


def test_a_bad_name_or_date_mutes_nothing_and_is_reported_on_its_cell() -> None:
    muted, problems = judged(
        {OFF: Typed("Nobody"), NO_A: Typed(None, AS_OF + dt.timedelta(days=91))}
    )
    assert muted == set()
    assert {(p.rule, p.column, p.key) for p in problems} == {
        ("REF-UNKNOWN", "Acknowledged by", "KPI-OFF-TRACK KPIs K5"),
        ("VALUE-RANGE", "Snooze until", "RACI-NO-A RACI T7"),
    }
    _, problems = judged({OFF: Typed(None, "next Tuesday")})
    assert [(p.rule, p.column) for p in problems] == [("VALUE-TYPE", "Snooze until")]


def test_muted_findings_come_last_and_problems_point_at_their_rows() -> None:
    result = judge(
        context(),
        [NO_A, OFF],
        {readback_identity(NO_A): Typed("Ana Ruiz"), readback_identity(OFF): Typed("Nobody")},
        ("Issues", HEADERS),
        90,
        ORDER,
    )
    rules = [f.rule for f in result.findings]
    assert rules == ["REF-UNKNOWN", "KPI-OFF-TRACK", "RACI-NO-A"]
    problem = result.findings[0]
    row = rules.index("KPI-OFF-TRACK") + 1  # grid row of the finding it is about
    col = HEADERS.index("Acknowledged by")
    assert problem.cell == f"{chr(ord('A') + col)}{row + 1}"
