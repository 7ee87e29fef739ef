"""Quota pacing: 1,000 workbooks synced one after another, under the fake's
60-requests-a-minute-per-user quota on a simulated clock, receive no 429.

The client paces itself (sheets_sync/backends/google/pacing.py): every sync shares one
pacer per account, which waits before a request that would be the 61st of its kind (read
or write) in any minute. The clock is simulated on both sides: each request takes a
round trip of simulated time, and the pacer's waits advance it, so the run takes seconds
of real time for tens of simulated minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from google.auth.transport.requests import AuthorizedSession
from google.oauth2.credentials import Credentials

from bench.workloads import AS_OF, Size, changes, handover, workbook
from sheets_sync.backends.google.backend import GoogleBackend
from sheets_sync.backends.google.http import PolicyHTTPClient, RetryPolicy
from sheets_sync.backends.google.pacing import Pacer
from sheets_sync.demo import fill_demo
from sheets_sync.sync import sync
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_backend import google_backend

TINY = Size("tiny", 40, 4, 2, 4, people=6)


class SimulatedClock:
    def __init__(self, round_trip: float) -> None:
        self.now = 0.0
        self.round_trip = round_trip

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def request(self, _fake: FakeGoogle, _info: Any) -> None:
        self.now += self.round_trip


@dataclass
class PacingResult:
    workbooks: int
    requests: int
    status_429: int
    retries: int
    simulated_minutes: float
    paced_minutes: float


def run(workbooks: int = 1000, per_minute: int = 60, round_trip: float = 0.2) -> PacingResult:
    """Sync ``workbooks`` copies of a small workbook, every other one with changes."""
    fake = FakeGoogle(seed=3)
    seed = google_backend(fake)
    fill_demo(seed, AS_OF, rows=workbook(TINY))
    assert seed.spreadsheet_id is not None
    base = fake.spreadsheet(seed.spreadsheet_id)
    for sheet in base.sheets:  # sized to the data, as the benchmark's grids are
        if sheet.row_count > 80:
            base.delete_rows(sheet.title, 80, sheet.row_count - 80)
    snapshot = base.snapshot()
    ids = []
    for i in range(workbooks):
        sid = fake.create_spreadsheet(f"Partnership {i}")
        ss = fake.spreadsheet(sid)
        ss.restore(snapshot)
        if i % 2:  # a person logged a reading and handed a task over
            edit = changes(TINY, i)
            height = len(ss.values("KPI Log"))
            for c, value in enumerate(edit.readings[0]):
                if value is not None:
                    ss.set_cell("KPI Log", height, c, value)
            row, person = edit.handovers[0]
            for col, value in handover(ss.values("RACI")[row], person).items():
                ss.set_cell("RACI", row, col, value)
        ids.append(sid)

    sim = SimulatedClock(round_trip)
    fake.quota(per_minute, clock=sim.clock)
    fake.before_request(sim.request)
    fake.requests.clear()
    pacer = Pacer(per_minute)  # one account: one pacer for the whole run
    retries = 0
    for sid in ids:
        credentials = Credentials(token="sheets-sync-test-token")
        session = AuthorizedSession(credentials)
        fake.mount(session)
        http = PolicyHTTPClient(credentials, session)
        http.configure(RetryPolicy())
        http.clock = sim.clock  # type: ignore[method-assign]
        http.sleep = sim.sleep  # type: ignore[method-assign]
        http.pacer = pacer
        sync(GoogleBackend(http, sid), as_of=AS_OF)
        retries += http.stats.retries
    sent = list(fake.requests)  # test credentials: no token call is ever made
    return PacingResult(
        workbooks=workbooks,
        requests=len(sent),
        status_429=sum(1 for r in sent if r.status == 429),
        retries=retries,
        simulated_minutes=sim.now / 60,
        paced_minutes=pacer.waited / 60,
    )


if __name__ == "__main__":
    started = dt.datetime.now()
    print(run(), f"in {(dt.datetime.now() - started).total_seconds():.0f} s")
