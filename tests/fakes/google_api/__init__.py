"""A stateful fake of the Google Sheets v4 and Drive v3 REST surface, for tests.

The real gspread client (and anything else built on `requests`) runs against it: mount it on a
session, or serve it over HTTP on 127.0.0.1 and rewrite Google's roots to it.

    fake = FakeGoogle()
    sid = fake.create_spreadsheet("Partnership", {"People": [["Name"], ["Ann"]]})
    gc = gspread.Client(auth=google.oauth2.credentials.Credentials(token="fake-token"))
    fake.mount(gc.http_client.session)            # in process, no sockets

    server = serve(fake, port=0)                  # or: python -m tests.fakes.google_api --port 0
    RootRewriteAdapter.mount_on(session, server.url)

What it does: keeps real state (cells with user-entered and effective values, formats, notes,
validation, conditional formats, protected ranges, merges, named ranges, developer metadata,
charts, Drive files and permissions); applies a batchUpdate's requests in order and
all-or-nothing; honours `fields` masks; checks request bodies and query parameters against
the discovery documents shipped with google-api-python-client; answers with Google's shapes
and errors (checked against gspread's recorded cassettes:
`python -m tests.fakes.google_api.fidelity`);
injects faults (`fake.faults`), latency (`fake.latency`), per-minute quotas (`fake.quota`) and
edits by a person between two requests (`fake.before_request(hook)` + the `Spreadsheet` helpers
`set_cell`, `insert_rows`, `delete_rows`, `move_rows`, `sort_rows`, `insert_columns`, ...).

What it does not do (say so in tests that depend on it):
- Formulas are not evaluated, except `=HYPERLINK("url", "text")` and arithmetic on number
  literals (`=4/2`). Any other formula keeps its `formulaValue` and has no effective value
  unless the test seeds one: `ss.set_cell(tab, row, col, "=IMPORTXML(...)", effective="x")`.
  Copied/pasted formulas keep their text (references are not adjusted).
- Conditional formats are stored and moved with the grid, never evaluated; data validation is
  stored, never enforced (Sheets does not enforce it on API writes either).
- batchUpdate kinds and endpoints it does not implement answer 501 UNIMPLEMENTED, never a
  silent 200 (e.g. addDimensionGroup, addBanding, duplicateSheet, insertRange).
- Charts: basic charts floating over a sheet only (addChart, updateChartSpec,
  deleteEmbeddedObject); they are stored, moved with the grid and read back, never drawn.
- autoResizeDimensions is accepted and changes nothing; number formats are a working subset
  (0 # , . % literals, date/time tokens); USER_ENTERED parsing knows en_US, en_GB, de_DE and
  a few more locales.
- Drive, like the real one, ignores unknown body fields and query parameters (gspread sends
  Drive v2's `withLink`); they are listed in `fake.ignored_fields`. Sheets rejects them.
"""

from __future__ import annotations

from tests.fakes.google_api import (  # noqa: F401
    batch,
    batch_more,
    charts,
    data_filter,
    drive_api,
    sheets_api,
)
from tests.fakes.google_api.adapter import FakeAdapter, RootRewriteAdapter
from tests.fakes.google_api.core import (
    FAKE_USER_EMAIL,
    FakeGoogle,
    RecordedRequest,
    RequestInfo,
    Stats,
)
from tests.fakes.google_api.server import FakeServer, serve
from tests.fakes.google_api.state import Sheet, Spreadsheet

__all__ = [
    "FAKE_USER_EMAIL",
    "FakeAdapter",
    "FakeGoogle",
    "FakeServer",
    "RecordedRequest",
    "RequestInfo",
    "RootRewriteAdapter",
    "Sheet",
    "Spreadsheet",
    "Stats",
    "serve",
]
