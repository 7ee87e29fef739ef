"""Fidelity of the Google API fake: real recorded interactions, and the API reference.

Recorded: tests/data/gspread-cassettes/ holds cassettes that gspread's own test suite recorded
against the real Sheets v4 and Drive v3 APIs (ORIGIN.md there says which and why; MIT, LICENSE
there). They are replayed against the fake and every reply must match. These tests never skip:
without the recordings they fail. `python -m tests.fakes.google_api.fidelity -v` prints the
per-endpoint report with every difference. The coverage table is printed after every run.

Not recorded: values:batchUpdateByDataFilter, the tool's only value write. What the tool sends
there is checked against the official discovery document (sheets.v4.json), and the fake's
replies against the response schema that document gives.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sheets_sync.demo import fill_demo
from sheets_sync.sync import sync
from tests.fakes.google_api import FakeGoogle, validate
from tests.fakes.google_api.fidelity import (
    DEFAULT_DIR,
    MissingRecordings,
    Report,
    cassette_files,
    replay,
    schema_problems,
)
from tests.fakes.google_backend import google_backend

AS_OF = dt.date(2026, 11, 27)
DATA_FILTER_WRITE = "sheets.spreadsheets.values.batchUpdateByDataFilter"

#: recorded endpoints the project relies on: every recorded interaction must match
EXACT = (
    "sheets.spreadsheets.get",
    "sheets.spreadsheets.batchUpdate",
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

#: every endpoint sheets-sync sends (provisioning a shared spreadsheet, then syncing)
PROJECT_ENDPOINTS = (
    "drive.files.list",
    "drive.files.create",
    "drive.permissions.create",
    "sheets.spreadsheets.get",
    "sheets.spreadsheets.values.batchGet",
    "sheets.spreadsheets.batchUpdate",
    DATA_FILTER_WRITE,
)
#: the project's endpoints no recording covers, and what checks them instead
NOT_RECORDED = {
    DATA_FILTER_WRITE: "checked against sheets.v4.json",
    "drive.permissions.create": "the fake checks requests against drive.v3.json",
}
#: batchUpdate request kinds sheets-sync sends
PROJECT_REQUEST_KINDS = (
    "addSheet", "deleteSheet", "updateSheetProperties", "appendDimension", "updateCells",
    "repeatCell", "setDataValidation", "addConditionalFormatRule",
    "deleteConditionalFormatRule", "addProtectedRange", "deleteProtectedRange",
    "updateDimensionProperties", "createDeveloperMetadata", "deleteDeveloperMetadata",
    "addChart", "deleteEmbeddedObject", "insertDimension", "moveDimension",
)

#: BatchUpdateValuesByDataFilterResponse's fields, and UpdateValuesByDataFilterResponse's
#: (updatedData comes back only when the request sets includeValuesInResponse; the tool
#: does not). The recorded values:batchUpdate replies carry every one of the totals.
REPLY_FIELDS = {
    "spreadsheetId", "totalUpdatedRows", "totalUpdatedColumns", "totalUpdatedCells",
    "totalUpdatedSheets", "responses",
}
EACH_FIELDS = {"updatedRange", "updatedRows", "updatedColumns", "updatedCells", "dataFilter"}
#: documented reply fields the fake leaves out of its values:batchUpdateByDataFilter reply
#: (sheets-sync reads none of them); empty this set when the fake fills them in
FAKE_REPLY_GAPS: set[str] = set()


@pytest.fixture(scope="module")
def report() -> Report:
    try:
        return replay()
    except MissingRecordings as exc:
        pytest.fail(str(exc), pytrace=False)


@dataclass
class Traffic:
    """What the real GoogleBackend sent the fake through gspread's session."""

    endpoints: collections.Counter[str]
    request_kinds: collections.Counter[str]
    #: values:batchUpdateByDataFilter exchanges: (url, request body, status, reply body)
    data_filter_writes: list[tuple[str, Any, int, Any]]


@pytest.fixture(scope="module")
def traffic() -> Traffic:
    """The demo provisioned into a new spreadsheet shared with a partner, then a person's edit
    (a second Accountable on a RACI row) and a sync that rewrites computed cells."""
    fake = FakeGoogle()
    writes: list[tuple[str, Any, int, Any]] = []
    handle = fake.handle

    def recording(method: str, url: str, headers: Any, body: bytes | None) -> Any:
        reply = handle(method, url, headers, body)
        if urlsplit(url).path.endswith(":batchUpdateByDataFilter"):
            writes.append((url, json.loads(body or b"{}"), reply.status, json.loads(reply.body)))
        return reply

    fake.handle = recording  # type: ignore[method-assign]
    backend = google_backend(fake)
    backend.share_with = ("partner@example.com",)
    fill_demo(backend, AS_OF)
    sid = backend.spreadsheet_id
    assert sid is not None
    ss = fake.spreadsheet(sid)
    raci = ss.values("RACI")
    ss.set_cell("RACI", 1, len(raci[0]) - 1, "A")
    sync(google_backend(fake, sid), as_of=AS_OF)
    kinds: collections.Counter[str] = collections.Counter(
        kind
        for sent in fake.requests
        if sent.endpoint == "sheets.spreadsheets.batchUpdate"
        for request in sent.json["requests"]
        for kind in request
    )
    return Traffic(collections.Counter(fake.stats.by_endpoint), kinds, writes)


def _interactions() -> list[dict[str, Any]]:
    return [
        interaction
        for path in cassette_files()
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]
    ]


def test_the_recordings_are_in_the_repository() -> None:
    try:
        files = cassette_files()
    except MissingRecordings as exc:
        pytest.fail(str(exc), pytrace=False)
    for name in ("LICENSE", "ORIGIN.md"):
        assert (DEFAULT_DIR / name).is_file(), f"{DEFAULT_DIR / name} is missing"
    origin = (DEFAULT_DIR / "ORIGIN.md").read_text(encoding="utf-8")
    unlisted = [p.name for p in files if f"`{p.name}`" not in origin]
    assert unlisted == [], "ORIGIN.md does not say where these come from"


def test_recorded_interactions_replay_against_the_fake(report: Report) -> None:
    assert not report.mismatches, "\n".join(
        f"{m.cassette}#{m.index} {m.method} {m.uri}: {m.recorded_status}/{m.got_status} "
        + "; ".join(m.differences)
        for m in report.mismatches[:10]
    )
    for endpoint in EXACT:
        _, checked, matched = report.row(endpoint)
        assert matched == checked > 0, endpoint
    assert report.total >= 400


def test_coverage_of_what_the_project_sends(
    report: Report, traffic: Traffic, terminal_summary: Callable[[str, str], None]
) -> None:
    """Which of the endpoints and request kinds sheets-sync sends real recordings vouch for."""
    assert set(traffic.endpoints) == set(PROJECT_ENDPOINTS), (
        f"sheets-sync now sends {sorted(traffic.endpoints)}: update PROJECT_ENDPOINTS, and see "
        "whether a recording covers the new ones"
    )
    assert set(traffic.request_kinds) <= set(PROJECT_REQUEST_KINDS), sorted(traffic.request_kinds)
    recorded_kinds: collections.Counter[str] = collections.Counter()
    statuses: set[int] = set()
    for interaction in _interactions():
        statuses.add(interaction["response"]["status"]["code"])
        body = interaction["request"].get("body") or ""
        if interaction["request"]["uri"].endswith(":batchUpdate") and body:
            for request in json.loads(body).get("requests", []):
                recorded_kinds.update(k for k in request if k in PROJECT_REQUEST_KINDS)
    writes = len(traffic.data_filter_writes)
    notes = {
        **NOT_RECORDED,
        DATA_FILTER_WRITE: f"{NOT_RECORDED[DATA_FILTER_WRITE]} ({writes} requests, replies)",
    }
    never = [kind for kind in PROJECT_REQUEST_KINDS if recorded_kinds[kind] == 0]
    counts = ", ".join(f"{k} {recorded_kinds[k]}" for k in PROJECT_REQUEST_KINDS if k not in never)
    text = "\n".join([
        report.table(PROJECT_ENDPOINTS, notes, mark=PROJECT_ENDPOINTS),
        "* sent by sheets-sync. recordings: recorded interactions; checked: those replayed",
        "  against the fake; matched: same status and JSON reply",
        textwrap.fill(
            f"batchUpdate request kinds sheets-sync sends, times recorded: {counts}; in no "
            f"recording (checked against sheets.v4.json only): {', '.join(never)}",
            width=100,
            subsequent_indent="  ",
        ),
        f"recorded statuses: {sorted(statuses)} (no 429 or 5xx: faults are the fake's own)",
    ])
    terminal_summary("Google API fake: coverage by recorded real interactions", text)
    for endpoint in PROJECT_ENDPOINTS:
        recorded, checked, matched = report.row(endpoint)
        if endpoint in NOT_RECORDED:
            assert recorded == 0, f"{endpoint} is recorded now: compare the fake against it"
        else:
            assert matched == checked > 0, endpoint
    assert recorded_kinds["addSheet"] > 0 and recorded_kinds["updateCells"] > 0
    assert 429 not in statuses  # if recordings ever include them, compare the fake against them


def test_data_filter_write_against_the_api_reference(traffic: Traffic) -> None:
    """values:batchUpdateByDataFilter: no recording, so the discovery document is the judge."""
    doc = validate.document("sheets")["schemas"]
    assert set(doc["BatchUpdateValuesByDataFilterResponse"]["properties"]) == REPLY_FIELDS
    assert set(doc["UpdateValuesByDataFilterResponse"]["properties"]) == EACH_FIELDS | {
        "updatedData"
    }
    # Google fills in every total on a values write, as the recorded values:batchUpdate shows
    recorded_writes = [
        json.loads(i["response"]["body"]["string"])
        for i in _interactions()
        if i["request"]["method"] == "POST"
        and urlsplit(i["request"]["uri"]).path.endswith("/values:batchUpdate")
        and i["response"]["status"]["code"] == 200
    ]
    assert recorded_writes and all(set(r) == REPLY_FIELDS for r in recorded_writes)

    writes = traffic.data_filter_writes
    assert writes, "sheets-sync sent no values:batchUpdateByDataFilter"
    filters = {
        kind for _, body, _, _ in writes for item in body["data"] for kind in item["dataFilter"]
    }
    assert filters == {"a1Range", "developerMetadataLookup"}
    for url, body, status, reply in writes:
        parts = urlsplit(url)
        found = validate.find_method("POST", parts.path)
        assert found is not None and found[0].id == DATA_FILTER_WRITE, url
        method = found[0]
        assert method.request_schema == "BatchUpdateValuesByDataFilterRequest"
        assert method.response_schema == "BatchUpdateValuesByDataFilterResponse"
        # the request: strictly the documented names and types, and accepted like Google would
        assert schema_problems("sheets", method.request_schema, body) == []
        validate.check_query(method, parse_qs(parts.query, keep_blank_values=True))
        validate.check_body(method, body)
        assert body["valueInputOption"] == "USER_ENTERED"
        # the fake's reply: the documented shape
        assert status == 200, reply
        assert schema_problems("sheets", method.response_schema, reply) == []
        assert REPLY_FIELDS - set(reply) == FAKE_REPLY_GAPS, sorted(reply)
        assert reply["responses"], reply
        sent = [item["dataFilter"] for item in body["data"]]
        for each in reply["responses"]:
            assert set(each) == EACH_FIELDS, each
            assert each["dataFilter"] in sent
        assert reply["totalUpdatedCells"] == sum(e["updatedCells"] for e in reply["responses"])
