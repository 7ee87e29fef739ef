"""The command line against Google's API surface served on 127.0.0.1 by the fake.

`SHEETS_SYNC_GOOGLE_API_ROOT` (a test setting) points the real gspread client at
the fake's HTTP server, exactly as it would talk to Google, in a separate process.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheets_sync.demo import fill_demo
from tests.fakes.google_api import FakeGoogle, serve
from tests.fakes.google_backend import google_backend

AS_OF = "2026-11-27"


@pytest.fixture()
def served() -> Iterator[tuple[FakeGoogle, str]]:
    fake = FakeGoogle(seed=3)
    server = serve(fake, 0)
    try:
        yield fake, server.url
    finally:
        server.close()


def cli(root: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHEETS_SYNC_GOOGLE_API_ROOT": root, "SHEETS_SYNC_STATE_DIR": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "sheets_sync", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


def test_provision_then_sync_from_the_command_line(served: tuple[FakeGoogle, str],
                                                     tmp_path: Path) -> None:
    fake, root = served
    config = tmp_path / "sheets-sync.toml"
    config.write_text('[[workbooks]]\nname = "acme"\nbackend = "google"\n'
                      'title = "Acme x Globex partnership"\n')
    created = cli(root, tmp_path, "provision")
    assert created.returncode == 0, created.stderr
    match = re.search(r"Created spreadsheet (\S+):", created.stdout)
    assert match, created.stdout
    sid = match.group(1)
    config.write_text(config.read_text() + f'spreadsheet_id = "{sid}"\n')
    assert fake.stats.token_calls == 0

    fill_demo(google_backend(fake, sid), dt.date(2026, 11, 27))  # people fill it in
    fake.spreadsheet(sid).set_cell("RACI", 1, 7, None)  # and change something

    synced = cli(root, tmp_path, "sync", "--as-of", AS_OF)
    assert synced.returncode == 0, synced.stderr
    # cron (not a terminal): the time, then the workbook's name in the config
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
    assert re.match(rf"{stamp} acme as of {AS_OF}: [1-9]\d* cells changed", synced.stdout)

    fake.reset_stats()
    again = cli(root, tmp_path, "provision")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"Nothing to do: google:{sid} is up to date")
    assert fake.stats.by_endpoint.get("sheets.spreadsheets.batchUpdate", 0) == 0

    fake.reset_stats()
    quiet = cli(root, tmp_path, "sync", "--as-of", AS_OF)
    assert quiet.returncode == 0 and " 0 cells changed" in quiet.stdout
    # nothing to change: the metadata and the values, two reads
    assert dict(fake.stats.by_endpoint) == {
        "sheets.spreadsheets.get": 1, "sheets.spreadsheets.values.batchGet": 1
    }
    assert fake.stats.token_calls == 0
