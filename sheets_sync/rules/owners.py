"""Who must act on each finding, and each person's workload (People's computed counts).

A finding's owner is the person who can put it right: a KPI's Owner for its KPI and
its readings, a goal's Owner for the goal and its reviews, a task's Accountable for
the task (the Owner of the task's goal when the task has no Accountable, or several,
since someone above the task must settle it). An owner is always a Person in People,
spelled as People spells it; a name People lacks falls back to the goal's Owner, else
to nobody.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from sheets_sync.findings import Finding
from sheets_sync.rules.context import Context, Outcome

#: Statuses that need nobody's attention (Closed and Dropped KPIs are over).
SETTLED = ("On track", "Achieved", "Closed", "Dropped")
WORKLOAD = ("Accountable for", "Responsible for", "KPIs needing attention", "Open findings")


class _Directory:
    """People by name, the goals' Owners and the records behind each grid row."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.people: dict[str, str] = {}  # case-folded Person -> Person
        self.by_role: dict[str, list[str]] = {}  # case-folded Role -> Persons
        people = ctx.tables.get("People")
        if people is not None and people.present:
            for index in ctx.usable("People"):
                person = people.records[index].get("Person")
                if person is None:
                    continue
                self.people.setdefault(str(person).casefold(), str(person))
                role = people.records[index].get("Role")
                if role:
                    self.by_role.setdefault(str(role).casefold(), []).append(str(person))
        self.rows: dict[str, dict[int, int]] = {
            name: {row: index for index, row in enumerate(table.rows)}
            for name, table in ctx.tables.items()
            if table.present
        }

    def person(self, name: Any) -> str:
        """People's spelling of ``name``; a Role held by exactly one person is that person."""
        if name is None:
            return ""
        folded = str(name).casefold()
        if folded in self.people:
            return self.people[folded]
        holders = self.by_role.get(folded, [])
        return holders[0] if len(holders) == 1 else ""

    def record(self, tab: str, index: int, header: str) -> Any:
        table = self.ctx.tables.get(tab)
        if table is None or not table.present or not table.is_valid(index, header):
            return None
        return table.records[index].get(header)

    def goal_owner(self, goal: Any) -> str:
        if goal is None or "Goals" not in self.ctx.tables:
            return ""
        index = self.ctx.keys("Goals").get(str(goal).casefold())
        return "" if index is None else self.person(self.record("Goals", index, "Owner"))

    def kpi_owner(self, kpi: Any) -> str:
        if kpi is None or "KPIs" not in self.ctx.tables:
            return ""
        index = self.ctx.keys("KPIs").get(str(kpi).casefold())
        if index is None:
            return ""
        owner = self.person(self.record("KPIs", index, "Owner"))
        return owner or self.goal_owner(self.record("KPIs", index, "Goal ID"))

    def task_owner(self, index: int, outcome: Outcome) -> str:
        accountable, _ = outcome.task_roles.get(index, ([], []))
        if len(accountable) == 1:
            owner = self.person(accountable[0])
            if owner:
                return owner
        return self.goal_owner(self.record("RACI", index, "Goal ID"))


def _owner(f: Finding, d: _Directory, outcome: Outcome) -> str:
    if f.rule == "RACI-OVERLOAD":
        return d.person(f.key)
    index = d.rows.get(f.tab, {}).get(f.row) if f.row else None
    if index is None:
        return ""
    if f.tab == "KPIs":
        return d.kpi_owner(d.record("KPIs", index, "KPI ID"))
    if f.tab == "KPI Log":
        return d.kpi_owner(d.record("KPI Log", index, "KPI ID"))
    if f.tab in ("Goals", "Reviews"):
        return d.goal_owner(d.record(f.tab, index, "Goal ID"))
    if f.tab == "RACI":
        return d.task_owner(index, outcome)
    if f.tab == "People":
        return d.person(d.record("People", index, "Person"))
    return ""


def assign_owners(ctx: Context, outcome: Outcome, findings: list[Finding]) -> list[Finding]:
    """``findings`` (same order), each with the person who must act on it."""
    directory = _Directory(ctx)
    return [dataclasses.replace(f, owner=_owner(f, directory, outcome)) for f in findings]


def workload(ctx: Context, outcome: Outcome, findings: list[Finding]) -> None:
    """People's computed counts: tasks Accountable and Responsible for, KPIs needing
    attention, open findings owned.

    A role column headed by a Role counts for every person holding that Role.
    """
    people = ctx.tables.get("People")
    if people is None or not people.present:
        return
    directory = _Directory(ctx)

    def holders(header: str) -> set[str]:
        folded = header.casefold()
        if folded in directory.people:
            return {directory.people[folded]}
        return set(directory.by_role.get(folded, []))

    accountable: Counter[str] = Counter()
    responsible: Counter[str] = Counter()
    for a_list, r_list in outcome.task_roles.values():
        accountable.update({p for h in a_list for p in holders(h)})
        responsible.update({p for h in r_list for p in holders(h)})
    attention: Counter[str] = Counter()
    kpis = ctx.tables.get("KPIs")
    if kpis is not None and kpis.present:
        statuses = outcome.statuses.get("KPIs", {})
        for index in ctx.usable("KPIs"):
            if statuses.get(index) in SETTLED:
                continue
            owner = directory.person(directory.record("KPIs", index, "Owner"))
            if owner:
                attention[owner] += 1
    owned = Counter(f.owner for f in findings if f.owner)
    for index in ctx.usable("People"):
        person = directory.person(people.records[index].get("Person"))
        if not person:
            continue
        counts = (accountable[person], responsible[person], attention[person], owned[person])
        for header, count in zip(WORKLOAD, counts, strict=True):
            outcome.set("People", index, header, count)
