"""One measured client run against the benchmark server, in its own process.

``python -m bench.google_client APPROACH URL SPREADSHEET_ID`` prints one JSON line: wall
seconds of the operation (after imports and client setup), peak RSS of this process, and
what the client itself counted. APPROACH is ``sheets-sync`` (a), ``dataframe`` (b,
gspread-dataframe round trip) or ``naive`` (c, one update call per changed row).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from google.auth.transport.requests import AuthorizedSession
from google.oauth2.credentials import Credentials

from bench.peak import peak_mb
from bench.workloads import AS_OF
from sheets_sync.backends.google.auth import TEST_TOKEN
from sheets_sync.backends.google.http import PolicyHTTPClient, rewrite_roots


def session_for(url: str) -> tuple[Credentials, AuthorizedSession]:
    credentials = Credentials(token=TEST_TOKEN)
    session = AuthorizedSession(credentials)
    rewrite_roots(session, url)
    return credentials, session


def run(approach: str, url: str, sid: str) -> dict[str, Any]:
    credentials, session = session_for(url)
    out: dict[str, Any] = {"approach": approach}
    if approach == "sheets-sync":
        import pandas  # noqa: F401  (imported by the rules on first use: not the sync's time)

        import sheets_sync.rules.kpis  # noqa: F401
        from sheets_sync.backends.google.backend import GoogleBackend
        from sheets_sync.sync import sync

        http = PolicyHTTPClient(credentials, session)
        backend = GoogleBackend(http, sid)
        started = time.perf_counter()
        result = sync(backend, as_of=AS_OF)
        out["seconds"] = time.perf_counter() - started
        out["cells_changed"] = result.cells_changed
        out["client_requests"] = http.stats.requests
        out["retries"] = http.stats.retries
    else:
        import gspread

        from bench import baselines

        client = gspread.Client(auth=credentials, session=session)
        started = time.perf_counter()
        if approach == "dataframe":
            did = baselines.dataframe_round_trip(client, sid, AS_OF)
        else:
            did = baselines.naive_per_row(client, sid, AS_OF)
        out["seconds"] = time.perf_counter() - started
        out.update({k: v for k, v in did.items() if isinstance(v, int | float | str)})
    out["peak_mb"] = peak_mb()
    return out


def main() -> int:
    approach, url, sid = sys.argv[1:4]
    print(json.dumps(run(approach, url, sid)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
