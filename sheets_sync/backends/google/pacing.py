"""Client-side pacing under Google's per-user quota (60 read and 60 write requests a minute).

A sync is a few requests, but cron syncing many workbooks one after another would run
into 429s and their backoff. The pacer keeps, per kind (read: GET; write: everything
else, as Google counts them), the send times of the last minute and waits before a
request that would exceed the limit. One pacer is shared by every client acting as the
same account in this process, so `sync --all` is paced as a whole.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

WINDOW = 60.0


class Pacer:
    """At most ``per_minute`` requests of each kind in any 60 seconds."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._sent: dict[str, collections.deque[float]] = {
            "read": collections.deque(),
            "write": collections.deque(),
        }
        self._lock = threading.Lock()
        self.waited = 0.0

    def wait(self, method: str, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        """Sleep until a request of this method's kind fits in the quota, then count it."""
        if self.per_minute <= 0:
            return
        sent = self._sent["read" if method.upper() == "GET" else "write"]
        with self._lock:
            while True:
                now = clock()
                while sent and now - sent[0] >= WINDOW:
                    sent.popleft()
                if len(sent) < self.per_minute:
                    sent.append(now)
                    return
                pause = WINDOW - (now - sent[0]) + 0.001
                self.waited += pause
                sleep(pause)


_SHARED: dict[tuple[str, int], Pacer] = {}


def shared_pacer(account: str, per_minute: int) -> Pacer:
    """The process-wide pacer of one account (quota is per user)."""
    key = (account, per_minute)
    if key not in _SHARED:
        _SHARED[key] = Pacer(per_minute)
    return _SHARED[key]
