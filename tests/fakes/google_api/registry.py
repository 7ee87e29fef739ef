"""Endpoint handlers register here by discovery method id (e.g. `sheets.spreadsheets.get`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.fakes.google_api.errors import bad_request
from tests.fakes.google_api.validate import Method

if TYPE_CHECKING:
    from tests.fakes.google_api.core import FakeGoogle

Reply = tuple[int, Any]  # (status, JSON body, Raw, or None for an empty body)


@dataclass
class Raw:
    """A non-JSON reply body (Drive export)."""

    body: bytes
    content_type: str


@dataclass
class Call:
    fake: FakeGoogle
    method: Method
    http_method: str
    params: dict[str, str]  # path parameters, decoded
    query: dict[str, list[str]]
    body: Any

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def qbool(self, name: str, default: bool = False) -> bool:
        value = self.q(name)
        if value is None:
            return default
        return value.lower() in ("true", "1")

    def qlist(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def required(self, name: str) -> str:
        value = self.q(name)
        if value is None:
            raise bad_request(f"'{name}' is required but not specified")
        return value


Handler = Callable[[Call], Reply]
HANDLERS: dict[str, Handler] = {}


def handler(method_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[method_id] = fn
        return fn

    return register
