"""The loss measure shared with a forked worker finds what one process finds."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from sheets_sync.backends import xlsx_measure_split
from sheets_sync.backends.base import CellUpdate
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.backends.xlsx_measure import measure_loss
from sheets_sync.backends.xlsx_measure_split import SplitMeasure, partition
from sheets_sync.backends.xlsx_package import PackageError
from sheets_sync.errors import WorkbookError
from tests.backends.test_xlsx import SHAPE, provision
from tests.backends.test_xlsx import _with_drawing as with_drawing

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the worker is forked"
)


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 10**6), max_size=8))
def test_partition_gives_every_sheet_to_one_worker_in_balanced_groups(
    sizes: dict[str, int],
) -> None:
    groups = partition(sizes)
    assert len(groups) <= 2 and all(groups)
    names = [name for group in groups for name in group]
    assert sorted(names) == sorted(sizes)  # each sheet in exactly one group
    if len(groups) == 2:
        totals = sorted(sum(sizes[n] for n in group) for group in groups)
        # largest first into the lighter group: they differ by at most the largest sheet
        assert totals[1] - totals[0] <= max(sizes.values())


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    """An original of four sheets and a 'save' that lost cells on three of them."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Big"
    for row in range(1, 400):
        ws.append([f"r{row}", row, row * 1.5])
    for name in ("Small", "Other", "Last"):
        sheet = wb.create_sheet(name)
        for row in range(1, 20):
            sheet.append([name, row])
    original = tmp_path / "original.xlsx"
    wb.save(original)
    wb = load_workbook(original)
    wb["Big"]["B7"] = None
    wb["Big"]["A300"] = "changed"
    wb["Other"]["B3"] = 99
    wb["Last"]["A1"] = "=1+1"
    saved = tmp_path / "saved.xlsx"
    wb.save(saved)
    return original, saved


def _split(original: Path, **kwargs: Any) -> SplitMeasure:
    changed = kwargs.pop("changed", set())
    return SplitMeasure(lambda: str(original), changed, set(), min_bytes=0, **kwargs)


def test_split_finds_the_same_losses_in_the_same_order(tmp_path: Path) -> None:
    original, saved = _pair(tmp_path)
    alone = measure_loss(str(original), saved, {("Last", 0, 0)}, set())
    assert [loss.where for loss in alone] == ["'Big'!B7", "'Big'!A300", "'Other'!B3"]
    split = _split(original, changed={("Last", 0, 0)})
    split.begin()
    assert {"Big"} in split.groups  # the largest sheet alone, the rest together
    assert split.finish(saved) == alone
    assert multiprocessing.active_children() == []


def _dies(*_args: object) -> None:
    os._exit(3)


def test_a_worker_that_dies_leaves_its_sheets_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original, saved = _pair(tmp_path)
    monkeypatch.setattr(xlsx_measure_split, "_work", _dies)
    split = _split(original)
    split.begin()
    assert split.groups
    assert split.finish(saved) == measure_loss(str(original), saved, set(), set())


def test_a_package_the_worker_cannot_read_fails_the_measure(tmp_path: Path) -> None:
    original, saved = _pair(tmp_path)
    broken = tmp_path / "broken.xlsx"
    shutil.copy(saved, broken)
    import zipfile

    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(broken, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # "Big": the worker's
                data = data[: len(data) // 2]
            out.writestr(info, data)
    split = _split(original)
    split.begin()
    with pytest.raises(PackageError, match=r"sheet1\.xml: not well-formed"):
        split.finish(broken)
    assert multiprocessing.active_children() == []


def test_cancel_stops_the_worker(tmp_path: Path) -> None:
    original, _saved = _pair(tmp_path)
    split = _split(original)
    split.begin()
    split.cancel()
    assert multiprocessing.active_children() == []


def test_a_backend_save_measured_in_two_processes_still_refuses_a_loss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.xlsx"
    provision(path)
    with_drawing(path, SHAPE)
    monkeypatch.setattr(xlsx_measure_split, "SPLIT_MIN_BYTES", 0)
    started: list[SplitMeasure] = []
    begin = SplitMeasure.begin

    def spy(self: SplitMeasure) -> None:
        begin(self)
        started.append(self)

    monkeypatch.setattr(SplitMeasure, "begin", spy)
    before = path.read_bytes()
    backend = XlsxBackend(path)
    data = backend.read()
    with pytest.raises(WorkbookError, match=r"shape at 'Goals'!B2"):
        backend.write(data, [CellUpdate("Goals", 1, 0, "G1")])
    assert path.read_bytes() == before
    assert started and len(started[0].groups) == 2
    assert multiprocessing.active_children() == []
