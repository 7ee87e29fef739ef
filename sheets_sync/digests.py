"""Who must hear about what: one digest per person with something to act on.

After a sync, each Person in People with a valid Email who has something open (not
acknowledged or snoozed) gets one digest listing it:

- the KPI-* findings of KPIs they own (the finding's owner);
- for goals they own or partner-own: REVIEW-* and GOAL-NO-KPI findings, and a goal
  Status of Off track or Overdue;
- RACI findings on tasks where they are Accountable;
- a task with no Accountable goes to the Owner of the task's goal (or, when the goal
  has no Owner People knows, to the configured fallback addresses).

Each item says what is wrong, since when, and links to its cell. Nobody with nothing
to do gets a digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sheets_sync.a1 import column_letter
from sheets_sync.findings import Finding

if TYPE_CHECKING:
    from sheets_sync.sync import Analysis, SyncResult

#: Goal statuses that need the goal's owners.
GOAL_ALARMS = ("Off track", "Overdue")
GOAL_RULES = ("REVIEW-OVERDUE", "REVIEW-NEVER", "GOAL-NO-KPI")

#: (tab, A1 cell) -> a link a person can follow to that cell.
Linker = Callable[[str, str], str]


@dataclass(frozen=True)
class Item:
    """One thing a person must act on."""

    about: str  # "KPI K5", "Goal G3", "Task T7"
    rule: str  # the finding's rule id, or Status for a goal's status
    what: str
    since: dt.date | None
    tab: str
    cell: str
    link: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.about)

    @property
    def since_text(self) -> str:
        """``since 2026-11-09``; an item with no start date is new since the last sync."""
        return f"since {self.since.isoformat()}" if self.since else "since the last sync"


@dataclass
class Digest:
    """Everything one person must act on, as of one day."""

    person: str
    email: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Recipients:
    """What digests go out, and who could not get one."""

    digests: list[Digest]
    #: a person with something to act on and no usable address, and why
    unreachable: list[str] = field(default_factory=list)


class _People:
    """People's Persons, their addresses, and the goals' and tasks' owners."""

    def __init__(self, analysis: Analysis) -> None:
        ctx = analysis.context
        self.ctx = ctx
        self.spelling: dict[str, str] = {}
        self.email: dict[str, str] = {}
        self.by_role: dict[str, list[str]] = {}
        people = ctx.tables.get("People")
        if people is not None and people.present:
            for index in ctx.usable("People"):
                record = people.records[index]
                person = record.get("Person")
                if person is None:
                    continue
                name = str(person)
                self.spelling.setdefault(name.casefold(), name)
                if people.is_valid(index, "Email") and record.get("Email"):
                    self.email.setdefault(name, str(record["Email"]))
                role = record.get("Role")
                if role:
                    self.by_role.setdefault(str(role).casefold(), []).append(name)

    def person(self, value: Any) -> str | None:
        return None if value is None else self.spelling.get(str(value).casefold())

    def holders(self, header: str) -> list[str]:
        """A RACI column header as the people it names (a Person, or a Role's holders)."""
        person = self.person(header)
        return [person] if person else list(self.by_role.get(header.casefold(), []))

    def record(self, tab: str, key: str) -> dict[str, Any] | None:
        table = self.ctx.tables.get(tab)
        if table is None or not table.present:
            return None
        index = self.ctx.keys(tab).get(key.casefold())
        return None if index is None else table.records[index]

    def goal_owners(self, goal: Any) -> list[str]:
        record = self.record("Goals", str(goal)) if goal is not None else None
        if record is None:
            return []
        found = [self.person(record.get(h)) for h in ("Owner", "Partner owner")]
        return list(dict.fromkeys(p for p in found if p))


def _task_index(analysis: Analysis, key: str) -> int | None:
    if "RACI" not in analysis.context.tables:
        return None
    return analysis.context.keys("RACI").get(key.casefold())


def plan(
    result: SyncResult,
    analysis: Analysis,
    link: Linker,
    fallback: Sequence[str] = (),
) -> Recipients:
    """The digests of a sync's result (its open findings and statuses)."""
    people = _People(analysis)
    wanted: dict[str, list[Item]] = {}  # person or fallback address -> items
    unreachable: list[str] = []

    def give(to: str, item: Item) -> None:
        items = wanted.setdefault(to, [])
        if item not in items:
            items.append(item)

    for f in result.active:
        item = _item(f, result, link)
        for to in _recipients(f, analysis, people, fallback):
            give(to, item)
    goals = analysis.context.tables.get("Goals")
    for index, status in analysis.outcome.statuses.get("Goals", {}).items():
        if status not in GOAL_ALARMS or goals is None or not goals.present:
            continue
        key = goals.key(index)
        col = goals.col("Status")
        row = goals.rows[index]
        cell = f"{column_letter(col)}{row + 1}" if col is not None else ""
        item = Item(f"Goal {key}", "Status", f"Goal {key} is {status}.",
                    _since(analysis, ("goal", key.casefold()), status), "Goals", cell,
                    link("Goals", cell or "A1"))
        for to in people.goal_owners(key):
            give(to, item)
    digests: list[Digest] = []
    for to, items in wanted.items():
        if "@" in to and to not in people.email.values() and people.person(to) is None:
            digests.append(Digest(to, to, items))  # a fallback address
            continue
        email = people.email.get(to)
        if email is None:
            unreachable.append(f"{to} has {len(items)} thing(s) to act on but no valid Email "
                               "in People: no digest")
            continue
        digests.append(Digest(to, email, items))
    digests.sort(key=lambda d: d.person.casefold())
    return Recipients(digests, unreachable)


def _recipients(
    f: Finding, analysis: Analysis, people: _People, fallback: Sequence[str]
) -> list[str]:
    if f.rule.startswith("KPI-"):
        owner = people.person(f.owner)
        return [owner] if owner else []
    if f.rule in GOAL_RULES and f.tab in ("Goals", "Reviews"):
        goal = f.key.split(" @ ")[0]
        return people.goal_owners(goal)
    if f.tab == "RACI" and f.rule.startswith("RACI-") and f.row:
        index = _task_index(analysis, f.key)
        if index is None:
            return []
        if f.rule == "RACI-NO-A":
            task_goal = analysis.context.tables["RACI"].records[index].get("Goal ID")
            record = people.record("Goals", str(task_goal)) if task_goal is not None else None
            owner = people.person(record.get("Owner")) if record is not None else None
            return [owner] if owner else list(fallback)
        headers = analysis.outcome.task_roles.get(index, ([], []))[0]
        return list(dict.fromkeys(p for h in headers for p in people.holders(h)))
    return []


def _item(f: Finding, result: SyncResult, link: Linker) -> Item:
    kind = {"KPIs": "KPI", "KPI Log": "KPI", "Goals": "Goal", "Reviews": "Goal",
            "RACI": "Task"}.get(f.tab, f.tab)
    return Item(f"{kind} {f.key}", f.rule, f.message, result.first_seen.get(f.identity),
                f.tab, f.cell, link(f.tab, f.cell or "A1"))


def _since(analysis: Analysis, key: tuple[str, str], status: str) -> dt.date | None:
    """The first day of the History periods in a row, up to now, with ``status``."""
    from sheets_sync.periods import parse_period

    history = analysis.history
    start = None
    for label in reversed(history.labels()):
        if history.status(key, label) != status:
            break
        start = label
    if start is None:
        return None
    period = parse_period(start, "week" if "-W" in start else "month")
    return period.first if period is not None else None


__all__ = ["GOAL_ALARMS", "Digest", "Item", "Recipients", "plan"]
