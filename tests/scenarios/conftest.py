"""Every scenario runs on a local workbook and on Google (real gspread on the API fake)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenarios.worlds import GoogleWorld, World, XlsxWorld


@pytest.fixture(params=["xlsx", "google"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    if request.param == "xlsx":
        return XlsxWorld(tmp_path)
    return GoogleWorld()
