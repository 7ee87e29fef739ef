"""The portfolio page: one row per workbook, worst first, figures from each result."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.acknowledgements import Muted
from sheets_sync.findings import Finding, Severity
from sheets_sync.portfolio import Entry, entry, render_portfolio, worst_first
from sheets_sync.summary import Summary
from sheets_sync.sync import SyncResult

AS_OF = dt.date(2026, 11, 27)
COLORS = {"On track": "D9EAD3", "Off track": "F4CCCC", "At risk": "FFE599"}

counts = st.dictionaries(st.sampled_from(["On track", "At risk", "Off track", "Overdue"]),
                         st.integers(0, 5), max_size=4)
entries = st.builds(
    Entry,
    name=st.text("abcxyz", min_size=1, max_size=5),
    kpis=counts,
    goals=counts,
    no_accountable=st.lists(st.sampled_from(["T1", "T2", "T3"]), unique=True),
    reviews_overdue=st.lists(st.sampled_from(["G1", "G2"]), unique=True),
    errors=st.integers(0, 3),
    warnings=st.integers(0, 3),
    failure=st.sampled_from(["", "", "", "cannot open it"]),
)


def worse_or_same(a: Entry, b: Entry) -> bool:
    """a may stand before b: written out from the documented order, field by field."""
    keys_a = [not a.failure, -a.errors, -a.bad, -len(a.no_accountable),
              -len(a.reviews_overdue), -a.at_risk, -a.warnings]
    keys_b = [not b.failure, -b.errors, -b.bad, -len(b.no_accountable),
              -len(b.reviews_overdue), -b.at_risk, -b.warnings]
    for x, y in zip(keys_a, keys_b, strict=True):
        if x != y:
            return x < y
    return True


@given(st.lists(entries, max_size=8))
def test_worst_first_orders_by_the_documented_keys(items: list[Entry]) -> None:
    ordered = worst_first(items)
    assert sorted(map(id, ordered)) == sorted(map(id, items))
    for a, b in itertools.pairwise(ordered):
        assert worse_or_same(a, b)
    unreadable = [e for e in ordered if e.failure]
    assert ordered[: len(unreadable)] == unreadable


def result(name: str, findings: list[Finding], summary: Summary) -> SyncResult:
    return SyncResult(workbook=name, as_of=AS_OF, findings=findings,
                      first_seen={f.identity: AS_OF for f in findings}, summary=summary,
                      updates=[], restored=[], dry_run=True)


def test_an_entry_counts_what_is_open() -> None:
    findings = [
        Finding("RACI-NO-A", "RACI", "T7", "no A", severity=Severity.ERROR),
        Finding("RACI-NO-A", "RACI", "T9", "no A", severity=Severity.ERROR),
        Finding("KPI-STALE", "KPIs", "K1", "stale", severity=Severity.WARNING),
    ]
    r = result("acme", findings, Summary(kpis={"Off track": 2}, goals={"At risk": 1},
                                         reviews_overdue=["G2"]))
    r.muted[findings[1].identity] = _muted()
    e = entry("Acme", r, "https://example.org/acme")
    assert (e.errors, e.warnings, e.no_accountable, e.reviews_overdue) == (1, 1, ["T7"], ["G2"])
    assert (e.bad, e.at_risk) == (2, 1)


def _muted() -> Muted:
    return Muted(by="Ana Souza", until=None)


def test_the_page_lists_every_workbook_worst_first_with_a_chart() -> None:
    good = Entry("Good <Ltd>", "file:///g.xlsx", AS_OF, kpis={"On track": 4})
    bad = Entry("Bad", "file:///b.xlsx", AS_OF, kpis={"Off track": 3}, errors=2,
                no_accountable=["T7"])
    broken = Entry("Broken", failure="cannot open it: <gone>")
    page = render_portfolio([good, bad, broken], COLORS)
    names = re.findall(r"<tr><td>(?:<a [^>]*>)?([^<]+)", page)
    assert names == ["Broken", "Bad", "Good &lt;Ltd&gt;"]
    assert "Could not be read: cannot open it: &lt;gone&gt;" in page
    assert "3 workbooks as of 2026-11-27; 1 could not be read" in page
    chart = re.search(r'id="kpis-by-workbook" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert chart is not None
    assert "<svg" in base64.b64decode(chart.group(1)).decode()
    assert '<a href="file:///b.xlsx">Open</a>' in page
