"""The Google backend keeps the tool's chart, and a whole-tab edit warning, on a tab.

The real GoogleBackend runs against the API fake (tests/fakes/google_api): what it sends
is validated against the discovery document, and what it reads back is the fake's state.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import unquote

import gspread
import pytest
from google.oauth2.credentials import Credentials

from sheets_sync.backends.base import CellUpdate, Chart, Plan, TabLayout, WorkbookData
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.backends.google.wire import TAB_PROTECTION
from sheets_sync.layout import missing, same_colour
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend

Json = dict[str, Any]
TITLE = "Tasks by state"
HEADERS = ("Week", "Done", "Late", "Open")
ROWS = [["W1", 3, 1, 2], ["W2", 4, 0, 1], ["W3", 2, 2, 2], ["W4", 5, 1, 0], ["W5", 1, 0, 4]]
CHART = Chart(TITLE, "A1:D6", "F2", ("B7E1CD", "F4CCCC", "FFF2CC"))
LAYOUT = TabLayout("Dash", HEADERS, chart=CHART)


@pytest.fixture
def fake() -> FakeGoogle:
    return FakeGoogle(seed=7)


def person(fake: FakeGoogle, sid: str) -> gspread.Spreadsheet:
    """Someone else editing the spreadsheet through the API, as the UI would."""
    client = gspread.Client(auth=Credentials(token="person"))
    fake.mount(client.http_client.session)
    return client.open_by_key(sid)


def provision(fake: FakeGoogle, layout: TabLayout = LAYOUT) -> str:
    """A new spreadsheet whose new tab ``Dash`` gets ``layout``, its data filled in."""
    backend = google_backend(fake, title="Charts")
    header = [CellUpdate(layout.name, 0, c, h) for c, h in enumerate(layout.headers)]
    rows = [
        CellUpdate(layout.name, r, c, v, "number" if c else "text")
        for r, row in enumerate(ROWS, start=1)
        for c, v in enumerate(row)
    ]
    plan = Plan(
        "t", "1", add_tabs=[layout.name], header_cells=header, formatting=[layout],
        layouts=[layout],
    )
    assert backend.write(WorkbookData(backend.identity, {}), rows, plan).wrote
    assert backend.spreadsheet_id is not None
    return backend.spreadsheet_id


def install(fake: FakeGoogle, sid: str, layout: TabLayout) -> list[Json]:
    """Install ``layout`` on the existing tab (as provisioning does when something is
    missing); the batchUpdate requests it sent."""
    backend = google_backend(fake, sid)
    data = backend.read()
    fake.reset_stats()
    backend.write(data, [], Plan("t", "1", formatting=[layout], layouts=[layout]))
    return [
        req
        for r in fake.requests
        if r.endpoint == "sheets.spreadsheets.batchUpdate"
        for req in r.json["requests"]
    ]


def facts_of(fake: FakeGoogle, sid: str, tab: str = "Dash") -> tuple[GoogleBackend, Any]:
    backend = google_backend(fake, sid)
    backend.read()
    return backend, backend.formatting_of(tab)


def charts(fake: FakeGoogle, sid: str, tab: str = "Dash") -> list[Json]:
    return list(fake.spreadsheet(sid).sheet(tab).charts)


def same_chart(found: Chart, wanted: Chart) -> bool:
    """The same chart; colours as the eye sees them (Sheets keeps 8 bits a channel)."""
    return (
        (found.title, found.source, found.anchor) == (wanted.title, wanted.source, wanted.anchor)
        and len(found.colors) == len(wanted.colors)
        and all(same_colour(a, b) for a, b in zip(found.colors, wanted.colors, strict=True))
    )


def kinds(requests: list[Json]) -> list[str]:
    return [next(iter(r)) for r in requests]


def test_a_new_tab_gets_exactly_one_chart_as_specified(fake: FakeGoogle) -> None:
    sid = provision(fake)
    sheet = fake.spreadsheet(sid).sheet("Dash")
    (chart,) = charts(fake, sid)
    spec = chart["spec"]
    assert spec["title"] == TITLE
    basic = spec["basicChart"]
    assert (basic["chartType"], basic["stackedType"], basic["legendPosition"]) == (
        "COLUMN",
        "STACKED",
        "RIGHT_LEGEND",
    )
    assert basic["headerCount"] == 1

    def cols(source: Json) -> tuple[int, int, int, int]:
        (g,) = source["sourceRange"]["sources"]
        assert g["sheetId"] == sheet.sheet_id
        return g["startRowIndex"], g["endRowIndex"], g["startColumnIndex"], g["endColumnIndex"]

    # the header row is part of every range: it names the series (headerCount 1)
    assert [cols(d["domain"]) for d in basic["domains"]] == [(0, 6, 0, 1)]
    series = [cols(s["series"]) for s in basic["series"]]
    assert series == [(0, 6, 1, 2), (0, 6, 2, 3), (0, 6, 3, 4)]
    overlay = chart["position"]["overlayPosition"]
    assert overlay["anchorCell"] == {"sheetId": sheet.sheet_id, "rowIndex": 1, "columnIndex": 5}
    assert (overlay["widthPixels"], overlay["heightPixels"]) == (600, 300)
    # read back through the backend's own read: the same chart, colours and all
    _, facts = facts_of(fake, sid)
    (found,) = facts.charts
    assert same_chart(found, CHART)
    assert missing(LAYOUT, facts) == []


def test_the_read_asks_only_for_the_chart_fields_it_needs(fake: FakeGoogle) -> None:
    sid = provision(fake)
    fake.reset_stats()
    facts_of(fake, sid)
    read = fake.requests[0]  # the metadata get (then the values)
    wanted = "charts(chartId,spec(title,basicChart(domains,series)),position"
    assert wanted in unquote(read.url)


def test_a_second_install_with_the_chart_present_sends_nothing_for_it(fake: FakeGoogle) -> None:
    sid = provision(fake)
    before = charts(fake, sid)
    backend, facts = facts_of(fake, sid)
    assert missing(LAYOUT, facts) == []  # so provisioning and syncs plan nothing
    fake.reset_stats()
    assert not backend.write(backend.read(), [], Plan("t", "1")).wrote
    assert fake.stats.by_endpoint == {
        "sheets.spreadsheets.get": 1, "sheets.spreadsheets.values.batchGet": 1
    }
    # even a forced reinstall of the layout leaves the chart alone
    sent = install(fake, sid, LAYOUT)
    assert "addChart" not in kinds(sent)
    assert "deleteEmbeddedObject" not in kinds(sent)
    assert charts(fake, sid) == before


def test_a_deleted_chart_is_missing_and_comes_back(fake: FakeGoogle) -> None:
    sid = provision(fake)
    (chart,) = charts(fake, sid)
    person(fake, sid).batch_update(
        {"requests": [{"deleteEmbeddedObject": {"objectId": chart["chartId"]}}]}
    )
    _, facts = facts_of(fake, sid)
    assert facts.charts == ()
    assert missing(LAYOUT, facts) == [f"chart {TITLE!r}"]
    sent = install(fake, sid, LAYOUT)
    assert kinds(sent).count("addChart") == 1
    assert "deleteEmbeddedObject" not in kinds(sent)
    _, facts = facts_of(fake, sid)
    (found,) = facts.charts
    assert same_chart(found, CHART)
    assert missing(LAYOUT, facts) == []


def test_a_persons_chart_of_another_title_is_never_touched(fake: FakeGoogle) -> None:
    sid = provision(fake)
    sh = person(fake, sid)
    (tool,) = charts(fake, sid)
    theirs: Json = {
        "spec": {**tool["spec"], "title": "My own view"},
        "position": {
            "overlayPosition": {"anchorCell": {"sheetId": sh.worksheet("Dash").id,
                                               "rowIndex": 30}}
        },
    }
    sh.batch_update(
        {
            "requests": [
                {"deleteEmbeddedObject": {"objectId": tool["chartId"]}},
                {"addChart": {"chart": theirs}},
            ]
        }
    )
    (mine,) = charts(fake, sid)
    _, facts = facts_of(fake, sid)
    assert missing(LAYOUT, facts) == [f"chart {TITLE!r}"]  # same source, other title
    install(fake, sid, LAYOUT)
    moved = dataclasses.replace(CHART, source="A1:E6")
    install(fake, sid, dataclasses.replace(LAYOUT, chart=moved))
    found = charts(fake, sid)
    assert [c["spec"]["title"] for c in found] == ["My own view", TITLE]
    assert found[0] == mine


def test_a_changed_source_replaces_the_tools_chart(fake: FakeGoogle) -> None:
    sid = provision(fake)
    (old,) = charts(fake, sid)
    wider = dataclasses.replace(LAYOUT, chart=dataclasses.replace(CHART, source="A1:D4"))
    _, facts = facts_of(fake, sid)
    assert missing(wider, facts) == [f"chart {TITLE!r}"]
    sent = install(fake, sid, wider)
    assert kinds(sent).count("deleteEmbeddedObject") == 1
    assert kinds(sent).count("addChart") == 1
    (new,) = charts(fake, sid)
    assert new["chartId"] != old["chartId"]
    _, facts = facts_of(fake, sid)
    assert [c.source for c in facts.charts] == ["A1:D4"]
    assert missing(wider, facts) == []


def test_two_charts_of_the_tools_title_become_one(fake: FakeGoogle) -> None:
    sid = provision(fake)
    (tool,) = charts(fake, sid)
    copy = {k: v for k, v in tool.items() if k in ("spec", "position")}
    person(fake, sid).batch_update({"requests": [{"addChart": {"chart": copy}}]})
    assert len(charts(fake, sid)) == 2
    install(fake, sid, LAYOUT)
    assert [c["spec"]["title"] for c in charts(fake, sid)] == [TITLE]


def test_protect_tab_installs_one_warning_over_the_whole_tab(fake: FakeGoogle) -> None:
    layout = dataclasses.replace(LAYOUT, protect_tab=True, computed=frozenset({3}))
    sid = provision(fake, layout)
    sheet = fake.spreadsheet(sid).sheet("Dash")

    def whole_tab() -> list[Json]:
        return [p for p in sheet.protected if p["description"].startswith(TAB_PROTECTION)]

    (warning,) = whole_tab()
    assert warning["range"] == {"sheetId": sheet.sheet_id}
    assert warning["warningOnly"] is True
    assert len(sheet.protected) == 2  # and the computed column's own warning
    _, facts = facts_of(fake, sid)
    assert facts.tab_protected is True
    assert missing(layout, facts) == []
    sent = install(fake, sid, layout)  # a reinstall never adds a second one
    assert kinds(sent).count("addProtectedRange") == 1  # the computed column's, replaced
    sheet = fake.spreadsheet(sid).sheet("Dash")
    assert len(whole_tab()) == 1
    # a person removes it: missing, and put back once
    person(fake, sid).batch_update(
        {"requests": [{"deleteProtectedRange": {"protectedRangeId": warning["protectedRangeId"]}}]}
    )
    _, facts = facts_of(fake, sid)
    assert facts.tab_protected is False
    assert missing(layout, facts) == ["edit warning on the tab"]
    assert missing(LAYOUT, facts) == []  # a layout that does not ask for it does not miss it
    install(fake, sid, layout)
    sheet = fake.spreadsheet(sid).sheet("Dash")
    assert len(whole_tab()) == 1
