"""The Google API fake over HTTP (thread and subprocess), Drive, persistence and the helpers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import gspread
import pytest
import requests
from google.oauth2.credentials import Credentials

from tests.fakes.google_api import (
    FAKE_USER_EMAIL,
    FakeGoogle,
    FakeServer,
    RootRewriteAdapter,
    a1,
    cellvalues,
    fields,
    serve,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(fake: FakeGoogle) -> Iterator[FakeServer]:
    with serve(fake, port=0) as running:
        yield running


def http_client(root: str) -> gspread.Client:
    client = gspread.Client(auth=Credentials(token="fake-token"))
    RootRewriteAdapter.mount_on(client.http_client.session, root)
    return client


# ------------------------------------------------------------------ HTTP mode


def test_served_in_a_thread(fake: FakeGoogle, server: FakeServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    gc = http_client(server.url)
    sh = gc.create("Over HTTP")
    sh.sheet1.update([["a", 1]], "A1")
    assert sh.sheet1.get_all_values() == [["a", "1"]]
    assert fake.spreadsheet(sh.id).values("Sheet1") == [["a", 1]]
    fake.faults.add(status=503)
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.sheet1.get_all_values()
    assert info.value.code == 503
    fake.faults.reset()
    with pytest.raises(requests.exceptions.ConnectionError):
        sh.sheet1.get_all_values()
    reply = gc.http_client.session.post("https://oauth2.googleapis.com/token", data={})
    assert reply.status_code == 500 and fake.stats.token_calls == 1


def test_served_timeout_is_seen_by_the_client(fake: FakeGoogle, server: FakeServer) -> None:
    server.timeout_hold = 1.0
    gc = http_client(server.url)
    gc.set_timeout(0.3)
    sid = fake.create_spreadsheet("T")
    sh = gc.open_by_key(sid)
    fake.faults.timeout()
    with pytest.raises(requests.exceptions.ReadTimeout):
        sh.values_get("Sheet1!A1")


def test_module_runs_as_a_server_with_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    seed = FakeGoogle()
    sid = seed.create_spreadsheet("Seeded", {"People": [["Name"], ["Ann"]]})
    seed.save_state(str(state))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.google_api", "--port", "0", "--state", str(state)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        gc = http_client(line.removeprefix("listening on "))
        ws = gc.open_by_key(sid).worksheet("People")
        assert ws.col_values(1) == ["Name", "Ann"]
        ws.update([["Bob"]], "A3")
        saved = json.loads(state.read_text())  # saved after every write
        cells = saved["spreadsheets"][sid]["sheets"][0]["cells"]
        assert [2, 0, {"userEnteredValue": {"stringValue": "Bob"}}] in cells
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    reloaded = FakeGoogle()
    reloaded.load_state(str(state))
    assert reloaded.spreadsheet(sid).values("People") == [["Name"], ["Ann"], ["Bob"]]


# ------------------------------------------------------------------ Drive


def test_drive_files_and_permissions(fake: FakeGoogle, gc: gspread.Client) -> None:
    folder = fake.create_folder("Shared", shared_drive=True)
    session = gc.http_client.session
    files = "https://www.googleapis.com/drive/v3/files"
    created = session.post(
        files,
        params={"supportsAllDrives": "true", "fields": "id,name,parents,driveId"},
        json={
            "name": "Tracker",
            "mimeType": "application/vnd.google-apps.spreadsheet",
            "parents": [folder],
        },
    ).json()
    assert created["parents"] == [folder] and created["driveId"].startswith("0A")
    sid = created["id"]
    assert gc.open_by_key(sid).sheet1.title == "Sheet1"
    # shared-drive items need supportsAllDrives, as on Google
    assert session.get(f"{files}/{sid}").status_code == 404
    listed = session.get(
        files,
        params={
            "q": "name = 'Tracker' and mimeType = 'application/vnd.google-apps.spreadsheet' "
            "and trashed = false",
            "fields": "files(id,name)",
            "supportsAllDrives": "true",
            "includeItemsFromAllDrives": "true",
        },
    ).json()
    assert listed == {"files": [{"id": sid, "name": "Tracker"}]}
    shared = session.post(
        f"{files}/{sid}/permissions",
        params={"supportsAllDrives": "true", "sendNotificationEmail": "false"},
        json={"type": "user", "role": "writer", "emailAddress": "ann@example.com"},
    )
    assert shared.status_code == 200 and shared.json()["role"] == "writer"
    perms = gc.list_permissions(sid)
    assert {p["emailAddress"] for p in perms} == {FAKE_USER_EMAIL, "ann@example.com"}
    about = session.get("https://www.googleapis.com/drive/v3/about", params={"fields": "user"})
    assert about.json()["user"]["emailAddress"] == FAKE_USER_EMAIL
    gc.remove_permission(sid, shared.json()["id"])
    assert len(gc.list_permissions(sid)) == 1
    missing = session.post(
        f"{files}/{sid}/permissions", params={"supportsAllDrives": "true"}, json={"type": "user"}
    )
    assert missing.json()["error"]["message"] == "The permission role field is required."


def test_drive_create_list_copy_delete_with_gspread(fake: FakeGoogle, gc: gspread.Client) -> None:
    first = gc.create("Alpha")
    gc.create("Beta")
    assert sorted(f["name"] for f in gc.list_spreadsheet_files()) == ["Alpha", "Beta"]
    first.sheet1.update([["x"]], "A1")
    copied = gc.copy(first.id, title="Alpha copy")
    assert copied.sheet1.get_all_values() == [["x"]]
    gc.insert_permission(first.id, "bob@example.com", perm_type="user", role="reader", notify=False)
    assert fake.ignored_fields == ["drive.permissions.create: withLink"]  # Drive ignores v2 names
    first.update_title("Alpha 2")
    assert fake.files[first.id]["name"] == "Alpha 2"
    gc.del_spreadsheet(first.id)
    assert first.id not in fake.spreadsheets
    assert gc.open("Alpha copy").id == copied.id
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open("Alpha 2")


def test_service_account_without_storage(fake: FakeGoogle, gc: gspread.Client) -> None:
    fake.enforce_service_account_quota = True
    with pytest.raises(gspread.exceptions.APIError) as info:
        gc.create("Nope")
    error = info.value.error
    assert info.value.code == 403 and error["errors"][0]["reason"] == "storageQuotaExceeded"
    folder = fake.create_folder("Team", shared_drive=True)
    assert gc.create("Fine", folder_id=folder).title == "Fine"


def test_sheets_api_create(fake: FakeGoogle, gc: gspread.Client) -> None:
    reply = gc.http_client.request(
        "post",
        "https://sheets.googleapis.com/v4/spreadsheets",
        json={
            "properties": {"title": "Made"},
            "sheets": [{"properties": {"title": "A"}}, {"properties": {"title": "B"}}],
        },
    ).json()
    assert [s["properties"]["title"] for s in reply["sheets"]] == ["A", "B"]
    assert reply["sheets"][0]["properties"]["sheetId"] == 0
    assert fake.files[reply["spreadsheetId"]]["name"] == "Made"


# ------------------------------------------------------------------ helpers


def test_a1_notation() -> None:
    parsed = a1.parse("'It''s'!A2:C")
    assert (parsed.sheet, parsed.r0, parsed.r1, parsed.c0, parsed.c1) == ("It's", 1, None, 0, 3)
    assert a1.parse("Sheet1!1:1").c1 is None
    assert a1.parse("'KPI Log'").whole_sheet
    assert a1.parse("Goals").name == "Goals"
    with pytest.raises(a1.A1Error):
        a1.parse("Sheet1!A1:")
    assert a1.format_range("KPI Log", 0, 2, 0, 2) == "'KPI Log'!A1:B2"
    assert a1.format_range("D3", 0, 1, 0, 1) == "'D3'!A1"
    assert a1.format_range("Sheet1", 0, 1000, 25, 26) == "Sheet1!Z1:Z1000"
    assert (a1.col_letter(26), a1.col_index("AA")) == ("AA", 26)


def test_fields_masks() -> None:
    tree = fields.parse("a,b(c,d/e),f.g")
    assert tree == {"a": None, "b": {"c": None, "d": {"e": None}}, "f": {"g": None}}
    obj = {"a": 1, "b": [{"c": 2, "d": {"e": 3, "x": 4}, "z": 5}], "f": {}, "h": 6}
    assert fields.select(obj, tree) == {"a": 1, "b": [{"c": 2, "d": {"e": 3}}], "f": {}}
    assert fields.parse("*") is None
    target = {"userEnteredFormat": {"numberFormat": {"type": "DATE"}, "textFormat": {"bold": True}}}
    fields.apply_update(target, {}, fields.parse("userEnteredFormat.numberFormat,note"))
    assert target == {"userEnteredFormat": {"textFormat": {"bold": True}}}
    with pytest.raises(fields.MaskError):
        fields.parse("a(b")


def test_cell_values() -> None:
    assert cellvalues.parse_user_entered("1,234.5") == (
        {"numberValue": 1234.5},
        {"type": "NUMBER", "pattern": "#,##0.00"},
    )
    assert cellvalues.parse_user_entered("12%")[0] == {"numberValue": 0.12}
    assert cellvalues.parse_user_entered("3/11/2026")[0] == {"numberValue": 46092.0}
    assert cellvalues.parse_user_entered("11/3/2026", "en_GB")[0] == {"numberValue": 46092.0}
    assert cellvalues.parse_user_entered("1.234,5", "de_DE")[0] == {"numberValue": 1234.5}
    assert cellvalues.parse_user_entered("'007")[0] == {"stringValue": "007"}
    assert cellvalues.format_number(1234.5, "#,##0.00") == "1,234.50"
    assert cellvalues.format_number(0.123, "0.0%") == "12.3%"
    assert cellvalues.format_date(46092, "dd mmm yyyy") == "11 Mar 2026"
    assert cellvalues.general_number(1 / 3) == "0.3333333333"
