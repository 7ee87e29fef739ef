"""The project's HTTP policy: bounded, jittered retries on what can succeed later, nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from google.oauth2.credentials import Credentials

from sheets_sync.backends.google.http import PolicyAPIError, PolicyHTTPClient, RetryPolicy, redact
from sheets_sync.errors import SheetsSyncError, TryLater

URL = "https://sheets.googleapis.com/v4/spreadsheets/abc"
QUOTA = "The user's Drive storage quota has been exceeded."
NOT_FOUND = "Requested entity was not found."


class Scripted(requests.adapters.BaseAdapter):
    """A transport that answers from a script: status codes, or exceptions to raise."""

    def __init__(self, script: list[Any]) -> None:
        super().__init__()
        self.script: Iterator[Any] = iter(script)
        self.calls = 0
        self.timeouts: list[Any] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls += 1
        self.timeouts.append(kwargs.get("timeout"))
        step = next(self.script)
        if isinstance(step, Exception):
            raise step
        status, body = step if isinstance(step, tuple) else (step, {})
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def client(script: list[Any], **policy: Any) -> tuple[PolicyHTTPClient, Scripted, list[float]]:
    session = requests.Session()
    adapter = Scripted(script)
    session.mount("https://", adapter)
    http = PolicyHTTPClient(Credentials(token="t"), session)
    http.configure(RetryPolicy(**policy))
    slept: list[float] = []
    http.sleep = slept.append  # type: ignore[method-assign]
    return http, adapter, slept


def rate_limit_403() -> tuple[int, dict[str, Any]]:
    return 403, {
        "error": {
            "code": 403,
            "message": "Rate Limit Exceeded",
            "status": "PERMISSION_DENIED",
            "errors": [{"reason": "rateLimitExceeded"}],
        }
    }


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retries_transient_statuses_then_succeeds(status: int) -> None:
    http, adapter, slept = client([status, status, 200])
    assert http.request("get", URL).status_code == 200
    assert adapter.calls == 3 and http.stats.retries == 2 and http.stats.requests == 1
    assert len(slept) == 2 and all(0 <= s <= 1.0 for s in slept)


def test_retries_rate_limit_403_and_timeouts() -> None:
    http, adapter, _ = client(
        [rate_limit_403(), requests.ReadTimeout(), requests.ConnectionError(), 200]
    )
    assert http.request("get", URL).ok and adapter.calls == 4


@pytest.mark.parametrize(
    ("status", "body", "needle"),
    [
        (
            403,
            {
                "error": {
                    "code": 403,
                    "message": "The caller does not have permission",
                    "status": "PERMISSION_DENIED",
                }
            },
            "Share the spreadsheet",
        ),
        (
            403,
            {
                "error": {
                    "code": 403,
                    "message": QUOTA,
                    "errors": [{"reason": "storageQuotaExceeded"}],
                }
            },
            "parent_folder_id",
        ),
        (
            404,
            {"error": {"code": 404, "message": "Requested entity was not found."}},
            "does not exist",
        ),
        (400, {"error": {"code": 400, "message": "Invalid requests[0]"}}, "400"),
    ],
)
def test_fails_at_once_on_what_will_not_succeed(
    status: int, body: dict[str, Any], needle: str
) -> None:
    http, adapter, slept = client([(status, body), 200])
    with pytest.raises(PolicyAPIError) as raised:
        http.request("get", URL)
    assert adapter.calls == 1 and slept == []
    assert needle in str(raised.value.explanation)


def test_attempts_are_bounded() -> None:
    http, adapter, _ = client([503] * 10, max_attempts=4)
    with pytest.raises(SheetsSyncError, match="after 4 attempts"):
        http.request("get", URL)
    assert adapter.calls == 4


def test_a_429_storm_ends_within_the_time_bound_as_try_later() -> None:
    http, adapter, _slept = client([429] * 50, max_attempts=50, max_seconds=5.0, base_delay=1.0)
    now = [0.0]
    http.clock = lambda: now[0]  # type: ignore[method-assign]
    http.sleep = lambda s: now.__setitem__(0, now[0] + s)  # type: ignore[method-assign]
    with pytest.raises(TryLater):
        http.request("get", URL)
    assert now[0] <= 5.0 and adapter.calls < 50


def test_every_request_has_a_timeout() -> None:
    http, adapter, _ = client([200, 200], timeout=12.5)
    http.request("get", URL)
    http.request("post", URL, json={"requests": []})
    assert adapter.timeouts == [12.5, 12.5]


def test_redact_removes_credentials() -> None:
    text = (
        'Authorization: Bearer ya29.a0AfH6SMBxyz token ya29.c.b0Aaek "private_key": '
        '"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n" '
        '"refresh_token": "1//0gabc"'
    )
    out = redact(text)
    assert "ya29" not in out and "MIIE" not in out and "1//0gabc" not in out
