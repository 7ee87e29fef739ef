"""sheets_sync.frames(): every table as a typed DataFrame, computed columns as a sync fills them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sheets_sync
from sheets_sync import Config, WorkbookConfig, frames, open_workbook
from sheets_sync.backends.base import CellUpdate
from sheets_sync.frames import FINDINGS, ROW, DateOutOfRange
from sheets_sync.templates import ColumnSpec, load_template

AS_OF = dt.date(2026, 11, 27)
TABLES = ["People", "Goals", "KPIs", "KPI Log", "RACI", "Reviews"]
TEMPLATE = load_template("partnership")


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sheets_sync.demo import build_demo

    path = tmp_path_factory.mktemp("frames") / "partnership.xlsx"
    build_demo(path, AS_OF, Config(state_dir=path.parent / "state"))
    return path


@pytest.fixture
def demo(tmp_path: Path, demo_master: Path) -> Path:
    return Path(shutil.copy2(demo_master, tmp_path / "partnership.xlsx"))


@pytest.fixture(scope="module")
def tables(demo_master: Path) -> dict[str, pd.DataFrame]:
    return frames(demo_master, as_of=AS_OF)


def _expected_dtype(spec: ColumnSpec) -> object:
    if spec.type == "date":
        return "datetime64[ns]"
    if spec.type in ("number", "percent"):
        return "float64"
    if spec.enum is not None:
        return pd.CategoricalDtype(list(spec.enum.values))
    return "object"


def test_every_table_of_the_template_in_its_order(tables: dict[str, pd.DataFrame]) -> None:
    assert list(tables) == TABLES
    for name, frame in tables.items():
        headers = [c.header for c in TEMPLATE.table(name).columns]
        assert list(frame.columns) == [*headers, FINDINGS], name
        assert len(frame) > 0, name


def test_dtypes_follow_the_template(tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        for spec in TEMPLATE.table(name).columns:
            assert frame[spec.header].dtype == _expected_dtype(spec), (name, spec.header)
        assert frame[FINDINGS].dtype == "object"
    goals, kpis = tables["Goals"], tables["KPIs"]
    assert list(kpis["Status"].cat.categories) == list(TEMPLATE.enum("status").values)
    assert list(goals["Review status"].cat.categories) == ["OK", "Overdue", "Never reviewed"]
    assert list(kpis["Direction"].cat.categories) == list(TEMPLATE.enum("direction").values)
    assert kpis["Latest date"].notna().any() and goals["Next review"].notna().any()


def test_computed_columns_hold_what_the_sync_wrote(demo: Path) -> None:
    # The demo workbook was synced as of AS_OF: its computed cells are what a sync computes.
    backend = open_workbook(demo)
    try:
        data = backend.read()
        tables = frames(backend, as_of=AS_OF)
    finally:
        backend.close()
    for name in ("Goals", "KPIs", "RACI"):
        raw = data.tab(name)
        assert raw is not None
        frame = tables[name]
        for spec in TEMPLATE.table(name).computed:
            col = [str(h) for h in raw.header].index(spec.header)
            sheet = [raw.get(row - 1, col) for row in frame.index]
            for row, cell, value in zip(frame.index, sheet, frame[spec.header], strict=True):
                if pd.isna(value):
                    assert cell in (None, ""), (name, spec.header, row)
                elif spec.type == "date":
                    assert value.date() == cell, (name, spec.header, row)
                elif spec.type in ("number", "percent"):
                    assert value == pytest.approx(float(cell)), (name, spec.header, row)
                else:
                    assert str(value) == cell, (name, spec.header, row)


def test_the_findings_column_lists_each_rows_rule_ids(demo: Path) -> None:
    backend = open_workbook(demo)
    try:
        tables = frames(backend, as_of=AS_OF)
        result = sheets_sync.check(backend, as_of=AS_OF)
    finally:
        backend.close()
    for f in result.active:  # acknowledged and snoozed findings are left out, as in Issues
        if f.row and f.tab in tables:
            assert f.rule in tables[f.tab].loc[f.row + 1, FINDINGS].split(", "), f
    raci = tables["RACI"].set_index("Task ID")
    assert raci.loc["T7", FINDINGS].split(", ")[0] == "RACI-NO-A"
    # Where the template has an Issues column it says the same, most severe first.
    for name in ("Goals", "KPIs", "RACI"):
        frame = tables[name]
        assert (frame["Issues"].fillna("") == frame[FINDINGS]).all(), name
    assert (tables["People"][FINDINGS] == "").sum() > 0


def test_an_unreadable_date_is_nat_and_named_in_findings(tables: dict[str, pd.DataFrame]) -> None:
    log = tables["KPI Log"]
    bad = log[log[FINDINGS].str.contains("VALUE-TYPE")]
    assert len(bad) >= 1
    assert bad["Date"].isna().any()


def test_the_index_is_the_row_on_the_sheet(tables: dict[str, pd.DataFrame]) -> None:
    for frame in tables.values():
        assert frame.index.name == ROW
        assert frame.index.dtype == "int64"
        assert frame.index.is_unique and frame.index.min() >= 2


def test_a_path_a_workbook_config_and_a_backend_give_the_same(demo: Path) -> None:
    by_path = frames(str(demo), as_of=AS_OF)
    by_config = frames(WorkbookConfig(name="demo", path=demo), as_of=AS_OF)
    backend = open_workbook(demo)
    try:
        by_backend = frames(backend, as_of=AS_OF)
        backend.read()  # still open: the caller's backend is the caller's to close
    finally:
        backend.close()
    for name in TABLES:
        pd.testing.assert_frame_equal(by_path[name], by_config[name])
        pd.testing.assert_frame_equal(by_path[name], by_backend[name])


def test_nothing_is_written(demo: Path) -> None:
    before = demo.read_bytes(), demo.stat().st_mtime_ns
    frames(demo, as_of=AS_OF + dt.timedelta(days=200))
    assert (demo.read_bytes(), demo.stat().st_mtime_ns) == before


def test_as_of_moves_the_computed_columns(demo: Path) -> None:
    now = frames(demo, as_of=AS_OF)["KPIs"]
    later = frames(demo, as_of=AS_OF + dt.timedelta(days=400))["KPIs"]
    assert (later["Status"] == "Overdue").sum() > (now["Status"] == "Overdue").sum()


def test_an_empty_workbook_gives_empty_typed_frames(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    backend = open_workbook(path)
    try:
        sheets_sync.provision(backend, Config(state_dir=tmp_path / "state"))
        tables = frames(backend)
    finally:
        backend.close()
    assert list(tables) == TABLES
    for name, frame in tables.items():
        assert len(frame) == 0
        for spec in TEMPLATE.table(name).columns:
            assert frame[spec.header].dtype == _expected_dtype(spec), (name, spec.header)


def test_a_date_pandas_cannot_hold_is_nat_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    backend = open_workbook(path)
    try:
        sheets_sync.provision(backend, Config(state_dir=tmp_path / "state"))
        data = backend.read()
        far = dt.date(2300, 1, 1)
        backend.write(data, [
            CellUpdate("KPI Log", 1, 0, far, "date"),
            CellUpdate("KPI Log", 1, 1, "K1", "text"),
            CellUpdate("KPI Log", 1, 2, 3, "number"),
        ])
        with pytest.warns(DateOutOfRange, match=r"KPI Log!A2: 2300-01-01"):
            log = frames(backend, as_of=AS_OF)["KPI Log"]
    finally:
        backend.close()
    assert log.loc[2, "Date"] is pd.NaT
    assert log.loc[2, "Value"] == 3.0


def test_a_missing_workbook_is_a_workbook_error(tmp_path: Path) -> None:
    with pytest.raises(sheets_sync.WorkbookError, match="does not exist"):
        frames(tmp_path / "missing.xlsx")
