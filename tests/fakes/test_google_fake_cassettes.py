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


#: what sheets-sync itself sends: endpoints and batchUpdate request kinds
PROJECT_ENDPOINTS = (
    "sheets.spreadsheets.get",
    "sheets.spreadsheets.values.batchGet",
    "sheets.spreadsheets.batchUpdate",
    "drive.files.create",
    "drive.files.list",
    "drive.permissions.create",
)
PROJECT_REQUEST_KINDS = (
    "addSheet", "deleteSheet", "updateSheetProperties", "appendDimension", "updateCells",
    "repeatCell", "setDataValidation", "addConditionalFormatRule",
    "deleteConditionalFormatRule", "addProtectedRange", "deleteProtectedRange",
    "updateDimensionProperties", "createDeveloperMetadata", "deleteDeveloperMetadata",
)


def test_coverage_of_what_the_project_sends() -> None:
    """Which of the project's endpoints and request kinds real recordings vouch for."""
    import json

    report = replay()
    kinds: dict[str, int] = dict.fromkeys(PROJECT_REQUEST_KINDS, 0)
    statuses: set[int] = set()
    for path in sorted(DEFAULT_DIR.glob("*.json")):
        for interaction in json.loads(path.read_text())["interactions"]:
            statuses.add(interaction["response"]["status"]["code"])
            body = interaction["request"].get("body") or ""
            if ":batchUpdate" in interaction["request"]["uri"] and body:
                for request in json.loads(body).get("requests", []):
                    for kind in request:
                        if kind in kinds:
                            kinds[kind] += 1
    lines = ["endpoints the project uses (recorded interactions compared/matched):"]
    uncovered = []
    for endpoint in PROJECT_ENDPOINTS:
        matched, total = report.by_endpoint.get(endpoint, (0, 0))
        lines.append(f"  {endpoint:<40} {matched}/{total}")
        if total == 0:
            uncovered.append(endpoint)
    lines.append("batchUpdate request kinds the project sends (times recorded):")
    lines += [f"  {kind:<40} {n}" for kind, n in kinds.items()]
    never = [k for k, n in kinds.items() if n == 0]
    lines.append("covered by no cassette: " + ", ".join(uncovered + never))
    lines.append(
        f"recorded statuses: {sorted(statuses)} (no 429 or 5xx: faults are the fake's own)"
    )
    print("\n" + "\n".join(lines))
    assert report.by_endpoint["sheets.spreadsheets.get"][1] > 0
    assert 429 not in statuses  # if recordings ever include them, compare the fake against them
