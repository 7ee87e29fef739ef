"""KPI Log readings that look wrong: KPI-READING-IMPLAUSIBLE and KPI-DUPLICATE-READING.

Neither finding drops a reading: the status rules still use it, and the finding is the
signal that a person should look at it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sheets_sync.findings import finding
from sheets_sync.rules.context import Context, Outcome
from sheets_sync.rules.lifecycle import ENDED, states

TAB = "KPIs"
LOG = "KPI Log"
PACED = ("increase", "decrease")
#: How many times the baseline-to-target distance (or the target) a reading may be away.
IMPLAUSIBLE_FACTOR = 10.0


@dataclass(frozen=True)
class Reading:
    """One readable KPI Log row: Date (on or before the as-of date), KPI ID and Value."""

    index: int
    row: int  # 0-based grid row
    kpi: str
    date: dt.date
    value: float


def readings(ctx: Context) -> list[Reading]:
    """Every reading of KPI Log, in sheet order."""
    if LOG not in ctx.tables or not ctx.tables[LOG].present:
        return []
    log = ctx.tables[LOG]
    found = []
    for index in ctx.usable(LOG):
        rec = log.records[index]
        date, kpi, value = rec.get("Date"), rec.get("KPI ID"), rec.get("Value")
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date) or kpi is None or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if date <= ctx.as_of:
            found.append(Reading(index, log.rows[index], str(kpi), date, float(value)))
    return sorted(found, key=lambda r: r.row)


def implausible_limit(direction: str, target: float, baseline: float | None) -> float | None:
    """How far from its reference a reading may be, and still be plausible.

    Paced KPIs: 10 times the Baseline-to-Target distance, measured from Baseline (10 times
    the Target, at least 10, when the two are equal). Maintain KPIs: 10 times the Target
    (at least 10), measured from zero. None when the KPI lacks what that needs.
    """
    if direction in PACED:
        if baseline is None:
            return None
        distance = abs(target - baseline)
        if distance == 0:
            return IMPLAUSIBLE_FACTOR * max(abs(target), 1.0)
        return IMPLAUSIBLE_FACTOR * distance
    return IMPLAUSIBLE_FACTOR * max(abs(target), 1.0)


def is_implausible(direction: str, target: float, baseline: float | None, value: float) -> bool:
    """Whether a reading is too far from the KPI's Baseline (or zero) to be believed."""
    limit = implausible_limit(direction, target, baseline)
    if limit is None:
        return False
    origin = baseline if direction in PACED and baseline is not None else 0.0
    return bool(abs(value - origin) > limit)


def _show(value: float) -> str:
    """A reading as the messages quote it: 12,500,000, 4.5, 1e+300."""
    return f"{value:,.12g}"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _implausible(ctx: Context, outcome: Outcome, found: list[Reading]) -> None:
    if TAB not in ctx.tables or not ctx.tables[TAB].present:
        return
    kpis, log = ctx.tables[TAB], ctx.tables[LOG]
    keys = ctx.keys(TAB)
    for reading in found:
        index = keys.get(reading.kpi.casefold())
        if index is None:
            continue
        rec = kpis.records[index]
        direction, target = rec.get("Direction"), _num(rec.get("Target"))
        baseline = _num(rec.get("Baseline"))
        if not isinstance(direction, str) or target is None:
            continue
        if not is_implausible(direction, target, baseline, reading.value):
            continue
        if direction in PACED and baseline is not None:
            what = f"Baseline {_show(baseline)}, Target {_show(target)}"
            how = "the Baseline-to-Target distance away from the Baseline"
            if target == baseline:
                how = "the Target away from the Baseline"
        else:
            what = f"{direction} {_show(target)}"
            how = "the Target"
        outcome.findings.append(
            finding(
                "KPI-READING-IMPLAUSIBLE",
                LOG,
                log.key(reading.index),
                f"Value {_show(reading.value)} is implausible for {reading.kpi} ({what}): it is "
                f"more than {IMPLAUSIBLE_FACTOR:g} times {how}. Check it for extra digits "
                "or a wrong unit and correct it; until then it still counts for the Status.",
                cell=log.cell(reading.index, "Value"),
                column="Value",
                row=reading.row,
            )
        )


def _duplicates(ctx: Context, outcome: Outcome, found: list[Reading]) -> None:
    log = ctx.tables[LOG]
    groups: dict[tuple[str, dt.date], list[Reading]] = {}
    for reading in found:
        groups.setdefault((reading.kpi.casefold(), reading.date), []).append(reading)
    for group in groups.values():
        if len(group) < 2:
            continue
        last = group[-1]
        for reading in group[1:]:
            others = [r for r in group if r is not reading]
            rows = ", ".join(f"row {r.row + 1} ({_show(r.value)})" for r in others)
            counted = "this one" if reading is last else f"row {last.row + 1}"
            outcome.findings.append(
                finding(
                    "KPI-DUPLICATE-READING",
                    LOG,
                    log.key(reading.index),
                    f"{reading.kpi} has another reading on {reading.date.isoformat()} in "
                    f"{rows}; this row holds {_show(reading.value)}. Of readings on one date the "
                    f"lowest row counts ({counted}); delete the wrong one or correct its Date.",
                    cell=log.cell(reading.index, "Date"),
                    column="Date",
                    row=reading.row,
                )
            )


def check(ctx: Context, outcome: Outcome) -> None:
    """Report implausible and duplicate readings; every reading is still used.

    Readings of a Closed or Dropped KPI are not checked: nobody acts on them any more.
    """
    lifecycle = states(ctx)
    found = [r for r in readings(ctx) if lifecycle.kpi_id(r.kpi) not in ENDED]
    if not found:
        return
    _implausible(ctx, outcome, found)
    _duplicates(ctx, outcome, found)
