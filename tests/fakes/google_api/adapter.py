"""requests transport adapters: the in-process fake, and a root rewriter for the HTTP mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from tests.fakes.google_api.faults import FaultReset, FaultTimeout

if TYPE_CHECKING:
    from tests.fakes.google_api.core import FakeGoogle

GOOGLE_ROOTS = (
    "https://sheets.googleapis.com",
    "https://www.googleapis.com",
    "https://oauth2.googleapis.com",
)

REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class FakeAdapter(BaseAdapter):
    """Answers requests from a FakeGoogle, in process (no sockets)."""

    def __init__(self, fake: FakeGoogle) -> None:
        super().__init__()
        self.fake = fake

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = b"".join(body)  # type: ignore[arg-type]
        try:
            reply = self.fake.handle(
                request.method or "GET",
                request.url or "",
                {k: str(v) for k, v in request.headers.items()},
                body,
            )
        except FaultTimeout as exc:
            raise requests.exceptions.ReadTimeout(
                f"fake: read timed out ({exc})", request=request
            ) from None
        except FaultReset as exc:
            raise requests.exceptions.ConnectionError(
                f"fake: connection reset by peer ({exc})", request=request
            ) from None
        response = requests.Response()
        response.status_code = reply.status
        response.reason = REASONS.get(reply.status, "")
        response.headers = CaseInsensitiveDict(reply.headers)
        response.headers["Content-Length"] = str(len(reply.body))
        response._content = reply.body
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        pass


class RootRewriteAdapter(HTTPAdapter):
    """Sends requests meant for Google's API roots to `root` (e.g. http://127.0.0.1:PORT).

    For the fake's HTTP mode in tests. The project's backend implements its own rewrite for
    SHEETS_SYNC_GOOGLE_API_ROOT; this one is a test helper and shares no code with it.
    """

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

    @classmethod
    def mount_on(cls, session: requests.Session, root: str) -> RootRewriteAdapter:
        adapter = cls(root)
        for google in GOOGLE_ROOTS:
            session.mount(google + "/", adapter)
        return adapter
