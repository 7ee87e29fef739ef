"""Replay gspread's recorded cassettes against the fake and report fidelity per endpoint.

    python -m tests.fakes.google_api.fidelity [CASSETTE_DIR] [-v]

The recordings are in tests/data/gspread-cassettes/ (ORIGIN.md there says where they come from
and why these ones). Each cassette file is replayed in order against a fresh fake. Ids the real
API generated (spreadsheet ids, sheetIds, protected-range, named-range and metadata ids) are
mapped to the fake's as they first appear in replies, and requests are rewritten with them. A
reply matches when its status and its JSON body (timestamps aside, the recording account's
e-mail mapped to the fake user's) are equal. Interactions that depend on the recording account
rather than on the API (files created outside the cassette, private files, Drive v2 uploads)
are out of scope: counted as recordings, not checked.
"""

from __future__ import annotations

import collections
import json
import re
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.google_api import validate
from tests.fakes.google_api.core import FakeGoogle

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "data" / "gspread-cassettes"
VOLATILE = {"createdTime", "modifiedTime"}
ID_KEYS = {"id", "spreadsheetId", "sheetId", "protectedRangeId", "namedRangeId", "metadataId"}
SA_EMAIL = re.compile(r"[\w.-]+@[\w-]+\.iam\.gserviceaccount\.com")
LONG_ID = re.compile(r"[A-Za-z0-9_-]{25,}")


class MissingRecordings(RuntimeError):
    """The cassette folder is missing or holds no cassette."""


def cassette_files(directory: Path = DEFAULT_DIR) -> list[Path]:
    """The cassettes in ``directory``, sorted; MissingRecordings when there are none."""
    if not directory.is_dir():
        raise MissingRecordings(
            f"no recorded Google API interactions: {directory} is missing. The fidelity check "
            "needs gspread's cassettes there (see ORIGIN.md in that folder)."
        )
    files = sorted(directory.glob("*.json"))
    if not files:
        raise MissingRecordings(
            f"no recorded Google API interactions: {directory} holds no *.json cassette."
        )
    return files


@dataclass
class Mismatch:
    cassette: str
    index: int
    method: str
    uri: str
    recorded_status: int
    got_status: int
    differences: list[str]


@dataclass
class Report:
    #: endpoint -> [matched, checked] over the interactions in scope
    by_endpoint: dict[str, list[int]] = field(
        default_factory=lambda: collections.defaultdict(lambda: [0, 0])
    )
    #: endpoint -> recorded interactions, in scope or not
    recorded: collections.Counter[str] = field(default_factory=collections.Counter)
    out_of_scope: int = 0
    cassettes: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return sum(v[0] for v in self.by_endpoint.values())

    @property
    def total(self) -> int:
        return sum(v[1] for v in self.by_endpoint.values())

    def row(self, endpoint: str) -> tuple[int, int, int]:
        """(recordings, checked, matched) of one endpoint."""
        matched, checked = self.by_endpoint.get(endpoint, (0, 0))
        return self.recorded.get(endpoint, 0), checked, matched

    def table(
        self,
        also: Iterable[str] = (),
        notes: Mapping[str, str] | None = None,
        mark: Collection[str] = (),
    ) -> str:
        """Endpoint, recordings, checked, matched: a row for every recorded endpoint and every
        one in ``also``; one no recording covers shows its note instead of figures. Endpoints
        in ``mark`` are flagged with a ``*``."""
        names = sorted(set(self.recorded) | set(also))
        notes = notes or {}
        flag = (lambda name: "* " if name in mark else "  ") if mark else (lambda name: "")
        total = f"all ({self.cassettes} cassettes)"
        width = max(len(name) for name in [*names, total, "endpoint"])
        lines = [f"{flag('')}{'endpoint':<{width}}  recordings  checked  matched"]
        for name in names:
            recorded, checked, matched = self.row(name)
            if recorded == 0:
                note = notes.get(name, "")
                shown = "not covered by a recording" + (f"; {note}" if note else "")
            else:
                shown = f"{recorded:10d}  {checked:7d}  {matched:7d}"
            lines.append(f"{flag(name)}{name:<{width}}  {shown}")
        lines.append(
            f"{flag('')}{total:<{width}}  "
            f"{sum(self.recorded.values()):10d}  {self.total:7d}  {self.matched:7d}"
        )
        return "\n".join(lines)


def _learn(rec: Any, got: Any, mapping: dict[str, str]) -> None:
    if isinstance(rec, dict) and isinstance(got, dict):
        for key, value in rec.items():
            if key not in got:
                continue
            if key in ID_KEYS and not isinstance(value, (dict, list)):
                if str(value) != str(got[key]):
                    mapping.setdefault(str(value), str(got[key]))
            else:
                _learn(value, got[key], mapping)
    elif isinstance(rec, list) and isinstance(got, list):
        for a, b in zip(rec, got, strict=False):
            _learn(a, b, mapping)


def _subst_text(text: str, mapping: dict[str, str]) -> str:
    for old in sorted((k for k in mapping if len(k) >= 6), key=len, reverse=True):
        text = text.replace(old, mapping[old])
    return text


def _subst(obj: Any, mapping: dict[str, str], key: str | None = None) -> Any:
    if isinstance(obj, dict):
        return {k: _subst(v, mapping, k) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_subst(v, mapping, key) for v in obj]
    if key in ID_KEYS and not isinstance(obj, bool) and str(obj) in mapping:
        new = mapping[str(obj)]
        return int(new) if isinstance(obj, int) and new.isdigit() else new
    if isinstance(obj, str):
        return _subst_text(obj, mapping)
    return obj


def _norm(obj: Any, email: str) -> Any:
    if isinstance(obj, dict):
        return {k: _norm(v, email) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_norm(v, email) for v in obj]
    if isinstance(obj, str):
        return SA_EMAIL.sub(email, obj)
    return obj


def diff(a: Any, b: Any, path: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k not in b:
                out.append(f"{path}.{k}: missing in the fake")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
        out += [f"{path}.{k}: extra in the fake" for k in b if k not in a]
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items recorded, {len(b)} from the fake")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            out += diff(x, y, f"{path}[{i}]")
    elif a != b:
        out.append(f"{path}: recorded {json.dumps(a)[:80]}, fake {json.dumps(b)[:80]}")
    return out


def _endpoint(method: str, uri: str) -> str | None:
    found = validate.find_method(method, urlsplit(uri).path)
    return found[0].id if found else None


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def replay_file(path: Path, report: Report) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    fake = FakeGoogle()
    mapping: dict[str, str] = {}
    known: set[str] = set()  # ids of files this cassette created
    report.cassettes += 1
    for index, item in enumerate(data["interactions"]):
        req, res = item["request"], item["response"]
        endpoint = _endpoint(req["method"], req["uri"])
        if endpoint is not None:
            report.recorded[endpoint] += 1
        ids = set(LONG_ID.findall(urlsplit(req["uri"]).path))
        if endpoint is None or (ids and not ids <= known):
            report.out_of_scope += 1
            if req["method"] != "GET":
                known -= ids  # changed behind the fake's back: later replies depend on it
            continue
        body = req["body"]
        raw: bytes | None = None
        if body:
            parsed = _json(body)
            raw = (
                json.dumps(_subst(parsed, mapping)).encode()
                if not isinstance(parsed, str)
                else body.encode()
            )
        reply = fake.handle(req["method"], _subst_text(req["uri"], mapping), {}, raw)
        rec = _json(res["body"]["string"] or "")
        got = _json(reply.body.decode())
        _learn(rec, got, mapping)
        if endpoint in ("drive.files.create", "drive.files.copy") and isinstance(rec, dict):
            known.add(str(rec.get("id")))
        if endpoint == "drive.files.list" and isinstance(rec, dict):
            rec = {**rec, "files": [f for f in rec.get("files", []) if f.get("id") in known]}
        inverse = {v: k for k, v in mapping.items()}
        got = _subst(got, inverse)
        rec_n, got_n = _norm(rec, fake.user_email), _norm(got, fake.user_email)
        ok = reply.status == res["status"]["code"] and rec_n == got_n
        counts = report.by_endpoint[endpoint]
        counts[0] += ok
        counts[1] += 1
        if not ok:
            report.mismatches.append(
                Mismatch(
                    path.name,
                    index,
                    req["method"],
                    req["uri"],
                    res["status"]["code"],
                    reply.status,
                    diff(rec_n, got_n)[:5],
                )
            )


def replay(directory: Path = DEFAULT_DIR) -> Report:
    """Every cassette of ``directory`` replayed (MissingRecordings when there is none)."""
    report = Report()
    for path in cassette_files(directory):
        replay_file(path, report)
    return report


def schema_problems(api: str, schema_name: str, value: Any) -> list[str]:
    """Where ``value`` (a JSON reply) departs from a schema of the discovery document: names
    the schema lacks, and values of the wrong JSON type or outside an enum. [] when it fits.

    Written apart from validate.py's request walker on purpose: this one checks the fake's
    replies, so it must not share that walker's leniencies (snake_case names, null dropping).
    """
    doc = validate.document(api)
    out: list[str] = []

    def walk(value: Any, schema: dict[str, Any], path: str) -> None:
        ref = schema.get("$ref")
        if ref:
            schema = doc["schemas"][ref]
        kind, fmt = schema.get("type"), schema.get("format")
        if kind == "any":
            return
        if kind == "object":
            if not isinstance(value, dict):
                out.append(f"{path or '(reply)'}: {type(value).__name__}, not an object")
                return
            props: dict[str, Any] = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for key, sub in value.items():
                where = f"{path}.{key}" if path else key
                if key in props:
                    walk(sub, props[key], where)
                elif extra is not None:
                    walk(sub, extra, where)
                else:
                    out.append(f"{where}: not a field of {ref or 'this object'}")
            return
        if kind == "array":
            if not isinstance(value, list):
                out.append(f"{path}: {type(value).__name__}, not an array")
                return
            for i, item in enumerate(value):
                walk(item, schema.get("items", {}), f"{path}[{i}]")
            return
        ok = {
            "string": isinstance(value, str),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
        }.get(str(kind), True)
        if kind == "string" and fmt == "int64":
            ok = isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value) is not None
        if not ok:
            out.append(f"{path}: {json.dumps(value)[:40]} is not {kind} ({fmt or 'any format'})")
        elif schema.get("enum") and value not in schema["enum"]:
            out.append(f"{path}: {value!r} is none of {schema['enum']}")

    walk(value, {"$ref": schema_name}, "")
    return out


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv and not argv[0].startswith("-") else DEFAULT_DIR
    try:
        report = replay(directory)
    except MissingRecordings as exc:
        print(exc, file=sys.stderr)
        return 2
    print(report.table())
    print(f"({report.out_of_scope} recorded interactions out of scope)")
    if "-v" in argv:
        for m in report.mismatches:
            print(f"\n{m.cassette}#{m.index} {m.method} {m.uri}")
            print(f"  status recorded {m.recorded_status}, fake {m.got_status}")
            for line in m.differences:
                print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
