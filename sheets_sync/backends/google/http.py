"""The project's HTTP policy around gspread's client: bounded, jittered retries and timeouts.

gspread's own BackOffHTTPClient retries forever and retries every 403; this one
retries only what can succeed later (408, 429, 5xx, rate-limit 403s, timeouts and
dropped connections), within a bounded number of attempts and total time, and
fails at once, with a message that says what to do, on everything else.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from sheets_sync.backends.google.pacing import Pacer
from sheets_sync.errors import SheetsSyncError, TryLater

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
#: Environment variable (a test setting) pointing every API call at another root, e.g. the fake.
API_ROOT_ENV = "SHEETS_SYNC_GOOGLE_API_ROOT"
GOOGLE_ROOTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts and total seconds are both bounded."""

    max_attempts: int = 5
    max_seconds: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 16.0
    timeout: float = 30.0


@dataclass
class HttpStats:
    """What the client sent: requests (first attempts), retries, bytes each way."""

    requests: int = 0
    retries: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


def error_reason(response: requests.Response) -> tuple[str, str]:
    """(reason, message) of a Google error body, as far as it says."""
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return "", response.text[:200]
    reasons = [d.get("reason", "") for d in error.get("errors", []) if isinstance(d, dict)]
    for detail in error.get("details", []) or []:
        if isinstance(detail, dict) and detail.get("reason"):
            reasons.append(str(detail["reason"]))
    return (reasons[0] if reasons else str(error.get("status", ""))), str(error.get("message", ""))


def is_retryable(response: requests.Response) -> bool:
    """408, 429, 5xx, and 403s that only say "slow down"."""
    if response.status_code in RETRY_STATUS:
        return True
    if response.status_code == 403:
        reason, message = error_reason(response)
        return reason in RATE_LIMIT_REASONS or "rate limit" in message.lower()
    return False


def redact(text: str) -> str:
    """Remove anything that looks like a credential from text headed for output."""
    text = re.sub(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]+", r"\1<redacted>", text)
    text = re.sub(r"ya29\.[A-Za-z0-9._\-]+", "<redacted>", text)
    text = re.sub(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
        "<redacted private key>",
        text,
        flags=re.S,
    )
    return re.sub(
        r'(?i)("?(?:access_token|refresh_token|client_secret|private_key)"?\s*[:=]\s*)'
        r'"[^"]*"',
        r'\1"<redacted>"',
        text,
    )


def explain(response: requests.Response) -> SheetsSyncError:
    """A failure the user can act on, from a response that will not succeed on retry."""
    reason, message = error_reason(response)
    status = response.status_code
    if (status == 403 and reason in ("storageQuotaExceeded", "teamDriveFileLimitExceeded")) or (
        status == 403 and "storage quota" in message.lower()
    ):
        return SheetsSyncError(
            "Google refused to create the file: the account has no storage of its own "
            "(a service account cannot own files). Set parent_folder_id to a shared-drive "
            'folder the service account can write to, or use google.auth = "oauth".'
        )
    if status == 403:
        return SheetsSyncError(
            f"Google denied access ({redact(message) or 'permission denied'}). Share the "
            "spreadsheet with the account sheets-sync acts as (see `sheets-sync doctor`)."
        )
    if status == 404:
        return SheetsSyncError(
            "Google says the spreadsheet does not exist or is not shared with this account "
            "(check spreadsheet_id; see `sheets-sync doctor`)."
        )
    if status == 401:
        return SheetsSyncError("Google rejected the credentials; run `sheets-sync doctor`.")
    return SheetsSyncError(f"Google API error {status}: {redact(message)[:300]}")


class PolicyHTTPClient(HTTPClient):
    """gspread's HTTPClient with the project's retry policy and timeouts."""

    policy: RetryPolicy = RetryPolicy()
    sleep: Callable[[float], None] = staticmethod(time.sleep)
    clock: Callable[[], float] = staticmethod(time.monotonic)

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.stats = HttpStats()
        self.rng = random.Random()
        self.timeout = self.policy.timeout
        #: False while sending a request that is not safe to apply twice (see not_repeatable).
        self.repeatable = True
        #: Client-side quota pacing (see pacing.py); None sends at once.
        self.pacer: Pacer | None = None

    @contextlib.contextmanager
    def not_repeatable(self) -> Iterator[None]:
        """Requests sent inside are not sent again when their reply is lost.

        A timeout or a dropped connection may come after Google applied the request, and
        some requests do harm when applied twice (appendDimension grows the grid again,
        a deleteProtectedRange by id fails). Error replies (429, 5xx) are still retried:
        Google applied nothing then.
        """
        previous, self.repeatable = self.repeatable, False
        try:
            yield
        finally:
            self.repeatable = previous

    def configure(self, policy: RetryPolicy) -> None:
        """Use another policy (from config [google])."""
        self.policy = policy
        self.timeout = policy.timeout

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        policy = self.policy
        if isinstance(params, dict) or params is None:
            # Compact JSON: Google pretty-prints by default, a third more bytes on a big read.
            params = {**(params or {}), "prettyPrint": "false"}
        start = self.clock()
        self.stats.requests += 1
        body_size = len(_dumps(json)) if json is not None else len(data or b"")
        attempt = 0
        while True:
            attempt += 1
            self.stats.bytes_sent += body_size
            if self.pacer is not None:
                self.pacer.wait(method, self.clock, self.sleep)
            failure: str
            response: requests.Response | None = None
            try:
                reply = self.session.request(
                    method=method,
                    url=endpoint,
                    json=json,
                    params=params,
                    data=data,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                failure = f"{type(exc).__name__}"
                if not self.repeatable and not isinstance(exc, requests.ConnectTimeout):
                    raise ReplyLost(
                        f"The connection to Google was lost during a write ({failure}): Google "
                        "may or may not have applied it, and it was not sent again because "
                        "applying it twice is not safe. Run the command again: it re-reads the "
                        "spreadsheet and writes only what is still missing."
                    ) from None
            else:
                response = reply
                self.stats.bytes_received += len(reply.content)
                if reply.ok:
                    return reply
                if not is_retryable(reply):
                    raise _api_error(reply)
                failure = f"HTTP {reply.status_code}"
            delay = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            delay = self.rng.uniform(0, delay)  # full jitter
            elapsed = self.clock() - start
            if attempt >= policy.max_attempts or elapsed + delay > policy.max_seconds:
                message = (
                    f"Google API still failing after {attempt} attempts in {elapsed:.1f}s "
                    f"({failure}); nothing more was written. Try again later."
                )
                if response is not None and response.status_code == 429:
                    raise TryLater(message)
                raise SheetsSyncError(message)
            self.stats.retries += 1
            self.sleep(delay)


class ReplyLost(SheetsSyncError):
    """A write's reply never came: Google may or may not have applied it."""


def _dumps(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


class PolicyAPIError(APIError):
    """An APIError that also carries the user-facing explanation."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response)
        self.explanation = explain(response)


def _api_error(response: requests.Response) -> PolicyAPIError:
    return PolicyAPIError(response)


class RootRewriteAdapter(requests.adapters.HTTPAdapter):
    """Sends requests meant for Google's API roots to another root (the test fake)."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root.rstrip("/")

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        for google in GOOGLE_ROOTS:
            if url.startswith(google):
                request.url = self.root + url[len(google) :]
                break
        return super().send(request, **kwargs)


def rewrite_roots(session: requests.Session, root: str) -> None:
    """Point every Google API root of a session at ``root``."""
    adapter = RootRewriteAdapter(root)
    for google in GOOGLE_ROOTS:
        session.mount(google + "/", adapter)
