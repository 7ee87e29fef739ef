"""Goal Status, GOAL-NO-KPI, GOAL-ONE-SIDED and GOAL-CLOSED-NO-OUTCOME.

A Closed or Dropped goal shows that state as its Status and raises no GOAL-NO-KPI; the
roll-up of an open goal leaves its Closed and Dropped KPIs out.
"""

from __future__ import annotations

from sheets_sync.findings import finding
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.rules.lifecycle import ENDED, states
from sheets_sync.tables import Table

TAB = "Goals"
#: Worst first: a goal takes the worst status among its KPIs.
SEVERITY_ORDER = ("Overdue", "Off track", "Stale", "At risk", "No data", "On track", "Achieved")


def rollup(kpi_statuses: list[str]) -> str:
    """The worst non-blank status, or No data when there is none (Closed and Dropped
    KPIs do not count)."""
    present = [s for s in kpi_statuses if s and s not in ENDED]
    if not present:
        return "No data"
    return min(present, key=SEVERITY_ORDER.index)


def _no_outcome(table: Table, index: int, outcome: Outcome) -> None:
    """GOAL-CLOSED-NO-OUTCOME: a Closed goal whose Outcome is blank (not merely misspelt)."""
    rec = table.records[index]
    if rec.get("Outcome") is not None or not table.is_valid(index, "Outcome"):
        return
    column = "Outcome" if table.col("Outcome") is not None else "State"
    outcome.findings.append(
        finding(
            "GOAL-CLOSED-NO-OUTCOME",
            TAB,
            table.key(index),
            f"Goal {rec.get('Goal ID')} is Closed without an Outcome; record how it ended "
            "(Achieved, Partially achieved or Missed).",
            cell=table.cell(index, column),
            column=column,
            row=table.rows[index],
        )
    )


def compute(ctx: Context, outcome: Outcome) -> None:
    """Fill Goals' Status; report goals with no KPI and one-sided goals."""
    table = ctx.tables.get(TAB)
    if table is None or not table.present:
        return
    kpis = ctx.tables.get("KPIs")
    by_goal: dict[str, list[str]] = {}
    if kpis is not None and kpis.present:
        statuses = outcome.statuses.get("KPIs", {})
        for index in ctx.usable("KPIs"):
            goal = kpis.records[index].get("Goal ID")
            if goal is not None:
                by_goal.setdefault(str(goal).casefold(), []).append(statuses.get(index, ""))
    people = ctx.tables.get("People")
    orgs: dict[str, str] = {}
    if people is not None and people.present:
        for key, index in ctx.keys("People").items():
            org = people.records[index].get("Organization")
            if org:
                orgs[key] = str(org).casefold()
    lifecycle = states(ctx)
    for index in ctx.usable(TAB):
        rec = table.records[index]
        goal = rec.get("Goal ID")
        if goal is None:
            continue
        key, row = table.key(index), table.rows[index]
        kpi_statuses = by_goal.get(str(goal).casefold())
        due = rec.get("Due date")
        state = lifecycle.goal(goal)
        if state in ENDED:
            outcome.set(TAB, index, "Status", state)
            outcome.statuses.setdefault(TAB, {})[index] = state
            if state == "Closed":
                _no_outcome(table, index, outcome)
        elif due is not None:
            status = rollup(kpi_statuses or [])
            if ctx.as_of > due and status != "Achieved":
                status = "Overdue"
            outcome.set(TAB, index, "Status", status)
            outcome.statuses.setdefault(TAB, {})[index] = status
        if kpis is not None and kpis.present and not kpi_statuses and state not in ENDED:
            outcome.findings.append(
                finding(
                    "GOAL-NO-KPI",
                    TAB,
                    key,
                    f"Goal {goal} has no KPI; add at least one measurable KPI for it in KPIs.",
                    cell=table.cell(index, "Goal ID"),
                    column="Goal ID",
                    row=row,
                )
            )
        owner, partner = rec.get("Owner"), rec.get("Partner owner")
        if owner is None or not table.is_valid(index, "Partner owner"):
            continue
        if partner is None:
            message = "No Partner owner: name someone from the other organization."
        elif orgs.get(str(owner).casefold()) and orgs.get(str(owner).casefold()) == orgs.get(
            str(partner).casefold()
        ):
            message = f"Owner {owner} and Partner owner {partner} are in the same Organization."
        else:
            continue
        outcome.findings.append(
            finding(
                "GOAL-ONE-SIDED",
                TAB,
                key,
                message,
                cell=table.cell(index, "Partner owner"),
                column="Partner owner",
                row=row,
            )
        )
