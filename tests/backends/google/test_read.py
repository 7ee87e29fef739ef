"""The Google read: a metadata get and one values read; formulas and odd dates looked up."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sheets_sync.backends.base import CellError, Link
from sheets_sync.backends.google.reading import hyperlink, iso_value, lookup_runs
from sheets_sync.demo import fill_demo
from sheets_sync.sync import check, sync
from sheets_sync.templates import normalize_header
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend

AS_OF = dt.date(2026, 11, 27)
GET = "sheets.spreadsheets.get"
VALUES = "sheets.spreadsheets.values.batchGet"
LOOKUP = "sheets.spreadsheets.getByDataFilter"


@pytest.fixture
def demo() -> tuple[FakeGoogle, str]:
    fake = FakeGoogle(seed=5)
    backend = google_backend(fake)
    fill_demo(backend, AS_OF)
    assert backend.spreadsheet_id is not None
    return fake, backend.spreadsheet_id


def column(fake: FakeGoogle, sid: str, tab: str, header: str) -> int:
    row = fake.spreadsheet(sid).values(tab)[0]
    return [normalize_header(h) for h in row].index(normalize_header(header))


def date_format(fake: FakeGoogle, sid: str, tab: str, row: int, col: int, pattern: str) -> None:
    cell = fake.spreadsheet(sid).sheet(tab).cell_for_write(row, col)
    cell.setdefault("userEnteredFormat", {})["numberFormat"] = {"type": "DATE", "pattern": pattern}


def test_a_sync_with_nothing_to_change_reads_in_two_requests(demo: tuple[FakeGoogle, str]) -> None:
    fake, sid = demo
    fake.reset_stats()
    result = sync(google_backend(fake, sid), as_of=AS_OF)
    assert result.cells_changed == 0 and not result.wrote
    assert dict(fake.stats.by_endpoint) == {GET: 1, VALUES: 1}


def test_the_metadata_asks_for_the_header_rows_of_the_template_tabs_only(
    demo: tuple[FakeGoogle, str],
) -> None:
    fake, sid = demo
    fake.spreadsheet(sid).set_cell("Goals", 3, 1, "a cell below the header")
    fake.reset_stats()
    sync(google_backend(fake, sid), as_of=AS_OF)
    get = next(r for r in fake.requests if r.endpoint == GET)
    ranges = parse_qs(urlsplit(get.url).query)["ranges"]
    assert "'Goals'!1:1" in ranges and "'KPI Log'!1:1" in ranges and "'Issues'!1:1" in ranges
    # and what came back: one row of cells per tab, never the data below it
    meta = google_backend(fake, sid)
    meta.expect_tabs(["Goals", "KPIs"])
    meta.read()
    assert meta._meta is not None
    sheets = meta._meta["sheets"]
    assert [s["properties"]["title"] for s in sheets] == ["Goals", "KPIs"]
    assert all(len(s["data"][0]["rowData"]) == 1 for s in sheets)


def test_a_renamed_tab_is_read_with_every_other_tab(demo: tuple[FakeGoogle, str]) -> None:
    fake, sid = demo
    ss = fake.spreadsheet(sid)
    ss.sheet("Goals").props["title"] = "Our goals"
    fake.reset_stats()
    result = check(google_backend(fake, sid), as_of=AS_OF)
    # Google refuses ranges that name a tab that is not there: every tab is read instead
    assert [r.status for r in fake.requests if r.endpoint == GET] == [400, 200]
    missing = [f for f in result.findings if f.rule == "TABLE-MISSING-TAB"]
    assert len(missing) == 1 and "'Our goals'" in missing[0].message


def test_a_date_reads_as_a_date_whatever_its_display_format(
    demo: tuple[FakeGoogle, str],
) -> None:
    fake, sid = demo
    ss = fake.spreadsheet(sid)
    date_col = column(fake, sid, "KPI Log", "Date")
    before = ss.values("KPI Log", dates=True)[1][date_col]
    # shown so that only Google can read it back: looked up; shown readably: read as shown
    for pattern, lookups in (("dddd, mmmm d, yyyy", 1), ("d mmm", 1), ("mm/dd/yy", 1)):
        date_format(fake, sid, "KPI Log", 1, date_col, pattern)
        fake.reset_stats()
        data = google_backend(fake, sid)
        data.expect_dates({"KPI Log": ["Date"]})
        read = data.read()
        assert read.tabs["KPI Log"].get(1, date_col) == before, pattern
        assert fake.stats.by_endpoint.get(LOOKUP, 0) == lookups, pattern
    # and the sync sees no problem with it, and writes nothing because of it
    result = sync(google_backend(fake, sid), as_of=AS_OF)
    assert not [f for f in result.findings if f.tab == "KPI Log" and f.cell == "A2"]
    assert result.cells_changed == 0


def test_a_date_typed_into_a_number_column_is_value_type(demo: tuple[FakeGoogle, str]) -> None:
    fake, sid = demo
    ss = fake.spreadsheet(sid)
    value_col = column(fake, sid, "KPI Log", "Value")
    ss.set_cell("KPI Log", 3, value_col, dt.date(2026, 11, 3))  # a date, shown as a date
    result = check(google_backend(fake, sid), as_of=AS_OF)
    found = [f for f in result.findings if f.tab == "KPI Log" and f.column == "Value"]
    assert [f.rule for f in found] == ["VALUE-TYPE"]
    assert "2026-11-03" in found[0].message


def test_formulas_come_with_their_results(demo: tuple[FakeGoogle, str]) -> None:
    fake, sid = demo
    ss = fake.spreadsheet(sid)
    target = column(fake, sid, "KPIs", "Target")
    ss.set_cell("KPIs", 1, target, "=20*2", effective=40)
    ss.set_cell("KPIs", 2, target, "=1/0", effective=None)
    ss.sheet("KPIs").cell_for_write(2, target)["_effective"] = {
        "errorValue": {"type": "DIVIDE_BY_ZERO", "message": "Division by zero."}
    }
    ss.set_cell("KPIs", 3, target, '=IMPORTRANGE("https://x", "A1")', effective=7)
    backend = google_backend(fake, sid)
    fake.reset_stats()
    tab = backend.read().tabs["KPIs"]
    assert fake.stats.by_endpoint == {GET: 1, VALUES: 1, LOOKUP: 1}
    assert (tab.get(1, target), tab.formulas[(1, target)]) == (40.0, "=20*2")
    assert tab.get(2, target) == CellError("#DIV/0!")
    assert tab.get(3, target) == 7.0
    result = check(google_backend(fake, sid), as_of=AS_OF)
    found = {(f.rule, f.cell) for f in result.findings if f.tab == "KPIs"}
    letter = chr(ord("A") + target)
    assert ("SECURITY-EXTERNAL-FORMULA", f"{letter}4") in found
    assert ("VALUE-TYPE", f"{letter}3") in found  # the #DIV/0! is no number


def test_the_tools_links_read_without_a_look_up(demo: tuple[FakeGoogle, str]) -> None:
    fake, sid = demo
    backend = google_backend(fake, sid)
    data = backend.read()
    issues = data.tabs["Issues"]
    links = [v for row in issues.values for v in row if isinstance(v, Link)]
    assert links and all(v.tab in data.tabs for v in links)
    assert fake.stats.by_endpoint.get(LOOKUP, 0) == 0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-11-03", dt.date(2026, 11, 3)),
        ("2026-11-03 14:30:00", dt.datetime(2026, 11, 3, 14, 30)),
        ("2026-02-31", "2026-02-31"),
        ("K12 @ 2026-06-29", "K12 @ 2026-06-29"),
        ("2026-W48", "2026-W48"),
    ],
)
def test_iso_text_is_a_date_only_when_it_is_one(text: str, value: Any) -> None:
    assert iso_value(text) == value


def test_hyperlinks_with_literal_arguments() -> None:
    titles = {7: "RACI"}
    assert hyperlink('=HYPERLINK("#gid=7&range=E8","E8")', titles) == Link("E8", "RACI", "E8")
    assert hyperlink('=hyperlink("#gid=7&range=A1", "say ""hi""")', titles) == Link(
        'say "hi"', "RACI", "A1"
    )
    assert hyperlink('=HYPERLINK("https://x.org/","x")', titles) is None  # looked up
    assert hyperlink("=HYPERLINK(A1, B1)", titles) is None
    assert hyperlink("=SUM(A1:A3)", titles) is None


def test_look_ups_go_by_runs_of_rows() -> None:
    cells = [(4, 2), (5, 2), (6, 2), (9, 2), (4, 3)]
    assert lookup_runs(cells) == [(2, 4, 6), (2, 9, 9), (3, 4, 4)]
