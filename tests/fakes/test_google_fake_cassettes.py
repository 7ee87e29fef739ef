"""Fidelity: gspread's 2,116 recorded real API interactions replayed against the fake.

The cassettes are reference data outside the project (`../shared/reference/gspread-cassettes`);
they are read in place, never copied. `python -m tests.fakes.google_api.fidelity -v` prints the
same per-endpoint report with every difference.
"""

from __future__ import annotations

import pytest

from tests.fakes.google_api.fidelity import DEFAULT_DIR, replay

#: the only recorded behaviour the fake does not reproduce, and why
KNOWN_GAPS = {
    "WorksheetTest.test_group_columns.json": "addDimensionGroup/deleteDimensionGroup: 501",
    "WorksheetTest.test_group_rows.json": "addDimensionGroup/deleteDimensionGroup: 501",
    "WorksheetTest.test_auto_resize_columns.json": "autoResizeDimensions is a no-op",
}

#: endpoints the project uses: every recorded interaction must match
EXACT = (
    "sheets.spreadsheets.values.get",
    "sheets.spreadsheets.values.batchGet",
    "sheets.spreadsheets.values.update",
    "sheets.spreadsheets.values.batchUpdate",
    "sheets.spreadsheets.values.append",
    "sheets.spreadsheets.values.clear",
    "sheets.spreadsheets.values.batchClear",
    "drive.files.create",
    "drive.files.get",
    "drive.files.list",
    "drive.files.delete",
    "drive.files.copy",
)

pytestmark = pytest.mark.skipif(not DEFAULT_DIR.is_dir(), reason=f"no cassettes at {DEFAULT_DIR}")


def test_recorded_interactions_replay_against_the_fake() -> None:
    report = replay()
    print("\n" + report.table())
    assert report.total > 1800
    unexplained = [m for m in report.mismatches if m.cassette not in KNOWN_GAPS]
    assert unexplained == [], "\n".join(
        f"{m.cassette}#{m.index} {m.method} {m.uri}: {m.recorded_status}/{m.got_status} "
        + "; ".join(m.differences)
        for m in unexplained[:10]
    )
    for endpoint in EXACT:
        matched, total = report.by_endpoint[endpoint]
        assert matched == total > 0, endpoint
    assert report.matched / report.total > 0.98
