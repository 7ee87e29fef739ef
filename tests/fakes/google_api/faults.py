"""Injected faults: error replies, timeouts, connection resets, at a count or a probability."""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.google_api.errors import ApiError

Kind = int | str  # an HTTP status, or "timeout" / "reset"


@dataclass
class Fault:
    kind: Kind
    reason: str | None = None
    message: str | None = None


@dataclass
class _Rule:
    fault: Fault
    count: int
    endpoint: str | None


@dataclass
class _Random:
    p: float
    kinds: tuple[Kind, ...]
    rng: random.Random
    endpoint: str | None


class FaultTimeout(Exception):
    """The adapter turns this into requests.exceptions.ReadTimeout."""


class FaultReset(Exception):
    """The adapter turns this into requests.exceptions.ConnectionError."""


def matches(endpoint: str | None, endpoint_id: str) -> bool:
    """`None` matches all; else the method id, a dotted suffix, or a dotted prefix of it."""
    if endpoint is None:
        return True
    return (
        endpoint_id == endpoint
        or endpoint_id.endswith("." + endpoint)
        or endpoint_id.startswith(endpoint + ".")
    )


@dataclass
class Faults:
    """`fake.faults`: queue faults for the next matching requests, or make some random."""

    _rules: list[_Rule] = field(default_factory=list)
    _random: list[_Random] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    injected: int = 0

    def add(
        self,
        status: int = 429,
        count: int = 1,
        endpoint: str | None = None,
        *,
        reason: str | None = None,
        message: str | None = None,
    ) -> None:
        """The next `count` requests matching `endpoint` fail with `status` (Google's body).

        `reason="rateLimitExceeded"` with 403 gives the "slow down" flavour of 403.
        """
        with self._lock:
            self._rules.append(_Rule(Fault(status, reason, message), count, endpoint))

    def timeout(
        self, count: int = 1, endpoint: str | None = None, *, after_apply: bool = False
    ) -> None:
        """The client gets ReadTimeout. By default nothing was applied; with `after_apply`
        the request was applied and only the reply was lost (the case retries must survive)."""
        with self._lock:
            kind = "timeout-after-apply" if after_apply else "timeout"
            self._rules.append(_Rule(Fault(kind), count, endpoint))

    def reset(self, count: int = 1, endpoint: str | None = None) -> None:
        with self._lock:
            self._rules.append(_Rule(Fault("reset"), count, endpoint))

    def probability(
        self,
        p: float,
        kinds: Sequence[Kind] = (429, 500, 503, "timeout", "reset"),
        seed: int | None = None,
        endpoint: str | None = None,
    ) -> None:
        """A share `p` of matching requests fail with a kind drawn from `kinds`."""
        with self._lock:
            self._random.append(_Random(p, tuple(kinds), random.Random(seed), endpoint))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._random.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(r.count for r in self._rules)

    def next(self, endpoint_id: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.count > 0 and matches(rule.endpoint, endpoint_id):
                    rule.count -= 1
                    self.injected += 1
                    return rule.fault
            self._rules = [r for r in self._rules if r.count > 0]
            for rnd in self._random:
                if matches(rnd.endpoint, endpoint_id) and rnd.rng.random() < rnd.p:
                    self.injected += 1
                    return Fault(rnd.rng.choice(rnd.kinds))
        return None


def fault_error(fault: Fault, api: str, http_method: str) -> ApiError:
    """Google's reply for an injected status."""
    code = int(fault.kind)
    write = http_method not in ("GET", "HEAD")
    if api == "drive":
        return _drive_error(code, fault)
    if code == 429:
        kind = "Write" if write else "Read"
        metric = "write_requests" if write else "read_requests"
        message = fault.message or (
            f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per "
            f"minute per user' of service 'sheets.googleapis.com' for consumer "
            f"'project_number:000000000000'."
        )
        details: list[dict[str, Any]] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "quota_metric": f"sheets.googleapis.com/{metric}",
                    "quota_limit": f"{kind}RequestsPerMinutePerUser",
                    "quota_limit_value": "60",
                    "quota_location": "global",
                    "service": "sheets.googleapis.com",
                    "consumer": "projects/000000000000",
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ]
        return ApiError(429, message, details=details)
    if code == 403 and fault.reason:
        err = ApiError(
            403,
            fault.message or "Rate Limit Exceeded",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": fault.reason,
                    "domain": "usageLimits",
                }
            ],
        )
        return err
    default = {
        403: "The caller does not have permission",
        500: "Internal error encountered.",
        503: "The service is currently unavailable.",
        504: "Deadline exceeded.",
        408: "Request timed out.",
        400: "Request contains an invalid argument.",
        401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        404: "Requested entity was not found.",
    }
    return ApiError(code, fault.message or default.get(code, "fake: injected fault"))


def _drive_error(code: int, fault: Fault) -> ApiError:
    reason, message = {
        403: ("insufficientFilePermissions", "The user does not have sufficient permissions."),
        429: ("rateLimitExceeded", "Rate Limit Exceeded"),
        500: ("internalError", "Internal Error"),
        503: ("backendError", "Backend Error"),
    }.get(code, ("backendError", "fake: injected fault"))
    if fault.reason:
        reason = fault.reason
        message = "Rate Limit Exceeded" if "rate" in reason.lower() else message
    domain = "usageLimits" if "rate" in reason.lower() else "global"
    return ApiError(code, fault.message or message, drive=True, reason=reason, domain=domain)
