"""Client-side quota pacing: no minute ever holds more requests of a kind than the quota."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.quota import run
from sheets_sync.backends.google.pacing import WINDOW, Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@settings(max_examples=200, deadline=None)
@given(
    per_minute=st.integers(1, 10),
    gaps=st.lists(st.tuples(st.floats(0, 30), st.sampled_from(["GET", "POST"])), max_size=60),
)
def test_no_window_holds_more_than_the_quota(
    per_minute: int, gaps: list[tuple[float, str]]
) -> None:
    clock = Clock()
    pacer = Pacer(per_minute)
    sent: dict[str, list[float]] = {"read": [], "write": []}
    for gap, method in gaps:
        clock.now += gap
        pacer.wait(method, clock.clock, clock.sleep)
        sent["read" if method == "GET" else "write"].append(clock.now)
    for times in sent.values():
        for i, start in enumerate(times):
            in_window = [t for t in times[i:] if t - start < WINDOW]
            assert len(in_window) <= per_minute


def test_a_pacer_that_is_off_never_waits() -> None:
    clock = Clock()
    pacer = Pacer(0)
    for _ in range(500):
        pacer.wait("GET", clock.clock, clock.sleep)
    assert clock.now == 0.0


def test_workbooks_synced_one_after_another_never_meet_a_429() -> None:
    """The fake enforces 60 a minute per kind on a simulated clock (bench: 1,000 workbooks)."""
    result = run(workbooks=40, per_minute=20)
    assert result.status_429 == 0 and result.retries == 0
    assert result.paced_minutes > 0  # the quota was the limit: the pacer had to wait
    assert result.requests >= 40
