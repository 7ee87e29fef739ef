"""Cells written as text (xlsx_cell_writer) give the same file as openpyxl's element trees
followed by the shared-string rewrite."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sheets_sync.backends.xlsx_cell_writer as cell_writer
from sheets_sync.backends.xlsx_writer import save_workbook

# what people type: text with markup characters and edge whitespace, numbers, dates, booleans
texts = st.one_of(
    # markup characters and edge whitespace, often
    st.text(st.sampled_from("ab <>&\"'\t\n\r\u00e9\u20ac"), max_size=8),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)
TRICKY = [" lead", "trail ", " both ", "a & b", "<b>", "x > y", "   ", "\ttab", "line\nbreak"]
values = st.one_of(
    texts,
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(dt.date(1901, 1, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1901, 1, 1), dt.datetime(9999, 12, 31)),
    st.none(),
)
cells = st.lists(st.tuples(st.integers(1, 6), st.integers(1, 4), values, st.booleans()),
                 max_size=24)


def build(grid: list[tuple[int, int, Any, bool]]) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    other = wb.create_sheet("Second")
    for row, col, value, bold in grid:
        for sheet in (ws, other):
            cell = sheet.cell(row=row, column=col, value=value)
            if bold:
                cell.font = Font(bold=True)
    ws["F1"] = "=SUM(A1:A3)"
    ws["F2"].hyperlink = "#Second!A1"
    ws["F2"] = "go there"
    return wb


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def save(grid: list[tuple[int, int, Any, bool]], path: Path, fast: bool,
         monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    monkeypatch.setattr(cell_writer, "supported", lambda: fast)
    save_workbook(build(grid), path, {})
    return members(path)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=cells)
@example(grid=[(1, col, text, col % 2 == 0) for col, text in enumerate(TRICKY, 1)])
def test_the_same_bytes_as_openpyxl_and_the_rewrite(
    grid: list[tuple[int, int, Any, bool]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = save(grid, tmp_path / "slow.xlsx", False, monkeypatch)
    fast = save(grid, tmp_path / "fast.xlsx", True, monkeypatch)
    assert fast == slow


def test_it_runs_on_this_openpyxl() -> None:
    # a release it does not know would silently fall back: the benchmarks rely on it
    assert cell_writer.supported()


def test_text_goes_to_the_shared_strings(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["same", "same", " spaced ", "a<b&c"])
    save_workbook(wb, tmp_path / "x.xlsx", {})
    with zipfile.ZipFile(tmp_path / "x.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        shared = zf.read("xl/sharedStrings.xml").decode()
    assert "inlineStr" not in sheet and sheet.count('t="s"') == 4
    assert 'uniqueCount="3"' in shared and '<t xml:space="preserve"> spaced </t>' in shared
    assert [c.value for c in load_workbook(tmp_path / "x.xlsx").active[1]] == [
        "same", "same", " spaced ", "a<b&c"
    ]
