"""FakeGoogle: the state, the request pipeline, faults, stats and the seeding helpers."""

from __future__ import annotations

import collections
import datetime as dt
import json
import random
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.google_api import validate
from tests.fakes.google_api.errors import ApiError, unimplemented
from tests.fakes.google_api.faults import (
    FaultReset,
    Faults,
    FaultTimeout,
    fault_error,
)
from tests.fakes.google_api.registry import HANDLERS, Call, Raw
from tests.fakes.google_api.render import spreadsheet_properties
from tests.fakes.google_api.state import (
    DEFAULT_COLS,
    DEFAULT_ROWS,
    Json,
    Sheet,
    Spreadsheet,
    value_from_python,
)

FAKE_USER_EMAIL = "sheets-sync-test@fake-project.iam.gserviceaccount.com"
FAKE_USER_NAME = "sheets-sync-test"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
ID_ALPHABET = string.ascii_letters + string.digits + "-_"
GOOGLE_HOSTS = ("sheets.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com")


@dataclass
class RecordedRequest:
    method: str
    url: str  # path + query, as sent
    json: Any
    status: int | None  # None: the fake timed out or reset the connection
    endpoint: str = "unknown"


@dataclass
class Stats:
    requests: int = 0
    by_endpoint: collections.Counter[str] = field(default_factory=collections.Counter)
    cells_written: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    retries_seen: int = 0
    token_calls: int = 0


@dataclass
class RequestInfo:
    """What a before_request hook sees."""

    method: str
    url: str
    path: str
    query: dict[str, list[str]]
    json: Any
    endpoint: str


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]


class FakeGoogle:
    """A stateful fake of the Sheets v4 and Drive v3 REST surface (see the package docstring)."""

    def __init__(self, *, seed: int = 0, user_email: str = FAKE_USER_EMAIL) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.user_email = user_email
        self.user_name = user_email.split("@")[0]
        self.user_permission_id = str(self.rng.randrange(10**19, 10**20))
        #: the id of "My Drive" (`root`): files created without parents live there
        self.root_folder_id = "0A" + self.new_id(9) + "Uk9PVA"
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.files: dict[str, Json] = {}
        self.permissions: dict[str, list[Json]] = {}
        self.faults = Faults()
        self.latency = 0.0
        self.requests: list[RecordedRequest] = []
        self.stats = Stats()
        self.clock: Callable[[], float] = time.time
        #: like a real service account: creating a file outside a shared drive is refused
        self.enforce_service_account_quota = False
        self._hooks: list[Callable[[FakeGoogle, RequestInfo], None]] = []
        self._faulted: collections.Counter[tuple[str, str, bytes]] = collections.Counter()
        self._quota: tuple[int, Callable[[], float]] | None = None
        self._quota_log: dict[str, collections.deque[float]] = {
            "read": collections.deque(),
            "write": collections.deque(),
        }
        #: unknown body fields Drive accepted and ignored, e.g. "drive.permissions.create: withLink"
        self.ignored_fields: list[str] = []
        self.on_change: Callable[[], None] | None = None  # the HTTP server persists state here

    # ------------------------------------------------------------------ public helpers
    def mount(self, session: Any) -> None:
        """Route a requests.Session's Google traffic to this fake."""
        from tests.fakes.google_api.adapter import FakeAdapter

        adapter = FakeAdapter(self)
        for host in GOOGLE_HOSTS:
            session.mount(f"https://{host}/", adapter)

    def before_request(self, hook: Callable[[FakeGoogle, RequestInfo], None]) -> None:
        self._hooks.append(hook)

    def clear_hooks(self) -> None:
        self._hooks.clear()

    def reset_stats(self) -> None:
        with self.lock:
            self.stats = Stats()
            self.requests.clear()

    def quota(self, per_minute: int = 60, clock: Callable[[], float] | None = None) -> None:
        """Reads and writes beyond `per_minute` in any 60 s window get Google's 429."""
        self._quota = (per_minute, clock or time.monotonic)

    def spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        return self.spreadsheets[spreadsheet_id]

    def create_spreadsheet(
        self,
        title: str,
        tabs: dict[str, list[list[object]]] | None = None,
        *,
        locale: str = "en_US",
        time_zone: str = "Europe/London",
        parents: list[str] | None = None,
    ) -> str:
        """Seed a spreadsheet directly (no request counted). Returns its id."""
        with self.lock:
            ss = self.new_spreadsheet(title, locale=locale, time_zone=time_zone)
            for i, (name, rows) in enumerate((tabs or {"Sheet1": []}).items()):
                height = max(DEFAULT_ROWS, len(rows))
                width = max([DEFAULT_COLS, *(len(r) for r in rows)])
                sheet = self.add_sheet(ss, {"title": name}, sheet_id=0 if i == 0 else None)
                sheet.grid.update({"rowCount": height, "columnCount": width})
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        if value is not None and value != "":
                            ss.set_cell(name, r, c, value)
            self.new_file(title, SPREADSHEET_MIME, parents or [], file_id=ss.spreadsheet_id)
            return ss.spreadsheet_id

    def create_folder(
        self, name: str, *, shared_drive: bool = False, parent: str | None = None
    ) -> str:
        """Seed a Drive folder; `shared_drive=True` makes it live in a shared drive."""
        with self.lock:
            meta = self.new_file(name, FOLDER_MIME, [parent] if parent else [])
            if shared_drive:
                meta["driveId"] = "0A" + self.new_id(17)
            return str(meta["id"])

    def state_dict(self) -> Json:
        """All state as plain JSON data (what `save_state` writes)."""
        from tests.fakes.google_api.persist import dump

        with self.lock:
            return dump(self)

    def save_state(self, path: str) -> None:
        from tests.fakes.google_api.persist import dump

        with self.lock:
            data = dump(self)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        import os

        os.replace(tmp, path)

    def load_state(self, path: str) -> None:
        from tests.fakes.google_api.persist import load

        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        with self.lock:
            load(self, data)

    # ------------------------------------------------------------------ state helpers
    def new_id(self, n: int = 43) -> str:
        return "".join(self.rng.choice(ID_ALPHABET) for _ in range(n))

    def new_sheet_id(self, ss: Spreadsheet) -> int:
        while True:
            sid = self.rng.randrange(1, 2_147_483_647)
            if ss.sheet_by_id(sid) is None:
                return sid

    def now_iso(self) -> str:
        when = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"

    def new_spreadsheet(
        self,
        title: str,
        *,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        spreadsheet_id: str | None = None,
    ) -> Spreadsheet:
        sid = spreadsheet_id or "1" + self.new_id(43)
        ss = Spreadsheet(sid, spreadsheet_properties(title, locale, time_zone), self.lock)
        ss._touch = lambda: self.touch(sid)
        self.spreadsheets[sid] = ss
        return ss

    def add_sheet(self, ss: Spreadsheet, props: Json, *, sheet_id: int | None = None) -> Sheet:
        full: Json = {
            "sheetId": sheet_id if sheet_id is not None else self.new_sheet_id(ss),
            "title": props.get("title") or f"Sheet{len(ss.sheets) + 1}",
            "index": len(ss.sheets),
            "sheetType": "GRID",
            "gridProperties": {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLS},
        }
        for key, value in props.items():
            if key == "gridProperties":
                full["gridProperties"].update(value)
            elif key not in ("sheetId", "index"):
                full[key] = value
        sheet = Sheet(full)
        index = props.get("index")
        if index is None or index > len(ss.sheets):
            index = len(ss.sheets)
        ss.sheets.insert(int(index), sheet)
        ss.reindex()
        return sheet

    def new_file(
        self, name: str, mime: str, parents: list[str], *, file_id: str | None = None
    ) -> Json:
        fid = file_id or "1" + self.new_id(43)
        now = self.now_iso()
        parents = [self.root_folder_id if p == "root" else p for p in parents]
        if not parents:
            parents = [self.root_folder_id]
        meta: Json = {
            "kind": "drive#file",
            "id": fid,
            "name": name,
            "mimeType": mime,
            "parents": list(parents),
            "createdTime": now,
            "modifiedTime": now,
            "trashed": False,
            "starred": False,
            "version": "1",
        }
        drive_ids = {self.files[p].get("driveId") for p in parents if p in self.files}
        drive_ids.discard(None)
        if drive_ids:
            meta["driveId"] = drive_ids.pop()
        self.files[fid] = meta
        self.permissions[fid] = [
            {
                "kind": "drive#permission",
                "id": self.user_permission_id,
                "type": "user",
                "emailAddress": self.user_email,
                "role": "owner" if "driveId" not in meta else "organizer",
                "displayName": self.user_name,
                "deleted": False,
                "pendingOwner": False,
            }
        ]
        return meta

    def touch(self, spreadsheet_id: str) -> None:
        meta = self.files.get(spreadsheet_id)
        if meta is not None:
            meta["modifiedTime"] = self.now_iso()
            meta["version"] = str(int(meta.get("version", "1")) + 1)

    def seed_value(self, value: Any) -> tuple[Json | None, Json | None]:
        return value_from_python(value)

    # ------------------------------------------------------------------ the pipeline
    def handle(
        self, method: str, url: str, headers: dict[str, str] | None, body: bytes | None
    ) -> Response:
        """Answer one HTTP request. Raises FaultTimeout / FaultReset for injected ones."""
        parts = urlsplit(url)
        raw_path = parts.path
        path_and_query = raw_path + (f"?{parts.query}" if parts.query else "")
        body = body or b""
        if parts.hostname == "oauth2.googleapis.com" or raw_path in ("/token", "/oauth2/v4/token"):
            with self.lock:
                self.stats.token_calls += 1
            return _json_response(
                500,
                {
                    "error": "internal_failure",
                    "error_description": "fake: token endpoint must never be called",
                },
            )
        query = parse_qs(parts.query, keep_blank_values=True)
        found = validate.find_method(method.upper(), raw_path)
        endpoint = found[0].id if found else "unknown"
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        info = RequestInfo(method.upper(), path_and_query, raw_path, query, parsed, endpoint)
        for hook in list(self._hooks):
            hook(self, info)
        if self.latency:
            time.sleep(self.latency)
        with self.lock:
            self.stats.requests += 1
            self.stats.by_endpoint[endpoint] += 1
            self.stats.bytes_in += len(body)
            signature = (method.upper(), path_and_query, body)
            if self._faulted[signature] > 0:
                self._faulted[signature] -= 1
                self.stats.retries_seen += 1
            record = RecordedRequest(method.upper(), path_and_query, parsed, None, endpoint)
            self.requests.append(record)
            fault = self.faults.next(endpoint)
            lose_reply = fault is not None and fault.kind == "timeout-after-apply"
            if fault is not None:
                self._faulted[signature] += 1
            if fault is not None and not lose_reply:
                if fault.kind == "timeout":
                    raise FaultTimeout(path_and_query)
                if fault.kind == "reset":
                    raise FaultReset(path_and_query)
                api = found[0].api if found else "sheets"
                err = fault_error(fault, api, method.upper())
                return self._finish(record, _json_response(err.code, err.body()))
            quota_error = self._check_quota(method.upper(), found[0].api if found else "")
            if quota_error is not None:
                return self._finish(record, _json_response(quota_error.code, quota_error.body()))
            try:
                status, reply = self._dispatch(method.upper(), found, query, body)
            except ApiError as err:
                return self._finish(record, _json_response(err.code, err.body()))
            if isinstance(reply, Raw):
                response = Response(status, reply.body, {"Content-Type": reply.content_type})
            elif reply is None:
                response = Response(status, b"", {"Content-Type": "text/html"})
            else:
                pretty = (query.get("prettyPrint") or ["true"])[-1].lower() != "false"
                response = _json_response(status, reply, pretty=pretty)
            if method.upper() != "GET" and status < 300 and self.on_change is not None:
                self.on_change()
            if lose_reply:
                record.status = None
                raise FaultTimeout(path_and_query)
            return self._finish(record, response)

    def _finish(self, record: RecordedRequest, response: Response) -> Response:
        record.status = response.status
        self.stats.bytes_out += len(response.body)
        return response

    def _check_quota(self, method: str, api: str) -> ApiError | None:
        if self._quota is None or api != "sheets":
            return None
        limit, clock = self._quota
        kind = "read" if method == "GET" else "write"
        log = self._quota_log[kind]
        now = clock()
        while log and now - log[0] >= 60:
            log.popleft()
        if len(log) >= limit:
            from tests.fakes.google_api.faults import Fault

            return fault_error(Fault(429), "sheets", method)
        log.append(now)
        return None

    def _dispatch(
        self,
        method: str,
        found: tuple[validate.Method, dict[str, str]] | None,
        query: dict[str, list[str]],
        raw_body: bytes,
    ) -> tuple[int, Any]:
        if found is None:
            raise unimplemented("endpoint")
        spec, params = found
        fn = HANDLERS.get(spec.id)
        if fn is None:
            raise unimplemented(f"endpoint '{spec.id}'")
        validate.check_query(spec, query)
        body: Any = None
        if spec.request_schema is not None:
            try:
                body = json.loads(raw_body) if raw_body else {}
            except ValueError:
                raise ApiError(
                    400,
                    "Invalid JSON payload received. Unexpected token.",
                    drive=spec.api == "drive",
                ) from None
            body = validate.check_body(spec, body, self.ignored_fields)
        return fn(Call(self, spec, method, params, query, body))


PRETTY_LIMIT = 256 * 1024


def _json_response(status: int, payload: Any, *, pretty: bool = True) -> Response:
    """Google pretty-prints JSON (unless prettyPrint=false); large replies go out compact here
    only to keep the fake fast (Python's pretty printer is slow). Same JSON either way."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if pretty and len(text) < PRETTY_LIMIT:
        text = json.dumps(payload, indent=2, ensure_ascii=False)
    body = (text + "\n").encode("utf-8")
    return Response(status, body, {"Content-Type": "application/json; charset=UTF-8"})
