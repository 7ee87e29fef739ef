"""Drive v3 endpoints: files (create, get, list, update, delete, copy), permissions, about."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from tests.fakes.google_api import fields as fieldmask
from tests.fakes.google_api import validate
from tests.fakes.google_api.errors import ApiError, drive_not_found
from tests.fakes.google_api.fields import jcopy
from tests.fakes.google_api.registry import Call, Raw, Reply, handler
from tests.fakes.google_api.state import Json

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
FILE_DEFAULT = ("kind", "id", "name", "mimeType")
PERMISSION_DEFAULT = ("kind", "id", "type", "role", "allowFileDiscovery")
SA_QUOTA = (
    "Service Accounts do not have storage quota. Leverage shared drives "
    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use OAuth "
    "delegation (http://support.google.com/a/answer/7281227) instead."
)


def drive_error(code: int, message: str, reason: str, location: str | None = None) -> ApiError:
    return ApiError(
        code,
        message,
        drive=True,
        reason=reason,
        location=location,
        location_type="parameter" if location else None,
    )


def _file(call: Call, *, shared_ok: bool | None = None) -> Json:
    fid = call.params.get("fileId", "")
    meta = call.fake.files.get(fid)
    if meta is None:
        raise drive_not_found(fid)
    if "driveId" in meta and not call.qbool("supportsAllDrives") and shared_ok is not True:
        raise drive_not_found(fid)
    return meta


def file_view(call: Call, meta: Json) -> Json:
    """Everything the fake knows about a file, as the Drive `File` resource."""
    fake = call.fake
    fid = meta["id"]
    out = {k: jcopy(v) for k, v in meta.items() if not k.startswith("_")}
    user = {
        "kind": "drive#user",
        "displayName": fake.user_name,
        "me": True,
        "permissionId": fake.user_permission_id,
        "emailAddress": fake.user_email,
    }
    perms = fake.permissions.get(fid, [])
    out.update(
        {
            "spaces": ["drive"],
            "explicitlyTrashed": bool(meta.get("trashed")),
            "webViewLink": _web_link(meta),
            "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{meta['mimeType']}",
            "lastModifyingUser": user,
            "modifiedByMe": True,
            "viewedByMe": True,
            "shared": len(perms) > 1,
            "permissionIds": [p["id"] for p in perms],
            "permissions": jcopy(perms),
            "quotaBytesUsed": "0",
            "capabilities": {"canEdit": True, "canShare": True, "canCopy": True},
            "writersCanShare": True,
        }
    )
    if "driveId" not in meta:
        out["owners"] = [user]
        out["ownedByMe"] = True
    if meta["mimeType"] == SPREADSHEET_MIME and fid in fake.spreadsheets:
        out["name"] = fake.spreadsheets[fid].title
    return out


def _web_link(meta: Json) -> str:
    if meta["mimeType"] == SPREADSHEET_MIME:
        return f"https://docs.google.com/spreadsheets/d/{meta['id']}/edit?usp=drivesdk"
    if meta["mimeType"] == FOLDER_MIME:
        return f"https://drive.google.com/drive/folders/{meta['id']}"
    return f"https://drive.google.com/file/d/{meta['id']}/view?usp=drivesdk"


def _masked(call: Call, obj: Json, schema: str, default: tuple[str, ...]) -> Json:
    tree = validate.parse_fields("drive", schema, call.q("fields"))
    if tree is None and call.q("fields") is None:
        return {k: v for k, v in obj.items() if k in default}
    return fieldmask.select(obj, tree)  # type: ignore[no-any-return]


def _check_parents(call: Call, parents: list[str]) -> str | None:
    """The shared drive the parents live in (None: My Drive). 404 for unknown parents."""
    drive_id = None
    for pid in parents:
        if pid in ("root", call.fake.root_folder_id):
            continue
        parent = call.fake.files.get(pid)
        if parent is None or ("driveId" in parent and not call.qbool("supportsAllDrives")):
            raise drive_error(404, f"File not found: {pid}.", "notFound", "fileId")
        drive_id = parent.get("driveId", drive_id)
    return drive_id


def _quota(call: Call, drive_id: str | None) -> None:
    if call.fake.enforce_service_account_quota and drive_id is None:
        raise ApiError(
            403, SA_QUOTA, drive=True, reason="storageQuotaExceeded", domain="usageLimits"
        )


def _apply_file_body(meta: Json, body: Json) -> None:
    for key in ("description", "starred", "trashed", "properties", "appProperties"):
        if key not in body:
            continue
        if key in ("properties", "appProperties"):
            current = meta.setdefault(key, {})
            for k, v in body[key].items():
                if v is None:
                    current.pop(k, None)
                else:
                    current[k] = v
        else:
            meta[key] = body[key]


def _new_spreadsheet_file(call: Call, name: str, parents: list[str]) -> Json:
    fake = call.fake
    ss = fake.new_spreadsheet(name)
    fake.add_sheet(ss, {"title": "Sheet1"}, sheet_id=0)
    return fake.new_file(name, SPREADSHEET_MIME, parents, file_id=ss.spreadsheet_id)


@handler("drive.files.create")
def files_create(call: Call) -> Reply:
    fake = call.fake
    body: Json = call.body or {}
    validate.parse_fields("drive", "File", call.q("fields"))
    parents = list(body.get("parents", []))
    drive_id = _check_parents(call, parents)
    mime = body.get("mimeType") or "application/octet-stream"
    _quota(call, drive_id)
    if mime == SPREADSHEET_MIME:
        meta = _new_spreadsheet_file(call, body.get("name") or "Untitled spreadsheet", parents)
    else:
        meta = fake.new_file(body.get("name") or "Untitled", mime, parents)
    _apply_file_body(meta, body)
    return 200, _masked(call, file_view(call, meta), "File", FILE_DEFAULT)


@handler("drive.files.get")
def files_get(call: Call) -> Reply:
    meta = _file(call)
    if call.q("alt") == "media":
        raise drive_error(
            403,
            "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
            "fileNotDownloadable",
            "alt",
        )
    return 200, _masked(call, file_view(call, meta), "File", FILE_DEFAULT)


@handler("drive.files.update")
def files_update(call: Call) -> Reply:
    fake = call.fake
    meta = _file(call)
    body: Json = call.body or {}
    validate.parse_fields("drive", "File", call.q("fields"))
    if body.get("name"):
        meta["name"] = body["name"]
        ss = fake.spreadsheets.get(meta["id"])
        if ss is not None:
            ss.props["title"] = body["name"]
    _apply_file_body(meta, body)
    add = [p for p in (call.q("addParents") or "").split(",") if p]
    remove = [p for p in (call.q("removeParents") or "").split(",") if p]
    if add:
        _check_parents(call, add)
    meta["parents"] = [p for p in meta.get("parents", []) if p not in remove] + add
    meta["modifiedTime"] = fake.now_iso()
    return 200, _masked(call, file_view(call, meta), "File", FILE_DEFAULT)


@handler("drive.files.delete")
def files_delete(call: Call) -> Reply:
    meta = _file(call)
    fid = meta["id"]
    del call.fake.files[fid]
    call.fake.spreadsheets.pop(fid, None)
    call.fake.permissions.pop(fid, None)
    return 204, None


@handler("drive.files.copy")
def files_copy(call: Call) -> Reply:
    fake = call.fake
    src = _file(call)
    body: Json = call.body or {}
    validate.parse_fields("drive", "File", call.q("fields"))
    parents = list(body.get("parents") or src.get("parents", []))
    drive_id = _check_parents(call, parents)
    _quota(call, drive_id)
    name = body.get("name") or f"Copy of {file_view(call, src)['name']}"
    source_ss = fake.spreadsheets.get(src["id"])
    if source_ss is not None:
        ss = fake.new_spreadsheet(name)
        snap = source_ss.snapshot()
        ss.restore(snap)
        ss.props["title"] = name
        meta = fake.new_file(name, src["mimeType"], parents, file_id=ss.spreadsheet_id)
    else:
        meta = fake.new_file(name, src["mimeType"], parents)
    _apply_file_body(meta, body)
    return 200, _masked(call, file_view(call, meta), "File", FILE_DEFAULT)


# ------------------------------------------------------------------ files.list and its q


class _Query:
    """Drive's `q` language: and/or/not, parentheses, comparisons, `'x' in parents`."""

    TOKEN = re.compile(
        r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>!=|<=|>=|=|<|>|\(|\))"
        r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            if not m or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise self.invalid()
            pos = m.end()
            if m.group("str") is not None:
                raw = m.group("str")[1:-1]
                self.tokens.append(("str", re.sub(r"\\(.)", r"\1", raw)))
            elif m.group("op") is not None:
                self.tokens.append(("op", m.group("op")))
            else:
                self.tokens.append(("word", m.group("word")))
        self.pos = 0

    def invalid(self) -> ApiError:
        return drive_error(400, "Invalid Value", "invalid", "q")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise self.invalid()
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Any:
        node = self.disjunction()
        if self.peek() is not None:
            raise self.invalid()
        return node

    def disjunction(self) -> Any:
        node = self.conjunction()
        while self.peek() == ("word", "or"):
            self.take()
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self) -> Any:
        node = self.unary()
        while self.peek() == ("word", "and"):
            self.take()
            node = ("and", node, self.unary())
        return node

    def unary(self) -> Any:
        if self.peek() == ("word", "not"):
            self.take()
            return ("not", self.unary())
        if self.peek() == ("op", "("):
            self.take()
            node = self.disjunction()
            if self.take() != ("op", ")"):
                raise self.invalid()
            return node
        left = self.take()
        op = self.take()
        if op == ("word", "in"):
            right = self.take()
            if left[0] == "str":
                return ("in", right[1], left[1])  # 'x' in parents
            return ("in", left[1], right[1])  # parents in 'x' (gspread writes this)
        if op == ("word", "contains"):
            return ("contains", left[1], self.take()[1])
        if op[0] != "op":
            raise self.invalid()
        right = self.take()
        value: Any = right[1]
        if right == ("word", "true"):
            value = True
        elif right == ("word", "false"):
            value = False
        return ("cmp", left[1], op[1], value)


def _field(view: Json, name: str) -> Any:
    return view.get(name)


def _eval(node: Any, view: Json) -> bool:
    tag = node[0]
    if tag == "and":
        return _eval(node[1], view) and _eval(node[2], view)
    if tag == "or":
        return _eval(node[1], view) or _eval(node[2], view)
    if tag == "not":
        return not _eval(node[1], view)
    if tag == "in":
        collection = {
            "parents": view.get("parents", []) + (["root"] if view.get("_in_root") else []),
            "owners": [o.get("emailAddress") for o in view.get("owners", [])],
            "writers": [],
            "readers": [],
        }.get(node[1], [])
        return node[2] in collection
    if tag == "contains":
        return str(node[2]).lower() in str(_field(view, node[1]) or "").lower()
    _, name, op, value = node
    actual = _field(view, name)
    if op == "=":
        return bool(actual == value)
    if op == "!=":
        return bool(actual != value)
    if actual is None:
        return False
    result = {
        "<": actual < value,
        ">": actual > value,
        "<=": actual <= value,
        ">=": actual >= value,
    }
    return bool(result[op])


def _mentions(node: Any, name: str) -> bool:
    if not isinstance(node, tuple):
        return False
    if node[0] == "cmp" and node[1] == name:
        return True
    return any(_mentions(n, name) for n in node[1:])


@handler("drive.files.list")
def files_list(call: Call) -> Reply:
    fake = call.fake
    q = call.q("q")
    tree = _Query(q).parse() if q else None
    all_drives = call.qbool("includeItemsFromAllDrives") and call.qbool("supportsAllDrives")
    drive_id = call.q("driveId")
    files = []
    for meta in fake.files.values():
        view = file_view(call, meta)
        if "driveId" in meta and not all_drives:
            continue
        if drive_id and meta.get("driveId") != drive_id:
            continue
        if meta.get("trashed") and (tree is None or not _mentions(tree, "trashed")):
            continue
        view["_in_root"] = fake.root_folder_id in meta.get("parents", [])
        if tree is not None and not _eval(tree, view):
            continue
        del view["_in_root"]
        files.append(view)
    files.sort(key=lambda v: v.get("modifiedTime", ""), reverse=True)
    page_size = int(call.q("pageSize") or 100)
    start = int(call.q("pageToken") or 0) if (call.q("pageToken") or "").isdigit() else 0
    page = files[start : start + page_size]
    out: Json = {"kind": "drive#fileList", "incompleteSearch": False, "files": page}
    if start + page_size < len(files):
        out["nextPageToken"] = str(start + page_size)
    raw = call.q("fields")
    if raw is None:
        out["files"] = [{k: v for k, v in f.items() if k in FILE_DEFAULT} for f in page]
        return 200, out
    return 200, fieldmask.select(out, validate.parse_fields("drive", "FileList", raw))


# ------------------------------------------------------------------ permissions


def _permission_id(call: Call, body: Json) -> str:
    kind = body.get("type")
    if kind == "anyone":
        return "anyoneWithLink" if not body.get("allowFileDiscovery") else "anyone"
    return str(call.fake.rng.randrange(10**19, 10**20))


@handler("drive.permissions.create")
def permissions_create(call: Call) -> Reply:
    meta = _file(call)
    body: Json = dict(call.body or {})
    validate.parse_fields("drive", "Permission", call.q("fields"))
    if not body.get("role"):
        raise drive_error(
            400, "The permission role field is required.", "required", "permission.role"
        )
    if not body.get("type"):
        raise drive_error(
            400, "The permission type field is required.", "required", "permission.type"
        )
    kind = body["type"]
    if kind in ("user", "group") and not body.get("emailAddress"):
        raise drive_error(
            400, "The permission value field is required.", "required", "permission.value"
        )
    if kind == "domain" and not body.get("domain"):
        raise drive_error(
            400, "The permission value field is required.", "required", "permission.value"
        )
    if body["role"] == "owner" and not call.qbool("transferOwnership"):
        raise drive_error(
            403,
            "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
            "forbidden",
            "transferOwnership",
        )
    perms = call.fake.permissions.setdefault(meta["id"], [])
    existing = next(
        (
            p
            for p in perms
            if body.get("emailAddress") and p.get("emailAddress") == body["emailAddress"]
        ),
        None,
    )
    if existing is not None:
        existing["role"] = body["role"]
        perm = existing
    else:
        perm = {"kind": "drive#permission", "id": _permission_id(call, body), "type": kind}
        for key in ("emailAddress", "domain", "role", "allowFileDiscovery", "expirationTime"):
            if key in body:
                perm[key] = body[key]
        if kind in ("user", "group"):
            perm["displayName"] = body["emailAddress"].split("@")[0]
        perm["deleted"] = False
        perm["pendingOwner"] = False
        perms.append(perm)
    return 200, _masked(call, perm, "Permission", PERMISSION_DEFAULT)


@handler("drive.permissions.list")
def permissions_list(call: Call) -> Reply:
    meta = _file(call)
    perms = jcopy(call.fake.permissions.get(meta["id"], []))
    out: Json = {"kind": "drive#permissionList", "permissions": perms}
    raw = call.q("fields")
    if raw is None:
        out["permissions"] = [
            {k: v for k, v in p.items() if k in PERMISSION_DEFAULT} for p in perms
        ]
        return 200, out
    return 200, fieldmask.select(out, validate.parse_fields("drive", "PermissionList", raw))


def _permission(call: Call) -> tuple[list[Json], Json]:
    meta = _file(call)
    perms = call.fake.permissions.get(meta["id"], [])
    pid = call.params.get("permissionId", "")
    for perm in perms:
        if perm["id"] == pid:
            return perms, perm
    raise drive_error(404, f"Permission not found: {pid}.", "notFound", "permissionId")


@handler("drive.permissions.get")
def permissions_get(call: Call) -> Reply:
    _, perm = _permission(call)
    return 200, _masked(call, jcopy(perm), "Permission", PERMISSION_DEFAULT)


@handler("drive.permissions.update")
def permissions_update(call: Call) -> Reply:
    _, perm = _permission(call)
    body: Json = call.body or {}
    if body.get("role"):
        perm["role"] = body["role"]
    return 200, _masked(call, jcopy(perm), "Permission", PERMISSION_DEFAULT)


@handler("drive.permissions.delete")
def permissions_delete(call: Call) -> Reply:
    perms, perm = _permission(call)
    if perm.get("role") == "owner":
        raise drive_error(403, "The owner of a file cannot be removed.", "cannotRemoveOwner")
    perms.remove(perm)
    return 204, None


# ------------------------------------------------------------------ about


@handler("drive.about.get")
def about_get(call: Call) -> Reply:
    fake = call.fake
    if call.q("fields") is None:
        raise drive_error(
            400, "The 'fields' parameter is required for this method.", "required", "fields"
        )
    about: Json = {
        "kind": "drive#about",
        "user": {
            "kind": "drive#user",
            "displayName": fake.user_name,
            "me": True,
            "permissionId": fake.user_permission_id,
            "emailAddress": fake.user_email,
        },
        "storageQuota": {"limit": "0", "usage": "0", "usageInDrive": "0", "usageInDriveTrash": "0"},
        "canCreateDrives": False,
        "appInstalled": False,
        "maxUploadSize": "5242880000000",
    }
    return 200, fieldmask.select(about, validate.parse_fields("drive", "About", call.q("fields")))


@handler("drive.comments.list")
def comments_list(call: Call) -> Reply:
    """Comments are not modelled: every file has none (gspread's copy() asks)."""
    _file(call)
    out: Json = {"kind": "drive#commentList", "comments": []}
    raw = call.q("fields")
    if raw is None:
        return 200, out
    return 200, fieldmask.select(out, validate.parse_fields("drive", "CommentList", raw))


@handler("drive.files.export")
def files_export(call: Call) -> Reply:
    """CSV/TSV of the first sheet's formatted values (what Drive exports); other types: 501."""
    meta = _file(call, shared_ok=True)
    mime = call.q("mimeType") or ""
    ss = call.fake.spreadsheets.get(meta["id"])
    if ss is None or mime not in ("text/csv", "text/tab-separated-values"):
        raise ApiError(501, f"fake: export to {mime!r} is not implemented")
    from tests.fakes.google_api.ranges import resolve
    from tests.fakes.google_api.sheets_api import value_range

    sheet = ss.sheets[0]
    grid = value_range(
        ss, resolve(ss, a1_sheet(sheet.title)), "FORMATTED_VALUE", "FORMATTED_STRING", "ROWS"
    ).get("values", [])
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if mime == "text/csv" else "\t", lineterminator="\r\n")
    writer.writerows(grid)
    return 200, Raw(out.getvalue().rstrip("\r\n").encode("utf-8"), mime)


def a1_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"
