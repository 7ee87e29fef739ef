"""The documentation in docs/: generated pages current, rule ids catalogued, example true."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from sheets_sync.catalogue import AREAS, CATALOGUE, area_of
from sheets_sync.docs_pages import REGENERATE, TYPE_TEXT, column_text, pages
from sheets_sync.findings import RULES
from sheets_sync.rules.cadence import add_cadence
from sheets_sync.rules.kpis import KpiInputs, evaluate
from sheets_sync.templates import load_template
from tests.helpers import base_tabs, run

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "sheets_sync"
RULE_ID = re.compile(r"[A-Z]+(?:-[A-Z0-9]+)+")


# -- the rule catalogue ------------------------------------------------------------------


def test_every_rule_has_a_catalogue_entry_and_every_entry_a_rule() -> None:
    assert set(CATALOGUE) - set(RULES) == set(), "catalogued but not in RULES"
    assert set(RULES) - set(CATALOGUE) == set(), "in RULES but not catalogued"
    for rule, doc in CATALOGUE.items():
        assert doc.when.strip() and doc.action.strip(), rule
        assert area_of(rule) in AREAS, rule


def _rule_literals() -> tuple[set[str], set[str]]:
    """Rule-id-shaped string literals in the package: (passed to finding(), all others).

    A literal counts as a rule id when it is a finding()/Finding() call's first argument
    or its ``rule=``, or when it starts with the prefix of a rule area (the ids kept in
    tables such as the KPI status messages, or compared with ``finding.rule``).
    """
    called: set[str] = set()
    prefixed: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("finding", "Finding"):
                    args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "rule")]
                    called.update(
                        a.value for a in args
                        if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    )
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and RULE_ID.fullmatch(node.value)
                and area_of(node.value) in AREAS
            ):
                prefixed.add(node.value)
    return called, prefixed


def test_every_rule_id_in_the_code_is_registered_and_catalogued() -> None:
    called, prefixed = _rule_literals()
    assert {"RACI-NO-A", "TABLE-HEADER-ROW", "SECURITY-EXTERNAL-FORMULA"} <= called
    assert {"KPI-STALE", "KPI-OFF-TRACK"} <= prefixed  # kept in a table, not in the call
    for rule in sorted(called | prefixed):
        assert RULE_ID.fullmatch(rule), rule
        assert rule in RULES, f"{rule} is used in sheets_sync/ but missing from RULES"
        assert rule in CATALOGUE, f"{rule} is used in sheets_sync/ but not catalogued"


# -- generated pages ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(pages()))
def test_generated_page_is_current(name: str) -> None:
    path = DOCS / name
    wanted = pages()[name].encode("utf-8")
    assert path.is_file(), f"docs/{name} is missing: run `{REGENERATE}` (or `make docs`)"
    assert path.read_bytes() == wanted, (
        f"docs/{name} differs from what the code generates: run `{REGENERATE}` "
        "(or `make docs`) and commit the result"
    )


def test_every_owned_column_and_type_is_described() -> None:
    template = load_template("partnership")
    for table in template.tables:
        for column in table.columns:
            if column.computed or table.kind == "generated":
                assert column_text(table, column), f"{table.name}: {column.header}"
            assert column.type in TYPE_TEXT or column.type in template.enums, column.type


def test_rules_page_lists_every_rule_with_its_severity() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for rule, severity in RULES.items():
        assert f"\n### {rule}\n\nSeverity: **{severity.label}**\n" in text, rule


# -- links -------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(text: str) -> set[str]:
    return {_slug(m[1]) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_relative_links_lead_to_files_and_headings_in_the_repo(page: str) -> None:
    path = DOCS / page
    text = path.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if target.startswith(("http:", "https:", "mailto:")):
            assert page != "index.md", f"index.md links outside the repository: {target}"
            continue
        assert not target.startswith("/"), f"{page}: {target} is not relative"
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        assert dest.exists(), f"{page} links to {target}, which does not exist"
        assert dest.is_relative_to(ROOT), f"{page}: {target} leaves the repository"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest.read_text(encoding="utf-8")), f"{page}: {target}"


def test_index_links_every_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = {t.partition("#")[0] for t in LINK.findall(index)}
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert page.name in linked, f"docs/index.md does not link {page.name}"


def test_readme_links_the_documentation() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Documentation" in readme
    assert "(docs/index.md)" in readme


# -- the worked example of docs/status-rules.md --------------------------------------------


def example_tables() -> dict[str, list[list[str]]]:
    """Each ``<!-- example: NAME -->`` table of the page: its rows below the header."""
    text = (DOCS / "status-rules.md").read_text(encoding="utf-8")
    tables: dict[str, list[list[str]]] = {}
    for match in re.finditer(r"<!-- example: ([\w-]+) -->\n((?:\|.*\|\n?)+)", text):
        lines = match[2].strip().splitlines()[2:]  # past the header and its --- line
        tables[match[1]] = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    return tables


def _pairs(rows: list[list[str]]) -> dict[str, str]:
    return {row[0]: row[1] for row in rows}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_the_worked_example_is_what_the_code_computes() -> None:
    tables = example_tables()
    assert set(tables) == {"goal", "kpi", "readings", "as-of", "steps", "result"}
    goal, kpi = _pairs(tables["goal"]), _pairs(tables["kpi"])
    steps, result = _pairs(tables["steps"]), _pairs(tables["result"])
    as_of = _date(_pairs(tables["as-of"])["As-of date"])

    tabs = base_tabs()
    goals_header = tabs["Goals"][0]
    tabs["Goals"][1][goals_header.index("Goal ID")] = goal["Goal ID"]
    tabs["Goals"][1][goals_header.index("Due date")] = _date(goal["Due date"])
    header = tabs["KPIs"][0]
    row = tabs["KPIs"][1]
    for column in ("KPI ID", "Goal ID", "Direction", "Cadence"):
        row[header.index(column)] = kpi[column]
    for column in ("Baseline", "Target"):
        row[header.index(column)] = float(kpi[column])
    for column in ("Start date", "Due date"):
        row[header.index(column)] = _date(kpi[column])
    tabs["KPI Log"][1:] = [
        [_date(day), kpi_id, float(value), None, None] for day, kpi_id, value in tables["readings"]
    ]
    analysis = run(tabs, as_of=as_of)
    computed = analysis.outcome.computed["KPIs"][0]

    assert computed["Latest value"] == pytest.approx(float(result["Latest value"]))
    assert computed["Latest date"] == _date(result["Latest date"])
    assert computed["Expected"] == pytest.approx(float(result["Expected"]))
    assert computed["Progress"] == pytest.approx(float(result["Progress"]))
    assert computed["Pace"] == pytest.approx(float(result["Pace"]))
    assert computed["Status"] == result["Status"]
    assert analysis.outcome.computed["Goals"][0]["Status"] == result["Goal status"]
    assert not [f for f in analysis.findings if f.tab == "KPIs" and f.key == kpi["KPI ID"]]

    start, due, latest = _date(kpi["Start date"]), _date(kpi["Due date"]), computed["Latest date"]
    assert (due - start).days == int(steps["Days from Start date to Due date"])
    assert (latest - start).days == int(steps["Days from Start date to Latest date"])
    assert (latest - start).days / (due - start).days == pytest.approx(
        float(steps["Elapsed share"])
    )
    inputs = KpiInputs(
        kpi["Direction"], float(kpi["Target"]), kpi["Cadence"], float(kpi["Baseline"]),
        start, due,
    )
    res = evaluate(inputs, (latest, computed["Latest value"]), as_of)
    assert res.pace == pytest.approx(float(steps["Pace"]))
    assert res.status == result["Status"]
    assert add_cadence(latest, kpi["Cadence"], 3) == _date(steps["Stale after"])
