"""Requests checked against the official discovery documents (sheets.v4.json, drive.v3.json).

The documents ship in the google-api-python-client wheel (a test-only dependency). This module
finds the method for an HTTP method + path, checks query parameters, and walks request bodies
through the schema (`$ref`, `items`, `additionalProperties`), answering like Google:

    Invalid JSON payload received. Unknown name "foo" at 'requests[0].update_cells':
        Cannot find field.
    Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), "X"

Bodies come back normalised: snake_case keys become camelCase (Google accepts both), nulls are
dropped (proto semantics) except inside `any` values, where they mean "skip this cell".
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.fakes.google_api import fields as fieldmask
from tests.fakes.google_api.errors import ApiError, bad_request

SHEETS_PROTO = "type.googleapis.com/google.apps.sheets.v4."
DRIVE_PROTO = "type.googleapis.com/google.apps.drive.v3."

#: The proto field a method's body is bound to ("" = the whole request, body: "*").
BODY_BINDING = {
    "sheets.spreadsheets.values.update": "data",
    "sheets.spreadsheets.values.append": "data",
    "sheets.spreadsheets.create": "spreadsheet",
}


@dataclass
class Method:
    id: str
    http_method: str
    api: str  # "sheets" | "drive"
    template: str
    regex: re.Pattern[str]
    param_names: list[str]
    spec: dict[str, Any]

    @property
    def request_schema(self) -> str | None:
        ref = self.spec.get("request", {}).get("$ref")
        return str(ref) if ref else None

    @property
    def response_schema(self) -> str | None:
        ref = self.spec.get("response", {}).get("$ref")
        return str(ref) if ref else None


def _documents_dir() -> Path:
    import googleapiclient

    base = resources.files(googleapiclient) / "discovery_cache" / "documents"
    return Path(str(base))


@functools.cache
def document(api: str) -> dict[str, Any]:
    name = {"sheets": "sheets.v4.json", "drive": "drive.v3.json"}[api]
    with open(_documents_dir() / name, encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


def _collect(resource: dict[str, Any], out: list[dict[str, Any]]) -> None:
    out.extend(resource.get("methods", {}).values())
    for sub in resource.get("resources", {}).values():
        _collect(sub, out)


def _compile(template: str) -> tuple[re.Pattern[str], list[str]]:
    names: list[str] = []
    pattern = ""
    pos = 0
    for m in re.finditer(r"\{\+?([A-Za-z]+)\}", template):
        pattern += re.escape(template[pos : m.start()])
        names.append(m.group(1))
        rest = template[m.end() :]
        # a range may hold ':' and '!' (encoded or not); other ids stop at '/' and ':'
        pattern += "(.+)" if m.group(1) == "range" else ("([^/:]+)" if rest else "([^/]+)")
        pos = m.end()
    pattern += re.escape(template[pos:])
    return re.compile("^" + pattern + "$"), names


@functools.cache
def methods() -> list[Method]:
    out: list[Method] = []
    for api, prefix in (("sheets", "/"), ("drive", "/drive/v3/")):
        raw: list[dict[str, Any]] = []
        _collect(document(api), raw)
        for spec in raw:
            template = prefix + spec.get("flatPath", spec["path"])
            regex, names = _compile(template)
            out.append(Method(spec["id"], spec["httpMethod"], api, template, regex, names, spec))
    # literal paths before parameterised ones, then longer templates first
    out.sort(key=lambda m: (len(m.param_names), -len(m.template)))
    return out


def find_method(http_method: str, raw_path: str) -> tuple[Method, dict[str, str]] | None:
    for method in methods():
        if method.http_method != http_method:
            continue
        m = method.regex.match(raw_path)
        if m:
            return method, {
                n: unquote(v) for n, v in zip(method.param_names, m.groups(), strict=True)
            }
    return None


def snake(name: str) -> str:
    return re.sub(r"([A-Z])", r"_\1", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _proto_name(api: str, schema_name: str) -> str:
    return (SHEETS_PROTO if api == "sheets" else DRIVE_PROTO) + schema_name


_SCALAR = {
    ("string", None): "TYPE_STRING",
    ("integer", "int32"): "TYPE_INT32",
    ("integer", "uint32"): "TYPE_UINT32",
    ("number", "double"): "TYPE_DOUBLE",
    ("number", "float"): "TYPE_FLOAT",
    ("boolean", None): "TYPE_BOOL",
    ("string", "int64"): "TYPE_INT64",
}


class _Walker:
    def __init__(self, api: str, drive_errors: bool) -> None:
        self.api = api
        self.doc = document(api)
        self.drive_errors = drive_errors
        self.ignored: list[str] = []

    def fail(self, message: str, field: str) -> ApiError:
        if self.drive_errors:
            return ApiError(400, message, drive=True, reason="badRequest")
        return bad_request(message, field)

    def type_error(self, path: str, type_name: str, value: Any) -> ApiError:
        shown = json.dumps(value, ensure_ascii=False)
        return self.fail(f"Invalid value at '{path}' ({type_name}), {shown}", path)

    def resolve(self, schema: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        ref = schema.get("$ref")
        if ref:
            return self.doc["schemas"][ref], str(ref)
        return schema, None

    def walk(self, value: Any, schema: dict[str, Any], path: str, field_name: str) -> Any:
        schema, ref = self.resolve(schema)
        kind = schema.get("type")
        if kind == "any":
            return value
        if kind == "object":
            type_name = _proto_name(self.api, ref) if ref else "google.protobuf.Struct"
            if not isinstance(value, dict):
                raise self.type_error(path, type_name, value)
            props: dict[str, Any] = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            out: dict[str, Any] = {}
            for key, sub in value.items():
                name = key if key in props else camel(key)
                if name in props:
                    if sub is None:
                        continue
                    sub_path = f"{path}.{snake(name)}" if path else snake(name)
                    out[name] = self.walk(sub, props[name], sub_path, name)
                elif extra is not None:
                    out[key] = sub if sub is None else self.walk(sub, extra, f"{path}[{key}]", key)
                elif self.drive_errors:
                    # Drive v3 ignores unknown body fields (gspread sends v2's "withLink")
                    self.ignored.append(f"{path}.{key}" if path else key)
                else:
                    at = f" at '{path}'" if path else ""
                    raise self.fail(
                        f'Invalid JSON payload received. Unknown name "{key}"{at}: '
                        "Cannot find field.",
                        path,
                    )
            return out
        if kind == "array":
            if not isinstance(value, list):
                items = schema.get("items", {})
                inner, inner_ref = self.resolve(items)
                if inner.get("type") == "array":
                    type_name = "type.googleapis.com/google.protobuf.ListValue"
                elif inner_ref:
                    type_name = _proto_name(self.api, inner_ref)
                else:
                    scalar = (str(inner.get("type")), inner.get("format"))
                    type_name = _SCALAR.get(scalar, "TYPE_STRING")
                raise self.type_error(path, type_name, value)
            items = schema.get("items", {})
            return [
                self.walk(v, items, f"{path}[{i}]", field_name) if v is not None else None
                for i, v in enumerate(value)
            ]
        return self.scalar(value, schema, path, field_name)

    def scalar(self, value: Any, schema: dict[str, Any], path: str, field_name: str) -> Any:
        kind, fmt = str(schema.get("type")), schema.get("format")
        enum = schema.get("enum")
        if enum:
            type_name = _proto_name(self.api, field_name[:1].upper() + field_name[1:])
            if isinstance(value, str) and value in enum:
                return value
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(enum):
                return enum[value]
            raise self.type_error(path, type_name, value)
        if kind == "string":
            if fmt == "int64" and isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            if not isinstance(value, str):
                raise self.type_error(path, _SCALAR.get((kind, fmt), "TYPE_STRING"), value)
            return value
        if kind == "integer":
            type_name = _SCALAR.get((kind, fmt), "TYPE_INT32")
            if isinstance(value, bool):
                raise self.type_error(path, type_name, value)
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
                return int(value)
            raise self.type_error(path, type_name, value)
        if kind == "number":
            type_name = _SCALAR.get((kind, fmt), "TYPE_DOUBLE")
            if isinstance(value, bool):
                raise self.type_error(path, type_name, value)
            if isinstance(value, (int, float)):
                return value
            if isinstance(value, str):
                if value in ("NaN", "Infinity", "-Infinity"):
                    return float(value.replace("Infinity", "inf"))
                try:
                    number = float(value)
                except ValueError:
                    raise self.type_error(path, type_name, value) from None
                if math.isfinite(number):
                    return number
            raise self.type_error(path, type_name, value)
        if kind == "boolean":
            if not isinstance(value, bool):
                raise self.type_error(path, "TYPE_BOOL", value)
            return value
        return value


def check_body(method: Method, body: Any, ignored: list[str] | None = None) -> Any:
    """Validate and normalise a request body for `method` (raises ApiError 400).

    Sheets rejects unknown names; Drive ignores them (collected into `ignored`).
    """
    schema_name = method.request_schema
    if schema_name is None:
        return body
    walker = _Walker(method.api, drive_errors=method.api == "drive")
    binding = BODY_BINDING.get(method.id, "")
    out = walker.walk(body, {"$ref": schema_name}, binding, schema_name)
    if ignored is not None:
        ignored.extend(f"{method.id}: {name}" for name in walker.ignored)
    return out


GLOBAL_PARAMS = set(document("sheets")["parameters"])


def check_query(method: Method, query: dict[str, list[str]]) -> dict[str, list[str]]:
    """Sheets rejects unknown query parameters; Drive ignores them (as the cassettes show)."""
    params: dict[str, Any] = method.spec.get("parameters", {})
    known = {k: v for k, v in params.items() if v.get("location") == "query"}
    if method.api == "drive":
        return query
    for name, values in query.items():
        if name in GLOBAL_PARAMS:
            continue
        spec = known.get(name) or known.get(camel(name))
        if spec is None:
            msg = (
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                f"parameter. Field '{name}' could not be found in request message."
            )
            raise bad_request(msg, "")
        for value in values:
            _check_param(name, spec, value)
    return query


def _check_param(name: str, spec: dict[str, Any], value: str) -> None:
    path = snake(camel(name))
    enum = spec.get("enum")
    if enum and value not in enum:
        type_name = SHEETS_PROTO + name[:1].upper() + name[1:]
        raise bad_request(f"Invalid value at '{path}' ({type_name}), \"{value}\"", path)
    if spec.get("type") == "boolean" and value.lower() not in ("true", "false", "1", "0"):
        raise bad_request(f"Invalid value at '{path}' (TYPE_BOOL), \"{value}\"", path)
    if spec.get("type") == "integer" and not re.fullmatch(r"-?[0-9]+", value):
        raise bad_request(f"Invalid value at '{path}' (TYPE_INT32), \"{value}\"", path)


def check_mask(api: str, schema_name: str, tree: fieldmask.Tree | None) -> None:
    """Every name in a `fields=` mask must exist in the response schema."""
    if tree is None:
        return
    walker = _Walker(api, drive_errors=api == "drive")

    def visit(node: fieldmask.Tree, schema: dict[str, Any], prefix: str) -> None:
        schema, _ = walker.resolve(schema)
        while schema.get("type") == "array":
            schema, _ = walker.resolve(schema.get("items", {}))
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for name, sub in node.items():
            full = f"{prefix}.{name}" if prefix else name
            if props is not None and name in props:
                if sub is not None:
                    visit(sub, props[name], full)
            elif extra is not None or schema.get("type") == "any":
                continue
            else:
                raise _mask_error(api, full, name)

    visit(tree, {"$ref": schema_name}, "")


def _mask_error(api: str, full: str, name: str) -> ApiError:
    if api == "drive":
        return ApiError(
            400,
            f"Invalid field selection {name}",
            drive=True,
            reason="invalidParameter",
            location="fields",
        )
    description = (
        f"Error expanding 'fields' parameter. Cannot find matching fields for path '{full}'."
    )
    err = bad_request("Request contains an invalid argument.", "fields")
    assert err.details is not None
    err.details[0]["fieldViolations"][0]["description"] = description
    return err


def parse_fields(api: str, schema_name: str, raw: str | None) -> fieldmask.Tree | None:
    """The `fields` query parameter as a tree, checked against the response schema."""
    if raw is None:
        return None
    try:
        tree = fieldmask.parse(raw, allow_spaces=api == "drive")
    except fieldmask.MaskError as exc:
        raise _mask_error(api, exc.path, exc.path) from None
    check_mask(api, schema_name, tree)
    return tree
