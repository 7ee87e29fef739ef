"""The real GoogleBackend (real gspread, real google-auth session) wired to the API fake."""

from __future__ import annotations

from typing import Any

from google.auth.transport.requests import AuthorizedSession
from google.oauth2.credentials import Credentials

from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.backends.google.http import PolicyHTTPClient, RetryPolicy
from tests.fakes.google_api import FakeGoogle

TOKEN = "sheets-sync-test-token"


def google_backend(
    fake: FakeGoogle,
    spreadsheet_id: str | None = None,
    *,
    title: str = "Partnership",
    policy: RetryPolicy | None = None,
) -> GoogleBackend:
    """A GoogleBackend whose session talks to ``fake``; retries do not sleep."""
    credentials = Credentials(token=TOKEN)
    session = AuthorizedSession(credentials)
    fake.mount(session)
    http = PolicyHTTPClient(credentials, session)
    http.configure(policy or RetryPolicy(base_delay=0.0, max_delay=0.0))
    http.sleep = lambda _seconds: None  # type: ignore[method-assign]
    return GoogleBackend(http, spreadsheet_id, title=title)


def is_guard(info: Any) -> bool:
    """Whether a request the fake sees (a before_request hook's RequestInfo) is the write
    guard's re-read: the values.batchGet that asks for unformatted values by column, not
    the read's, which asks for formulas by row; or the batchUpdate of row moves whose
    reply brings the guard's ranges back."""
    if info.endpoint == "sheets.spreadsheets.batchUpdate":
        return bool(isinstance(info.json, dict) and info.json.get("responseRanges"))
    return bool(
        info.endpoint == "sheets.spreadsheets.values.batchGet"
        and info.query.get("valueRenderOption") == ["UNFORMATTED_VALUE"]
    )
