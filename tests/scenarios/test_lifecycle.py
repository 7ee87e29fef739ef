"""Closing a goal, and the lifecycle and confidence columns, on a local workbook and on Google."""

from __future__ import annotations

import datetime as dt

from sheets_sync.sync import sync
from tests.scenarios.worlds import World, demo_in

AS_OF = dt.date(2026, 11, 27)


def column(world: World, tab: str, header: str) -> int:
    headers = [str(h).strip() if h is not None else "" for h in world.grid(tab)[0]]
    return headers.index(header)


def test_provision_adds_the_lifecycle_and_confidence_columns_with_dropdowns(
    world: World,
) -> None:
    demo_in(world, AS_OF)
    backend = world.backend()
    backend.read()
    backend.prepare_provision()  # Google reads the dropdowns only for provisioning
    wanted = {
        ("Goals", "State"): ("Active", "On hold", "Closed", "Dropped"),
        ("Goals", "Outcome"): ("Achieved", "Partially achieved", "Missed"),
        ("KPIs", "State"): ("Active", "On hold", "Closed", "Dropped"),
        ("KPI Log", "Confidence"): ("High", "Medium", "Low"),
    }
    for (tab, header), values in wanted.items():
        col = column(world, tab, header)
        facts = backend.formatting_of(tab)
        assert facts is not None and facts.dropdowns is not None, (world.name, tab)
        assert [v.values for v in facts.dropdowns if v.col == col] == [values], (tab, header)
    kpis = world.grid("KPIs")[0]
    assert kpis.index("Confidence") == kpis.index("Status") - 1


def test_a_closed_goal_reads_closed_after_a_sync(world: World) -> None:
    demo_in(world, AS_OF)
    goals = world.grid("Goals")
    state, status = column(world, "Goals", "State"), column(world, "Goals", "Status")
    review = column(world, "Goals", "Review status")
    row = 1
    goal = goals[row][0]
    assert goals[row][status] not in ("Closed", None)
    world.set("Goals", row, state, "Closed")
    result = sync(world.backend(), as_of=AS_OF)
    after = world.grid("Goals")
    assert after[row][status] == "Closed"
    assert after[row][review] in (None, "")
    rules = {(f.rule, f.key) for f in result.findings}
    assert ("GOAL-CLOSED-NO-OUTCOME", goal) in rules
    assert not any(f.tab == "Goals" and f.key == goal and f.rule.startswith("REVIEW-")
                   for f in result.findings)
    kpis = world.grid("KPIs")
    kgoal, kstatus = column(world, "KPIs", "Goal ID"), column(world, "KPIs", "Status")
    closed = [r for r in kpis[1:] if r[kgoal] == goal]
    assert closed and all(r[kstatus] in ("Closed", "Dropped") for r in closed)
