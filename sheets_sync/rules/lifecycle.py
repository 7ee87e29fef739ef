"""Lifecycle: the State of goals and KPIs, and what each state mutes.

A goal's State is its own (blank is Active); a KPI's is its own when set, else its
goal's. Closed and Dropped goals and KPIs show that state as their Status and raise no
finding about progress, reviews or tasks; On hold ones keep their statuses but raise no
finding about silence (KPI-STALE, KPI-NO-DATA, REVIEW-OVERDUE, REVIEW-NEVER).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sheets_sync.rules.context import Context

ACTIVE = "Active"
ON_HOLD = "On hold"
#: States that end a goal or KPI: its Status reads the state itself.
ENDED = ("Closed", "Dropped")
#: Findings about silence, which a paused (On hold) goal or KPI does not raise.
PAUSED_RULES = frozenset({"KPI-STALE", "KPI-NO-DATA", "REVIEW-OVERDUE", "REVIEW-NEVER"})


@dataclass
class States:
    """Every goal's and KPI's state, Active when nothing says otherwise."""

    #: case-folded Goal ID -> the goal's State
    goals: dict[str, str] = field(default_factory=dict)
    #: KPIs record index -> the KPI's effective State
    kpis: dict[int, str] = field(default_factory=dict)
    #: case-folded KPI ID -> the KPI's effective State
    kpi_ids: dict[str, str] = field(default_factory=dict)

    def goal(self, goal_id: object) -> str:
        if goal_id is None:
            return ACTIVE
        return self.goals.get(str(goal_id).casefold(), ACTIVE)

    def kpi(self, index: int) -> str:
        return self.kpis.get(index, ACTIVE)

    def kpi_id(self, kpi_id: object) -> str:
        if kpi_id is None:
            return ACTIVE
        return self.kpi_ids.get(str(kpi_id).casefold(), ACTIVE)


def _state(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def states(ctx: Context) -> States:
    """The states of this workbook's goals and KPIs (worked out once per analysis)."""
    cached = ctx.cache.get("states")
    if isinstance(cached, States):
        return cached
    found = States()
    goals = ctx.tables.get("Goals")
    if goals is not None and goals.present:
        for key, index in ctx.keys("Goals").items():
            state = _state(goals.records[index].get("State"))
            if state is not None:
                found.goals[key] = state
    kpis = ctx.tables.get("KPIs")
    if kpis is not None and kpis.present:
        for index in ctx.usable("KPIs"):
            record = kpis.records[index]
            state = _state(record.get("State")) or found.goal(record.get("Goal ID"))
            found.kpis[index] = state
            kpi_id = record.get("KPI ID")
            if kpi_id is not None:
                found.kpi_ids.setdefault(str(kpi_id).casefold(), state)
    ctx.cache["states"] = found
    return found


def mutes(state: str, rule: str) -> bool:
    """Whether a goal or KPI in ``state`` does not raise ``rule``."""
    return state in ENDED or (state == ON_HOLD and rule in PAUSED_RULES)
