"""The google backend: gspread + google-auth, with the project's own HTTP policy."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sheets_sync.config import Config, WorkbookConfig

if TYPE_CHECKING:
    import requests

    from sheets_sync.backends.google.backend import GoogleBackend


def open_google(
    workbook: WorkbookConfig, config: Config, *, session: requests.Session | None = None
) -> GoogleBackend:
    """A GoogleBackend for a configured workbook (credentials and policy from config)."""
    import gspread

    from sheets_sync.backends.google.auth import credentials
    from sheets_sync.backends.google.backend import GoogleBackend
    from sheets_sync.backends.google.http import (
        API_ROOT_ENV,
        PolicyHTTPClient,
        RetryPolicy,
        rewrite_roots,
    )
    from sheets_sync.backends.google.pacing import shared_pacer

    creds, identity = credentials(config.google)
    client = gspread.Client(auth=creds, session=session, http_client=PolicyHTTPClient)
    http = client.http_client
    if not isinstance(http, PolicyHTTPClient):
        from sheets_sync.errors import SheetsSyncError

        raise SheetsSyncError(
            f"gspread {gspread.__version__} ignored sheets-sync's HTTP client; "
            "install gspread 6 or newer"
        )
    http.configure(
        RetryPolicy(
            max_attempts=config.google.max_attempts,
            max_seconds=config.google.max_retry_seconds,
            timeout=config.google.timeout_seconds,
        )
    )
    if config.google.requests_per_minute > 0:
        account = f"{identity.kind}:{identity.who}"
        http.pacer = shared_pacer(str(account), config.google.requests_per_minute)
    root = os.environ.get(API_ROOT_ENV)
    if root:
        rewrite_roots(http.session, root)
    backend = GoogleBackend(
        http,
        workbook.spreadsheet_id,
        title=workbook.title or workbook.name,
        parent_folder_id=workbook.parent_folder_id,
        share_with=workbook.share_with,
    )
    backend.acting_as = identity
    return backend
