"""The xlsx backend keeps the tool's chart, and only the tool's.

The tool's chart (a stacked column chart of a small trend table) is installed
from a layout, read back from the package as the same :class:`Chart`, kept
across saves (exactly one, never duplicated), restored when a person deletes it,
replaced when its source changes; a person's chart is never taken for it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.base import CellUpdate, Chart, Plan, TabLayout, WorkbookData
from sheets_sync.backends.xlsx import MARKER_CHARTS, XlsxBackend
from sheets_sync.backends.xlsx_package import read_package
from sheets_sync.backends.xlsx_package_charts import chart_source, read_charts
from sheets_sync.errors import WorkbookError
from sheets_sync.layout import missing

TITLE = "KPIs by status, last 12 periods"
COLOURS = ("D9EAD3", "F4CCCC", "EA9999", "FFF2CC", "CFE2F3", "D9D2E9", "EDEDED")
CHART = Chart(title=TITLE, source="E1:L13", anchor="E16", colors=COLOURS)
DASH = TabLayout(name="Dashboard", headers=("Metric", "Value"), chart=CHART)
DATA = TabLayout(name="Data", headers=("Period", "Count"))
STATUSES = ("On track", "At risk", "Off track", "Overdue", "Done", "Dropped", "Unknown")


def _plan(*layouts: TabLayout, add: bool = True) -> Plan:
    return Plan(
        template="partnership",
        version="1.0.0",
        add_tabs=[lay.name for lay in layouts] if add else [],
        header_cells=[
            CellUpdate(lay.name, 0, col, text)
            for lay in layouts if add
            for col, text in enumerate(lay.headers)
        ],
        formatting=list(layouts),
        layouts=list(layouts),
    )


def _trend(offset: int = 0) -> list[CellUpdate]:
    """The trend table E1:L13: periods in E, one count column per status in F..L."""
    out = [CellUpdate("Dashboard", 0, 4, "Period")]
    out += [CellUpdate("Dashboard", 0, 5 + i, s) for i, s in enumerate(STATUSES)]
    for row in range(1, 13):
        out.append(CellUpdate("Dashboard", row, 4, f"2026-{row:02d}"))
        out += [
            CellUpdate("Dashboard", row, 5 + i, (row * (i + 1) + offset) % 9, "integer")
            for i in range(len(STATUSES))
        ]
    return out


def _provisioned(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    backend = XlsxBackend(path)
    data = WorkbookData(identity=str(path), tabs={})
    backend.write(data, _trend(), _plan(DASH, DATA))
    return path


def _charts(path: Path) -> dict[str, list[Chart]]:
    return read_charts(str(path))


def _chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _without_charts(path: Path) -> None:
    """What a person deleting every chart in a spreadsheet program leaves: no drawing."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    for ws in wb.worksheets:
        ws._charts = []  # type: ignore[attr-defined]
    wb.save(path)


def _add_persons_chart(path: Path, tab: str, title: str, anchor: str = "D2") -> None:
    """A person's own chart, added and saved with another program (openpyxl here)."""
    from openpyxl import load_workbook
    from openpyxl.chart import LineChart, Reference

    wb = load_workbook(path)
    ws = wb[tab]
    ws["A2"], ws["B2"], ws["A3"], ws["B3"] = "2026-01", 3, "2026-02", 5
    line = LineChart()
    line.title = title
    line.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    line.set_categories(Reference(ws, min_col=1, min_row=2, max_row=3))
    ws.add_chart(line, anchor)
    wb.save(path)


def test_chart_source_is_the_bounding_range_on_the_tab() -> None:
    refs = ["'Dashboard'!$F$1", "'Dashboard'!$E$2:$E$13", "Dashboard!$L$2:$L$13"]
    assert chart_source(refs, "Dashboard") == "E1:L13"
    assert chart_source(["'Other'!$B$2:$B$5"], "Dashboard") == "'Other'!B2:B5"
    assert chart_source([], "Dashboard") == ""


def test_install_creates_one_chart_read_back_as_the_same_chart(tmp_path: Path) -> None:
    path = _provisioned(tmp_path)
    assert _charts(path) == {"Dashboard": [CHART]}
    assert len(_chart_parts(path)) == 1
    backend = XlsxBackend(path)
    backend.read()
    facts = backend.formatting_of("Dashboard")
    assert facts is not None and facts.charts == (CHART,)
    assert missing(DASH, facts) == []
    data_facts = backend.formatting_of("Data")
    assert data_facts is not None and data_facts.charts == ()
    # The package reader the loss measure uses sees the same chart.
    package = read_package(str(path))
    assert package.sheets["Dashboard"].charts == [CHART]
    assert ("chart", "E16") in package.sheets["Dashboard"].drawings
    assert TITLE in backend._recorded_charts().values()
    # The chart is what was asked: stacked columns, fills, legend on the right.
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(_chart_parts(path)[0]).decode()
    assert '<c:barDir val="col"' in xml or '<barDir val="col"' in xml
    assert 'grouping val="stacked"' in xml and 'overlap val="100"' in xml
    assert 'legendPos val="r"' in xml
    assert all(colour in xml for colour in COLOURS)


def test_a_save_changing_a_cell_keeps_one_chart(tmp_path: Path) -> None:
    path = _provisioned(tmp_path)
    for value in ("first", "second"):
        backend = XlsxBackend(path)
        data = backend.read()
        backend.write(data, [CellUpdate("Data", 1, 0, value)])
        assert _charts(path) == {"Dashboard": [CHART]}
        assert len(_chart_parts(path)) == 1
    backend = XlsxBackend(path)
    data = backend.read()
    assert data.tabs["Data"].get(1, 0) == "second"


def test_a_sync_with_nothing_to_change_leaves_the_file_as_it_is(tmp_path: Path) -> None:
    path = _provisioned(tmp_path)
    before = _digest(path)
    backend = XlsxBackend(path)
    data = backend.read()
    facts = backend.formatting_of("Dashboard")
    assert missing(DASH, facts) == []
    assert not backend.write(data, [], None).wrote
    assert not backend.write(data, [], Plan(template="t", version="1", layouts=[DASH])).wrote
    assert _digest(path) == before


def test_a_deleted_chart_is_reported_missing_and_restored(tmp_path: Path) -> None:
    path = _provisioned(tmp_path)
    _without_charts(path)
    assert _charts(path) == {}
    backend = XlsxBackend(path)
    data = backend.read()
    assert missing(DASH, backend.formatting_of("Dashboard")) == [f"chart {TITLE!r}"]
    backend.write(data, [], _plan(DASH, add=False))
    assert _charts(path) == {"Dashboard": [CHART]}
    assert len(_chart_parts(path)) == 1
    again = XlsxBackend(path)
    again.read()
    assert missing(DASH, again.formatting_of("Dashboard")) == []


@pytest.mark.parametrize("saved_by", ["sheets-sync", "Microsoft Excel"])
def test_a_changed_source_replaces_the_tools_chart(tmp_path: Path, saved_by: str) -> None:
    """Replaced, not doubled; measured in full (another program saved last), the old
    chart at its old place is the tool's by its title, so no loss."""
    path = _provisioned(tmp_path)
    _saved_by(path, saved_by)
    moved = Chart(title=TITLE, source="E1:K13", anchor="E18", colors=COLOURS[:6])
    layout = TabLayout(name="Dashboard", headers=DASH.headers, chart=moved)
    backend = XlsxBackend(path)
    data = backend.read()
    assert missing(layout, backend.formatting_of("Dashboard")) == [f"chart {TITLE!r}"]
    backend.write(data, [], _plan(layout, add=False))
    assert _charts(path) == {"Dashboard": [moved]}
    assert len(_chart_parts(path)) == 1
    # A retitled chart replaces the one the tool recorded, too.
    retitled = Chart("KPIs by status, last 13 periods", "E1:L13", "E16", COLOURS)
    layout = TabLayout(name="Dashboard", headers=DASH.headers, chart=retitled)
    backend = XlsxBackend(path)
    data = backend.read()
    backend.write(data, [], _plan(layout, add=False))
    assert _charts(path) == {"Dashboard": [retitled]}


def test_a_persons_chart_is_not_taken_for_the_tools(tmp_path: Path) -> None:
    """openpyxl (3.1) keeps a chart it can read: a person's stays, the tool's is not doubled."""
    path = _provisioned(tmp_path)
    _add_persons_chart(path, "Data", "My own chart")
    _add_persons_chart(path, "Dashboard", "Another chart", anchor="A20")
    backend = XlsxBackend(path)
    data = backend.read()
    backend.write(data, [CellUpdate("Dashboard", 1, 1, 7)], _plan(DASH, DATA, add=False))
    charts = _charts(path)
    assert [c.title for c in charts["Dashboard"]].count(TITLE) == 1
    assert {c.title for c in charts["Dashboard"]} == {TITLE, "Another chart"}
    assert [c.title for c in charts["Data"]] == ["My own chart"]
    assert backend._recorded_charts() == {"Dashboard": TITLE}


@pytest.fixture
def openpyxl_drops_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl as it was (and is for charts it cannot read): every chart dropped on load."""
    import openpyxl.reader.excel as excel

    real = excel.find_images

    def images_only(archive: Any, path: str) -> tuple[list[Any], list[Any]]:
        return [], real(archive, path)[1]

    monkeypatch.setattr(excel, "find_images", images_only)


@pytest.mark.usefixtures("openpyxl_drops_charts")
def test_the_tools_chart_survives_a_load_that_drops_charts(tmp_path: Path) -> None:
    path = _provisioned(tmp_path)
    backend = XlsxBackend(path)
    data = backend.read()
    backend.write(data, [CellUpdate("Data", 1, 0, "x")])
    assert _charts(path) == {"Dashboard": [CHART]}
    assert len(_chart_parts(path)) == 1
    # ... also in a file another program saved last (measured in full).
    _saved_by(path, "Microsoft Excel")
    backend = XlsxBackend(path)
    data = backend.read()
    backend.write(data, [CellUpdate("Data", 1, 0, "y")])
    assert _charts(path) == {"Dashboard": [CHART]}


def _saved_by(path: Path, application: str) -> None:
    """The same package, as if ``application`` had saved it last (docProps/app.xml)."""
    rewritten = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(rewritten, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/app.xml":
                data = re.sub(
                    rb"<Application>[^<]*</Application>",
                    b"<Application>" + application.encode() + b"</Application>",
                    data,
                )
            zout.writestr(info, data)
    rewritten.replace(path)


@pytest.mark.usefixtures("openpyxl_drops_charts")
@pytest.mark.parametrize("tab", ["Data", "Dashboard"])
def test_a_save_losing_a_persons_chart_is_refused(tmp_path: Path, tab: str) -> None:
    path = _provisioned(tmp_path)
    with pytest.MonkeyPatch.context() as undo:
        import openpyxl.reader.excel as excel
        from openpyxl.reader.drawings import find_images

        undo.setattr(excel, "find_images", find_images)
        _add_persons_chart(path, tab, "My own chart", anchor="A30")
    before = _digest(path)
    backend = XlsxBackend(path)
    data = backend.read()
    with pytest.raises(WorkbookError, match=rf"chart at '{tab}'!A30") as caught:
        backend.write(data, [CellUpdate("Data", 1, 0, "x")])
    assert "not saved" in str(caught.value)
    assert _digest(path) == before


def test_a_chart_in_a_file_the_tool_saved_is_the_tools_only_by_title(tmp_path: Path) -> None:
    """The fast path of a file the tool saved last is kept for its own chart only."""
    path = _provisioned(tmp_path)
    backend = XlsxBackend(path)
    backend.read()
    titles = {"dashboard": {TITLE}}
    assert backend._scan_problems  # the scan sees a chart ...
    assert set(backend._scan_problems) <= backend._tools_chart_problems(titles)  # ... the tool's
    assert not backend._tools_chart_problems({"dashboard": {"something else"}})
    assert not backend._tools_chart_problems({"data": {TITLE}})


def test_the_recorded_chart_survives_in_the_document_properties(tmp_path: Path) -> None:
    path = _provisioned(tmp_path)
    copy = tmp_path / "copy.xlsx"
    shutil.copy(path, copy)
    with zipfile.ZipFile(copy) as zf:
        custom = zf.read("docProps/custom.xml").decode()
    assert MARKER_CHARTS in custom and TITLE in custom
