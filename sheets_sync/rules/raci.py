"""RACI: role columns, Accountable / Responsible, and the RACI-* findings."""

from __future__ import annotations

from dataclasses import dataclass

from sheets_sync.a1 import a1
from sheets_sync.coerce import display, is_blank
from sheets_sync.config import RulesConfig
from sheets_sync.findings import finding
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.rules.lifecycle import ENDED, states
from sheets_sync.tables import Table
from sheets_sync.templates import EnumSpec

TAB = "RACI"


@dataclass(frozen=True)
class RoleColumn:
    """An undeclared RACI column read as a person's (or role's) column."""

    col: int
    header: str
    known: bool  # the header is a Person or a Role in People


def people_names(ctx: Context) -> set[str]:
    """Case-folded Person and Role values from People."""
    names: set[str] = set()
    people = ctx.tables.get("People")
    if people is None or not people.present:
        return names
    for index in ctx.usable("People"):
        for header in ("Person", "Role"):
            value = people.records[index].get(header)
            if value:
                names.add(str(value).casefold())
    return names


def role_columns(ctx: Context, table: Table) -> tuple[list[RoleColumn], list[tuple[int, str]]]:
    """Split undeclared columns into role columns and a person's own columns."""
    if table.raw is None:
        raise ValueError(f"tab {table.name!r} was not read: it has no columns to split")
    raci = ctx.template.enum("raci")
    names = people_names(ctx)
    roles: list[RoleColumn] = []
    ignored: list[tuple[int, str]] = []
    for col, header in sorted(table.extra.items()):
        known = bool(header) and header.casefold() in names
        values = [table.raw.get(row, col) for row in table.rows]
        filled = [v for v in values if not is_blank(v)]
        all_raci = bool(filled) and all(
            isinstance(v, str) and raci.canonical(v) is not None for v in filled
        )
        if known or all_raci:
            roles.append(RoleColumn(col, header, known))
        else:
            ignored.append((col, header))
    return roles, ignored


def _column_findings(
    roles: list[RoleColumn], ignored: list[tuple[int, str]], outcome: Outcome
) -> None:
    """RACI-UNKNOWN-PERSON and RACI-IGNORED-COLUMN: role columns nobody in People heads."""
    for role in roles:
        if not role.known:
            outcome.findings.append(
                finding(
                    "RACI-UNKNOWN-PERSON",
                    TAB,
                    role.header or a1(0, role.col),
                    f"Role column {role.header!r} is not a Person or Role in People; add them "
                    "to People or fix the header's spelling.",
                    cell=a1(0, role.col),
                    column=role.header,
                )
            )
    for col, header in ignored:
        outcome.findings.append(
            finding(
                "RACI-IGNORED-COLUMN",
                TAB,
                header or a1(0, col),
                f"Column {header or a1(0, col)!r} is not a role column (its header is not in "
                "People and it holds other values than R, A, C, I, A/R); it is kept and ignored.",
                cell=a1(0, col),
                column=header,
            )
        )


def _task_roles(
    table: Table, index: int, roles: list[RoleColumn], raci: EnumSpec, outcome: Outcome
) -> tuple[list[str], list[str]]:
    """Who is Accountable and who Responsible for one task; RACI-BAD-VALUE for the rest."""
    row = table.rows[index]
    accountable: list[str] = []
    responsible: list[str] = []
    for role in roles:
        value = table.raw.get(row, role.col) if table.raw is not None else None
        if is_blank(value):
            continue
        code = raci.canonical(value) if isinstance(value, str) else None
        if code is None:
            outcome.findings.append(
                finding(
                    "RACI-BAD-VALUE",
                    TAB,
                    table.key(index),
                    f"{role.header} {display(value)!r} is not one of R, A, C, I, A/R.",
                    cell=a1(row, role.col),
                    column=role.header,
                    row=row,
                )
            )
            continue
        if code in ("A", "A/R"):
            accountable.append(role.header)
        if code in ("R", "A/R"):
            responsible.append(role.header)
    return accountable, responsible


def _count_findings(
    table: Table,
    index: int,
    accountable: list[str],
    responsible: list[str],
    limits: RulesConfig,
    outcome: Outcome,
) -> None:
    """RACI-NO-A, RACI-MULTI-A, RACI-NO-R and RACI-TOO-MANY-R for one task."""
    row, key = table.rows[index], table.key(index)
    cell = table.cell(index, "Accountable")
    if not accountable:
        outcome.findings.append(
            finding(
                "RACI-NO-A",
                TAB,
                key,
                "No one is Accountable; mark exactly one person A (or A/R).",
                cell=cell,
                column="Accountable",
                row=row,
            )
        )
    elif len(accountable) > 1:
        outcome.findings.append(
            finding(
                "RACI-MULTI-A",
                TAB,
                key,
                f"{len(accountable)} people are Accountable ({', '.join(accountable)}); "
                "keep exactly one A and make the others R or C.",
                cell=cell,
                column="Accountable",
                row=row,
            )
        )
    if not responsible:
        outcome.findings.append(
            finding(
                "RACI-NO-R",
                TAB,
                key,
                "No one is Responsible; mark who does the work R (A/R counts).",
                cell=table.cell(index, "Responsible"),
                column="Responsible",
                row=row,
            )
        )
    elif len(responsible) > limits.max_responsible:
        outcome.findings.append(
            finding(
                "RACI-TOO-MANY-R",
                TAB,
                key,
                f"{len(responsible)} people are Responsible (more than "
                f"{limits.max_responsible}); name fewer, or split the task.",
                cell=table.cell(index, "Responsible"),
                column="Responsible",
                row=row,
            )
        )


def compute(ctx: Context, outcome: Outcome) -> None:
    """Fill Accountable and Responsible; report every RACI-* finding."""
    table = ctx.tables.get(TAB)
    if table is None or not table.present or table.raw is None:
        return
    raci = ctx.template.enum("raci")
    limits = ctx.rules
    roles, ignored = role_columns(ctx, table)
    _column_findings(roles, ignored, outcome)
    accountable_for: dict[str, list[str]] = {}
    lifecycle = states(ctx)
    for index in ctx.usable(TAB):
        accountable, responsible = _task_roles(table, index, roles, raci, outcome)
        outcome.set(TAB, index, "Accountable", ", ".join(accountable) or None)
        outcome.set(TAB, index, "Responsible", ", ".join(responsible) or None)
        outcome.task_roles[index] = (accountable, responsible)
        if lifecycle.goal(table.records[index].get("Goal ID")) in ENDED:
            continue  # the task of a Closed or Dropped goal: nobody need act on its roles
        _count_findings(table, index, accountable, responsible, limits, outcome)
        for person in accountable:
            accountable_for.setdefault(person, []).append(table.key(index))
    by_header = {role.header: role.col for role in roles}
    for person, tasks in accountable_for.items():
        if len(tasks) > limits.max_accountable:
            outcome.findings.append(
                finding(
                    "RACI-OVERLOAD",
                    TAB,
                    person,
                    f"{person} is Accountable for {len(tasks)} tasks (more than "
                    f"{limits.max_accountable}); share the load.",
                    cell=a1(0, by_header[person]),
                    column=person,
                )
            )
