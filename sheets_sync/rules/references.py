"""REF-UNKNOWN: a Goal ID, KPI ID or person that does not exist where it must."""

from __future__ import annotations

from collections.abc import Mapping

from sheets_sync.findings import finding
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.templates import REFERENCE_TABS

WHERE = {"People": "Person in People", "Goals": "Goal ID in Goals", "KPIs": "KPI ID in KPIs"}


def check(ctx: Context, outcome: Outcome) -> None:
    """Every reference column must name an existing key of its tab."""
    keys: dict[str, Mapping[str, int]] = {}
    for tab_name, table in ctx.tables.items():
        for col in table.spec.inputs:
            target = REFERENCE_TABS.get(col.type)
            if target is None or col.norm not in table.columns:
                continue
            target_table = ctx.tables.get(target)
            if target_table is None or not target_table.present:
                continue  # TABLE-MISSING-TAB already says so; one finding, not hundreds
            if target not in keys:
                keys[target] = ctx.keys(target)
            known = keys[target]
            for index in table:
                value = table.records[index].get(col.header)
                if value is None or str(value).casefold() in known:
                    continue
                outcome.findings.append(
                    finding(
                        "REF-UNKNOWN",
                        tab_name,
                        table.key(index),
                        f"{col.header} {value!r} is not a {WHERE[target]}; fix the spelling or "
                        f"add it to {target}.",
                        cell=table.cell(index, col.header),
                        column=col.header,
                        row=table.rows[index],
                    )
                )
