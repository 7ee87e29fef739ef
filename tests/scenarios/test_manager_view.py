"""What a manager reads in the workbook: who must act, the workload, the Dashboard, and a
renamed tab that strands nothing. Each on a local workbook and on Google."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sheets_sync.backends.base import Link
from sheets_sync.sync import SyncResult, provision, sync
from sheets_sync.templates import load_template
from tests.scenarios.worlds import World, demo_in

AS_OF = dt.date(2026, 11, 27)


def demo(world: World) -> SyncResult:
    result: SyncResult = demo_in(world, AS_OF)
    return result


def records(world: World, tab: str) -> list[dict[str, Any]]:
    grid = world.grid(tab)
    header = [str(h) if h is not None else "" for h in grid[0]]
    return [
        {h: (row[i] if i < len(row) else None) for i, h in enumerate(header)}
        for row in grid[1:]
        if any(v not in (None, "") for v in row)
    ]


def text(value: Any) -> str:
    return value.text if isinstance(value, Link) else "" if value is None else str(value)


# --- who must act ---------------------------------------------------------------------------


def expected_owners(world: World) -> list[str]:
    """The Owner each Issues row should name, worked out from the tabs themselves."""
    goals = {g["Goal ID"]: g["Owner"] for g in records(world, "Goals")}
    kpis = {k["KPI ID"]: k["Owner"] for k in records(world, "KPIs")}
    tasks = {t["Task ID"]: t for t in records(world, "RACI")}
    owners = []
    for row in records(world, "Issues"):
        tab, key = row["Tab"], str(row["Key"]).split(" @ ")[0]
        if tab in ("KPIs", "KPI Log"):
            owners.append(kpis[key])
        elif tab in ("Goals", "Reviews"):
            owners.append(goals[key])
        elif tab == "RACI":
            accountable = text(tasks[key]["Accountable"])
            one = accountable and "," not in accountable
            owners.append(accountable if one else goals[tasks[key]["Goal ID"]])
        else:
            owners.append("")
    return owners


def test_each_issue_names_who_must_act(world: World) -> None:
    demo(world)
    headers = [c.header for c in load_template().table("Issues").columns]
    assert world.grid("Issues")[0][: len(headers)] == headers
    assert headers[4:7] == ["Key", "Owner", "Message"]
    issues = records(world, "Issues")
    assert [text(r["Owner"]) for r in issues] == expected_owners(world)
    by_rule = {r["Rule"]: text(r["Owner"]) for r in issues}
    # T7 has no Accountable: its goal's Owner must act; T13 has two: its goal's Owner decides.
    goals = {g["Goal ID"]: g["Owner"] for g in records(world, "Goals")}
    tasks = {t["Task ID"]: t["Goal ID"] for t in records(world, "RACI")}
    assert by_rule["RACI-NO-A"] == goals[tasks["T7"]]
    assert by_rule["RACI-MULTI-A"] == goals[tasks["T13"]]


def test_people_show_each_persons_workload(world: World) -> None:
    demo(world)
    people = records(world, "People")
    names = [p["Person"] for p in people]
    tasks = records(world, "RACI")
    accountable: Counter[str] = Counter()
    responsible: Counter[str] = Counter()
    for task in tasks:
        for name in names:
            code = str(task.get(name) or "").replace(" ", "").upper()
            accountable[name] += code in ("A", "A/R", "R/A")
            responsible[name] += code in ("R", "A/R", "R/A")
    attention = Counter(
        k["Owner"] for k in records(world, "KPIs") if k["Status"] not in ("On track", "Achieved")
    )
    owned = Counter(text(r["Owner"]) for r in records(world, "Issues"))
    for person in people:
        name = person["Person"]
        got = [
            person["Accountable for"],
            person["Responsible for"],
            person["KPIs needing attention"],
            person["Open findings"],
        ]
        assert got == [accountable[name], responsible[name], attention[name], owned[name]], name
    assert sum(p["KPIs needing attention"] for p in people) == 5  # K4, K5, K7, K10, K13


# --- the Dashboard -------------------------------------------------------------------------


def test_dashboard_lists_what_it_counts_on_one_page(world: World) -> None:
    demo(world)
    rows = [[*r, None, None, None][:3] for r in world.grid("Dashboard")]
    assert len(rows) <= 45  # one landscape page
    kpis = records(world, "KPIs")
    section = [r[0] for r in rows].index("KPIs by status")
    for label, count, detail in rows[section + 1 : section + 8]:
        status = str(label).strip()
        ids = [k["KPI ID"] for k in kpis if k["Status"] == status]
        assert (count, text(detail)) == (len(ids), ", ".join(ids)), status
    split = [r[0] for r in rows].index("Goals per Organization")
    orgs = {p["Organization"] for p in records(world, "People")}
    table = [r for r in rows[split + 1 :] if r[0] and str(r[0]).startswith("  ")]
    table = table[: len([r for r in table if str(r[0]).strip() in orgs])]
    assert {str(r[0]).strip() for r in table} <= orgs
    goals = records(world, "Goals")
    owner_org = {p["Person"]: p["Organization"] for p in records(world, "People")}
    for label, count, detail in table:
        org = str(label).strip()
        statuses = Counter(g["Status"] for g in goals if owner_org[g["Owner"]] == org)
        assert count == sum(statuses.values())
        for status, n in statuses.items():
            assert f"{status} {n}" in text(detail)
    by_label = {str(r[0]).strip(): r for r in rows}
    assert by_label["Tasks without exactly one Accountable"][1:] == [2, "T7, T13"]


# --- a renamed tab ---------------------------------------------------------------------------


COMPUTED_KPI = ("Latest value", "Latest date", "Expected", "Progress", "Pace", "Status", "Issues")


def test_a_renamed_tab_is_named_and_strands_nothing(world: World) -> None:
    demo(world)
    before = {tab: world.grid(tab) for tab in ("KPIs", "Goals")}
    world.rename_tab("KPI Log", "KPI log 2026")
    result = sync(world.backend(), as_of=AS_OF + dt.timedelta(days=30))
    missing = [f for f in result.findings if f.rule == "TABLE-MISSING-TAB"]
    assert [f.tab for f in missing] == ["KPI Log"]
    assert "did you mean 'KPI log 2026'?" in missing[0].message
    assert "provision" not in missing[0].message
    assert not {"KPI-NO-DATA", "KPI-STALE"} & {f.rule for f in result.findings}
    kpis = world.grid("KPIs")
    header = [str(h) for h in kpis[0]]
    for name in COMPUTED_KPI:
        col = header.index(name)
        assert [r[col] if col < len(r) else None for r in kpis] == [
            r[col] if col < len(r) else None for r in before["KPIs"]
        ], name
    status = [str(h) for h in before["Goals"][0]].index("Status")
    assert [r[status] for r in world.grid("Goals")] == [r[status] for r in before["Goals"]]
    assert any("'KPI Log' is missing" in note and "left as they were" in note
               for note in result.notes)
    plan = provision(world.backend(), dry_run=True)
    assert "KPI Log" not in plan.add_tabs
    assert any("not adding tab 'KPI Log': tab 'KPI log 2026' holds its headers" in step
               for step in plan.steps)
    # Renamed back: everything is computed again, as of the new date.
    world.rename_tab("KPI log 2026", "KPI Log")
    again = sync(world.backend(), as_of=AS_OF + dt.timedelta(days=30))
    assert "TABLE-MISSING-TAB" not in {f.rule for f in again.findings}
    assert again.notes == []
    assert "KPI-STALE" in {f.rule for f in again.findings}
