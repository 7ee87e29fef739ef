"""Errors the fake answers with, shaped like Google's (Sheets: ESF/gRPC style; Drive: v3 style)."""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DRIVE_REASON_BY_CODE = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "internalError",
    501: "notImplemented",
    503: "backendError",
}


class ApiError(Exception):
    """An error reply. `body()` renders it the way the API family renders errors."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        drive: bool = False,
        reason: str | None = None,
        location: str | None = None,
        location_type: str | None = None,
        domain: str = "global",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_BY_CODE.get(code, "UNKNOWN")
        self.details = details
        self.drive = drive
        self.reason = reason
        self.location = location
        self.location_type = location_type
        self.domain = domain

    def body(self) -> dict[str, Any]:
        if self.drive:
            item: dict[str, Any] = {
                "message": self.message,
                "domain": self.domain,
                "reason": self.reason or DRIVE_REASON_BY_CODE.get(self.code, "badRequest"),
            }
            if self.location:
                item["location"] = self.location
                item["locationType"] = self.location_type or "parameter"
            err: dict[str, Any] = {"code": self.code, "message": self.message, "errors": [item]}
            return {"error": err}
        out: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            out["details"] = self.details
        return {"error": out}


def bad_request(message: str, field: str | None = None) -> ApiError:
    """400 INVALID_ARGUMENT; with `field`, the BadRequest detail Google adds for payload errors."""
    details = None
    if field is not None:
        violation: dict[str, Any] = {"description": message}
        if field:
            violation = {"field": field, "description": message}
        details = [
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
        ]
    return ApiError(400, message, details=details)


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


def drive_not_found(file_id: str) -> ApiError:
    return ApiError(
        404,
        f"File not found: {file_id}.",
        drive=True,
        reason="notFound",
        location="fileId",
        location_type="parameter",
    )


def unimplemented(what: str) -> ApiError:
    return ApiError(501, f"fake: {what} is not implemented")


class RequestError(Exception):
    """A batchUpdate request failed; batch.py turns it into `Invalid requests[i].kind: ...`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
